//! `cargo xtask <command>`: the project's build orchestration, so the README's two commands work
//! on a fresh machine with only rustup, cargo and Node.
//!
//! - `demo`: set up what the demo needs, build the component, run `host-example demo`.
//! - `test`: set up everything, check formatting and lints, build both WASM skins (checking
//!   their size budgets), run every native, WASM (Node + headless Chromium) and end-to-end test,
//!   and the same scenarios through a second host (jco in Node).
//! - `setup`, `component`, `pkg`: the steps on their own.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// `wasm-bindgen` CLI version; must equal the `wasm-bindgen` crate pinned in Cargo.toml.
const WASM_BINDGEN: &str = "0.2.130";
/// Size budgets of the issues (bytes), enforced by every build: the component ≤ 192 KiB
/// (issues 3 and 6), the JS package's wasm ≤ 160 KiB (issues 5 and 6).
const COMPONENT_BUDGET: u64 = 192 * 1024;
const PKG_BUDGET: u64 = 160 * 1024;
const COMPONENT: &str = "target/wasm32-wasip2/release/amazon_order_sync.wasm";
/// binaryen's `wasm-opt` for both wasm builds: for size, with the features rustc emits. Passes
/// run in the order given.
const WASM_OPT_FLAGS: &[&str] = &[
    // Lets binaryen fold `pointer + constant` into a load's or store's offset, which differs
    // only when the sum wraps past 4 GiB into the low KiB: no Rust pointer is that close to the
    // end of the address space (component −1.7 KB).
    "--low-memory-unused",
    // Functions that differ only in constants merged, and control flow rebuilt from scratch
    // (flattened, then re-looped) before shrinking: −2.7 KB and no more fuel than `-Oz` alone
    // (BENCHMARKS.md).
    "--merge-similar-functions",
    "--flatten",
    "--rereloop",
    // Constants propagated through locals into loads' offsets and other constant expressions,
    // and call arguments every caller passes the same dropped or folded into the callee: −149
    // bytes of the component, −16 fuel a push (BENCHMARKS.md).
    "--optimize-added-constants-propagate",
    "--precompute-propagate",
    "--dae-optimizing",
    "-Oz",
    "-Oz",
    // The most called functions first, so that their calls take the shortest indices: −1 KB,
    // the same code.
    "--reorder-functions",
    // Not a pass: the whole list above run again while it still shrinks the module (−118
    // bytes of the component, and a little less fuel).
    "--converge",
    "--enable-bulk-memory",
    "--enable-reference-types",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-multivalue",
    "--enable-simd",
];

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned();
    env::set_current_dir(&root).expect("enter the workspace root");
    prepend_path(&[
        root.join("node_modules/.bin"),
        root.join("host-example/jco/node_modules/.bin"),
        cargo_bin(),
    ]);
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo(&args[1..]),
        Some("test") => test(),
        Some("setup") => setup(true),
        Some("component") => component(),
        Some("pkg") => pkg(),
        _ => Err("usage: cargo xtask demo [args…] | test | setup | component | pkg".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn cargo_home() -> PathBuf {
    env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default()
}

fn cargo_bin() -> PathBuf {
    cargo_home().join("bin")
}

/// `--config` for `target`'s rustflags: `flags`, then a `--remap-path-prefix` per registry
/// source directory, which cuts the absolute paths of the dependencies' sources (panic
/// locations name them) down to `<crate>-<version>/…`. A wasm build's bytes, which the size
/// budgets check, then do not depend on where cargo keeps its home (and the component is
/// 177 bytes smaller). The sources are fetched first, so that a first build on a fresh machine
/// gets the same flags as every later one.
fn rustflags_config(target: &str, flags: &[&str]) -> Result<String> {
    run("cargo", &["fetch", "--quiet"])?;
    let sources = cargo_home().join("registry").join("src");
    let mut remaps: Vec<String> = std::fs::read_dir(&sources)
        .into_iter()
        .flatten()
        .flatten()
        .map(|dir| format!("--remap-path-prefix={}/=", dir.path().display()))
        .collect();
    remaps.sort();
    let all: Vec<String> = flags
        .iter()
        .map(|flag| toml_string(flag))
        .chain(remaps.iter().map(|flag| toml_string(flag)))
        .collect();
    Ok(format!("target.{target}.rustflags = [{}]", all.join(", ")))
}

/// `text` as a TOML basic string: quotes, backslashes and control characters escaped (TOML's
/// escapes are not Rust's `{:?}`, which writes `\u{301}` for a combining accent).
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() && (c as u32) < 0x80 => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn prepend_path(dirs: &[PathBuf]) {
    let mut paths: Vec<PathBuf> = dirs.to_vec();
    paths.extend(env::split_paths(&env::var_os("PATH").unwrap_or_default()));
    env::set_var("PATH", env::join_paths(paths).expect("a valid PATH"));
}

fn step(title: &str) {
    println!("\n==> {title}");
}

fn run(program: &str, args: &[&str]) -> Result {
    run_env(program, args, &[])
}

fn run_env(program: &str, args: &[&str], vars: &[(&str, &str)]) -> Result {
    let status = Command::new(program)
        .args(args)
        .envs(vars.iter().copied())
        .status()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn has_version(program: &str, version: &str) -> bool {
    output(program, &["--version"]).is_some_and(|v| v.contains(version))
}

/// Installs what is missing; skips what is there. `full` adds the wasm-bindgen and browser
/// tooling; the component always needs binaryen's wasm-opt and jco (npm).
fn setup(full: bool) -> Result {
    step("rustup targets");
    run(
        "rustup",
        &["target", "add", "wasm32-wasip2", "wasm32-unknown-unknown"],
    )?;
    if !Path::new("node_modules/.bin/wasm-opt").exists()
        || !Path::new("node_modules/playwright-core").exists()
    {
        step("npm ci (binaryen's wasm-opt, playwright-core)");
        run("npm", &["ci", "--no-audit", "--no-fund"])?;
    }
    if !Path::new("host-example/jco/node_modules/.bin/jco").exists() {
        step("npm ci in host-example/jco (jco)");
        run(
            "npm",
            &[
                "ci",
                "--no-audit",
                "--no-fund",
                "--prefix",
                "host-example/jco",
            ],
        )?;
    }
    if !full {
        return Ok(());
    }
    if !has_version("wasm-bindgen", WASM_BINDGEN) {
        step("wasm-bindgen-cli");
        // Not --locked: its lock file pins a webpki-roots release the registry mirror lacks.
        run(
            "cargo",
            &["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN],
        )?;
    }
    if output("chromedriver", &["--version"]).is_none() {
        step("Chromium + ChromeDriver (Debian packages)");
        run("apt-get", &["update", "-q"])?;
        run(
            "apt-get",
            &["install", "-y", "-q", "chromium", "chromium-driver"],
        )?;
    }
    Ok(())
}

fn size_check(path: &str, budget: u64) -> Result {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("{path}: {e}"))?
        .len();
    println!("{path}: {size} bytes (budget {budget} bytes)");
    if size > budget {
        return Err(format!(
            "{path} is {size} bytes, over its {budget}-byte budget"
        ));
    }
    Ok(())
}

/// The WASM component (release profile, then binaryen), within its size budget.
fn component() -> Result {
    // The guest is linked as a plain core module (wasm-component-ld's --skip-wit-component),
    // shrunk by binaryen, then wrapped as a component by jco (wit-component): −15 % bytes and
    // −4 % fuel against the component `cargo build` links directly (BENCHMARKS.md). The result
    // replaces cargo's output, which every host and test loads.
    step("component core module (wasm32-wasip2, release)");
    run(
        "cargo",
        &[
            "build",
            "-p",
            "amazon-order-sync",
            "--target",
            "wasm32-wasip2",
            "--release",
            "--target-dir",
            "target/component-core",
            "--config",
            &rustflags_config("wasm32-wasip2", &["-C", "link-arg=--skip-wit-component"])?,
        ],
    )?;
    step("wasm-opt -Oz, then the component (jco new)");
    let optimized = "target/component-core/amazon_order_sync.opt.wasm";
    run(
        "wasm-opt",
        &[
            WASM_OPT_FLAGS,
            &[
                "-o",
                optimized,
                "target/component-core/wasm32-wasip2/release/amazon_order_sync.wasm",
            ],
        ]
        .concat(),
    )?;
    std::fs::create_dir_all("target/wasm32-wasip2/release")
        .map_err(|e| format!("target/wasm32-wasip2/release: {e}"))?;
    run("jco", &["new", optimized, "-o", COMPONENT])?;
    let component = std::fs::read(COMPONENT).map_err(|e| format!("{COMPONENT}: {e}"))?;
    let stripped = without_custom_sections(&component)?;
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&stripped)
        .map_err(|e| format!("{COMPONENT} without its custom sections is invalid: {e}"))?;
    std::fs::write(COMPONENT, stripped).map_err(|e| format!("{COMPONENT}: {e}"))?;
    size_check(COMPONENT, COMPONENT_BUDGET)
}

/// `wasm` without its custom sections, at any depth: the names wit-component adds for
/// debugging (4 KB) and the producers. No host reads them; the core module's own were already
/// stripped by the release profile.
fn without_custom_sections(wasm: &[u8]) -> Result<Vec<u8>> {
    use wasm_encoder::{ComponentSectionId, Encode, RawSection, Section};
    use wasmparser::{Parser, Payload};

    let mut output = Vec::new();
    // The outputs of the modules and components that enclose the one being copied.
    let mut enclosing = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| format!("{COMPONENT}: {e}"))?;
        match &payload {
            // The header as it was (magic, version and layer).
            Payload::Version { range, .. } => {
                output.extend_from_slice(&wasm[range.start as usize..range.end as usize])
            }
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => {
                enclosing.push(std::mem::take(&mut output));
                continue;
            }
            Payload::End(_) => {
                let Some(mut parent) = enclosing.pop() else {
                    break;
                };
                // A component's layer (bytes 6 and 7 of its header) is 1, a module's 0.
                let id = if output.get(6..8) == Some(&[1, 0]) {
                    ComponentSectionId::Component
                } else {
                    ComponentSectionId::CoreModule
                };
                parent.push(id as u8);
                output.encode(&mut parent);
                output = parent;
            }
            Payload::CustomSection(_) => continue,
            _ => {}
        }
        if let Some((id, range)) = payload.as_section() {
            let range = range.start as usize..range.end as usize;
            RawSection {
                id,
                data: &wasm[range],
            }
            .append_to(&mut output);
        }
    }
    Ok(output)
}

/// The wasm-bindgen package in pkg/, optimised by binaryen's wasm-opt, within its size budget.
fn pkg() -> Result {
    step("JS package (wasm32-unknown-unknown → pkg/)");
    // Symbols and custom sections kept for wasm-bindgen, which reads the `target_features`
    // section to write its glue for the features the module uses (multi-value returns rather
    // than a return area on the stack); `wasm-opt` below drops them.
    run_env(
        "cargo",
        &[
            "build",
            "-p",
            "amazon-order-sync",
            "--target",
            "wasm32-unknown-unknown",
            "--release",
            "--config",
            &rustflags_config("wasm32-unknown-unknown", &[])?,
        ],
        &[("CARGO_PROFILE_RELEASE_STRIP", "debuginfo")],
    )?;
    run(
        "wasm-bindgen",
        &[
            "--target",
            "web",
            "--out-dir",
            "pkg",
            "target/wasm32-unknown-unknown/release/amazon_order_sync.wasm",
        ],
    )?;
    run(
        "wasm-opt",
        &[
            WASM_OPT_FLAGS,
            &[
                "--strip-producers",
                "--strip-target-features",
                "-o",
                "pkg/amazon_order_sync_bg.wasm",
                "pkg/amazon_order_sync_bg.wasm",
            ],
        ]
        .concat(),
    )?;
    size_check("pkg/amazon_order_sync_bg.wasm", PKG_BUDGET)
}

fn demo(args: &[String]) -> Result {
    setup(false)?;
    component()?;
    step("host-example demo");
    let mut cmd = vec!["run", "-q", "-p", "host-example", "--", "demo"];
    cmd.extend(args.iter().map(String::as_str));
    run("cargo", &cmd)
}

fn test() -> Result {
    warn_if_disk_is_short();
    setup(true)?;
    step("formatting and lints");
    run("cargo", &["fmt", "--all", "--check"])?;
    // The native workspace, then each WASM skin on its own target.
    for scope in [
        &["--workspace", "--all-targets"][..],
        &["-p", "amazon-order-sync", "--target", "wasm32-wasip2"],
        &[
            "-p",
            "amazon-order-sync",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
        ],
    ] {
        let mut args = vec!["clippy"];
        args.extend_from_slice(scope);
        args.extend_from_slice(&["--", "-D", "warnings"]);
        run("cargo", &args)?;
    }
    component()?;
    pkg()?;
    step("native tests (core, engine, host-example end to end)");
    run("cargo", &["test", "--workspace"])?;
    step("wasm-bindgen tests in Node");
    run(
        "cargo",
        &[
            "test",
            "-p",
            "amazon-order-sync",
            "--target",
            "wasm32-unknown-unknown",
            "--test",
            "web",
        ],
    )?;
    step("wasm-bindgen tests in headless Chromium");
    browser_tests()?;
    step("preview page end to end (headless Chromium)");
    run("node", &["--test", "host-example/web/e2e/"])?;
    step("second host: the component under jco in Node, against host-example's final states");
    run("node", &["--test", "host-example/jco/"])?;
    Ok(())
}

/// What a clean `cargo xtask test` writes: 3.4 GB of `target/` (measured on 2026-11-30 with
/// `CARGO_INCREMENTAL=0`, as `.ci/run` builds), and the tools it installs.
const TEST_DISK_BYTES: u64 = 5 << 30;

/// Says so up front when the disk the build writes to has less room than a clean run needs: a
/// full disk stops it midway, with a linker's bus error or an unwritable archive.
fn warn_if_disk_is_short() {
    // POSIX `df`: the second line's fourth column is the space available, in KiB.
    let free = output("df", &["-Pk", "."]).and_then(|out| {
        let line = out.lines().nth(1)?;
        line.split_whitespace().nth(3)?.parse::<u64>().ok()
    });
    if let Some(free) = free.map(|kib| kib * 1024).filter(|&b| b < TEST_DISK_BYTES) {
        eprintln!(
            "xtask: warning: {:.1} GiB free here; a clean run of every test writes about {} GiB",
            free as f64 / f64::from(1 << 30),
            TEST_DISK_BYTES >> 30
        );
    }
}

/// The runner skips browser tests with success unless told to use the browser, so the output
/// is checked for the browser run itself.
fn browser_tests() -> Result {
    let out = Command::new("cargo")
        .args([
            "test",
            "-p",
            "amazon-order-sync",
            "--target",
            "wasm32-unknown-unknown",
            "--test",
            "web",
        ])
        .envs([
            ("WASM_BINDGEN_USE_BROWSER", "1"),
            ("CHROMEDRIVER", "/usr/bin/chromedriver"),
        ])
        .output()
        .map_err(|e| format!("cannot start cargo: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    print!("{text}");
    if !out.status.success() {
        return Err("browser tests failed".into());
    }
    if !text.contains("Running headless tests in Chrome") || text.contains("0 passed") {
        return Err("the browser run executed no tests".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::toml_string;

    #[test]
    fn flags_are_written_as_toml_basic_strings() {
        assert_eq!(toml_string("-C"), r#""-C""#);
        assert_eq!(
            toml_string("--remap-path-prefix=/home/José\u{301}/x\"y\\z\u{7f}\t/="),
            "\"--remap-path-prefix=/home/José\u{301}/x\\\"y\\\\z\\u007F\\u0009/=\""
        );
    }
}

//! Deterministic fuel figures of budgets 1 and 3 (see BENCHMARKS.md). Prints them; with
//! `--enforce` (or `FUEL_BUDGETS=enforce`) exits non-zero when a budget is exceeded.
//!
//! `cargo bench -p host-example --bench fuel [-- --enforce] [-- --small] [-- --trace]`
//! (`--small` skips the 100 000-row scale run; `--trace` only prints where the fuel of a push
//! and of a tick goes, host call by host call, and the part of it that bulk memory moves cost.)

mod support;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let enforce = args.iter().any(|a| a == "--enforce")
        || std::env::var("FUEL_BUDGETS").is_ok_and(|v| v == "enforce");
    let scale: &[u64] = if args.iter().any(|a| a == "--small") {
        &[1_000, 10_000]
    } else {
        &[1_000, 100_000]
    };
    let rig = support::Rig::new(true).expect("component loads");
    println!(
        "component: {} ({} bytes)",
        support::component_path().display(),
        rig.component_bytes
    );
    if args.iter().any(|a| a == "--trace") {
        let bulk_free = support::Rig::bulk_free(true).expect("component loads");
        print!("{}", support::fuel_traces(&rig, &bulk_free));
        return;
    }
    let figures = support::fuel_figures(&rig, scale);
    print!("{figures}");
    let over = support::over_budget(&figures);
    if over.is_empty() {
        println!("every fuel budget is met");
    } else {
        for o in &over {
            println!("over budget: {o}");
        }
        if enforce {
            std::process::exit(1);
        }
    }
}

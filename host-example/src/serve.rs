//! `host-example serve`: the in-browser validation preview on loopback — the page from
//! `host-example/web/` at `/`, the JS package from `pkg/` at `/pkg/`.

use anyhow::{Context, Result};
use std::path::{Component, Path, PathBuf};

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("wasm") => "application/wasm",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

/// Maps a request path onto a file under `web` or `pkg`; `None` for anything that would leave
/// those folders.
pub fn resolve(url: &str, web: &Path, pkg: &Path) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let (root, rest) = match path.strip_prefix("/pkg/") {
        Some(rest) => (pkg, rest),
        None => (web, path.trim_start_matches('/')),
    };
    let rest = if rest.is_empty() { "index.html" } else { rest };
    let relative = Path::new(rest);
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    Some(root.join(relative))
}

pub fn run(port: u16, web: &Path, pkg: &Path) -> Result<()> {
    anyhow::ensure!(
        pkg.join("amazon_order_sync.js").exists(),
        "{} has no built package: run `cargo xtask pkg` first",
        pkg.display()
    );
    let server = tiny_http::Server::http(("127.0.0.1", port))
        .map_err(|e| anyhow::anyhow!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let addr = server.server_addr().to_ip().context("a TCP listener")?;
    println!("preview at http://{addr}/ (Ctrl-C to stop)");
    for request in server.incoming_requests() {
        let file = resolve(request.url(), web, pkg).filter(|p| p.is_file());
        // One thread per request: a browser fetches the page's files in parallel, and a slow
        // reader must not hold the others back.
        std::thread::spawn(move || {
            let response = match file.and_then(|p| std::fs::read(&p).ok().map(|b| (p, b))) {
                Some((path, bytes)) => tiny_http::Response::from_data(bytes).with_header(
                    tiny_http::Header::from_bytes("content-type", content_type(&path))
                        .expect("a valid header"),
                ),
                None => tiny_http::Response::from_data(b"not found".to_vec()).with_status_code(404),
            };
            let _ = request.respond(response);
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_paths_stay_inside_the_page_and_package_folders() {
        let (web, pkg) = (Path::new("/w"), Path::new("/p"));
        assert_eq!(resolve("/", web, pkg), Some(PathBuf::from("/w/index.html")));
        assert_eq!(
            resolve("/app.js?v=1", web, pkg),
            Some(PathBuf::from("/w/app.js"))
        );
        assert_eq!(
            resolve("/pkg/amazon_order_sync_bg.wasm", web, pkg),
            Some(PathBuf::from("/p/amazon_order_sync_bg.wasm"))
        );
        assert_eq!(resolve("/../etc/passwd", web, pkg), None);
        assert_eq!(resolve("/pkg/../../etc/passwd", web, pkg), None);
    }
}

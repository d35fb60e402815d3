// A tiny static server for the preview page, on loopback only. URL layout (the same one
// `host-example serve` uses): the page and its files at "/", the JS package at "/pkg/".
//
//   node host-example/web/e2e/serve.mjs [port]     # then open http://127.0.0.1:<port>/
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
export const WEB_DIR = resolve(here, '..');
export const PKG_DIR = resolve(here, '../../../pkg');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.ts': 'text/plain; charset=utf-8',
};

/** The file for a URL path, or null when it is outside the served folders. */
function fileFor(pathname, webDir, pkgDir) {
  const [root, rest] = pathname.startsWith('/pkg/')
    ? [pkgDir, pathname.slice('/pkg/'.length)]
    : [webDir, pathname === '/' ? 'index.html' : pathname.slice(1)];
  const file = normalize(join(root, decodeURIComponent(rest)));
  return file === root || file.startsWith(root + sep) ? file : null;
}

/** Starts the server; resolves to {url, close()}. `port` 0 = any free port. */
export function startServer({ port = 0, webDir = WEB_DIR, pkgDir = PKG_DIR } = {}) {
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    const file = fileFor(pathname, webDir, pkgDir);
    try {
      if (!file) throw Object.assign(new Error('outside'), { code: 'ENOENT' });
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch (e) {
      res.writeHead(e.code === 'ENOENT' || e.code === 'EISDIR' ? 404 : 500, { 'content-type': 'text/plain' });
      res.end(`${pathname}: not found\n`);
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address();
      ok({
        url: `http://127.0.0.1:${bound}/`,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await startServer({ port: Number(process.argv[2] ?? 8080) });
  console.log(`preview page on ${url} (package from ${PKG_DIR})`);
}

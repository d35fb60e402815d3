// The asynchronous half of the synchronous HTTP bridge (see http.mjs). It runs in a worker
// thread, performs one request at a time with node:http(s), posts the outcome back on its
// MessagePort and wakes the main thread, which sleeps in Atomics.wait meanwhile.
import http from 'node:http';
import https from 'node:https';
import { workerData } from 'node:worker_threads';

const { port, shared } = workerData;
const flag = new Int32Array(shared);

function request(req) {
  return new Promise((resolve) => {
    let url;
    try {
      url = new URL(req.url);
    } catch (e) {
      resolve({ err: { tag: 'transport', val: `bad URL: ${e.message}` } });
      return;
    }
    const lib = url.protocol === 'https:' ? https : http;
    const headers = {};
    for (const [k, v] of req.headers) headers[k] = v;
    // No agent keep-alive, no proxy, no redirects: node:http follows none of them by itself.
    const r = lib.request(
      url,
      { method: req.method, headers, timeout: req.timeoutMs, agent: false },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const hs = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            hs.push([res.rawHeaders[i].toLowerCase(), res.rawHeaders[i + 1]]);
          }
          resolve({ ok: { status: res.statusCode, headers: hs, body: Buffer.concat(chunks).toString('utf8') } });
        });
        res.on('error', (e) => resolve({ err: { tag: 'transport', val: `reading body: ${e.message}` } }));
      },
    );
    r.on('timeout', () => {
      r.destroy();
      resolve({ err: { tag: 'timeout' } });
    });
    r.on('error', (e) => resolve({ err: { tag: 'transport', val: e.message } }));
    if (req.body !== undefined) r.end(req.body);
    else r.end();
  });
}

port.on('message', async (req) => {
  let out;
  try {
    out = await request(req);
  } catch (e) {
    out = { err: { tag: 'transport', val: String(e?.message ?? e) } };
  }
  port.postMessage(out);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
port.postMessage({ ready: true });

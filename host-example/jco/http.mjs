// `commerce:amazon-order-sync/http` for the jco host: an allow-list of origins (the same rules
// as host-example/src/http.rs) in front of a synchronous bridge to a worker thread.
//
// WIT imports are synchronous, but Node's HTTP is not. The main thread posts the request to a
// worker on a MessagePort and sleeps in Atomics.wait on a SharedArrayBuffer; the worker does the
// request, posts the answer and wakes it; the main thread then takes the answer with
// receiveMessageOnPort (no event-loop turn needed).
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';

export const HTTP_TIMEOUT_MS = 20_000;

/** `{scheme, host, port}` of an absolute http(s) URL, or throws a reason (http.rs `origin`). */
export function origin(url) {
  const i = url.indexOf('://');
  if (i < 0) throw new Error('not an absolute URL');
  const scheme = url.slice(0, i).toLowerCase();
  const rest = url.slice(i + 3);
  let defaultPort;
  if (scheme === 'http') defaultPort = 80;
  else if (scheme === 'https') defaultPort = 443;
  else throw new Error(`scheme ${JSON.stringify(scheme)} is not http or https`);
  const authority = rest.split(/[/?#]/)[0];
  if (authority.includes('@')) throw new Error('URLs with user info are not allowed');
  if (authority === '') throw new Error('URL has no host');
  let host;
  let port;
  const parsePort = (p) => {
    if (!/^[0-9]+$/.test(p) || Number(p) > 65535) throw new Error('bad port');
    return Number(p);
  };
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) throw new Error('bad IPv6 host');
    const after = authority.slice(close + 1);
    host = authority.slice(0, close + 1);
    if (after.startsWith(':')) port = parsePort(after.slice(1));
    else if (after === '') port = defaultPort;
    else throw new Error('bad authority');
  } else {
    const c = authority.lastIndexOf(':');
    if (c >= 0) {
      host = authority.slice(0, c);
      port = parsePort(authority.slice(c + 1));
    } else {
      host = authority;
      port = defaultPort;
    }
  }
  return { scheme, host: host.toLowerCase(), port };
}

const show = (o) => `${o.scheme}://${o.host}:${o.port}`;

export class HttpClient {
  constructor() {
    this.allow = [];
    this.log = [];
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.flag = new Int32Array(new SharedArrayBuffer(4));
    this.worker = new Worker(new URL('./http-worker.mjs', import.meta.url), {
      workerData: { port: port2, shared: this.flag.buffer },
      transferList: [port2],
    });
    this.worker.unref();
    this.port.unref?.();
    this.ready = false;
  }

  /** Endpoints (full URLs) become the allow-list; unparsable ones are skipped. */
  setAllowList(endpoints) {
    const allow = [];
    for (const e of endpoints) {
      let o;
      try {
        o = origin(e);
      } catch {
        continue;
      }
      if (!allow.some((a) => show(a) === show(o))) allow.push(o);
    }
    this.allow = allow;
  }

  check(url) {
    let o;
    try {
      o = origin(url);
    } catch (e) {
      return { tag: 'not-allowed', val: `${url}: ${e.message}` };
    }
    if (this.allow.some((a) => show(a) === show(o))) return null;
    return { tag: 'not-allowed', val: `${show(o)} is not on the host's allow-list` };
  }

  #roundTrip(msg) {
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage(msg);
    // Wait for the worker's answer; the worker stores 1 and notifies.
    while (Atomics.load(this.flag, 0) === 0) Atomics.wait(this.flag, 0, 0, HTTP_TIMEOUT_MS + 5_000);
    const got = receiveMessageOnPort(this.port);
    if (!got) throw new Error('http bridge: worker woke us without an answer');
    return got.message;
  }

  #waitReady() {
    if (this.ready) return;
    // The worker posts {ready} once it listens; block until it is there.
    for (;;) {
      const got = receiveMessageOnPort(this.port);
      if (got?.message?.ready) break;
      Atomics.wait(this.flag, 0, 0, 10);
    }
    this.ready = true;
  }

  /** The WIT `send`: returns a response or throws the `http-error` variant (jco's result err). */
  send(req) {
    const method = req.method === 'post' ? 'POST' : 'GET';
    const urlShown = req.url.split('?')[0];
    const refused = this.check(req.url);
    if (refused) {
      this.log.push({ method, url: urlShown, outcome: `not-allowed: ${refused.val}` });
      throw refused;
    }
    this.#waitReady();
    const r = this.#roundTrip({ method, url: req.url, headers: req.headers, body: req.body, timeoutMs: HTTP_TIMEOUT_MS });
    if (r.err) {
      this.log.push({ method, url: urlShown, outcome: r.err.tag === 'timeout' ? 'timeout' : `${r.err.tag}: ${r.err.val}` });
      throw r.err;
    }
    this.log.push({ method, url: urlShown, outcome: String(r.ok.status) });
    return r.ok;
  }

  close() {
    return this.worker.terminate();
  }
}

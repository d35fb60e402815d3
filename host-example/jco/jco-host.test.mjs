// `node --test host-example/jco/`: the jco host and host-example replay the same scenarios
// against the same component bytes and the same sandbox code; their final states must match.
//
// Before the tests: the component (target/wasm32-wasip2/release/amazon_order_sync.wasm) is
// copied to out/source/ so a concurrent rebuild cannot give the two hosts different bytes (and
// host-example's .cwasm cache next to the copy survives between runs); it is transpiled to
// host-example/jco/out/ when its hash changed; the sandbox wrapper is built.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HERE, REPO, OUT_DIR, Storage, cmpBytes } from './host.mjs';
import { origin, HttpClient } from './http.mjs';
import { buildSandbox } from './sandbox.mjs';

const WASM = path.join(REPO, 'target/wasm32-wasip2/release/amazon_order_sync.wasm');
const SCENARIOS = path.join(REPO, 'tests/scenarios');
const STAMP = path.join(OUT_DIR, '.source-sha256');
const JCO = path.join(HERE, 'node_modules/.bin/jco');

let tmp;
let component;
let replayMod;

before(() => {
  assert.ok(existsSync(WASM), `${WASM} is missing: cargo build -p amazon-order-sync --target wasm32-wasip2 --release`);
  assert.ok(existsSync(JCO), 'jco is not installed: (cd host-example/jco && npm ci)');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'jco-host-'));
  mkdirSync(path.join(OUT_DIR, 'source'), { recursive: true });
  component = path.join(OUT_DIR, 'source', 'amazon_order_sync.wasm');
  copyFileSync(WASM, component);
  const sha = createHash('sha256').update(readFileSync(component)).digest('hex');
  const stamped = existsSync(STAMP) ? readFileSync(STAMP, 'utf8').trim() : '';
  if (stamped !== sha || !existsSync(path.join(OUT_DIR, 'amazon_order_sync.js'))) {
    execFileSync(JCO, ['transpile', component, '-o', OUT_DIR, '--instantiation', 'async', '--name', 'amazon_order_sync', '--quiet'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    writeFileSync(STAMP, `${sha}\n`);
  }
  buildSandbox();
  // Build host-example once up front so the per-scenario `cargo run`s only run it.
  execFileSync('cargo', ['build', '-q', '-p', 'host-example'], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] });
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** `host-example replay <scenario> --json` on its own SQLite file: (exit code, JSON, stderr, db). */
function hostExample(file) {
  const db = path.join(tmp, `${path.basename(file, '.jsonl')}.sqlite`);
  rmSync(db, { force: true });
  const r = spawnSync('cargo', ['run', '-q', '-p', 'host-example', '--', '--db', db, '--component', component, 'replay', file, '--json'], {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, doc: r.status === 0 ? JSON.parse(r.stdout) : null, stderr: r.stderr, db };
}

/** Rows of host-example's SQLite file, via the sqlite3 CLI (null when it is not installed). */
function sql(db, query) {
  const r = spawnSync('sqlite3', ['-json', db, query], { encoding: 'utf8' });
  if (r.error) return null;
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim() === '' ? [] : JSON.parse(r.stdout);
}

/** Loopback ports differ between the two sandboxes; nothing else may. */
const normalize = (v) => JSON.parse(JSON.stringify(v).replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT'));
const byKey = (rows, key) => new Map(rows.map((r) => [key(r), r]));

function compareDocuments(he, js) {
  he = normalize(he);
  js = normalize(js);
  const orderKey = (o) => `${o.store}/${o.amazon_order_id}`;
  assert.deepEqual(js.amazon_orders.map(orderKey), he.amazon_orders.map(orderKey), 'the same Amazon orders, in the same order');
  assert.deepEqual(byKey(js.amazon_orders, orderKey), byKey(he.amazon_orders, orderKey), 'amazon_orders');
  // Compared by (store, amazon_order_id); the Commerce ids are compared too: both hosts number
  // orders 1, 2, 3… in creation order, so equal ids also prove equal creation order.
  assert.deepEqual(byKey(js.commerce_orders, orderKey), byKey(he.commerce_orders, orderKey), 'commerce_orders');
  assert.deepEqual(js.commerce_orders.map((o) => o.id), he.commerce_orders.map((o) => o.id), 'commerce order ids');
  assert.equal(js.system_message, he.system_message, 'system_message');
  assert.deepEqual(js.shipment_confirmations, he.shipment_confirmations, 'shipment_confirmations');
  assert.deepEqual(js.products, he.products, 'products (stock)');
  const ticks = he.ticks.map(({ fuel: _fuel, ...t }) => t);
  assert.deepEqual(js.ticks, ticks, 'tick reports (minus fuel)');
  assert.deepEqual(Object.keys(js).sort(), Object.keys(he).filter((k) => k !== 'fuel').sort(), 'same document shape minus fuel');
}

/** Everything both hosts keep: every storage key and value, and every Commerce table row. */
function compareState(db, state) {
  const kv = sql(db, 'SELECT key, value FROM kv ORDER BY key');
  if (kv === null) return false;
  const n = (v) => normalize(v);
  assert.deepEqual(n(state.kv), n(kv.map((r) => [r.key, r.value])), 'storage: every key and value');
  const orders = sql(db, 'SELECT id, increment_id, store, amazon_order_id, status, customer_email, customer_name, created_at, draft_json FROM orders ORDER BY id');
  assert.deepEqual(
    state.orders,
    orders.map(({ draft_json, ...o }) => ({ ...o, draft: JSON.parse(draft_json) })),
    'orders (with the whole order-draft the component sent)',
  );
  assert.deepEqual(state.order_items, sql(db, 'SELECT order_id, line, sku, order_item_id, title, qty, qty_shipped, unit_price, row_total FROM order_items ORDER BY order_id, line'), 'order_items');
  assert.deepEqual(state.order_status_history, sql(db, 'SELECT id, order_id, status, comment, created_at FROM order_status_history ORDER BY id'), 'order_status_history');
  assert.deepEqual(state.reservations, sql(db, 'SELECT store, amazon_order_id, sku, qty FROM reservations ORDER BY store, amazon_order_id, sku'), 'reservations');
  assert.deepEqual(state.shipments, sql(db, 'SELECT id, order_id, carrier, tracking_number, items_json, created_at FROM shipments ORDER BY id'), 'shipments');
  return true;
}

const scenarios = readdirSync(SCENARIOS).filter((f) => f.endsWith('.jsonl')).sort();

for (const name of scenarios) {
  test(`${name}: the jco host ends in host-example's state`, async (t) => {
    replayMod ??= await import('./replay.mjs');
    const file = path.join(SCENARIOS, name);
    const he = hostExample(file);
    let js;
    let jsErr;
    try {
      js = await replayMod.replay(readFileSync(file, 'utf8'));
    } catch (e) {
      jsErr = e;
    }
    if (he.code !== 0) {
      // A scenario host-example refuses (exit 2 = a bad line) must stop the jco host at that line.
      assert.equal(he.code, 2, `host-example failed: ${he.stderr}`);
      const line = Number(/line (\d+):/.exec(he.stderr)?.[1]);
      assert.ok(jsErr instanceof replayMod.ReplayError, `jco host should have stopped too (${jsErr})`);
      assert.equal(jsErr.line, line, 'both stop at the same line');
      return;
    }
    if (jsErr) throw jsErr;
    assert.deepEqual(js.warnings, [], 'no step the jco host could not honour (e.g. a fuel budget)');
    compareDocuments(he.doc, replayMod.jsonOutput(js));
    if (!compareState(he.db, js.state)) t.diagnostic('sqlite3 CLI not found: storage/Commerce tables not compared');
  });
}

test('storage: list-prefix is in byte order with after/limit; apply is all-or-nothing', () => {
  const s = new Storage();
  s.apply([
    { tag: 'put', val: ['p/b', '2'] },
    { tag: 'put', val: ['p/a', '1'] },
    { tag: 'put', val: ['p/\u{1F600}', 'astral'] },
    { tag: 'put', val: ['p/\uFFFD', 'bmp'] },
    { tag: 'put', val: ['q/a', 'x'] },
  ]);
  // UTF-16 order would put U+1F600 (a surrogate pair, 0xD83D…) before U+FFFD; UTF-8 bytes do not.
  assert.deepEqual(s.listPrefix('p/', undefined, 10).map(([k]) => k), ['p/a', 'p/b', 'p/\uFFFD', 'p/\u{1F600}']);
  assert.deepEqual(s.listPrefix('p/', 'p/a', 1), [['p/b', '2']]);
  assert.deepEqual(s.listPrefix('p/', undefined, 0), []);
  assert.throws(() => s.apply([{ tag: 'delete', val: 'p/a' }, { tag: 'put', val: ['big', 'x'.repeat(1024 * 1024 + 1)] }]), (e) => e.tag === 'too-large');
  assert.equal(s.get('p/a'), '1', 'the failed batch changed nothing');
  // A put-parts value is its parts joined, held to the same cap as a whole.
  s.apply([{ tag: 'put-parts', val: ['r/1', ['{"order":', '{"a":1}', ',"v":1}']] }]);
  assert.equal(s.get('r/1'), '{"order":{"a":1},"v":1}');
  const half = 'x'.repeat(512 * 1024 + 1);
  assert.throws(() => s.apply([{ tag: 'delete', val: 'r/1' }, { tag: 'put-parts', val: ['big', [half, half]] }]), (e) => e.tag === 'too-large');
  assert.equal(s.get('r/1'), '{"order":{"a":1},"v":1}', 'the failed batch changed nothing');
  assert.equal(s.compareAndSwap('p/a', '0', '9'), false);
  assert.equal(s.compareAndSwap('p/a', '1', undefined), true);
  assert.equal(s.get('p/a'), undefined);
  assert.equal(cmpBytes('a', 'b') < 0, true);
});

test('http: the allow-list refuses other origins and user info, and sends nothing', () => {
  const h = new HttpClient();
  try {
    h.setAllowList(['http://127.0.0.1:8700', 'https://api.amazon.com/auth/o2/token']);
    assert.deepEqual(origin('HTTPS://API.amazon.com/x'), { scheme: 'https', host: 'api.amazon.com', port: 443 });
    for (const url of ['http://127.0.0.1:8701/orders', 'http://evil.example/', 'ftp://127.0.0.1:8700/', 'http://127.0.0.1:8700@evil.example/']) {
      assert.throws(() => h.send({ method: 'get', url, headers: [] }), (e) => e.tag === 'not-allowed', url);
    }
    assert.ok(h.log.every((e) => e.outcome.startsWith('not-allowed')));
    // An allowed origin with nothing listening is a transport error, through the sync bridge.
    h.setAllowList(['http://127.0.0.1:1']);
    assert.throws(() => h.send({ method: 'post', url: 'http://127.0.0.1:1/auth/o2/token', headers: [], body: 'x' }), (e) => e.tag === 'transport');
  } finally {
    h.close();
  }
});

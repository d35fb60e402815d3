// End-to-end test of the preview page in headless Chromium (Debian's /usr/bin/chromium, driven
// by playwright-core; no browser download). Needs the package built into pkg/ first
// (`cargo xtask pkg`). Run: node --test host-example/web/e2e/
// Leaves a screenshot in artifacts/preview.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer, PKG_DIR } from './serve.mjs';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const ARTIFACTS = resolve(ROOT, 'artifacts');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// A closed network: nothing but the loopback page.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let server;
let browser;

before(async () => {
  assert.ok(existsSync(resolve(PKG_DIR, 'amazon_order_sync_bg.wasm')),
    'pkg/ is not built: run `cargo xtask pkg` first');
  server = await startServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function openPage() {
  const page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
  return { page, problems };
}

/** {orderId: decision} as the table shows it. */
async function shown(page) {
  const rows = await page.$$eval('#preview tbody tr', (trs) => trs.map((tr) => [tr.dataset.orderId, tr.dataset.decision]));
  return Object.fromEntries(rows);
}

/** Waits until the table shows `decision` for `orderId` (inputs re-render after a short pause). */
async function until(page, orderId, decision) {
  await page.waitForSelector(`#preview tbody tr[data-order-id="${orderId}"][data-decision="${decision}"]`, { timeout: 5000 });
}

test('the bundled samples show the plugin\'s decisions, live on every input', async () => {
  const { page, problems } = await openPage();

  const first = await shown(page);
  // Sandbox samples (getOrders + getOrderItems + page 1 + IBA getOrder).
  assert.equal(first['902-1845936-5435065'], 'blocked', 'its SKU is not in the catalog');
  assert.equal(first['902-8745147-1934268'], 'create');
  assert.equal(first['902-3159896-1390916'], 'wait', 'Pending');
  assert.equal(first['921-3175655-0452641'], 'complete', 'FBA, already shipped');
  // Made-up orders.
  assert.equal(first['111-0000001-0000001'], 'create');
  assert.equal(first['111-0000003-0000003'], 'blocked');
  assert.equal(first['111-0000004-0000004'], 'blocked');
  assert.equal(first['111-0000005-0000005'], 'blocked');
  assert.equal(first['111-0000008-0000008'], 'wait', 'FBA not shipped yet');
  assert.equal(first['111-0000012-0000012'], 'cancel');
  assert.equal(first['111-0000013-0000013'], 'create', 'integrated at the epoch: nothing is skipped');

  // Reasons and resolutions are on the page.
  const fba = await page.textContent('tr[data-order-id="111-0000008-0000008"] .reason');
  assert.equal(fba, 'FBA orders are created when Amazon ships them.');
  const fix = await page.textContent('tr[data-order-id="111-0000004-0000004"] .resolution');
  assert.equal(fix, 'Make sure the product status is Enabled.');
  const summary = await page.textContent('#summary');
  assert.match(summary, /^\d+ orders: /);

  // Editing the catalog: the missing sandbox SKU added → the order is created.
  await page.click('#add-product');
  await page.locator('#catalog-rows tr:last-child input').first().fill('NABetaASINB00551Q3CS');
  await until(page, '902-1845936-5435065', 'create');

  // Editing the store: integrated later → older orders are skipped.
  await page.fill('#integrated-at', '2026-01-01T00:00:00Z');
  await until(page, '111-0000013-0000013', 'skip');
  assert.equal((await shown(page))['902-8745147-1934268'], 'skip', 'the sandbox orders are from 1970');
  await page.fill('#integrated-at', '1970-01-01T00:00:00Z');
  await until(page, '111-0000013-0000013', 'create');

  // The import toggle re-renders at once: every new order becomes view-only.
  await page.uncheck('#import-orders');
  const off = await shown(page);
  assert.equal(off['111-0000001-0000001'], 'viewOnly');
  assert.equal(off['902-1845936-5435065'], 'viewOnly');
  assert.equal(off['921-3175655-0452641'], 'viewOnly');
  assert.equal(off['111-0000012-0000012'], 'cancel', 'a canceled order is canceled either way');
  assert.ok(Object.values(off).every((d) => d === 'viewOnly' || d === 'cancel'), JSON.stringify(off));

  await page.check('#import-orders');
  await until(page, '111-0000001-0000001', 'create');

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: resolve(ARTIFACTS, 'preview.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('pasted SP-API errors and invalid settings are shown, not thrown', async () => {
  const { page, problems } = await openPage();
  await page.fill('#orders-json', JSON.stringify({ errors: [{ code: 'InvalidInput', message: 'Invalid Input' }] }));
  await page.waitForSelector('#error:not([hidden])', { timeout: 5000 });
  assert.equal(await page.getAttribute('#error', 'data-code'), 'amazon_errors');
  assert.match(await page.textContent('#error'), /InvalidInput/);

  await page.fill('#orders-json', '');
  await page.waitForSelector('#error', { state: 'hidden', timeout: 5000 });
  await page.fill('#processing-status', 'not a status!');
  await page.waitForSelector('#settings-errors li', { timeout: 5000 });
  assert.match(await page.textContent('#settings-errors'), /processing_status/);
  assert.deepEqual(problems, []);
  await page.close();
});

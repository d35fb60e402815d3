#!/usr/bin/env node
// `node host-example/jco/replay.mjs <scenario.jsonl> [--json]`: the jco host's version of
// `host-example replay` (host-example/src/replay.rs + app.rs `Sim`). It prints the same JSON
// document minus `fuel` (Node cannot meter wasm fuel). A malformed line stops the run with its
// line number and exit code 2, as host-example does.
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { Runtime, PluginErr, pluginErrorText, cmpBytes } from './host.mjs';
import { SandboxProcess } from './sandbox.mjs';

export class ReplayError extends Error {
  constructor(line, reason) {
    super(`line ${line}: ${reason}`);
    this.line = line;
    this.reason = reason;
  }
}

const OPERATIONS = ['getOrders', 'getOrdersNextPage', 'getOrder', 'getOrderItems', 'confirmShipment'];

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** chrono's `DateTime::parse_from_rfc3339(..).timestamp_millis()`, or undefined. */
export function parseIso(s) {
  if (typeof s !== 'string') return undefined;
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se, frac, tz] = m;
  const base = Date.UTC(+y, +mo - 1, +d, +h, +mi, +se);
  const check = new Date(base);
  if (check.getUTCFullYear() !== +y || check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +se > 59) {
    return undefined;
  }
  let off = 0;
  if (tz !== 'Z' && tz !== 'z') {
    const sign = tz[0] === '-' ? -1 : 1;
    off = sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6))) * 60_000;
  }
  const ms = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  return base + ms - off;
}

/** sandbox.rs `iso`: RFC 3339, whole seconds, `Z`. */
export const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const CARRIERS = { ups: 'UPS', fedex: 'FedEx', usps: 'USPS', dhl: 'DHL' };
export const carrierTitle = (c) => CARRIERS[c.toLowerCase()] ?? c;

const settingText = (v) => (typeof v === 'string' ? v : JSON.stringify(v));

// ---- step parsing (what serde requires of replay.rs `Step`) ----

function field(o, k, type, { optional = false, dflt } = {}) {
  const v = o[k];
  if (v === undefined || (optional && v === null)) {
    if (optional || dflt !== undefined) return dflt;
    throw new Error(`missing field \`${k}\``);
  }
  const ok = {
    string: typeof v === 'string',
    bool: typeof v === 'boolean',
    i64: Number.isInteger(v),
    u32: Number.isInteger(v) && v >= 0 && v <= 0xffffffff,
    u64: Number.isInteger(v) && v >= 0,
    array: Array.isArray(v),
    object: v !== null && typeof v === 'object' && !Array.isArray(v),
    any: true,
  }[type];
  if (!ok) throw new Error(`invalid type for \`${k}\`: expected ${type}`);
  return v;
}

function parseStep(raw) {
  const o = JSON.parse(raw);
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new Error('expected a JSON object');
  const step = field(o, 'step', 'string');
  switch (step) {
    case 'store':
      return {
        step,
        store: field(o, 'store', 'string'),
        marketplace_id: field(o, 'marketplace_id', 'string'),
        integrated_at: field(o, 'integrated_at', 'string'),
        settings: field(o, 'settings', 'object', { dflt: {} }),
        allow_listed: field(o, 'allow_listed', 'bool', { dflt: true }),
      };
    case 'product':
      return {
        step,
        sku: field(o, 'sku', 'string'),
        name: field(o, 'name', 'string', { optional: true }),
        enabled: field(o, 'enabled', 'bool', { dflt: true }),
        qty: field(o, 'qty', 'i64', { optional: true, dflt: null }),
      };
    case 'amazon_order':
      return { step, store: field(o, 'store', 'string'), order: field(o, 'order', 'any'), items: field(o, 'items', 'array', { dflt: [] }) };
    case 'ship': {
      const items = field(o, 'items', 'array', { optional: true });
      return {
        step,
        store: field(o, 'store', 'string'),
        amazon_order_id: field(o, 'amazon_order_id', 'string'),
        carrier: field(o, 'carrier', 'string'),
        tracking: field(o, 'tracking', 'string'),
        items: items?.map((i) => ({ sku: field(i, 'sku', 'string'), qty: field(i, 'qty', 'u32') })),
      };
    }
    case 'cancel':
      return { step, store: field(o, 'store', 'string'), amazon_order_id: field(o, 'amazon_order_id', 'string') };
    case 'cron':
      return { step, now: field(o, 'now', 'string'), fuel: field(o, 'fuel', 'u64', { optional: true }) };
    case 'fault':
      return {
        step,
        kind: field(o, 'kind', 'string'),
        count: field(o, 'count', 'u32'),
        op: field(o, 'op', 'string', { optional: true }),
        after: field(o, 'after', 'u32', { dflt: 0 }),
      };
    default:
      throw new Error(`unknown variant \`${step}\``);
  }
}

const errText = (e) => (e instanceof PluginErr ? pluginErrorText(e.payload) : e.message);

/** app.rs `Sim`: the component, the sandbox and a simulated clock. */
export class Sim {
  static async create() {
    const s = new Sim();
    s.rt = await new Runtime().load();
    s.sandbox = await SandboxProcess.start();
    s.now = 0;
    s.ticks = [];
    s.notAllowListed = [];
    s.warnings = [];
    return s;
  }

  async addStore(code, marketplaceId, integratedAt, extra, allowListed) {
    if (!/^[A-Za-z0-9_.-]+$/.test(code)) throw new Error(`store code ${JSON.stringify(code)} must match [A-Za-z0-9_.-]+`);
    if (parseIso(integratedAt) === undefined) throw new Error(`integrated_at ${JSON.stringify(integratedAt)} is not RFC 3339`);
    const creds = await this.sandbox.addSeller(code);
    const map = new Map([
      ['store_name', code],
      ['marketplace_id', marketplaceId],
      ['integrated_at', integratedAt],
      ['spapi_endpoint', this.sandbox.baseUrl],
      ['lwa_endpoint', this.sandbox.lwaUrl],
      ['lwa_client_id', creds.client_id],
      ['lwa_client_secret', creds.client_secret],
      ['lwa_refresh_token', creds.refresh_token],
    ]);
    for (const [k, v] of extra) map.set(k, v);
    this.rt.settings.stores.set(code, map);
    this.notAllowListed = this.notAllowListed.filter((c) => c !== code);
    if (!allowListed) this.notAllowListed.push(code);
    const allow = [];
    for (const c of this.rt.settings.storeCodes()) {
      if (this.notAllowListed.includes(c)) continue;
      const m = this.rt.settings.stores.get(c);
      for (const k of ['spapi_endpoint', 'lwa_endpoint']) if (m.has(k)) allow.push(m.get(k));
    }
    this.rt.http.setAllowList(allow);
    if (this.now === 0) this.now = parseIso(integratedAt) ?? 0;
  }

  product(sku, name, enabled, qty) {
    const old = this.rt.commerce.products.get(sku);
    this.rt.commerce.upsertProduct({ sku, name: name ?? old?.name ?? sku, enabled, qty });
  }

  async amazonOrder(store, order, items) {
    const market = this.rt.settings.stores.get(store)?.get('marketplace_id');
    if (market === undefined) throw new Error(`unknown store ${JSON.stringify(store)}`);
    if (order && typeof order === 'object' && !Array.isArray(order) && !('MarketplaceId' in order)) {
      order = { ...order, MarketplaceId: market };
    }
    await this.sandbox.upsertOrder(store, order, items);
  }

  /** app.rs `ship`: recorded in Commerce, then told to the component; undone if it refuses. */
  async ship(store, id, carrier, tracking, items) {
    const now = this.now;
    const lines = items ? items.map((i) => [i.sku, i.qty]) : this.rt.commerce.unshippedItems(store, id);
    if (lines.length === 0) throw new Error(`nothing left to ship on ${id}`);
    const sid = this.rt.commerce.recordShipment(store, id, carrier, tracking, lines, now);
    const shipmentId = `${store}-${sid}`;
    const event = {
      tag: 'shipped',
      val: {
        store,
        amazonOrderId: id,
        shipmentId,
        carrier: carrier.toLowerCase(),
        carrierTitle: carrierTitle(carrier),
        trackingNumber: tracking,
        items: (items ?? []).map((i) => ({ sku: i.sku, qty: i.qty })),
        shippedAt: BigInt(now),
      },
    };
    try {
      await this.rt.onCommerceEvent(now, event);
    } catch (e) {
      this.rt.commerce.undoShipment(sid, lines);
      const what = e instanceof PluginErr ? `on-commerce-event(shipped): ${errText(e)}` : errText(e);
      throw new Error(`the shipment was not recorded: ${what}`);
    }
    return shipmentId;
  }

  async cancel(store, id) {
    try {
      this.rt.commerce.cancelOrder(store, id);
    } catch (e) {
      throw new Error(`cancel in Commerce: ${JSON.stringify(e)}`);
    }
    try {
      await this.rt.onCommerceEvent(this.now, { tag: 'canceled', val: { store, amazonOrderId: id } });
    } catch (e) {
      throw new Error(e instanceof PluginErr ? `on-commerce-event(canceled): ${errText(e)}` : errText(e));
    }
  }

  async cron(now, fuel) {
    if (fuel !== undefined) {
      this.warnings.push(`cron ${iso(now)}: fuel ${fuel} ignored (Node cannot meter wasm fuel)`);
    }
    this.now = now;
    await this.sandbox.setNow(now);
    const out = [];
    for (const store of this.rt.settings.storeCodes()) {
      const t = { store, now: iso(now), status: '', pulled: 0, created: 0, blocked: 0, completed: 0, canceled: 0, pushed: 0, skipped: 0, errors: [] };
      try {
        const r = await this.rt.onCronTick(store, now);
        Object.assign(t, {
          status: r.status.tag,
          pulled: r.pulled,
          created: r.created,
          blocked: r.blocked,
          completed: r.completed,
          canceled: r.canceled,
          pushed: r.pushed,
          skipped: r.skipped,
          errors: r.errors,
        });
      } catch (e) {
        t.status = e instanceof PluginErr ? 'error' : 'failed';
        t.errors = [errText(e)];
      }
      out.push(t);
      this.ticks.push(t);
    }
    return out;
  }

  async amazonOrders(store) {
    const prefix = `v1/s/${store}/order/`;
    const rows = [];
    let after;
    for (;;) {
      const page = this.rt.storage.listPrefix(prefix, after, 500);
      if (page.length === 0) break;
      after = page[page.length - 1][0];
      rows.push(...page.map(([k, v]) => [k.slice(prefix.length), v]));
    }
    const strField = (v, k) => (v?.[k] === undefined || v?.[k] === null ? '' : typeof v[k] === 'string' ? v[k] : JSON.stringify(v[k]));
    const out = [];
    for (const [id, stored] of rows) {
      let detail;
      try {
        const json = await this.rt.orderDetail(store, id);
        detail = json === undefined ? JSON.parse(stored) : JSON.parse(json);
      } catch {
        try {
          detail = JSON.parse(stored);
        } catch {
          detail = null;
        }
      }
      const c = detail?.commerce_order_id;
      out.push({
        store,
        amazon_order_id: id,
        status: strField(detail, 'table_status'),
        fulfillment_channel: strField(detail, 'fulfillment_channel'),
        commerce_order_id: typeof c === 'string' ? c : typeof c === 'number' ? String(c) : null,
        blockers: Array.isArray(detail?.blockers)
          ? detail.blockers.map((b) => ({ sku: strField(b, 'sku'), kind: strField(b, 'kind'), message: strField(b, 'message') }))
          : [],
      });
    }
    return out;
  }

  /** The `replay --json` document (without `fuel`). */
  async snapshot() {
    const amazon = [];
    for (const s of this.rt.settings.storeCodes()) amazon.push(...(await this.amazonOrders(s)));
    return {
      amazon_orders: amazon,
      commerce_orders: this.rt.commerce.snapshot(),
      system_message: this.rt.commerce.adminMessage,
      shipment_confirmations: await this.sandbox.confirmations(),
      ticks: this.ticks,
      products: this.rt.commerce.productsSorted().map((p) => ({ sku: p.sku, name: p.name, enabled: p.enabled, qty: p.qty })),
    };
  }

  close() {
    this.sandbox.stop();
    return this.rt.close();
  }
}

/** Runs a scenario on a fresh Sim; throws ReplayError naming the line that stopped it. */
export async function replay(text, { progress } = {}) {
  const sim = await Sim.create();
  try {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = i + 1;
      const raw = lines[i].replace(/\r$/, '');
      if (raw.trim() === '') continue;
      const say = (m) => progress?.(`[${String(line).padStart(3)}] ${m}`);
      let step;
      try {
        step = parseStep(raw);
      } catch (e) {
        throw new ReplayError(line, e.message);
      }
      try {
        switch (step.step) {
          case 'store': {
            const extra = Object.entries(step.settings).map(([k, v]) => [k, settingText(v)]);
            await sim.addStore(step.store, step.marketplace_id, step.integrated_at, extra, step.allow_listed);
            say(`store ${step.store} (${step.marketplace_id}), integrated at ${step.integrated_at}`);
            break;
          }
          case 'product':
            sim.product(step.sku, step.name, step.enabled, step.qty);
            say(`product ${step.sku}: ${step.enabled ? 'enabled' : 'disabled'}, qty ${step.qty ?? 'not managed'}`);
            break;
          case 'amazon_order':
            await sim.amazonOrder(step.store, step.order, step.items);
            say(`amazon order ${step.order?.AmazonOrderId ?? '?'} (${step.order?.OrderStatus ?? '?'}) in the sandbox`);
            break;
          case 'ship': {
            const sid = await sim.ship(step.store, step.amazon_order_id, step.carrier, step.tracking, step.items);
            say(`shipment ${sid} of ${step.amazon_order_id} (${step.carrier} ${step.tracking})`);
            break;
          }
          case 'cancel':
            await sim.cancel(step.store, step.amazon_order_id);
            say(`canceled ${step.amazon_order_id} in Commerce`);
            break;
          case 'cron': {
            const ms = parseIso(step.now);
            if (ms === undefined) throw new Error(`cron.now ${JSON.stringify(step.now)} is not RFC 3339`);
            for (const t of await sim.cron(ms, step.fuel)) {
              say(
                `tick ${t.store} @ ${step.now}: ${t.status} pulled=${t.pulled} created=${t.created} blocked=${t.blocked} completed=${t.completed} canceled=${t.canceled} pushed=${t.pushed} skipped=${t.skipped}${t.errors.length ? ` errors=${JSON.stringify(t.errors)}` : ''}`,
              );
            }
            break;
          }
          case 'fault': {
            if (step.op !== undefined && !OPERATIONS.includes(step.op)) {
              throw new Error(`fault.op ${JSON.stringify(step.op)} is not one of ${JSON.stringify(OPERATIONS)}`);
            }
            if (step.kind === 'throttle') await sim.sandbox.throttle(step.count, step.op, step.after);
            else if (step.kind === 'fail') await sim.sandbox.fail(step.count, step.op, step.after);
            else throw new Error(`fault.kind ${JSON.stringify(step.kind)} must be "throttle" or "fail"`);
            say(`sandbox will ${step.kind} ${step.count} request(s) after ${step.after}`);
            break;
          }
        }
      } catch (e) {
        if (e instanceof ReplayError) throw e;
        throw new ReplayError(line, errText(e));
      }
    }
    const snap = await sim.snapshot();
    snap.warnings = sim.warnings;
    snap.http_log = sim.rt.http.log;
    snap.state = {
      kv: [...sim.rt.storage.kv.entries()].sort((a, b) => cmpBytes(a[0], b[0])),
      ...sim.rt.commerce.deepState(),
    };
    return snap;
  } finally {
    await sim.close();
  }
}

/** The printed document: `warnings`, `http_log` and `state` are for callers, not part of the shape. */
export function jsonOutput(snap) {
  const { warnings: _w, http_log: _h, state: _s, ...doc } = snap;
  return doc;
}

async function main(argv) {
  const args = argv.filter((a) => a !== '--json');
  const json = argv.includes('--json');
  if (args.length !== 1) {
    console.error('usage: node replay.mjs <scenario.jsonl> [--json]');
    return 1;
  }
  const text = await readFile(args[0], 'utf8');
  let snap;
  try {
    snap = await replay(text, { progress: json ? undefined : (m) => console.error(m) });
  } catch (e) {
    console.error(`error: ${e.message}`);
    return e instanceof ReplayError ? 2 : 1;
  }
  for (const w of snap.warnings) console.error(`warning: ${w}`);
  if (json) {
    console.log(JSON.stringify(jsonOutput(snap), null, 2));
  } else {
    console.log('Amazon orders:');
    for (const o of snap.amazon_orders) {
      console.log(`  ${o.store} ${o.amazon_order_id} ${o.fulfillment_channel} ${o.status} ${o.commerce_order_id ?? '—'} ${o.blockers.map((b) => `${b.sku} ${b.kind}`).join(', ')}`);
    }
    console.log('Commerce orders:');
    for (const o of snap.commerce_orders) console.log(`  ${o.id} ${o.increment_id} ${o.store} ${o.amazon_order_id} ${o.status} ${o.grand_total} ${o.currency}`);
    console.log(`System message: ${snap.system_message ?? '(none)'}`);
    console.log(`Shipment confirmations: ${snap.shipment_confirmations.length}`);
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}

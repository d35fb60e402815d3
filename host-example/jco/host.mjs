// The jco host: JS implementations of every import of `commerce:amazon-order-sync/plugin`
// (storage, settings, commerce, http) and a runtime that instantiates the transpiled component
// afresh for every hook call, as host-example does with a fresh wasmtime Store per call.
//
// Semantics follow host-example/src/{db.rs,commerce.rs,runtime.rs}: storage values are capped
// at 1 MiB, `apply` is all-or-nothing, `list-prefix` is in ascending UTF-8 byte order, and every
// Commerce operation is idempotent on (store, amazon-order-id) and atomic (checks first, then
// writes, so a rejection changes nothing).
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { HttpClient } from './http.mjs';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..');
export const OUT_DIR = path.join(HERE, 'out');
export const MAX_VALUE_BYTES = 1024 * 1024;

const byteLen = (s) => Buffer.byteLength(s, 'utf8');
/** Ascending byte order of UTF-8 keys (what SQLite's BINARY collation gives host-example). */
export const cmpBytes = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

// ---------------------------------------------------------------- storage

export class Storage {
  constructor() {
    this.kv = new Map();
  }

  get(key) {
    return this.kv.get(key);
  }

  apply(ops) {
    // A `put-parts` value is its parts joined (the plugin writes rows that way).
    const puts = ops.map((op) =>
      op.tag === 'put' ? op.val[1] : op.tag === 'put-parts' ? op.val[1].join('') : undefined,
    );
    for (const value of puts) {
      if (value !== undefined && byteLen(value) > MAX_VALUE_BYTES) {
        throw { tag: 'too-large', val: MAX_VALUE_BYTES };
      }
    }
    for (const op of ops) {
      if (!['put', 'put-parts', 'delete'].includes(op.tag)) {
        throw { tag: 'unavailable', val: `unknown op ${op.tag}` };
      }
    }
    // Validated above; a Map write cannot fail half-way, so the batch is atomic.
    ops.forEach((op, i) => {
      if (op.tag === 'delete') this.kv.delete(op.val);
      else this.kv.set(op.val[0], puts[i]);
    });
  }

  listPrefix(prefix, after, limit) {
    if (limit === 0) return [];
    const keys = [...this.kv.keys()]
      .filter((k) => k.startsWith(prefix) && (after === undefined || cmpBytes(k, after) > 0))
      .sort(cmpBytes);
    return keys.slice(0, limit).map((k) => [k, this.kv.get(k)]);
  }

  compareAndSwap(key, expected, next) {
    if (next !== undefined && byteLen(next) > MAX_VALUE_BYTES) {
      throw { tag: 'too-large', val: MAX_VALUE_BYTES };
    }
    if (this.kv.get(key) !== expected) return false;
    if (next === undefined) this.kv.delete(key);
    else this.kv.set(key, next);
    return true;
  }

  imports() {
    return {
      get: (k) => this.get(k),
      apply: (ops) => this.apply(ops),
      listPrefix: (p, a, l) => this.listPrefix(p, a, l),
      compareAndSwap: (k, e, n) => this.compareAndSwap(k, e, n),
    };
  }
}

// ---------------------------------------------------------------- commerce

const rejected = (m) => ({ tag: 'rejected', val: m });

export class Commerce {
  constructor() {
    /** sku -> {sku, name, enabled, qty: number|null} */
    this.products = new Map();
    /** Commerce orders in id order: {id, incrementId, store, amazonOrderId, status, items, ...} */
    this.orders = [];
    this.nextOrderId = 1;
    this.nextShipmentId = 1;
    /** `${store}\u0000${amazonOrderId}` -> Map(sku -> qty) */
    this.reservations = new Map();
    this.shipments = new Map();
    this.adminMessage = null;
    this.history = [];
    /** The hook call's time (the host hands it to create/complete/cancel, as runtime.rs does). */
    this.now = 0;
  }

  upsertProduct(p) {
    this.products.set(p.sku, { ...p });
  }

  productsSorted() {
    return [...this.products.values()].sort((a, b) => cmpBytes(a.sku, b.sku));
  }

  #log(orderId, status, comment, at = this.now) {
    this.history.push({ order_id: orderId, status, comment, created_at: at });
  }

  #order(store, id) {
    return this.orders.find((o) => o.store === store && o.amazonOrderId === id);
  }

  /** Adds `delta` to a managed product; unmanaged or unknown products are untouched. */
  #adjust(sku, delta) {
    const p = this.products.get(sku);
    if (p && p.qty !== null) p.qty += delta;
  }

  #returnReservation(store, id) {
    const k = `${store}\u0000${id}`;
    const held = this.reservations.get(k);
    if (!held) return;
    for (const [sku, qty] of held) this.#adjust(sku, qty);
    this.reservations.delete(k);
  }

  #heldQty(store, id, sku) {
    return this.reservations.get(`${store}\u0000${id}`)?.get(sku) ?? 0;
  }

  findProduct(_store, sku) {
    const p = this.products.get(sku);
    if (!p) return undefined;
    return { sku: p.sku, name: p.name, enabled: p.enabled, salableQty: p.qty === null ? undefined : BigInt(p.qty) };
  }

  createOrder(d) {
    const existing = this.#order(d.store, d.amazonOrderId);
    if (existing) return { id: String(existing.id), incrementId: existing.incrementId };
    if (d.lines.length === 0) throw rejected('the order has no lines');
    // Checks first, against stock with this order's own hold given back (commerce.rs returns
    // the hold inside the transaction before checking, and a rejection rolls it back).
    for (const line of d.lines) {
      const p = this.products.get(line.sku);
      if (!p) throw rejected(`Product "${line.sku}" does not exist`);
      if (!p.enabled) throw rejected(`Product "${line.sku}" is disabled`);
      if (p.qty !== null) {
        const q = p.qty + this.#heldQty(d.store, d.amazonOrderId, line.sku);
        if (q < line.qty) throw rejected(`Product "${line.sku}" is out of stock`);
      }
    }
    this.#returnReservation(d.store, d.amazonOrderId);
    const id = this.nextOrderId++;
    const incrementId = d.incrementId ?? String(id).padStart(9, '0');
    const order = {
      id,
      incrementId,
      store: d.store,
      amazonOrderId: d.amazonOrderId,
      status: d.status,
      currency: d.grandTotal.currency,
      grandTotalCents: d.grandTotal.cents,
      items: d.lines.map((l) => ({ sku: l.sku, qty: l.qty, qtyShipped: 0, orderItemId: l.orderItemId, title: l.title, unitPrice: l.unitPrice.cents, rowTotal: l.rowTotal.cents })),
      draft: d,
      createdAt: this.now,
    };
    this.orders.push(order);
    for (const l of d.lines) this.#adjust(l.sku, -l.qty);
    this.#log(id, d.status, `Imported from Amazon order ${d.amazonOrderId}; invoiced`);
    return { id: String(id), incrementId };
  }

  completeOrder(store, id) {
    const o = this.#order(store, id);
    if (!o) throw rejected(`no Commerce order for Amazon order ${id}`);
    if (o.status === 'complete') return;
    if (o.status === 'canceled') throw rejected('the order is canceled');
    for (const it of o.items) it.qtyShipped = it.qty;
    o.status = 'complete';
    this.#log(o.id, 'complete', 'Amazon reports the order Shipped');
  }

  cancelOrder(store, id) {
    const o = this.#order(store, id);
    if (!o) {
      // Nothing was created: only a hold can exist, and it goes back.
      this.#returnReservation(store, id);
      return;
    }
    if (o.status === 'canceled') return;
    if (o.status === 'complete') throw rejected('the order is complete');
    for (const it of o.items) this.#adjust(it.sku, it.qty - it.qtyShipped);
    o.status = 'canceled';
    this.#log(o.id, 'canceled', 'Canceled; stock returned');
  }

  reserve(store, id, items) {
    this.#returnReservation(store, id);
    const held = new Map();
    for (const it of items) {
      held.set(it.sku, (held.get(it.sku) ?? 0) + it.qty);
      this.#adjust(it.sku, -it.qty);
    }
    if (held.size > 0) this.reservations.set(`${store}\u0000${id}`, held);
  }

  release(store, id) {
    this.#returnReservation(store, id);
  }

  setAdminMessage(message) {
    this.adminMessage = message === undefined ? null : message;
  }

  // ---- host-side actions (the `ship` and `cancel` replay steps) ----

  unshippedItems(store, id) {
    const o = this.#order(store, id);
    if (!o) return [];
    return o.items.filter((i) => i.qty > i.qtyShipped).map((i) => [i.sku, i.qty - i.qtyShipped]);
  }

  /** commerce.rs `record_shipment`: the quantity is spread over the lines of that SKU in line order. */
  recordShipment(store, id, carrier, tracking, items, now) {
    const o = this.#order(store, id);
    if (!o) throw new Error(`no Commerce order for Amazon order ${id} in store ${store}`);
    if (o.status === 'canceled') throw new Error(`the Commerce order of ${id} is canceled`);
    const shipped = o.items.map((i) => i.qtyShipped);
    for (const [sku, qty] of items) {
      if (moveShipped(o.items, shipped, sku, qty) !== 0) {
        throw new Error(`cannot ship ${qty} x ${sku}: not on the order or already shipped`);
      }
    }
    o.items.forEach((it, k) => {
      it.qtyShipped = shipped[k];
    });
    const sid = this.nextShipmentId++;
    this.shipments.set(sid, { orderId: o.id, carrier, tracking, items, createdAt: now });
    this.#log(o.id, o.status, `Shipment ${sid} (${carrier} ${tracking})`, now);
    return String(sid);
  }

  undoShipment(sid, items) {
    const s = this.shipments.get(Number(sid));
    const o = this.orders.find((x) => x.id === s.orderId);
    const shipped = o.items.map((i) => i.qtyShipped);
    for (const [sku, qty] of items) moveShipped(o.items, shipped, sku, -qty);
    o.items.forEach((it, k) => {
      it.qtyShipped = shipped[k];
    });
    this.shipments.delete(Number(sid));
  }

  /** The `commerce_orders` of `replay --json`. */
  snapshot() {
    return this.orders.map((o) => ({
      id: String(o.id),
      increment_id: o.incrementId,
      store: o.store,
      amazon_order_id: o.amazonOrderId,
      status: o.status,
      items: o.items.map((i) => ({ sku: i.sku, qty: i.qty })),
      grand_total: Number(o.grandTotalCents) / 100,
      currency: o.currency,
    }));
  }

  /** Everything host-example keeps in its Commerce tables, in the same shape, for deep checks. */
  deepState() {
    const money = (m) => ({ currency: m.currency, cents: Number(m.cents) });
    const addr = (a) => ({
      firstname: a.firstname, lastname: a.lastname, company: a.company ?? null, street: a.street, city: a.city,
      region: a.region, postcode: a.postcode, country_code: a.countryCode, telephone: a.telephone,
    });
    const draftJson = (d) => ({
      store: d.store,
      amazon_order_id: d.amazonOrderId,
      increment_id: d.incrementId ?? null,
      store_view: d.storeView,
      customer: { kind: d.customer.kind.tag, email: d.customer.email, firstname: d.customer.firstname, lastname: d.customer.lastname },
      billing_address: addr(d.billingAddress),
      shipping_address: addr(d.shippingAddress),
      lines: d.lines.map((l) => ({
        sku: l.sku, order_item_id: l.orderItemId, title: l.title, qty: l.qty,
        unit_price: money(l.unitPrice), row_total: money(l.rowTotal), discount: money(l.discount), tax: money(l.tax),
      })),
      shipping_method: d.shippingMethod,
      shipping_amount: money(d.shippingAmount),
      shipping_tax: money(d.shippingTax),
      subtotal: money(d.subtotal),
      discount_total: money(d.discountTotal),
      tax_total: money(d.taxTotal),
      grand_total: money(d.grandTotal),
      status: d.status,
      payment_method: d.paymentMethod,
      po_number: d.poNumber,
    });
    return {
      orders: this.orders.map((o) => ({
        id: o.id, increment_id: o.incrementId, store: o.store, amazon_order_id: o.amazonOrderId, status: o.status,
        customer_email: o.draft.customer.email,
        customer_name: `${o.draft.customer.firstname} ${o.draft.customer.lastname}`.trim(),
        created_at: o.createdAt, draft: draftJson(o.draft),
      })),
      order_items: this.orders.flatMap((o) => o.items.map((i, line) => ({
        order_id: o.id, line, sku: i.sku, order_item_id: i.orderItemId, title: i.title, qty: i.qty,
        qty_shipped: i.qtyShipped, unit_price: Number(i.unitPrice), row_total: Number(i.rowTotal),
      }))),
      order_status_history: this.history.map((h, i) => ({ id: i + 1, ...h })),
      reservations: [...this.reservations.entries()].flatMap(([k, held]) => {
        const [store, id] = k.split('\u0000');
        return [...held.entries()].map(([sku, qty]) => ({ store, amazon_order_id: id, sku, qty }));
      }).sort((a, b) => cmpBytes(`${a.store}\u0000${a.amazon_order_id}\u0000${a.sku}`, `${b.store}\u0000${b.amazon_order_id}\u0000${b.sku}`)),
      shipments: [...this.shipments.entries()].map(([id, s]) => ({
        id, order_id: s.orderId, carrier: s.carrier, tracking_number: s.tracking, items_json: JSON.stringify(s.items), created_at: s.createdAt,
      })),
    };
  }

  imports() {
    return {
      findProduct: (s, sku) => this.findProduct(s, sku),
      createOrder: (d) => this.createOrder(d),
      completeOrder: (s, id) => this.completeOrder(s, id),
      cancelOrder: (s, id) => this.cancelOrder(s, id),
      reserve: (s, id, items) => this.reserve(s, id, items),
      release: (s, id) => this.release(s, id),
      setAdminMessage: (m) => this.setAdminMessage(m),
    };
  }
}

// ---------------------------------------------------------------- settings

export class Settings {
  constructor() {
    /** store code -> Map(key -> value) */
    this.stores = new Map();
  }

  getAll(store) {
    const m = this.stores.get(store);
    if (!m) return [];
    return [...m.entries()].sort((a, b) => cmpBytes(a[0], b[0]));
  }

  storeCodes() {
    return [...this.stores.keys()].sort(cmpBytes);
  }
}

// ---------------------------------------------------------------- runtime

/** plugin_error_text of runtime.rs */
export function pluginErrorText(e) {
  switch (e.tag) {
    case 'invalid-input':
      return `invalid input: ${e.val}`;
    case 'busy':
      return 'busy: another tick holds the lease';
    case 'host':
      return `host: ${e.val}`;
    case 'config':
      return `config: ${e.val}`;
    case 'not-found':
      return `not found: ${e.val}`;
    default:
      return JSON.stringify(e);
  }
}

/** A plugin-error answer (a normal `err`), as opposed to a trap or host failure. */
export class PluginErr extends Error {
  constructor(payload) {
    super(pluginErrorText(payload));
    this.payload = payload;
  }
}

export class CallFailure extends Error {}

export class Runtime {
  constructor() {
    this.storage = new Storage();
    this.commerce = new Commerce();
    this.settings = new Settings();
    this.http = new HttpClient();
    this.calls = 0;
  }

  async load(outDir = OUT_DIR) {
    const jsPath = path.join(outDir, 'amazon_order_sync.js');
    const { instantiate } = await import(`${jsPath}?t=${(await stat(jsPath)).mtimeMs}`);
    this.instantiate = instantiate;
    const modules = new Map();
    for (const n of ['amazon_order_sync.core.wasm', 'amazon_order_sync.core2.wasm', 'amazon_order_sync.core3.wasm']) {
      modules.set(n, await WebAssembly.compile(await readFile(path.join(outDir, n))));
    }
    this.modules = modules;
    return this;
  }

  #imports() {
    // The component imports only its own contract (it is built without std, so no WASI).
    return {
      'commerce:amazon-order-sync/storage': this.storage.imports(),
      'commerce:amazon-order-sync/settings': { getAll: (s) => this.settings.getAll(s) },
      'commerce:amazon-order-sync/commerce': this.commerce.imports(),
      'commerce:amazon-order-sync/http': { send: (r) => this.http.send(r) },
      'commerce:amazon-order-sync/types': {},
    };
  }

  /**
   * One export call on a fresh instance. Returns the value; throws PluginErr for a
   * plugin-error answer and CallFailure for a trap or anything else that went wrong.
   */
  async call(now, f) {
    this.calls += 1;
    this.commerce.now = now;
    const inst = await this.instantiate((n) => this.modules.get(n), this.#imports());
    try {
      return f(inst);
    } catch (e) {
      if (e && Object.prototype.hasOwnProperty.call(e, 'payload') && e.payload?.tag) throw new PluginErr(e.payload);
      throw new CallFailure(`${e?.constructor?.name ?? 'Error'}: ${e?.message ?? e}`);
    }
  }

  /** runtime.rs `store_call`: a lease a dead call left behind is given back. */
  async storeCall(store, now, f) {
    const leaseKey = `v1/s/${store}/lease`;
    const before = this.storage.get(leaseKey);
    try {
      return await this.call(now, f);
    } catch (e) {
      if (e instanceof CallFailure) {
        const after = this.storage.get(leaseKey);
        if (after !== undefined && after !== before) this.storage.compareAndSwap(leaseKey, after, undefined);
      }
      throw e;
    }
  }

  onCronTick(store, now) {
    return this.storeCall(store, now, (i) => i.hooks.onCronTick(store, BigInt(now)));
  }

  onAmazonOrder(store, now, orderJson, itemsJson) {
    return this.storeCall(store, now, (i) => i.hooks.onAmazonOrder(store, BigInt(now), orderJson, itemsJson));
  }

  onCommerceEvent(now, event) {
    const store = event.val.store;
    return this.storeCall(store, now, (i) => i.hooks.onCommerceEvent(BigInt(now), event));
  }

  orderDetail(store, id) {
    return this.call(Date.now(), (i) => i.admin.orderDetail(store, id));
  }

  systemMessage() {
    return this.call(Date.now(), (i) => i.admin.systemMessage());
  }

  close() {
    return this.http.close();
  }
}

/** commerce.rs `move_shipped`: ships (qty > 0) or un-ships (qty < 0) across the lines of `sku`; returns what is left. */
function moveShipped(lines, shipped, sku, qty) {
  let left = Math.abs(qty);
  lines.forEach((it, k) => {
    if (it.sku !== sku || left === 0) return;
    const room = qty > 0 ? it.qty - shipped[k] : shipped[k];
    const take = Math.min(left, room);
    shipped[k] += qty > 0 ? take : -take;
    left -= take;
  });
  return left;
}

// How long does previewImport take for 10 000 orders, and is it faster to hand over JS objects
// or a JSON string? Run after building pkg/: node pkg/bench/preview-bench.mjs [orders] [runs]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { initSync, previewImport } from '../amazon_order_sync.js';

initSync({ module: readFileSync(new URL('../amazon_order_sync_bg.wasm', import.meta.url)) });

const N = Number(process.argv[2] ?? 10000);
const RUNS = Number(process.argv[3] ?? 7);
const STATUSES = ['Unshipped', 'Unshipped', 'Shipped', 'Pending', 'Canceled', 'PartiallyShipped'];
const SKUS = Array.from({ length: 200 }, (_, i) => `SKU-${i}`);
const money = (amount) => ({ CurrencyCode: 'USD', Amount: amount.toFixed(2) });

/** N SP-API orders (as Amazon sends them) with one or two items each. */
function makeOrders(n) {
  return Array.from({ length: n }, (_, i) => {
    const id = `111-${String(1000000 + (i % 9000000)).padStart(7, '0')}-${String(i).padStart(7, '0')}`;
    const date = new Date(Date.UTC(2026, 2, 1) + i * 60000).toISOString();
    const lines = 1 + (i % 2);
    const items = Array.from({ length: lines }, (_, l) => ({
      ASIN: `B0${String(i).padStart(8, '0')}`,
      SellerSKU: SKUS[(i * 7 + l) % SKUS.length],
      OrderItemId: `${i}${l}`,
      Title: `Product ${i}/${l}`,
      QuantityOrdered: 1 + (l % 3),
      QuantityShipped: 0,
      ItemPrice: money(19.99),
      ItemTax: money(1.6),
      ShippingPrice: money(3.4),
      PromotionDiscount: money(0),
      IsGift: 'false',
    }));
    return {
      order: {
        AmazonOrderId: id,
        PurchaseDate: date,
        LastUpdateDate: date,
        OrderStatus: STATUSES[i % STATUSES.length],
        FulfillmentChannel: i % 5 === 0 ? 'AFN' : 'MFN',
        SalesChannel: 'Amazon.com',
        OrderTotal: money(25 * lines),
        NumberOfItemsShipped: 0,
        NumberOfItemsUnshipped: lines,
        PaymentMethod: 'Other',
        MarketplaceId: 'ATVPDKIKX0DER',
        IsBusinessOrder: false,
        IsPrime: i % 3 === 0,
        BuyerInfo: { BuyerEmail: `b${i}@marketplace.amazon.com`, BuyerName: `Buyer ${i}` },
        ShippingAddress: { Name: `Buyer ${i}`, AddressLine1: '1 Main St', City: 'Seattle', StateOrRegion: 'WA', PostalCode: '98101', CountryCode: 'US' },
      },
      items,
    };
  });
}

const catalog = SKUS.map((sku, i) => ({ sku, enabled: i % 17 !== 0, qty: i % 11 === 0 ? 0 : i % 4 === 0 ? null : 100 }));
const settings = { importOrders: true };
const store = { name: 'Bench', integratedAt: '2026-01-01T00:00:00Z', marketplaceId: 'ATVPDKIKX0DER' };

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const pairs = makeOrders(N);
const pairsJson = JSON.stringify(pairs);
const page = { payload: { Orders: pairs.map((p) => p.order) } };
const pageJson = JSON.stringify(page);
console.log(`${N} orders; {order, items} JSON ${(pairsJson.length / 1e6).toFixed(1)} MB, getOrders page JSON ${(pageJson.length / 1e6).toFixed(1)} MB; ${RUNS} interleaved runs, Node ${process.version}\n`);

const cases = [
  ['[{order, items}] as JS objects', () => previewImport(pairs, catalog, settings, store)],
  ['[{order, items}] as a JSON string', () => previewImport(pairsJson, catalog, settings, store)],
  ['getOrders page (no items) as a JS object', () => previewImport(page, catalog, settings, store)],
  ['getOrders page (no items) as a JSON string', () => previewImport(pageJson, catalog, settings, store)],
  ['(JSON.stringify of the {order, items} objects alone)', () => JSON.stringify(pairs)],
];
// Runs interleave the cases so that a busy machine slows every case alike.
const times = cases.map(() => []);
let last;
for (let r = -1; r < RUNS; r++) {
  cases.forEach(([, fn], i) => {
    const t0 = performance.now();
    const result = fn();
    if (r >= 0) times[i].push(performance.now() - t0); // run -1 warms up
    if (i === 1) last = result;
  });
}
cases.forEach(([label], i) => {
  const t = times[i];
  console.log(`${label.padEnd(54)} median ${median(t).toFixed(0).padStart(5)} ms  (min ${Math.min(...t).toFixed(0)}, max ${Math.max(...t).toFixed(0)})`);
});
const ratio = median(times[0].map((t, r) => t / times[1][r]));
const pageRatio = median(times[2].map((t, r) => t / times[3][r]));

const counts = {};
for (const e of last) counts[e.decision] = (counts[e.decision] ?? 0) + 1;
console.log(`\ndecisions: ${JSON.stringify(counts)}`);
console.log(`objects / JSON string time, per run (median): ${ratio.toFixed(2)} for {order, items}, ${pageRatio.toFixed(2)} for a getOrders page`);

// The import preview page: no framework, one module. Every input change re-runs
// `previewImport` (the plugin's own decision, compiled to WebAssembly) and re-renders the table.

const pkgBase = new URL(
  document.querySelector('meta[name="amazon-order-sync-pkg"]')?.content ?? '/pkg/',
  document.baseURI,
);
const pkg = await import(new URL('amazon_order_sync.js', pkgBase).href);
await pkg.default({ module_or_path: new URL('amazon_order_sync_bg.wasm', pkgBase) });

const $ = (id) => document.getElementById(id);

const DECISION_LABELS = {
  create: 'Create',
  complete: 'Create + complete',
  blocked: 'Blocked',
  wait: 'Wait',
  skip: 'Skip',
  viewOnly: 'View only',
  cancel: 'Cancel',
};

const DEFAULT_CATALOG = [
  { sku: 'MUG-RED', enabled: true, qty: 50 },
  { sku: 'TEE-M', enabled: true, qty: null },
  { sku: 'OLD-CAP', enabled: false, qty: 10 },
  { sku: 'LAMP', enabled: true, qty: 1 },
];

/** Loaded sample files: [{file, label, checked, json}] */
let samples = [];

// ---------------------------------------------------------------- inputs → arguments

function catalogRows() {
  return [...$('catalog-rows').querySelectorAll('tr')];
}

function readCatalog() {
  return catalogRows()
    .map((tr) => {
      const [sku, enabled, qty] = tr.querySelectorAll('input');
      const text = qty.value.trim();
      return { sku: sku.value.trim(), enabled: enabled.checked, qty: text === '' ? null : Number(text) };
    })
    .filter((p) => p.sku !== '');
}

function readSettings() {
  return {
    importOrders: $('import-orders').checked,
    reservePending: $('reserve-pending').checked,
    processingStatus: $('processing-status').value.trim(),
    storeView: $('store-view').value.trim(),
    customerCreation: $('customer-creation').value,
    orderNumberSource: $('order-number-source').value,
  };
}

function readStore() {
  return {
    name: $('store-name').value.trim(),
    marketplaceId: $('marketplace-id').value.trim(),
    integratedAt: $('integrated-at').value.trim(),
  };
}

/** The orders argument: the checked samples, then whatever was pasted or dropped. */
function readOrders() {
  // previewImport takes one list of parts: arrays (a file of [{order, items}]) are spread.
  const parts = samples.filter((s) => s.checked).flatMap((s) => (Array.isArray(s.json) ? s.json : [s.json]));
  const pasted = $('orders-json').value.trim();
  if (pasted !== '') {
    let value;
    try {
      value = JSON.parse(pasted);
    } catch (e) {
      const error = new Error(`pasted orders are not JSON: ${e.message}`);
      error.code = 'invalid_orders';
      throw error;
    }
    if (Array.isArray(value)) parts.push(...value);
    else parts.push(value);
  }
  return parts;
}

// ---------------------------------------------------------------- rendering

function cell(tr, text, className) {
  const td = document.createElement('td');
  if (className) td.className = className;
  if (text instanceof Node) td.append(text);
  else td.textContent = text ?? '';
  tr.append(td);
  return td;
}

function blockersList(blockers) {
  if (blockers.length === 0) return '';
  const ul = document.createElement('ul');
  ul.className = 'blockers';
  for (const b of blockers) {
    const li = document.createElement('li');
    li.dataset.kind = b.kind;
    const message = document.createElement('span');
    message.className = 'message';
    message.textContent = b.message;
    const fix = document.createElement('span');
    fix.className = 'resolution';
    fix.textContent = b.resolution;
    li.append(message, fix);
    ul.append(li);
  }
  return ul;
}

function render() {
  const body = $('preview').tBodies[0];
  const errorBox = $('error');
  let entries;
  try {
    entries = pkg.previewImport(readOrders(), readCatalog(), readSettings(), readStore());
    errorBox.hidden = true;
    errorBox.textContent = '';
  } catch (e) {
    errorBox.hidden = false;
    errorBox.dataset.code = e.code ?? 'error';
    errorBox.textContent = `${e.code ?? 'error'}: ${e.message}`;
    body.replaceChildren();
    $('summary').textContent = '';
    return;
  }
  const rows = entries.map((e) => {
    const tr = document.createElement('tr');
    tr.dataset.orderId = e.amazonOrderId;
    tr.dataset.decision = e.decision;
    cell(tr, e.amazonOrderId, 'order-id');
    const badge = document.createElement('span');
    badge.className = `badge ${e.decision}`;
    badge.textContent = DECISION_LABELS[e.decision] ?? e.decision;
    cell(tr, badge, 'decision');
    cell(tr, e.tableStatus, 'table-status');
    cell(tr, e.commerceStatus ?? '—', 'commerce-status');
    cell(tr, e.reason, 'reason');
    cell(tr, blockersList(e.blockers), 'blocker-cell');
    return tr;
  });
  body.replaceChildren(...rows);

  const counts = {};
  for (const e of entries) counts[e.decision] = (counts[e.decision] ?? 0) + 1;
  $('summary').textContent = entries.length === 0
    ? 'No orders: pick a sample or paste SP-API JSON.'
    : `${entries.length} orders: ` + Object.entries(counts)
      .map(([d, n]) => `${n} ${DECISION_LABELS[d] ?? d}`)
      .join(' · ');

  const errors = pkg.validateSettings(readSettings());
  $('settings-errors').replaceChildren(...errors.map((fe) => {
    const li = document.createElement('li');
    li.textContent = `${fe.field}: ${fe.message}`;
    return li;
  }));
}

let pending = 0;
/** Typing re-renders after a short pause; toggles and selects re-render at once. */
function renderSoon() {
  clearTimeout(pending);
  pending = setTimeout(render, 120);
}

// ---------------------------------------------------------------- catalog editor

function addProductRow(product = { sku: '', enabled: true, qty: null }) {
  const tr = document.createElement('tr');
  const sku = Object.assign(document.createElement('input'), { value: product.sku, placeholder: 'SKU' });
  sku.setAttribute('aria-label', 'SKU');
  const enabled = Object.assign(document.createElement('input'), { type: 'checkbox', checked: product.enabled });
  enabled.setAttribute('aria-label', 'Enabled');
  const qty = Object.assign(document.createElement('input'), {
    type: 'number', value: product.qty ?? '', placeholder: 'not managed',
  });
  qty.setAttribute('aria-label', 'Salable quantity');
  const remove = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Remove' });
  remove.addEventListener('click', () => { tr.remove(); render(); });
  for (const [input, td] of [[sku], [enabled], [qty], [remove]].map(([i]) => [i, document.createElement('td')])) {
    td.append(input);
    tr.append(td);
  }
  $('catalog-rows').append(tr);
  return tr;
}

// ---------------------------------------------------------------- samples, paste and drop

async function loadSamples() {
  const base = new URL('samples/', document.baseURI);
  const index = await (await fetch(new URL('index.json', base))).json();
  // One request at a time: small files, and simple loopback servers need not multiplex.
  samples = [];
  for (const s of index) {
    samples.push({ ...s, json: await (await fetch(new URL(s.file, base))).json() });
  }
  const box = $('samples');
  box.replaceChildren(...samples.map((s) => {
    const label = document.createElement('label');
    const input = Object.assign(document.createElement('input'), { type: 'checkbox', checked: !!s.checked });
    input.dataset.sample = s.file;
    input.addEventListener('change', () => { s.checked = input.checked; render(); });
    label.append(input, ` ${s.label}`);
    return label;
  }));
}

async function dropFiles(files) {
  const texts = await Promise.all([...files].map((f) => f.text()));
  const parsed = texts.map((t) => JSON.parse(t));
  $('orders-json').value = JSON.stringify(parsed.length === 1 ? parsed[0] : parsed, null, 1);
  render();
}

function wire() {
  for (const id of ['import-orders', 'reserve-pending', 'customer-creation', 'order-number-source']) {
    $(id).addEventListener('change', render);
  }
  for (const id of ['processing-status', 'store-view', 'store-name', 'marketplace-id', 'integrated-at', 'orders-json']) {
    $(id).addEventListener('input', renderSoon);
  }
  $('catalog-rows').addEventListener('input', renderSoon);
  $('catalog-rows').addEventListener('change', render);
  $('add-product').addEventListener('click', () => { addProductRow().querySelector('input').focus(); });

  const drop = $('orders-json').closest('fieldset');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('dropping'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('dropping'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('dropping');
    dropFiles(e.dataTransfer.files).catch((err) => {
      $('error').hidden = false;
      $('error').textContent = `dropped files: ${err.message}`;
    });
  });
}

DEFAULT_CATALOG.forEach(addProductRow);
wire();
await loadSamples();
render();
document.body.dataset.ready = 'true';

// The exposure explorer: who is exposed, through whom, and why.
// State lives in the URL (sector, asOf, maxDepth, minConfidence, after,
// company), so a view can be shared and reloaded.
import './explorer.css';
import { client, explain, getToken, setToken } from './api.js';
import { h, replace, $, sourceItem, fmtConf } from './dom.js';
import { hopId, REASON_COLOURS, GREY } from './graph.js';
import * as Q from './queries.js';
import { toCSV, CSV_HEADER, csvRow } from './csv.js';

const root = document.getElementById('explorer');
const gql = client(root.dataset.endpoint || '/graphql');
const today = () => new Date().toISOString().slice(0, 10);

const state = readURL();
let dates = [];
let cursors = []; // cursors of the pages before the current one (Previous)
const inflight = new Map(); // slot → AbortController of its latest question
let cy = null;
let basics = false; // the sector tree and change dates are loaded
// The evidence of the hops of the network drawn (Q.HOPS), read after it
// is drawn: { company, ready: a promise of a Map hop id → hop, or null }.
let evidence = null;
// draw.js with Cytoscape.js, evaluated once the first questions are sent.
let drawing = null;
const loadDrawing = () => (drawing ||= import('./draw.js'));

function readURL() {
  const p = new URLSearchParams(location.search);
  const depth = parseInt(p.get('maxDepth') || '4', 10);
  return {
    sector: p.get('sector') || '',
    asOf: /^\d{4}-\d{2}-\d{2}$/.test(p.get('asOf') || '') ? p.get('asOf') : today(),
    maxDepth: depth >= 1 && depth <= 6 ? depth : 4,
    minConfidence: p.get('minConfidence') || '',
    after: p.get('after') || '',
    company: p.get('company') || '',
  };
}

function writeURL() {
  const p = new URLSearchParams();
  if (state.sector) p.set('sector', state.sector);
  p.set('asOf', state.asOf);
  p.set('maxDepth', String(state.maxDepth));
  if (state.minConfidence) p.set('minConfidence', state.minConfidence);
  if (state.after) p.set('after', state.after);
  if (state.company) p.set('company', state.company);
  history.replaceState(null, '', `${location.pathname}?${p}`);
}

function vars() {
  const v = { asOf: state.asOf, maxDepth: state.maxDepth };
  if (state.sector) v.sector = state.sector;
  if (state.minConfidence) v.minConfidence = parseFloat(state.minConfidence);
  return v;
}

// --- the page -------------------------------------------------------------

const el = {};
function build() {
  el.sector = h('select', { id: 'sector', name: 'sector' }, h('option', { value: '' }, 'All sectors'));
  el.date = h('input', { id: 'asOf', name: 'asOf', type: 'date', required: true });
  el.slider = h('input', { id: 'dateSlider', type: 'range', min: 0, max: 0, step: 1, 'aria-describedby': 'sliderNote' });
  el.sliderNote = h('span', { id: 'sliderNote', class: 'note' });
  el.depth = h('select', { id: 'maxDepth', name: 'maxDepth' }, [1, 2, 3, 4, 5, 6].map((d) => h('option', { value: d }, String(d))));
  el.conf = h('input', { id: 'minConfidence', name: 'minConfidence', type: 'number', min: 0.01, max: 1, step: 0.05, placeholder: 'any', inputmode: 'decimal' });
  el.token = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', placeholder: 'only if the server asks' });
  el.ask = h('button', { id: 'ask', type: 'submit' }, 'Ask');
  const field = (label, control, ...extra) => h('div', { class: 'field' }, h('label', { for: control.id }, label), control, ...extra);
  const form = h('form', { id: 'question', 'aria-label': 'Question' },
    field('Sector', el.sector),
    field('Date', el.date),
    h('div', { class: 'field slider' }, h('label', { for: 'dateSlider' }, 'Dates on which anything changes'), el.slider, el.sliderNote),
    field('Maximum depth', el.depth),
    field('Minimum confidence', el.conf),
    field('Token', el.token),
    el.ask);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    setToken(el.token.value.trim());
    readForm();
    state.after = '';
    cursors = [];
    if (basics || (await loadBasics())) ask();
  });
  el.date.addEventListener('change', () => {
    if (!el.date.value) return;
    readForm();
    state.after = '';
    cursors = [];
    placeSlider();
    ask();
  });
  el.slider.addEventListener('input', () => {
    if (!dates.length) return;
    el.date.value = dates[el.slider.valueAsNumber];
    placeSlider();
  });
  el.slider.addEventListener('change', () => {
    if (!dates.length) return;
    el.date.value = dates[el.slider.valueAsNumber];
    readForm();
    state.after = '';
    cursors = [];
    ask();
  });
  for (const c of [el.sector, el.depth]) {
    c.addEventListener('change', () => {
      readForm();
      state.after = '';
      cursors = [];
      ask();
    });
  }
  el.token.addEventListener('change', () => setToken(el.token.value.trim()));

  el.cancel = h('button', { id: 'cancel', type: 'button', onclick: () => inflight.forEach((c) => c.abort()) }, 'Cancel');
  el.status = h('div', { id: 'status', role: 'status', 'aria-live': 'polite' });
  el.error = h('div', { id: 'error', role: 'alert' });

  el.count = h('span', { id: 'count' });
  el.csv = h('button', { id: 'csv', type: 'button', onclick: downloadCSV }, 'Download CSV (all pages)');
  el.tbody = h('tbody');
  el.prev = h('button', { id: 'prev', type: 'button', onclick: prevPage }, 'Previous page');
  el.next = h('button', { id: 'next', type: 'button', onclick: nextPage }, 'Next page');
  el.pageNote = h('span', { class: 'note', id: 'pageNote' });
  const th = (t, title) => h('th', { scope: 'col', title }, t);
  const table = h('table', { id: 'exposed' },
    h('caption', {}, 'Exposed companies, ordered by company id (the order the API pages in)'),
    h('thead', {}, h('tr', {}, th('Company'), th('Country'), th('Sectors'), th('Depth', 'the least depth of its paths'), th('Paths', 'how many exposure paths it has'),
      th('Conf.', 'confidence: the highest of its paths'), th('First-hop reasons', 'why the first hops of its paths are not covered'), th('Since', 'the first day of its current exposure'))),
    el.tbody);
  const tableSection = h('section', { id: 'companies', 'aria-labelledby': 'companiesTitle' },
    h('div', { class: 'section-head' }, h('h2', { id: 'companiesTitle' }, 'Exposed companies ', el.count), el.csv),
    h('div', { class: 'table-wrap' }, table),
    h('div', { class: 'pager' }, el.prev, el.pageNote, el.next));

  el.graphTitle = h('h2', { id: 'networkTitle' }, 'The network of one company');
  el.graph = h('div', { id: 'graph', role: 'img', 'aria-label': 'Exposure paths; the same paths are listed below' });
  el.paths = h('ol', { id: 'paths' });
  el.hop = h('div', { id: 'hop', 'aria-live': 'polite' });
  const legend = h('ul', { class: 'legend', 'aria-label': 'Legend' },
    Object.entries(REASON_COLOURS).map(([r, c]) => h('li', {}, swatch(c), reasonText(r))),
    h('li', {}, swatch(GREY), 'covered or not controlled'),
    h('li', {}, 'line width: link confidence (dashed: none recorded)'));
  const network = h('section', { id: 'network', 'aria-labelledby': 'networkTitle' },
    el.graphTitle, legend, el.graph,
    h('h3', {}, 'Paths (select a hop for its evidence)'), el.paths, el.hop);

  el.panel = h('aside', { id: 'panel', 'aria-labelledby': 'panelTitle' }, h('h2', { id: 'panelTitle' }, 'Company'), h('p', { class: 'note' }, 'Select a company in the table or the network.'));

  el.from = h('input', { id: 'changesFrom', type: 'date' });
  el.to = h('input', { id: 'changesTo', type: 'date' });
  el.changes = h('div', { id: 'changesOut' });
  const changes = h('section', { id: 'changes', 'aria-labelledby': 'changesTitle' },
    h('h2', { id: 'changesTitle' }, 'What changes'),
    h('form', { id: 'changesForm', onsubmit: (e) => { e.preventDefault(); askChanges(); } },
      h('div', { class: 'field' }, h('label', { for: 'changesFrom' }, 'From'), el.from),
      h('div', { class: 'field' }, h('label', { for: 'changesTo' }, 'To'), el.to),
      h('button', { id: 'askChanges', type: 'submit' }, 'Show changes')),
    el.changes);

  replace(root,
    h('header', {}, h('h1', {}, 'Exposure explorer'),
      h('p', { class: 'note' }, 'Who is exposed, directly or through suppliers, to a Chinese producer with no valid licence to ship to them. ',
        h('a', { href: '/' }, 'GraphiQL'))),
    form, h('div', { class: 'statusbar' }, el.status, el.error),
    h('main', { class: 'layout' }, tableSection, network, el.panel, changes));
}

const swatch = (c) => {
  const s = h('span', { class: 'swatch', 'aria-hidden': 'true' });
  s.style.backgroundColor = c;
  return s;
};
const reasonText = (r) => r.toLowerCase().replace(/_/g, ' ');
const chip = (r) => {
  const s = h('span', { class: 'chip', dataset: { reason: r } }, reasonText(r));
  s.style.borderColor = REASON_COLOURS[r] || '#000';
  s.style.color = REASON_COLOURS[r] || '#000';
  return s;
};

function readForm() {
  state.sector = el.sector.value;
  state.asOf = el.date.value || today();
  state.maxDepth = parseInt(el.depth.value, 10);
  const c = el.conf.value.trim();
  state.minConfidence = c && parseFloat(c) > 0 ? c : '';
}

function fillForm() {
  el.sector.value = state.sector;
  el.date.value = state.asOf;
  el.depth.value = String(state.maxDepth);
  el.conf.value = state.minConfidence;
  el.token.value = getToken();
  placeSlider();
}

// The slider stands on the last change date on or before the date.
function placeSlider() {
  el.slider.max = String(Math.max(dates.length - 1, 0));
  el.slider.disabled = dates.length === 0;
  let i = 0;
  for (let k = 0; k < dates.length; k++) if (dates[k] <= el.date.value) i = k;
  el.slider.value = String(i);
  const d = el.date.value;
  el.sliderNote.textContent = dates.length
    ? `${dates[i] <= d ? `last change ${dates[i]}` : `before the first change ${dates[0]}`} (${i + 1} of ${dates.length})`
    : 'no dates';
  el.slider.setAttribute('aria-valuetext', dates[i] || '');
}

// mark records when something first showed (docs/performance.md reads
// the marks: time to the first table, to the first network).
function mark(name) {
  if (performance.getEntriesByName(name).length === 0) performance.mark(name);
}

// --- asking ---------------------------------------------------------------

// run sends a question, with the spinner and its Cancel, and shows an
// error in plain words. Questions in different slots (the table, the
// network, the side panel, …) run side by side; in one slot only the
// latest counts. A question that follows another (later: the evidence,
// the side panel and the sector tree after the first answers) leaves the
// error shown; asked on its own, it clears it.
async function run(slot, label, f, later = false) {
  if (inflight.has(slot)) inflight.get(slot).abort();
  const ctl = new AbortController();
  inflight.set(slot, ctl);
  if (!later) replace(el.error);
  const t = setTimeout(() => replace(el.status, h('span', { class: 'spinner', 'aria-hidden': 'true' }), `${label}… `, el.cancel), 150);
  root.dataset.busy = '1';
  try {
    return await f(ctl.signal);
  } catch (err) {
    if (inflight.get(slot) === ctl) replace(el.error, explain(err));
    return undefined;
  } finally {
    clearTimeout(t);
    if (inflight.get(slot) === ctl) inflight.delete(slot);
    if (inflight.size === 0) {
      replace(el.status);
      delete root.dataset.busy;
    }
  }
}

// ask asks the question of the form: the table, and the network of the
// selected company at the same time; then whatever then starts (the
// page's first question loads the sector tree and the change dates then,
// so that they do not compete with the table and the network).
async function ask(then) {
  writeURL();
  // With a company in the URL, its network is what the view is for: its
  // paths are asked first and the table once they are in (side by side on
  // a 2-core server, each question took several times as long); when they
  // fail or are cancelled, the table is not asked, and the error stays.
  let startTable;
  const table = new Promise((resolve) => { startTable = resolve; })
    .then((go) => go ? run('table', 'Asking', (signal) => gql(Q.EXPOSED, { ...vars(), first: Q.PAGE_SIZE, after: state.after || null }, signal)) : undefined);
  const network = state.company ? selectCompany(state.company, false, startTable) : null;
  if (!network) startTable(true);
  const data = await table;
  if (data) {
    showTable(data.exposedCompanies);
    mark('explorer:table');
  }
  await network;
  if (then) await then();
  if (data) root.dataset.ready = '1';
}


function showTable(conn) {
  el.count.textContent = `(${conn.totalCount})`;
  replace(el.tbody, conn.edges.map(({ node: n }) => {
    const b = h('button', { type: 'button', class: 'link', onclick: () => selectCompany(n.company.id, true) }, n.company.name);
    return h('tr', { dataset: { company: n.company.id }, 'aria-selected': n.company.id === state.company ? 'true' : undefined },
      h('td', {}, b, h('div', { class: 'note' }, n.company.id)),
      h('td', { title: n.company.country.name, 'data-label': 'Country' }, n.company.country.code),
      h('td', { 'data-label': 'Sectors' }, n.company.sectors.map((s) => s.id).join(', ')),
      h('td', { class: 'num', 'data-label': 'Least depth' }, n.minDepth),
      h('td', { class: 'num', 'data-label': 'Paths' }, n.pathCount),
      h('td', { class: 'num', 'data-label': 'Confidence' }, fmtConf(n.confidence)),
      h('td', { 'data-label': 'First hops' }, n.firstHopReasons.map(chip)),
      h('td', { class: 'date', 'data-label': 'Since' }, n.since || 'over two years'));
  }));
  if (!conn.edges.length) replace(el.tbody, h('tr', {}, h('td', { colspan: 8 }, 'No company is exposed for this question.')));
  state.nextCursor = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : '';
  el.next.disabled = !state.nextCursor;
  el.prev.disabled = !state.after;
  el.pageNote.textContent = `page ${cursors.length + 1} of ${Math.max(1, Math.ceil(conn.totalCount / Q.PAGE_SIZE))}`;
}

function nextPage() {
  if (!state.nextCursor) return;
  cursors.push(state.after);
  state.after = state.nextCursor;
  ask();
}

function prevPage() {
  state.after = cursors.length ? cursors.pop() : '';
  ask();
}

// selectCompany draws the network of a company; pathsIn, if given, is
// told whether its paths came in, before the drawing.
async function selectCompany(id, move, pathsIn) {
  state.company = id;
  writeURL();
  for (const tr of el.tbody.querySelectorAll('tr')) {
    if (tr.dataset.company === id) tr.setAttribute('aria-selected', 'true');
    else tr.removeAttribute('aria-selected');
  }
  const v = { ...vars(), id, first: Q.MAX_PATHS, sector: undefined };
  const data = await run('company', 'Drawing', (signal) => gql(Q.PATHS, v, signal));
  if (pathsIn) {
    pathsIn(data !== undefined);
    // Let the question it sends leave before the drawing holds the page.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  if (!data) return;
  const paths = data.exposurePaths;
  const { draw } = await loadDrawing();
  if (state.company !== id) return; // another company was chosen meanwhile
  showNetwork(draw, id, paths.length ? paths[0].hops[paths[0].hops.length - 1].customer.name : id, paths);
  if (move) el.graphTitle.scrollIntoView({ block: 'start', behavior: 'smooth' });
  // Then, with the network on screen, the evidence of its hops and the
  // side panel.
  const ready = run('hops', 'Reading the evidence', (signal) => gql(Q.HOPS, v, signal), true).then((d) => {
    if (!d) return null;
    const byHop = new Map();
    for (const p of d.exposurePaths) for (const hop of p.hops) if (!byHop.has(hopId(hop))) byHop.set(hopId(hop), hop);
    return byHop;
  });
  evidence = { company: id, ready };
  await Promise.all([ready, selectPanel(id, paths.length === 0, true)]);
}

function networkTitle(name, n) {
  el.graphTitle.textContent = `The network of ${name}: ${n} path${n === 1 ? '' : 's'} on ${state.asOf}`;
}

function showNetwork(draw, id, name, paths) {
  networkTitle(name, paths.length);
  if (cy) cy.destroy();
  cy = null;
  el.graph.dataset.company = id;
  evidence = null;
  replace(el.hop);
  if (!paths.length) {
    el.graph.dataset.nodes = '[]';
    el.graph.dataset.edges = '[]';
    replace(el.paths, h('li', {}, `${name} is not exposed on ${state.asOf} with this question.`));
    replace(el.graph);
    return;
  }
  // A few paths need little height; many get the panel's full height.
  el.graph.style.height = `${Math.min(420, 180 + 40 * paths.length)}px`;
  const t0 = performance.now();
  cy = draw(el.graph, paths, id, { onNode: (c) => selectPanel(c), onEdge: (hop) => showHop(hop) });
  performance.measure('explorer:draw', { start: t0 });
  mark('explorer:network');
  replace(el.paths, paths.map((p, i) => h('li', { dataset: { hops: p.hops.map(hopId).join(' '), depth: p.depth } },
    `Path ${i + 1} (depth ${p.depth}, confidence ${fmtConf(p.confidence)}): `,
    p.hops.map((hop) => h('button', {
      type: 'button', class: 'hop', dataset: { hop: hopId(hop) },
      onclick: () => { showHop(hop); if (cy) { cy.elements().unselect(); cy.getElementById(hopId(hop)).select(); } },
    }, hop.controlled && !hop.covered ? chip(hop.reason) : null, `${hop.supplier.name} → ${hop.customer.name}`)))));
}

// showHop shows the evidence of a hop of the network drawn, once read.
async function showHop(drawn) {
  const id = hopId(drawn);
  el.hop.dataset.hop = id;
  replace(el.hop, h('p', { class: 'note' }, `${drawn.supplier.name} → ${drawn.customer.name}: reading its evidence…`));
  const byHop = evidence && evidence.company === el.graph.dataset.company ? await evidence.ready : null;
  if (el.hop.dataset.hop !== id) return; // another hop was chosen meanwhile
  const found = byHop && byHop.get(id);
  if (!found) {
    replace(el.hop, h('p', {}, byHop ? 'The graph changed since the network was drawn: ask again for its evidence.' : 'Its evidence could not be read: ask again.'));
    return;
  }
  const hop = { ...drawn, ...found, supplier: drawn.supplier, customer: drawn.customer };
  const link = hop.link || {};
  const dl = (pairs) => h('dl', {}, pairs.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  replace(el.hop, h('h3', {}, `${hop.supplier.name} → ${hop.customer.name}`),
    dl([
      ['Judgement', hop.controlled ? (hop.covered ? 'controlled, covered' : ['controlled, not covered: ', chip(hop.reason)]) : 'not controlled'],
      ['Materials', hop.materials.map((m) => m.id).join(', ') || '—'],
      ['Controlled materials', hop.controlledMaterials.map((m) => m.id).join(', ') || '—'],
      ['Link dates', `${link.since || 'open'} to ${link.until || 'open'} (end excluded)`],
      ['Link confidence', fmtConf(link.confidence)],
      ['Link note', link.note || '—'],
    ]),
    h('h4', {}, 'Link sources'), h('ul', {}, (link.sources || []).map(sourceItem)),
    h('h4', {}, 'Licences considered'),
    hop.licences.length ? h('ul', { class: 'licences' }, hop.licences.map((l) => h('li', {},
      h('strong', {}, l.id), ` ${l.type.toLowerCase()}, recorded ${l.status.toLowerCase()}, `,
      h('span', { class: `standing standing-${l.standing}` }, l.standing.toLowerCase().replace(/_/g, ' ')),
      ` on ${state.asOf}; valid ${l.validFrom || 'open'} to ${l.validUntil || 'open'}${l.revokedOn ? `, revoked ${l.revokedOn}` : ''}`,
      l.note ? h('p', { class: 'note' }, l.note) : null,
      h('ul', {}, l.sources.map(sourceItem))))) : h('p', {}, 'None: the supplier holds no licence covering the customer.'));
}

// selectPanel shows a company in the side panel; with retitle, it also
// names the network after it (drawn without paths, so without its name);
// later as in run.
async function selectPanel(id, retitle, later) {
  const data = await run('panel', 'Reading', (signal) => gql(Q.COMPANY, { id, asOf: state.asOf }, signal), later);
  if (!data) return;
  showPanel(data.company);
  if (retitle && data.company && el.graph.dataset.company === id) networkTitle(data.company.name, 0);
}

function showPanel(c) {
  if (!c) {
    replace(el.panel, h('h2', { id: 'panelTitle' }, 'Company'), h('p', {}, 'No such company.'));
    return;
  }
  const people = (conn, side) => h('ul', {}, conn.edges.map(({ node }) => h('li', {},
    h('button', { type: 'button', class: 'link', onclick: () => selectPanel(node[side].id) }, node[side].name),
    ` ${node.since || 'open'}–${node.until || 'open'}, confidence ${fmtConf(node.confidence)}`)),
  conn.totalCount > conn.edges.length ? h('li', { class: 'note' }, `and ${conn.totalCount - conn.edges.length} more`) : null);
  const lic = (ls, holder) => (ls.length ? h('ul', {}, ls.map((l) => h('li', {}, h('strong', {}, l.id),
    holder && l.holder ? ` from ${l.holder.name}` : '', ' ', h('span', { class: `standing standing-${l.standing}` }, l.standing.toLowerCase().replace(/_/g, ' '))))) : h('p', { class: 'note' }, 'none'));
  replace(el.panel,
    h('h2', { id: 'panelTitle' }, c.name),
    h('button', { id: 'recentre', type: 'button', onclick: () => selectCompany(c.id, true) }, 'Re-centre the network on it'),
    h('dl', {},
      h('dt', {}, 'Id'), h('dd', {}, c.id),
      h('dt', {}, 'Country'), h('dd', {}, `${c.country.name} (${c.country.code})`),
      h('dt', {}, 'Sectors'), h('dd', {}, c.sectors.map((s) => s.name || s.id).join(', ') || '—'),
      h('dt', {}, 'Roles'), h('dd', {}, c.roles.map((r) => r.toLowerCase().replace(/_/g, ' ')).join(', ') || '—'),
      c.aliases.length ? [h('dt', {}, 'Also'), h('dd', {}, c.aliases.join(', '))] : null,
      c.note ? [h('dt', {}, 'Note'), h('dd', {}, c.note)] : null),
    h('h3', {}, `Licences held (${state.asOf})`), lic(c.licencesHeld, false),
    h('h3', {}, 'Licences covering it'), lic(c.licencesCovering, true),
    h('h3', {}, `Suppliers (${c.suppliers.totalCount})`), people(c.suppliers, 'supplier'),
    h('h3', {}, `Customers (${c.customers.totalCount})`), people(c.customers, 'customer'));
}

async function askChanges() {
  const from = el.from.value;
  const to = el.to.value;
  if (!from || !to) {
    replace(el.changes, h('p', {}, 'Pick both dates.'));
    return;
  }
  const v = { ...vars(), from, to };
  delete v.asOf;
  const data = await run('changes', 'Comparing', (signal) => gql(Q.CHANGES, v, signal));
  if (!data) return;
  const ch = data.exposureChanges;
  const list = (items, id) => (items.length ? h('ul', { id }, items.map((x) => h('li', { dataset: { company: x.company.id } },
    h('button', { type: 'button', class: 'link', onclick: () => selectPanel(x.company.id) }, x.company.name),
    x.licences.length ? [' — licences: ', x.licences.map((l) => `${l.id} (${l.standing.toLowerCase().replace(/_/g, ' ')} on ${to})`).join(', ')] : '',
    x.controls.length ? [' — controls: ', x.controls.map((c) => c.title || c.id).join(', ')] : ''))) : h('p', { id, class: 'note' }, 'none'));
  replace(el.changes,
    h('h3', {}, `Newly exposed on ${to}`), list(ch.newlyExposed, 'newlyExposed'),
    h('h3', {}, `No longer exposed on ${to}`), list(ch.noLongerExposed, 'noLongerExposed'));
}

// --- CSV ------------------------------------------------------------------

async function downloadCSV() {
  const rows = await run('csv', 'Reading every page', async (signal) => {
    const out = [];
    let after = null;
    for (;;) {
      const d = await gql(Q.EXPORT, { ...vars(), first: Q.CSV_PAGE_SIZE, after }, signal);
      const conn = d.exposedCompanies;
      for (const { node } of conn.edges) out.push(csvRow(node, node.firstHopReasons));
      if (!conn.pageInfo.hasNextPage) return out;
      after = conn.pageInfo.endCursor;
    }
  });
  if (!rows) return;
  const blob = new Blob([toCSV([CSV_HEADER, ...rows])], { type: 'text/csv;charset=utf-8' });
  const a = h('a', { download: `exposed-${state.sector || 'all'}-${state.asOf}.csv` });
  a.href = URL.createObjectURL(blob);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

// --- start ----------------------------------------------------------------

// dateWindow is the span of the date slider: twenty years back, ten ahead.
function dateWindow() {
  const y = new Date().getUTCFullYear();
  return { from: `${y - 20}-01-01`, to: `${y + 10}-12-31` };
}

// loadBasics reads the sector tree and the change dates; false when the
// server did not answer (they are read again with the next question).
async function loadBasics(later) {
  const data = await run('basics', 'Loading', (signal) => gql(Q.INIT, dateWindow(), signal), later);
  if (!data) return false;
  dates = data.exposureDates;
  const children = new Map();
  for (const s of data.sectors) {
    const p = s.parent ? s.parent.id : '';
    if (!children.has(p)) children.set(p, []);
    children.get(p).push(s);
  }
  const walk = (p, depth) => (children.get(p) || []).flatMap((s) => [
    h('option', { value: s.id }, `${'\u00a0\u00a0'.repeat(depth)}${depth ? '└ ' : ''}${s.name || s.id}`),
    ...walk(s.id, depth + 1)]);
  replace(el.sector, h('option', { value: '' }, 'All sectors'), walk('', 0));
  fillForm();
  const i = dates.findIndex((d) => d > state.asOf);
  el.from.value = state.asOf;
  el.to.value = i >= 0 ? dates[i] : state.asOf;
  basics = true;
  return true;
}

async function init() {
  mark('explorer:start');
  build();
  fillForm();
  // Cytoscape.js is run in a task after this one (the browser sends the
  // questions only when the task that asked them ends): at once when the
  // URL names a company, whose network is drawn next; else once the table
  // is on screen.
  if (state.company) setTimeout(loadDrawing, 0);
  await ask(() => {
    if (!drawing) requestAnimationFrame(() => setTimeout(loadDrawing, 0));
    return basics || loadBasics(true);
  });
}

init();

#!/usr/bin/env node
// Drives the exposure explorer (/explore) in headless Chromium against a
// server loaded with the curated data (seed/), and checks it against the
// API itself:
//   1. the page loads with nothing from outside localhost (foreign
//      requests are aborted and fail the run), no CSP violation, no
//      uncaught error;
//   2. automotive today lists the companies exposedCompanies lists;
//   3. selecting one draws the nodes and hops of exposurePaths, and lists
//      its paths in the API's order;
//   4. the CSV download has the API's rows (every page);
//   5. the URL reproduces the view in a new tab;
//   6. the date slider, moved by the keyboard from one change date to the
//      next, changes the table exactly as exposureChanges says (and not
//      where it says nothing changes);
//   7. Tab alone reaches every control, and Enter on a company draws it;
//   8. a slow question shows a spinner whose Cancel stops it; an API
//      error is shown in plain words.
// E2E_SCREENSHOT_DIR: write explorer-desktop.png and explorer-network.png
// (1280x800: the top of the page, and scrolled to the network) and
// explorer-phone.png (390x844) there.
//
//   BASE_URL=http://127.0.0.1:8080 node web/e2e/explorer.mjs
// The last line is `e2e: N passed, M failed`.
import { chromium } from 'playwright-core';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const BASE_URL = (process.env.BASE_URL || '').replace(/\/+$/, '');
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = process.env.E2E_SCREENSHOT_DIR || '';
// E2E_TOKEN: the server refuses anonymous reads; check only that the page
// asks for a token, keeps it in session storage alone, and then answers.
const TOKEN = process.env.E2E_TOKEN || '';
const SECTOR = 'automotive';
const TIMEOUT_MS = 30_000;
const OVERALL_TIMEOUT_MS = 240_000;
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

const log = (...a) => console.log('e2e:', ...a);
let passed = 0;
let failed = 0;
async function check(name, f) {
  try {
    await f();
    passed++;
    log(`ok   ${name}`);
  } catch (err) {
    failed++;
    console.error(`e2e: FAIL ${name}: ${err && err.stack ? err.stack : err}`);
  }
}
function assertEqual(got, want, what) {
  const g = JSON.stringify(got);
  const w = JSON.stringify(want);
  if (g !== w) throw new Error(`${what}:\n  page: ${g}\n  API:  ${w}`);
}

function foreign(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return `unparseable URL ${url}`;
  }
  if (['data:', 'blob:', 'about:'].includes(u.protocol)) return null;
  if (!LOCAL_HOSTS.has(u.hostname)) return `request to foreign host ${u.hostname}: ${url}`;
  return null;
}

async function api(query, variables = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (TOKEN) headers.Authorization = `Bearer ${TOKEN}`;
  const resp = await fetch(`${BASE_URL}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = await resp.json();
  if (body.errors) throw new Error(`API: ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function exposedAll(vars) {
  const out = [];
  let after = null;
  for (;;) {
    const d = await api(`query($sector: ID, $asOf: Date, $after: String) { exposedCompanies(sector: $sector, asOf: $asOf, first: 100, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { company { id country { code } } minDepth pathCount since uncoveredSuppliers { id } } } } }`, { ...vars, after });
    out.push(...d.exposedCompanies.edges.map((e) => e.node));
    if (!d.exposedCompanies.pageInfo.hasNextPage) return out;
    after = d.exposedCompanies.pageInfo.endCursor;
  }
}

const tableIds = (page) => page.$$eval('#exposed tbody tr[data-company]', (rows) => rows.map((r) => r.dataset.company));
async function settled(page) {
  await page.waitForFunction(() => document.querySelector('#explorer').dataset.ready === '1' && !document.querySelector('#explorer').dataset.busy, null, { timeout: TIMEOUT_MS });
}
async function graphOf(page, id) {
  await page.waitForFunction((c) => document.querySelector('#graph').dataset.company === c && !document.querySelector('#explorer').dataset.busy, id, { timeout: TIMEOUT_MS });
  return page.$eval('#graph', (g) => ({ nodes: JSON.parse(g.dataset.nodes), edges: JSON.parse(g.dataset.edges),
    paths: [...document.querySelectorAll('#paths li[data-hops]')].map((li) => li.dataset.hops) }));
}

async function main() {
  if (!BASE_URL || foreign(BASE_URL)) throw new Error('BASE_URL must point at this machine, e.g. http://127.0.0.1:8080');
  const requests = [];
  const problems = [];
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'explorer-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    timeout: TIMEOUT_MS,
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  try {
    context.on('request', (req) => requests.push(req.url()));
    // (A route the error check below fulfils itself may reach this
    // handler too: it is then already handled, which is no failure.)
    await context.route('**/*', (route) => (foreign(route.request().url()) ? route.abort('blockedbyclient') : route.continue()).catch(() => {}));
    await context.exposeFunction('__e2eCSPViolation', (v) => problems.push(`CSP violation: ${v}`));
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => window.__e2eCSPViolation(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`));
    });
    const watch = (p) => p.on('pageerror', (err) => problems.push(`uncaught page error: ${err}`));
    const page = context.pages()[0] || (await context.newPage());
    watch(page);

    if (TOKEN) await tokenOnly(page);
    else await everything(page, context, watch);

    await check('nothing from outside localhost, no CSP violation, no page error', async () => {
      const bad = [...requests.map(foreign).filter(Boolean), ...problems];
      if (bad.length) throw new Error(bad.join('\n  '));
      log(`${requests.length} requests, all to ${new URL(BASE_URL).host}`);
    });
  } finally {
    await context.close().catch(() => {});
    await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
  }
}

async function everything(page, context, watch) {
  // 1, 2. automotive today.
  const resp = await page.goto(`${BASE_URL}/explore?sector=${SECTOR}`, { waitUntil: 'load' });
  if (!resp || !resp.ok()) throw new Error(`GET /explore answered ${resp ? resp.status() : 'nothing'}`);
  await settled(page);
  const asOf = await page.inputValue('#asOf');
  const want = await exposedAll({ sector: SECTOR });
  await check('automotive today lists the companies the API lists', async () => {
    if (want.length === 0) throw new Error('the API lists no exposed automotive company today: the test proves nothing');
    assertEqual(await tableIds(page), want.map((n) => n.company.id), 'exposed companies');
    assertEqual((await page.textContent('#count')).trim(), `(${want.length})`, 'the count');
  });

  // 3. the network of the company with the most paths.
  const target = [...want].sort((a, b) => b.pathCount - a.pathCount)[0].company.id;
  await page.click(`#exposed tr[data-company="${target}"] button`);
  await check(`selecting ${target} draws the paths of exposurePaths`, async () => {
    const got = await graphOf(page, target);
    const { exposurePaths } = await api(`query($id: ID!, $asOf: Date) { exposurePaths(companyId: $id, asOf: $asOf, first: 100) {
      hops { supplier { id } customer { id } } } }`, { id: target, asOf });
    const hops = exposurePaths.map((p) => p.hops.map((h) => `${h.supplier.id}->${h.customer.id}`));
    assertEqual(got.paths, hops.map((p) => p.join(' ')), 'paths, in order');
    assertEqual(got.edges, [...new Set(hops.flat())].sort(), 'hop ids drawn');
    assertEqual(got.nodes, [...new Set(exposurePaths.flatMap((p) => p.hops.flatMap((h) => [h.supplier.id, h.customer.id])))].sort(), 'node ids drawn');
    const drawn = await page.evaluate(() => document.querySelector('#graph canvas') !== null);
    if (!drawn) throw new Error('no canvas in #graph');
  });
  await check('a hop shows its evidence', async () => {
    await page.click('#paths button.hop');
    await page.waitForSelector('#hop h3');
    const text = await page.textContent('#hop');
    for (const w of ['Licences considered', 'Link sources', 'Materials']) if (!text.includes(w)) throw new Error(`the hop panel lacks ${w}: ${text}`);
  });
  await check('the side panel shows the company', async () => {
    await page.waitForSelector('#recentre');
    const text = await page.textContent('#panel');
    for (const w of ['Country', 'Sectors', 'Roles', 'Licences held', 'Licences covering it', 'Suppliers', 'Customers']) if (!text.includes(w)) throw new Error(`the panel lacks ${w}`);
  });

  if (SHOTS) {
    await page.waitForTimeout(600); // the smooth scroll to the network
    await page.evaluate(() => document.querySelector('#hop').scrollIntoView({ block: 'end' }));
    await page.screenshot({ path: path.join(SHOTS, 'explorer-network.png') });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SHOTS, 'explorer-desktop.png') });
    log(`screenshots ${path.join(SHOTS, 'explorer-desktop.png')}, explorer-network.png`);
  }

  // 4. CSV.
  await check('the CSV has the same rows as the API', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
    const file = await download.path();
    const lines = (await readFile(file, 'utf8')).trim().split(/\r\n/);
    const header = lines[0].split(',');
    const col = (name) => header.indexOf(name);
    const rows = lines.slice(1).map((l) => l.split(',')); // the curated names hold no comma in these columns
    const pick = (r) => [r[col('company_id')], r[col('country')], Number(r[col('least_depth')]), Number(r[col('path_count')]), r[col('since')], r[col('first_suppliers')]];
    const all = await exposedAll({ sector: SECTOR, asOf });
    assertEqual(rows.map(pick), all.map((n) => [n.company.id, n.company.country.code, n.minDepth, n.pathCount, n.since || '', n.uncoveredSuppliers.map((s) => s.id).join(' ')]), 'CSV rows');
  });

  // 5. the URL reproduces the view.
  await check('the URL reproduces the view', async () => {
    const url = page.url();
    for (const p of ['sector=automotive', `asOf=${asOf}`, `company=${target}`, 'maxDepth=4']) if (!url.includes(p)) throw new Error(`the URL ${url} lacks ${p}`);
    const again = await context.newPage();
    watch(again);
    await again.goto(url, { waitUntil: 'load' });
    await settled(again);
    assertEqual(await tableIds(again), await tableIds(page), 'the table');
    assertEqual(await graphOf(again, target), await graphOf(page, target), 'the network');
    for (const sel of ['#sector', '#asOf', '#maxDepth', '#minConfidence']) assertEqual(await again.inputValue(sel), await page.inputValue(sel), sel);
    await again.close();
  });

  // 6. the slider over the change dates.
  await check('the date slider changes the answer where exposureChanges says', async () => {
    const y = new Date().getUTCFullYear(); // the page's window: twenty years back, ten ahead
    const { exposureDates: dates } = await api(`{ exposureDates(from: "${y - 20}-01-01", to: "${y + 10}-12-31") }`);
    const sliderMax = Number(await page.getAttribute('#dateSlider', 'max'));
    assertEqual(sliderMax, dates.length - 1, 'slider steps');
    const changes = async (from, to) => (await api(`query($from: Date!, $to: Date!) { exposureChanges(from: $from, to: $to, sector: "${SECTOR}") {
      newlyExposed { company { id } } noLongerExposed { company { id } } } }`, { from, to })).exposureChanges;
    let changing = -1;
    let quiet = -1;
    for (let k = 1; k < dates.length && (changing < 0 || quiet < 0); k++) {
      const ch = await changes(dates[k - 1], dates[k]);
      if (ch.newlyExposed.length + ch.noLongerExposed.length > 0) changing = changing < 0 ? k : changing;
      else quiet = quiet < 0 ? k : quiet;
    }
    if (changing < 0) throw new Error('no consecutive change dates change the answer: the test proves nothing');
    for (const k of [changing, quiet].filter((x) => x > 0)) {
      await page.fill('#asOf', dates[k - 1]);
      await page.dispatchEvent('#asOf', 'change');
      await page.waitForFunction((d) => new URLSearchParams(location.search).get('asOf') === d, dates[k - 1]);
      await settled(page);
      const before = await tableIds(page);
      assertEqual(before, (await exposedAll({ sector: SECTOR, asOf: dates[k - 1] })).map((n) => n.company.id), `the table on ${dates[k - 1]}`);
      await page.focus('#dateSlider');
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction((d) => new URLSearchParams(location.search).get('asOf') === d, dates[k]);
      await settled(page);
      assertEqual(await page.inputValue('#asOf'), dates[k], 'the date after one step');
      const after = await tableIds(page);
      const ch = await changes(dates[k - 1], dates[k]);
      const expected = [...before.filter((id) => !ch.noLongerExposed.some((c) => c.company.id === id)), ...ch.newlyExposed.map((c) => c.company.id)].sort();
      assertEqual(after, expected, `the table from ${dates[k - 1]} to ${dates[k]} (exposureChanges: +${ch.newlyExposed.length} -${ch.noLongerExposed.length})`);
    }
    log(`slider: ${dates[changing - 1]} → ${dates[changing]} changes the table${quiet > 0 ? `, ${dates[quiet - 1]} → ${dates[quiet]} does not` : ''}`);

    // The "what changes" view lists the same companies.
    await page.fill('#changesFrom', dates[changing - 1]);
    await page.fill('#changesTo', dates[changing]);
    await page.click('#askChanges');
    await page.waitForSelector('#newlyExposed');
    const ch = await changes(dates[changing - 1], dates[changing]);
    const listed = (id) => page.$$eval(`#${id} li[data-company]`, (lis) => lis.map((li) => li.dataset.company));
    assertEqual(await listed('newlyExposed'), ch.newlyExposed.map((c) => c.company.id), 'newly exposed');
    assertEqual(await listed('noLongerExposed'), ch.noLongerExposed.map((c) => c.company.id), 'no longer exposed');
  });

  // 7. keyboard only.
  await check('keyboard-only navigation reaches every control', async () => {
    await page.goto(`${BASE_URL}/explore?sector=${SECTOR}&asOf=${asOf}&company=${target}`, { waitUntil: 'load' });
    await settled(page);
    await graphOf(page, target);
    const controls = await page.$$eval('#explorer button:not([disabled]), #explorer input:not([disabled]), #explorer select:not([disabled]), #explorer a[href]',
      (els) => els.map((e, i) => { e.dataset.e2e = String(i); return String(i); }));
    const reached = new Set();
    for (let n = 0; n < controls.length * 2 + 20 && reached.size < controls.length; n++) {
      await page.keyboard.press('Tab');
      const id = await page.evaluate(() => document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.e2e : undefined);
      if (id !== undefined) reached.add(id);
    }
    const missed = controls.filter((c) => !reached.has(c));
    if (missed.length) {
      const what = await page.$$eval(missed.map((m) => `[data-e2e="${m}"]`).join(','), (els) => els.map((e) => e.outerHTML.slice(0, 80)));
      throw new Error(`Tab never reached ${missed.length} of ${controls.length} controls: ${what.join(' | ')}`);
    }
    const labelled = await page.$$eval('#explorer input, #explorer select', (els) => els.filter((e) => !(e.labels && e.labels.length)).map((e) => e.id));
    if (labelled.length) throw new Error(`controls without a label: ${labelled.join(', ')}`);
    // Enter on another company's button draws it.
    const other = want.find((n) => n.company.id !== target);
    if (other) {
      await page.focus(`#exposed tr[data-company="${other.company.id}"] button`);
      await page.keyboard.press('Enter');
      await graphOf(page, other.company.id);
    }
    log(`Tab reached all ${controls.length} controls`);
  });

  // 8. a slow question can be cancelled; errors in plain words.
  await check('a slow question shows a spinner with Cancel, which stops it', async () => {
    await page.route('**/graphql', async (route) => {
      await new Promise((r) => setTimeout(r, 5000));
      await route.continue().catch(() => {}); // cancelled meanwhile
    }, { times: 1 });
    await page.click('#ask');
    await page.waitForSelector('#status .spinner');
    await page.click('#cancel');
    await page.waitForFunction(() => document.querySelector('#error').textContent.includes('Cancelled'));
    await page.waitForFunction(() => !document.querySelector('#explorer').dataset.busy && !document.querySelector('#status .spinner'));
  });
  await check('an API error is said in plain words', async () => {
    for (const [code, words] of [['TIMEOUT', 'took longer'], ['QUERY_TOO_COMPLEX', 'larger than this server accepts'], ['UNAVAILABLE', 'not answering']]) {
      // The questions that follow the last answers (the hops' evidence,
      // the side panel) first: the error is for the next question asked.
      await page.waitForFunction(() => !document.querySelector('#explorer').dataset.busy);
      await page.route('**/graphql', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ errors: [{ message: 'x', extensions: { code } }] }) }), { times: 1 });
      await page.click('#ask');
      await page.waitForFunction((w) => document.querySelector('#error').textContent.includes(w), words);
    }
  });

  if (SHOTS) {
    await page.unrouteAll();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${BASE_URL}/explore?sector=${SECTOR}&asOf=${asOf}&company=${target}`, { waitUntil: 'load' });
    await settled(page);
    await graphOf(page, target);
    await page.waitForTimeout(600);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SHOTS, 'explorer-phone.png') });
    log(`screenshot ${path.join(SHOTS, 'explorer-phone.png')}`);
  }
}

// The page says a token is needed, takes one, keeps it in session storage
// only (not in local storage, not in the URL), and then lists what the
// API lists with that token, also after a reload of the tab.
async function tokenOnly(page) {
  await page.goto(`${BASE_URL}/explore`, { waitUntil: 'load' });
  await check('without a token the page says one is needed', async () => {
    await page.waitForFunction(() => document.querySelector('#error').textContent.includes('needs a token'));
  });
  await page.fill('#token', TOKEN);
  await page.press('#token', 'Enter');
  await settled(page);
  await check('with the token it lists what the API lists, also after opening another view in the tab', async () => {
    assertEqual(await tableIds(page), (await exposedAll({})).map((n) => n.company.id), 'exposed companies today');
    // A day on which the API lists someone, opened in the same tab: the
    // token comes from session storage.
    const { exposureDates: dates } = await api('{ exposureDates(from: "1990-01-01", to: "2099-12-31") }');
    let day = '';
    let want = [];
    for (const d of dates) {
      want = (await exposedAll({ asOf: d })).map((n) => n.company.id);
      if (want.length) {
        day = d;
        break;
      }
    }
    if (!day) throw new Error('the API lists no exposed company on any change date: the test proves nothing');
    await page.goto(`${BASE_URL}/explore?asOf=${day}`, { waitUntil: 'load' });
    await settled(page);
    assertEqual(await tableIds(page), want, `exposed companies on ${day}`);
  });
  await check('the token is kept in session storage only', async () => {
    const where = await page.evaluate(() => ({ session: Object.values(sessionStorage), local: Object.values(localStorage), url: location.href }));
    if (!where.session.includes(TOKEN)) throw new Error('not in session storage');
    if (where.local.includes(TOKEN) || where.url.includes(TOKEN)) throw new Error(`elsewhere too: ${JSON.stringify(where)}`);
  });
}

const timer = setTimeout(() => {
  console.error(`e2e: FAIL: overall timeout of ${OVERALL_TIMEOUT_MS / 1000}s exceeded`);
  console.log(`e2e: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}, OVERALL_TIMEOUT_MS);

main()
  .catch((err) => {
    failed++;
    console.error(`e2e: FAIL: ${err && err.stack ? err.stack : err}`);
  })
  .finally(() => {
    clearTimeout(timer);
    console.log(`e2e: ${passed} passed, ${failed} failed`);
    process.exitCode = failed ? 1 : 0;
  });

#!/usr/bin/env node
// End-to-end check of the embedded GraphiQL page in headless Chromium.
//
//   BASE_URL=http://127.0.0.1:8080 node web/e2e/graphiql.mjs
//
// Environment:
//   BASE_URL        required, server root serving the GraphiQL page at "/"
//   E2E_QUERY       query typed into the editor       (default: { stats { companies } })
//   E2E_EXPECT      substring expected in the result  (default: "stats")
//   E2E_HEADERS     optional JSON typed into the headers editor,
//                   e.g. {"Authorization": "Bearer x"}
//   E2E_SCREENSHOT  optional path of a PNG screenshot taken at the end
//   E2E_TABS        optional comma-separated tab titles the page must open on
//   E2E_DOCS        "1": the Docs pane (documentation explorer) must be open
//   CHROMIUM_PATH   browser binary (default: /usr/bin/chromium)
//
// The check fails if the page requests anything from a host other than
// 127.0.0.1 / localhost / [::1], throws an uncaught error, violates its
// Content-Security-Policy, or the result shows "errors". The last line is
// "e2e: 1 passed, 0 failed" or "e2e: 0 passed, 1 failed"; the exit code follows.
import { chromium } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const OVERALL_TIMEOUT_MS = 60_000;
const RESULT_TIMEOUT_MS = 20_000;
const RENDER_TIMEOUT_MS = 20_000;

const BASE_URL = (process.env.BASE_URL || '').replace(/\/+$/, '');
const QUERY = process.env.E2E_QUERY || '{ stats { companies } }';
const EXPECT = process.env.E2E_EXPECT || '"stats"';
const HEADERS = process.env.E2E_HEADERS || '';
const SCREENSHOT = process.env.E2E_SCREENSHOT || '';
const TABS = (process.env.E2E_TABS || '').split(',').map((s) => s.trim()).filter(Boolean);
const DOCS = process.env.E2E_DOCS === '1';
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
// Schemes that never leave the browser.
const LOCAL_SCHEMES = new Set(['data:', 'blob:', 'about:']);

const SEL = {
  queryEditor: '.graphiql-query-editor .CodeMirror',
  headersTab: '.graphiql-editor-tools button[data-name="headers"]',
  headersEditor: '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror',
  executeButton: 'button.graphiql-execute-button',
  response: '.graphiql-response',
  tabButton: '.graphiql-tab-button',
  docExplorer: '.graphiql-doc-explorer',
  responseEditor: '.graphiql-response .CodeMirror',
};

const log = (...a) => console.log('e2e:', ...a);

let finished = false;
function finish(ok, message) {
  if (finished) return;
  finished = true;
  if (!ok) console.error(`e2e: FAIL: ${message}`);
  else if (message) log(message);
  console.log(ok ? 'e2e: 1 passed, 0 failed' : 'e2e: 0 passed, 1 failed');
  process.exitCode = ok ? 0 : 1;
}

/** Returns a reason string if the URL leaves this machine, else null. */
function foreign(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return `unparseable URL ${url}`;
  }
  if (LOCAL_SCHEMES.has(u.protocol)) return null;
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) return `unexpected scheme ${u.protocol} in ${url}`;
  if (!LOCAL_HOSTS.has(u.hostname)) return `request to foreign host ${u.hostname}: ${url}`;
  return null;
}

/** Text of a CodeMirror 5 editor (all lines, not just the rendered ones). */
async function editorValue(page, selector) {
  return page.$eval(selector, (el) => (el.CodeMirror ? el.CodeMirror.getValue() : el.innerText));
}

const squash = (s) => s.replace(/\s+/g, ' ').trim();

/**
 * Replaces the content of a CodeMirror editor like a user: click, select all,
 * delete, type. GraphiQL enables auto-closing brackets/quotes, and CodeMirror
 * types over an auto-inserted closer, so typing `{ a }` yields `{ a }`. The
 * autocompletion popup is closed with Escape before the text is verified;
 * if it still differs, the value is set through the CodeMirror API and that is
 * reported (never silently).
 */
async function typeInto(page, selector, text, label) {
  const editor = page.locator(selector).first();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');
  // Type line by line: Enter in CodeMirror auto-indents, so we send the
  // trimmed line and let the editor indent.
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (i > 0) await page.keyboard.press('Enter');
    await page.keyboard.type(i > 0 ? lines[i].trimStart() : lines[i], { delay: 5 });
  }
  await page.keyboard.press('Escape'); // close a completion popup, if any
  const got = await editorValue(page, selector);
  if (squash(got) === squash(text)) {
    log(`typed ${label}: ${JSON.stringify(got)}`);
    return 'typed';
  }
  log(`typing into the ${label} editor produced ${JSON.stringify(got)}; setting it via the CodeMirror API`);
  await page.$eval(selector, (el, v) => el.CodeMirror.setValue(v), text);
  return 'api';
}

async function main() {
  if (!BASE_URL) throw new Error('BASE_URL is required, e.g. BASE_URL=http://127.0.0.1:8080');
  const baseReason = foreign(BASE_URL);
  if (baseReason) throw new Error(`BASE_URL must point at this machine: ${baseReason}`);

  const requests = [];
  const violations = [];
  const pageErrors = [];
  const consoleErrors = [];

  const userDataDir = await mkdtemp(path.join(tmpdir(), 'graphiql-e2e-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 800 },
      timeout: 30_000,
    });
    context.setDefaultTimeout(RENDER_TIMEOUT_MS);

    context.on('request', (req) => requests.push(req.url()));
    // Never let a request leave the machine: foreign ones are aborted here
    // (and still reported as failures below).
    await context.route('**/*', (route) => (foreign(route.request().url()) ? route.abort('blockedbyclient') : route.continue()));
    const page = context.pages()[0] || (await context.newPage());
    page.on('websocket', (ws) => requests.push(ws.url()));
    page.on('pageerror', (err) => pageErrors.push(String(err && err.stack ? err.stack : err)));
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    await page.exposeFunction('__e2eCSPViolation', (v) => violations.push(v));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__e2eCSPViolation(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
      });
    });

    // 1. open the page and wait for GraphiQL to render.
    const resp = await page.goto(`${BASE_URL}/`, { waitUntil: 'load' });
    if (!resp || !resp.ok()) throw new Error(`GET ${BASE_URL}/ answered ${resp ? resp.status() : 'nothing'}`);
    await page.locator(SEL.queryEditor).first().waitFor({ state: 'visible' });
    await page.locator(SEL.executeButton).waitFor({ state: 'visible' });
    log(`GraphiQL rendered: ${await page.title()}`);

    // The tabs it opens on, and the Docs pane, before anything is typed.
    if (TABS.length) {
      await page.locator(SEL.tabButton).first().waitFor({ state: 'visible' });
      const titles = (await page.locator(SEL.tabButton).allInnerTexts()).map((t) => t.trim());
      log(`tabs: ${JSON.stringify(titles)}`);
      const missing = TABS.filter((want) => !titles.includes(want));
      if (missing.length) throw new Error(`the page opened without the tabs ${missing.join(', ')}; it has ${titles.join(', ')}`);
    }
    if (DOCS) {
      await page.locator(SEL.docExplorer).first().waitFor({ state: 'visible' });
      log(`the Docs pane is open: ${squash(await page.locator(SEL.docExplorer).first().innerText()).slice(0, 80)}`);
    }

    // The headers editor must be available to paste an Authorization header.
    const headersTab = page.locator(SEL.headersTab);
    await headersTab.waitFor({ state: 'visible' });
    if (HEADERS) {
      await headersTab.click();
      await page.locator(SEL.headersEditor).first().waitFor({ state: 'visible' });
      await typeInto(page, SEL.headersEditor, HEADERS, 'headers');
    }

    // 2. type the query and run it.
    await typeInto(page, SEL.queryEditor, QUERY, 'query');
    // GraphiQL re-parses the query (and its operation name) 100 ms after the
    // last keystroke; running before that would send the previous operation
    // name (e.g. "Overview"), which the server rejects. Pause like a user.
    await page.waitForTimeout(400);
    await page.locator(SEL.executeButton).click();

    // 3. wait for the expected text in the result pane.
    try {
      await page.waitForFunction(
        ({ sel, expect }) => {
          const el = document.querySelector(sel);
          const text = el ? (el.CodeMirror ? el.CodeMirror.getValue() : el.innerText) : '';
          // Stop early on a GraphQL error response: it is checked below.
          return text.includes(expect) || text.includes('"errors"');
        },
        { sel: SEL.responseEditor, expect: EXPECT },
        { timeout: RESULT_TIMEOUT_MS, polling: 100 },
      );
    } catch (e) {
      const got = await editorValue(page, SEL.responseEditor).catch(() => '(no result pane)');
      throw new Error(`result pane did not contain ${JSON.stringify(EXPECT)} within ${RESULT_TIMEOUT_MS / 1000}s; it shows: ${got}`);
    }
    const result = await editorValue(page, SEL.responseEditor);
    console.log('e2e: result:');
    console.log(result);

    if (SCREENSHOT) {
      await page.screenshot({ path: SCREENSHOT, fullPage: false });
      log(`screenshot saved to ${SCREENSHOT}`);
    }

    // 4. checks.
    const problems = [];
    if (result.includes('"errors"')) problems.push('the result pane shows "errors"');
    else if (!result.includes(EXPECT)) problems.push(`the result pane does not contain ${JSON.stringify(EXPECT)}`);
    for (const url of requests) {
      const reason = foreign(url);
      if (reason) problems.push(reason);
    }
    for (const err of pageErrors) problems.push(`uncaught page error: ${err}`);
    for (const v of violations) problems.push(`Content-Security-Policy violation: ${v}`);
    for (const c of consoleErrors) log(`console error (not fatal): ${c}`);
    log(`${requests.length} requests: ${[...new Set(requests.map((u) => u.replace(/\?.*$/, '')))].join(', ')}`);
    if (problems.length) throw new Error(problems.join('\n  '));
    finish(true);
  } finally {
    if (context) await context.close().catch(() => {});
    await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
  }
}

const timer = setTimeout(() => {
  finish(false, `overall timeout of ${OVERALL_TIMEOUT_MS / 1000}s exceeded`);
  process.exit(1); // the browser is a child process and dies with us
}, OVERALL_TIMEOUT_MS);

main()
  .catch((err) => finish(false, err && err.message ? err.message : String(err)))
  .finally(() => clearTimeout(timer));

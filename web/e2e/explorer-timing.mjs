#!/usr/bin/env node
// Times the exposure explorer in headless Chromium: for each view, from
// the start of navigation to the first table (the performance mark
// explorer:table) and to the first drawn network (explorer:network), over
// RUNS loads in fresh tabs (the first load of each view is cold for the
// server's memo of that question, the others warm). Prints one line per
// view: cold, then the median and worst of the warm loads, in ms; script
// is the page with its bundle loaded and run (DOMContentLoaded), draw the
// time Cytoscape and dagre took to lay out and draw the network.
// Then, where the time goes, from the warm loads (medians): when the
// page's script started (the mark explorer:start), and each GraphQL
// request the page sent (by operation name, from the page's resource
// timing): when it left after the start of navigation, the server's time
// (request sent to first byte of the answer) and when its answer was in.
//
//   BASE_URL=http://127.0.0.1:8080 RUNS=5 node web/e2e/explorer-timing.mjs \
//     '/explore?sector=automotive&asOf=2026-12-06' '/explore?sector=automotive&asOf=2026-12-06&company=gm'
//
// (docs/performance.md, "The exposure explorer", says which views and
// which world its figures come from.)
import { chromium } from 'playwright-core';

const BASE_URL = (process.env.BASE_URL || '').replace(/\/+$/, '');
const RUNS = Number(process.env.RUNS || 5);
const views = process.argv.slice(2);
if (!BASE_URL || !views.length) {
  console.error('usage: BASE_URL=http://127.0.0.1:8080 node explorer-timing.mjs VIEW…');
  process.exit(2);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  for (const view of views) {
    const wantNetwork = view.includes('company=');
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const ops = []; // operation names, in the order the page sent them
      page.on('request', (req) => {
        if (!req.url().endsWith('/graphql') || req.method() !== 'POST') return;
        const m = /query (\w+)/.exec(JSON.parse(req.postData() || '{}').query || '');
        ops.push(m ? m[1] : '?');
      });
      await page.goto(BASE_URL + view, { waitUntil: 'load' });
      const mark = wantNetwork ? 'explorer:network' : 'explorer:table';
      await page.waitForFunction((m) => performance.getEntriesByName(m).length > 0 || document.querySelector('#error').textContent, mark, { timeout: 120_000, polling: 20 });
      const t = await page.evaluate(() => ({
        ...Object.fromEntries(['explorer:table', 'explorer:network'].map((m) => [m, (performance.getEntriesByName(m)[0] || {}).startTime])),
        script: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
        draw: (performance.getEntriesByName('explorer:draw')[0] || {}).duration,
        start: (performance.getEntriesByName('explorer:start')[0] || {}).startTime,
      }));
      const err = await page.textContent('#error');
      const rows = await page.$$eval('#exposed tbody tr[data-company]', (r) => r.length);
      const paths = await page.$$eval('#paths li[data-hops]', (l) => l.length);
      if (err) throw new Error(`${view}: ${err}`);
      // The requests answered so far, in the order they were sent.
      const timings = await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/graphql'))
        .sort((a, b) => a.startTime - b.startTime).map((e) => ({ sent: e.requestStart, server: e.responseStart - e.requestStart, done: e.responseEnd })));
      const reqs = timings.map((x, k) => ({ op: ops[k] || '?', ...x }));
      runs.push({ draw: t.draw, script: t.script, start: t.start, table: t['explorer:table'], network: t['explorer:network'], rows, paths, reqs });
      await page.close();
    }
    const fmt = (k) => {
      const xs = runs.map((r) => r[k]).filter((x) => x !== undefined);
      if (!xs.length) return '';
      const warm = xs.slice(1);
      return `${k}: cold ${xs[0].toFixed(0)} ms, warm median ${median(warm).toFixed(0)} ms, worst ${Math.max(...warm).toFixed(0)} ms`;
    };
    console.log(`${view} (${runs[0].rows} rows${wantNetwork ? `, ${runs[0].paths} paths` : ''}): ${[fmt('script'), fmt('table'), wantNetwork ? fmt('network') : '', wantNetwork ? fmt('draw') : ''].filter(Boolean).join('; ')}`);
    const warm = runs.slice(1).length ? runs.slice(1) : runs;
    const starts = warm.map((r) => r.start).filter((x) => x !== undefined);
    if (starts.length) console.log(`  page script started at ${median(starts).toFixed(0)} ms`);
    const ops = [...new Set(warm.flatMap((r) => r.reqs.map((q) => q.op)))];
    for (const op of ops) {
      const of = warm.map((r) => r.reqs.find((q) => q.op === op)).filter(Boolean);
      console.log(`  ${op}: sent at ${median(of.map((q) => q.sent)).toFixed(0)} ms, server ${median(of.map((q) => q.server)).toFixed(0)} ms, in at ${median(of.map((q) => q.done)).toFixed(0)} ms`);
    }
  }
} finally {
  await browser.close();
}

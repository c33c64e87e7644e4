// Fails if the built GraphiQL page could fetch anything from another host.
//
// Checked files, for each bundle: GraphiQL (internal/graphiql/assets,
// graphiql.*) and the exposure explorer (internal/explorer/assets,
// explorer.*):
//   index.html   may not contain any http(s):// or protocol-relative URL.
//   graphiql.css every url(...) must be a data: URI; no @import at all.
//   graphiql.js  no URL in a loading position (import(), importScripts,
//                Worker, fetch, src/href assignment, @import/url() in
//                injected CSS, sourceMappingURL), no CDN or web-font host
//                anywhere, and every other absolute URL must belong to a short
//                list of hosts that only appear as inert text: XML namespaces
//                and documentation links shown in messages or licence
//                comments. A new host after an upgrade fails the check until a
//                human has looked at how it is used and added it here.
//
// Usage: npm run check-offline   (also run by npm run build)
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// CHECK_OFFLINE_DIR lets the check run on another copy of the GraphiQL
// bundle (used to test it); then only that one is checked.
const BUNDLES = process.env.CHECK_OFFLINE_DIR
  ? [{ dir: path.resolve(process.env.CHECK_OFFLINE_DIR), base: 'graphiql' }]
  : [
      { dir: path.join(webDir, '../internal/graphiql/assets'), base: 'graphiql' },
      { dir: path.join(webDir, '../internal/explorer/assets'), base: 'explorer' },
    ];

// Hosts whose URLs occur in the bundle only as strings that are never loaded.
const INERT_HOSTS = new Map([
  ['www.w3.org', 'XML/SVG/MathML namespace identifiers (React DOM, CodeMirror)'],
  ['react.dev', 'React error-decoder link inside thrown error messages'],
  ['codemirror.net', 'documentation link in a CodeMirror error message'],
  ['commonmark.org', 'link in a markdown-it comment/string'],
  ['github.com', 'licence comments of bundled packages'],
  ['en.wikipedia.org', 'documentation link in a comment/string'],
  ['yarnpkg.com', 'documentation link in a graphql-js error message'],
  ['engelschall.com', 'licence comment of Cytoscape.js (its bundled Thenable)'],
  ['opensource.org', 'licence comment of Cytoscape.js'],
  ['jquery.org', 'licence comment of Cytoscape.js (its event object)'],
  ['tldrlegal.com', 'licence comment of Cytoscape.js'],
]);

// Never acceptable, wherever they appear.
const FORBIDDEN_HOST = /(^|\.)(unpkg\.com|jsdelivr\.net|cdnjs\.cloudflare\.com|esm\.sh|skypack\.dev|jspm\.io|googleapis\.com|gstatic\.com|bootstrapcdn\.com|fontawesome\.com|typekit\.net|fonts\.bunny\.net|cloudflare\.com)$|^cdn\./i;

// An absolute URL in a position where the browser would fetch it.
const LOADING_CONTEXTS = [
  { name: 'dynamic import()', re: /\bimport\(\s*["'`](?:https?:)?\/\//g },
  { name: 'importScripts()', re: /\bimportScripts\s*\(/g },
  { name: 'new Worker()', re: /\bnew\s+(?:Shared)?Worker\s*\(/g },
  { name: 'fetch() of an absolute URL', re: /\bfetch\(\s*["'`](?:https?:)?\/\//g },
  { name: 'src set to an absolute URL', re: /\b(?:src|srcset|poster|data)\s*[=:]\s*["'`](?:https?:)?\/\/[^"'`\s]/g },
  // href loads for <link>, but on <a> it is a link the user may click
  // (a navigation, not a fetch by the page): see hrefIsAnchor below.
  { name: 'href set to an absolute URL', re: /\bhref\s*[=:]\s*["'`](?:https?:)?\/\/[^"'`\s]/g, unless: hrefIsAnchor },
  { name: 'CSS url() with an absolute URL', re: /url\(\s*["']?(?:https?:)?\/\//g },
  { name: 'CSS @import', re: /@import\s+(?:url\()?\s*["']?(?:https?:)?\/\//g },
  { name: 'sourceMappingURL', re: /sourceMappingURL=/g },
  { name: 'WebSocket to a fixed host', re: /new\s+WebSocket\(\s*["'`]wss?:\/\//g },
];

/**
 * True if the href at index is a prop of a React <a> element, i.e. the
 * nearest enclosing `jsx("tag", {` call before it creates an anchor.
 */
function hrefIsAnchor(text, index) {
  const before = text.slice(Math.max(0, index - 400), index);
  const calls = [...before.matchAll(/\(\s*"([A-Za-z][A-Za-z0-9-]*)"\s*,\s*\{/g)];
  if (calls.length === 0) return false;
  const last = calls[calls.length - 1];
  // No closing brace of the props object between the call and the href.
  const between = before.slice(last.index);
  return last[1] === 'a' && !between.includes('})');
}

const problems = [];
const notes = new Map();

function lineOf(text, index) {
  return text.slice(0, index).split('\n').length;
}

function excerpt(text, index, len = 60) {
  return JSON.stringify(text.slice(Math.max(0, index - len), index + len));
}

let assets;
async function read(name) {
  return readFile(path.join(assets, name), 'utf8');
}

for (const bundle of BUNDLES) {
assets = bundle.dir;

// --- index.html -----------------------------------------------------------
{
  const name = 'index.html';
  const html = await read(name);
  for (const m of html.matchAll(/(?:https?:)?\/\/[A-Za-z0-9.-]+/g)) {
    problems.push(`${name}:${lineOf(html, m.index)}: external URL ${m[0]} in the page`);
  }
  for (const m of html.matchAll(/<(?:script|link|img|iframe|object|embed|source|style)\b[^>]*>/gi)) {
    const tag = m[0];
    if (/^<style/i.test(tag)) problems.push(`${name}:${lineOf(html, m.index)}: inline <style> (CSP forbids it)`);
    if (/^<script/i.test(tag) && !/\bsrc=/.test(tag)) problems.push(`${name}:${lineOf(html, m.index)}: inline <script> (CSP forbids it)`);
  }
  if (/\sstyle\s*=/.test(html)) problems.push(`${name}: style="" attribute (CSP forbids it)`);
}

// --- graphiql.css ---------------------------------------------------------
{
  const name = `${bundle.base}.css`;
  const css = await read(name);
  for (const m of css.matchAll(/@import\b/g)) {
    problems.push(`${name}:${lineOf(css, m.index)}: @import ${excerpt(css, m.index)}`);
  }
  for (const m of css.matchAll(/url\(\s*(["']?)([^"')]*)/g)) {
    const target = m[2].trim();
    if (!target.startsWith('data:') && !target.startsWith('#')) {
      problems.push(`${name}:${lineOf(css, m.index)}: url(${target.slice(0, 80)}) would be fetched`);
    }
  }
}

// --- graphiql.js ----------------------------------------------------------
{
  const name = `${bundle.base}.js`;
  const js = await read(name);
  for (const { name: ctx, re, unless } of LOADING_CONTEXTS) {
    for (const m of js.matchAll(re)) {
      if (unless && unless(js, m.index)) {
        const url = js.slice(m.index, m.index + 200).split(/["'`]/)[1];
        notes.set(`<a href> link ${url}`, (notes.get(`<a href> link ${url}`) || 0) + 1);
        continue;
      }
      problems.push(`${name}:${lineOf(js, m.index)}: ${ctx}: ${excerpt(js, m.index)}`);
    }
  }
  for (const m of js.matchAll(/\b(?:https?|wss?):\/\/([^\s"'`<>()\\{}$]*)/g)) {
    const host = m[1].split(/[/?#:]/)[0].toLowerCase();
    if (host === '') continue; // bare "http://" prefix, e.g. linkify-it normalising links
    if (FORBIDDEN_HOST.test(host)) {
      problems.push(`${name}:${lineOf(js, m.index)}: CDN/font host ${host}: ${excerpt(js, m.index)}`);
    } else if (!INERT_HOSTS.has(host)) {
      problems.push(`${name}:${lineOf(js, m.index)}: unreviewed host ${host}: ${excerpt(js, m.index)} (if it is never loaded, add it to INERT_HOSTS in web/scripts/check-offline.mjs)`);
    } else {
      notes.set(host, (notes.get(host) || 0) + 1);
    }
  }
}

}

if (process.argv.includes('--verbose')) {
  for (const [host, n] of notes) console.log(`check-offline: inert ${host} x${n}: ${INERT_HOSTS.get(host) || 'user-clickable link, not fetched'}`);
}
if (problems.length) {
  console.error(`check-offline: ${problems.length} problem(s):`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`check-offline: no runtime fetch of another host in ${BUNDLES.map((b) => `${path.relative(path.join(webDir, '..'), b.dir)}/{index.html,${b.base}.js,${b.base}.css}`).join(', ')}`);

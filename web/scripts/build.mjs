// Builds the offline GraphiQL bundle into ../internal/graphiql/assets:
//   graphiql.js  (one minified IIFE: React, GraphiQL, CodeMirror 5, graphql-ws)
//   graphiql.css (one minified stylesheet, fonts inlined as data: URIs)
// and the exposure explorer into ../internal/explorer/assets:
//   explorer.js  (one minified IIFE: the page, Cytoscape.js, cytoscape-dagre)
//   explorer.css (its stylesheet; system fonts only)
//
// Usage: npm run build   (from web/)
import { build } from 'esbuild';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// WEB_OUT_ROOT: write into another copy of the repository's layout (the
// test that the committed bundles match a rebuild uses it).
const outRoot = path.resolve(process.env.WEB_OUT_ROOT || path.join(webDir, '..'));
const outdir = path.join(outRoot, 'internal/graphiql/assets');

// GraphiQL's stylesheet inlines Roboto and Fira Code as base64 woff/woff2 in
// every unicode-range subset (cyrillic, greek, vietnamese, ...), ~360 KB of the
// ~420 KB file. Keep only the Latin and Latin Extended subsets: characters
// outside them still render, with the next font in the font-family stack
// (system sans-serif / monospace). This roughly halves graphiql.css.
const KEEP_RANGE_PREFIXES = ['U+0000-00FF', 'U+0100-024F'];

const trimFonts = {
  name: 'trim-font-subsets',
  setup(b) {
    b.onLoad({ filter: /[\\/]graphiql[\\/]dist[\\/]style\.css$/ }, async (args) => {
      const css = await readFile(args.path, 'utf8');
      let dropped = 0;
      const out = css.replace(/@font-face\s*\{[^}]*\}/g, (block) => {
        const m = block.match(/unicode-range:\s*([^;}]+)/);
        if (!m) return block; // no subset info: keep
        const range = m[1].trim();
        if (KEEP_RANGE_PREFIXES.some((p) => range.startsWith(p))) return block;
        dropped++;
        return '';
      });
      if (dropped === 0) {
        // Upstream changed its CSS layout; fail loudly rather than silently
        // shipping the full-size file.
        throw new Error('trim-font-subsets: no @font-face subset was removed; check graphiql/dist/style.css');
      }
      return { contents: out, loader: 'css' };
    });
  },
};

const result = await build({
  absWorkingDir: webDir,
  entryPoints: { graphiql: 'src/graphiql.jsx' },
  outdir,
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome109', 'firefox115', 'safari16', 'edge109'],
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  // Everything must be bundled: no chunks, no external files, no source maps.
  splitting: false,
  sourcemap: false,
  // License banners go to the end of the files (kept, as required by the
  // MIT/BSD licences of the bundled packages).
  legalComments: 'eof',
  charset: 'utf8',
  // Any asset referenced from CSS must be inlined, never emitted as a file.
  loader: { '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl', '.png': 'dataurl', '.svg': 'dataurl' },
  metafile: true,
  logLevel: 'warning',
  plugins: [trimFonts],
});

await report(result, outdir, ['graphiql.css', 'graphiql.js']);

const explorerDir = path.join(outRoot, 'internal/explorer/assets');
const explorer = await build({
  absWorkingDir: webDir,
  entryPoints: { explorer: 'src/explorer/main.js' },
  outdir: explorerDir,
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome109', 'firefox115', 'safari16', 'edge109'],
  define: { 'process.env.NODE_ENV': '"production"' },
  splitting: false,
  sourcemap: false,
  legalComments: 'eof',
  charset: 'utf8',
  metafile: true,
  logLevel: 'warning',
});
await report(explorer, explorerDir, ['explorer.css', 'explorer.js']);

// report fails unless esbuild wrote exactly the expected files, and
// prints their sizes.
async function report(res, dir, expected) {
  const names = Object.keys(res.metafile.outputs).map((o) => path.basename(o)).sort();
  if (JSON.stringify(names) !== JSON.stringify(expected)) {
    throw new Error(`expected exactly ${expected.join(', ')}, esbuild wrote: ${names.join(', ')}`);
  }
  for (const name of expected) {
    const { size } = await stat(path.join(dir, name));
    console.log(`${path.relative(webDir, path.join(dir, name))}  ${(size / 1024).toFixed(1)} KiB`);
  }
}

#!/usr/bin/env node
// Bundles what runs in Chromium: the React UI (dist/src-renderer: index.html and assets/), the GPU
// runner page (dist/src-gpu: runner.html and runner.js, WGSL inlined as text) and the desktop app's
// preloads (dist/src-preload/*.cjs; a sandboxed preload must be one CommonJS file). tsc type-checks
// them beforehand (their tsconfigs emit nothing).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// MESH_DIST: another output folder than dist/ (beside a `tsc --outDir` of the same name).
const dist = `${root}${process.env.MESH_DIST ?? 'dist'}`;
const out = `${dist}/src-renderer`;
// Only what this script writes: tsc also compiles the renderer's pure modules (format.ts, …) into
// this folder for their tests under test/renderer.
rmSync(`${out}/assets`, { recursive: true, force: true });
mkdirSync(`${out}/assets`, { recursive: true });
mkdirSync(`${dist}/src-gpu`, { recursive: true });
copyFileSync(`${root}src-gpu/runner.html`, `${dist}/src-gpu/runner.html`);

const production = process.env.MESH_UI_DEV !== '1';
/** The pages Chromium loads: the UI and the GPU runner. */
const page = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'chrome120',
  minify: production,
  sourcemap: true,
  logLevel: 'warning',
};
const [ui] = await Promise.all([
  build({
    ...page,
    metafile: true,
    entryPoints: { app: `${root}src-renderer/main.tsx` },
    outdir: `${out}/assets`,
    // Pages and the charts are imported lazily (app/App.tsx, components/lazy-charts.tsx): each a
    // chunk of its own, so the first page fetches only its own code.
    splitting: true,
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development') },
    loader: { '.svg': 'file', '.png': 'file' },
  }),
  build({
    ...page,
    entryPoints: { runner: `${root}src-gpu/runner.ts` },
    outdir: `${dist}/src-gpu`,
    loader: { '.wgsl': 'text' },
  }),
  build({
    entryPoints: { preload: `${root}src-preload/preload.ts`, 'gpu-preload': `${root}src-preload/gpu-preload.ts` },
    outdir: `${dist}/src-preload`,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    external: ['electron'],
    sourcemap: true,
    logLevel: 'warning',
  }),
]);
writeIndexHtml(ui.metafile);
console.log(`ui build: ${dist}/{src-renderer,src-gpu,src-preload}`);

/**
 * index.html with what spares the page a round trip per level of imports: a modulepreload link
 * for each chunk app.js imports (fetched beside it, not after it is parsed), and, for each page,
 * its chunk and the chunks it imports, which the app preloads for the page it opens on
 * (`preloadPage` in app/App.tsx).
 */
function writeIndexHtml(metafile) {
  const outputs = metafile.outputs;
  const href = (file) => `./${relative(out, `${root}${file}`)}`;
  /** The chunks `file` imports, directly or through another. */
  const imported = (file, seen = new Set()) => {
    for (const { path, kind } of outputs[file].imports)
      if (kind === 'import-statement' && !seen.has(path)) imported(path, seen.add(path));
    return seen;
  };
  const fileOf = (entry) => Object.keys(outputs).find((file) => outputs[file].entryPoint === entry);
  const app = fileOf('src-renderer/main.tsx');
  const appChunks = imported(app);
  const pages = {};
  for (const file of Object.keys(outputs)) {
    const name = /^src-renderer\/pages\/(\w+Page)\.tsx$/.exec(outputs[file].entryPoint ?? '')?.[1];
    if (name) pages[name] = [file, ...imported(file)].filter((chunk) => !appChunks.has(chunk)).map(href);
  }
  const links = [...appChunks].map((file) => `    <link rel="modulepreload" href="${href(file)}" />`);
  const chunks = `    <script type="application/json" id="page-chunks">${JSON.stringify(pages)}</script>`;
  const appScript = '    <script type="module" src="./assets/app.js"></script>';
  const html = readFileSync(`${root}src-renderer/index.html`, 'utf8');
  if (!html.includes(appScript) || basename(app) !== 'app.js')
    throw new Error('index.html no longer loads assets/app.js');
  writeFileSync(`${out}/index.html`, html.replace(appScript, [...links, chunks, appScript].join('\n')));
}

#!/usr/bin/env node
// Bundles what runs in Chromium: the React UI (dist/src-renderer: index.html and assets/), the GPU
// runner page (dist/src-gpu: runner.html and runner.js, WGSL inlined as text) and the desktop app's
// preloads (dist/src-preload/*.cjs; a sandboxed preload must be one CommonJS file). tsc type-checks
// them beforehand (their tsconfigs emit nothing).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// MESH_DIST: another output folder than dist/ (beside a `tsc --outDir` of the same name).
const dist = `${root}${process.env.MESH_DIST ?? 'dist'}`;
const out = `${dist}/src-renderer`;
// Only what this script writes: tsc also compiles the renderer's pure modules (format.ts, …) into
// this folder for their tests under test/renderer.
rmSync(`${out}/assets`, { recursive: true, force: true });
mkdirSync(`${out}/assets`, { recursive: true });
copyFileSync(`${root}src-renderer/index.html`, `${out}/index.html`);
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
await Promise.all([
  build({
    ...page,
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
console.log(`ui build: ${dist}/{src-renderer,src-gpu,src-preload}`);

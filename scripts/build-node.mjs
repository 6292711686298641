#!/usr/bin/env node
// Bundles what runs under Node (and Electron's main process): `meshctl` and the desktop main
// process into a few files, so a start reads a handful of files instead of ~860 ES modules one by
// one. It runs after tsc and overwrites tsc's output for the entries only: the tests import the
// rest of tsc's files as they are, and spawn the bundled meshctl.js.
//
// - dist/src-main/cli/meshctl.js (executable: the package's bin), dist/src-main/electron/main.js: the entries; what they share,
//   and what they import lazily (the daemon, the GPU runner, scene files), in dist/src-main/chunks/.
// - dist/src-main/node/exec/{worker,metering-worker}.js, node/hardware/probe-worker.js,
//   node/mesh/render/png-worker.js, node/mesh/state/snapshot-worker.js: the sandbox's, the hardware probe's,
//   the frame encoder's and the snapshot writer's worker threads, each one self-contained file (a
//   worker loads nothing of the main thread's).
// - dist/wasm/metered/: the shipped kernels and library programs, metered once here (node/exec/metered-store.ts), so a
//   node never loads binaryen for them, not even to calibrate at its first start.
// Left out, loaded from node_modules when first needed: native code (better-sqlite3), what starts
// threads from its own files (piscina), what is large and needed rarely (binaryen, in the metering
// thread only; playwright-core, for GPU units; systeminformation, for the hardware probe), and
// electron itself.
import { build } from 'esbuild';
import { chmod, readdir, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}${process.env.MESH_DIST ?? 'dist'}/src-main`;
await rm(`${out}/chunks`, { recursive: true, force: true }); // chunks of earlier builds, named by their hashes
const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // Without comments and indentation: the source of every loaded file stays in the heap (a third of
  // it, as two-byte strings where a comment had a non-Latin-1 character) with an array of its line
  // ends. Names are kept, so stack traces still read; the source maps give the lines back
  // (node --enable-source-maps).
  minifyWhitespace: true,
  sourcemap: true,
  logLevel: 'warning',
  external: [
    'better-sqlite3',
    'piscina',
    'binaryen',
    'playwright-core',
    'systeminformation',
    'electron',
    // UPnP's SSDP reads its own package.json by a relative path, which a bundle breaks.
    '@achingbrain/ssdp',
    // ws's optional native speed-ups, which it tries to require and does without.
    'bufferutil',
    'utf-8-validate',
  ],
  // Bundled CommonJS packages call require() for Node's own modules; an ES module has none.
  banner: {
    js: "import { createRequire as meshCreateRequire } from 'node:module'; const require = meshCreateRequire(import.meta.url);",
  },
};
await Promise.all([
  build({
    ...common,
    entryPoints: {
      'cli/meshctl': `${root}src-main/cli/meshctl.ts`,
      'electron/main': `${root}src-main/electron/main.ts`,
    },
    outdir: out,
    splitting: true,
    // One level under src-main/, as the entries are: code finds built files from there (core/build-layout.ts).
    chunkNames: 'chunks/[name]-[hash]',
  }),
  build({
    ...common,
    entryPoints: {
      'node/exec/worker': `${root}src-main/node/exec/worker.ts`,
      'node/exec/metering-worker': `${root}src-main/node/exec/metering-worker.ts`,
      'node/hardware/probe-worker': `${root}src-main/node/hardware/probe-worker.ts`,
      'node/mesh/render/png-worker': `${root}src-main/node/mesh/render/png-worker.ts`,
      'node/mesh/state/snapshot-worker': `${root}src-main/node/mesh/state/snapshot-worker.ts`,
    },
    outdir: out,
  }),
]);
// The package's bin: run as a program once linked onto the PATH (its first line names `node`).
await chmod(`${out}/cli/meshctl.js`, 0o755);
console.log(
  `node build: ${out}/{cli/meshctl,electron/main,node/exec/{worker,metering-worker},node/hardware/probe-worker,node/mesh/render/png-worker,node/mesh/state/snapshot-worker}.js`,
);

// After the bundles: the entries' version is a hash of the metering thread's bundle, just written.
const { meterModule } = await import(`${out}/node/exec/metering.js`);
const { MeteredStore, shippedMeteredDir } = await import(`${out}/node/exec/metered-store.js`);
const { sha256Hex } = await import(`${out}/node/exec/prepare.js`);
const wasmDir = `${out}/../wasm`;
const kernels = [
  ...(await readdir(wasmDir)).filter((f) => f.endsWith('.wasm')),
  ...(await readdir(`${wasmDir}/library`)).filter((f) => f.endsWith('.wasm')).map((f) => `library/${f}`),
];
const shipped = new MeteredStore(shippedMeteredDir(), Number.MAX_SAFE_INTEGER);
await rm(shipped.dir, { recursive: true, force: true }); // kernels rebuilt since leave no stale entries
for (const file of kernels) {
  const original = await readFile(`${wasmDir}/${file}`);
  await shipped.put(sha256Hex(original), meterModule(original));
}
console.log(`node build: ${kernels.length} kernels metered into ${shipped.dir}`);

#!/usr/bin/env node
// Builds the WASI test programs into .wasm beside each source: the conformance corpus
// (test/wasi/corpus/*.c) and the determinism, C++, toolchain feature (bulk memory, reference
// types, multi-value, tail calls, SIMD) and hostile programs
// (test/wasi/programs/*.c, *.cpp, *.rs), with Debian's toolchains for wasm32-wasi (clang-14 with
// lld-14, wasi-libc and libclang-rt-14-dev-wasm32; clang++-14 with libc++-14-dev-wasm32 and
// libc++abi-14-dev-wasm32, without exceptions, which need the exception-handling proposal a host
// refuses; rustc with libstd-rust-dev-wasm32, linking with rust-lld, which needs lld-14). Each
// folder's manifest.json holds each module's SHA-256. The corpus is built twice: as clang-14 builds
// by default (test/wasi/corpus/*.wasm) and with what current toolchains turn on
// (test/wasi/corpus/features/*.wasm: bulk memory, SIMD128, reference types and the rest, with its
// own manifest.json), and both builds run in the conformance test. The flags are fixed and carry no path or
// debug information, so a rebuild is byte-identical; `--check` rebuilds into a temporary folder and
// fails if any module differs from the committed one or from its manifest.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FEATURE_FLAGS } from './wasm-feature-flags.mjs';

const execFileAsync = promisify(execFile);

const wasiDir = (f) => fileURLToPath(new URL(`../test/wasi/${f}/`, import.meta.url));
/**
 * The same features for rustc (its std is built without them; the program's own code uses them).
 * Sign extension is on by default there, and rustc does not know it by name.
 */
const RUST_FEATURE_FLAGS = [
  '-C',
  'target-feature=+bulk-memory,+simd128,+reference-types,+nontrapping-fptoint,+mutable-globals',
];
/** Each build: its sources' folder, where its modules and manifest go, and its own flags (C's, Rust's). */
const BUILDS = [
  { folder: wasiDir('corpus'), into: wasiDir('corpus'), flags: [], rustFlags: [] },
  { folder: wasiDir('corpus'), into: wasiDir('corpus/features'), flags: FEATURE_FLAGS, rustFlags: RUST_FEATURE_FLAGS },
  { folder: wasiDir('programs'), into: wasiDir('programs'), flags: [], rustFlags: [] },
];
const C_FLAGS = ['--target=wasm32-wasi', '-O2', '-g0', '-Wall', '-Wno-unused-result', '-Wl,--strip-all'];
const CXX_FLAGS = [...C_FLAGS, '-std=c++17', '-fno-exceptions'];
/** Flags of one program besides its language's: what a newer clang turns on by default (or many programs ask for), here by hand. */
const PROGRAM_FLAGS = {
  'bulk_memory.c': ['-mbulk-memory'],
  'reference_types.c': ['-mreference-types'],
  // clang-14's multi-value ABI returns a small struct as several results; without it -mmultivalue changes nothing.
  'multivalue.c': ['-mmultivalue', '-Xclang', '-target-abi', '-Xclang', 'experimental-mv'],
  'tail_call.c': ['-mtail-call'],
  'simd.c': ['-msimd128'],
};
const RUST_FLAGS = [
  '--target',
  'wasm32-wasi',
  '-O',
  '-C',
  'strip=symbols',
  '-C',
  'codegen-units=1',
  '-C',
  'debuginfo=0',
];
const check = process.argv.includes('--check');
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/**
 * The toolchains' PATH: the system's alone. Under npm, PATH starts with node_modules/.bin, where
 * binaryen's wasm-opt is, and clang runs a wasm-opt it finds on PATH after linking: other bytes.
 */
const TOOLCHAIN_ENV = { ...process.env, PATH: '/usr/bin:/bin' };

/** Builds one module; resolves once its compiler has exited 0. */
function build(folder, source, out, flags, rustFlags) {
  const [compiler, args] = source.endsWith('.c')
    ? ['clang-14', [...C_FLAGS, ...flags, ...(PROGRAM_FLAGS[source] ?? []), source, '-lm', '-o', out]]
    : source.endsWith('.cpp')
      ? ['clang++-14', [...CXX_FLAGS, source, '-o', out]]
      : // Debian's rustc, by path: a rustup toolchain earlier on PATH would build other bytes.
        ['/usr/bin/rustc', [...RUST_FLAGS, ...rustFlags, source, '-o', out]];
  return execFileAsync(compiler, args, { cwd: folder, env: TOOLCHAIN_ENV }).catch((err) => {
    process.stderr.write(err.stderr ?? '');
    throw new Error(`${compiler} ${source} failed`);
  });
}

/** Runs `jobs` (functions returning promises) with as many at once as there are CPUs. */
async function pool(jobs) {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(availableParallelism(), jobs.length) }, worker));
}

let built = 0;
for (const { folder, into, flags, rustFlags } of BUILDS) {
  const out = check ? mkdtempSync(join(tmpdir(), 'wasi-build-')) : into;
  if (!check) mkdirSync(into, { recursive: true });
  try {
    const modules = readdirSync(folder)
      .filter((f) => /\.(c|cpp|rs)$/.test(f))
      .sort()
      .map((source) => ({
        source,
        wasm: `${source
          .replace(/\.c$/, '')
          .replace(/\.cpp$/, '-cpp')
          .replace(/\.rs$/, '-rs')}.wasm`,
      }));
    // Each module is built alone, from fixed flags: the order they finish in changes no byte.
    await pool(
      modules.map(
        ({ source, wasm }) =>
          () =>
            build(folder, source, join(out, wasm), flags, rustFlags),
      ),
    );
    const manifest = {};
    for (const { wasm } of modules) manifest[wasm] = sha256(readFileSync(join(out, wasm)));
    built += modules.length;
    if (check) {
      const committed = JSON.parse(readFileSync(join(into, 'manifest.json'), 'utf8'));
      const differ = Object.keys({ ...manifest, ...committed }).filter(
        (f) => manifest[f] !== committed[f] || sha256(readFileSync(join(into, f))) !== committed[f],
      );
      if (differ.length > 0)
        throw new Error(`rebuilt modules differ from the committed ones in ${into}: ${differ.join(', ')}`);
    } else writeFileSync(join(into, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  } finally {
    if (check) rmSync(out, { recursive: true, force: true });
  }
}
console.log(`wasi programs: ${built} modules ${check ? 'rebuild byte-identical' : 'built'}`);

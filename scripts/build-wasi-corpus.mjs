#!/usr/bin/env node
// Builds the WASI test programs into .wasm beside each source: the conformance corpus
// (test/wasi/corpus/*.c) and the determinism, C++, toolchain feature (bulk memory, reference
// types, multi-value, tail calls, SIMD) and hostile programs
// (test/wasi/programs/*.c, *.cpp, *.rs), with Debian's toolchains for wasm32-wasi (clang-14 with
// lld-14, wasi-libc and libclang-rt-14-dev-wasm32; clang++-14 with libc++-14-dev-wasm32 and
// libc++abi-14-dev-wasm32, without exceptions, which need the exception-handling proposal a host
// refuses; rustc with libstd-rust-dev-wasm32, linking with rust-lld, which needs lld-14). Each
// folder's manifest.json holds each module's SHA-256. The flags are fixed and carry no path or
// debug information, so a rebuild is byte-identical; `--check` rebuilds into a temporary folder and
// fails if any module differs from the committed one or from its manifest.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FOLDERS = ['corpus', 'programs'].map((f) => fileURLToPath(new URL(`../test/wasi/${f}/`, import.meta.url)));
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

function build(folder, source, out) {
  if (source.endsWith('.c'))
    execFileSync('clang-14', [...C_FLAGS, ...(PROGRAM_FLAGS[source] ?? []), source, '-lm', '-o', out], {
      cwd: folder,
      stdio: 'inherit',
      env: TOOLCHAIN_ENV,
    });
  else if (source.endsWith('.cpp'))
    execFileSync('clang++-14', [...CXX_FLAGS, source, '-o', out], {
      cwd: folder,
      stdio: 'inherit',
      env: TOOLCHAIN_ENV,
    });
  // Debian's rustc, by path: a rustup toolchain earlier on PATH would build other bytes.
  else
    execFileSync('/usr/bin/rustc', [...RUST_FLAGS, source, '-o', out], {
      cwd: folder,
      stdio: 'inherit',
      env: TOOLCHAIN_ENV,
    });
}

let built = 0;
for (const folder of FOLDERS) {
  const out = check ? mkdtempSync(join(tmpdir(), 'wasi-build-')) : folder;
  try {
    const manifest = {};
    for (const source of readdirSync(folder)
      .filter((f) => /\.(c|cpp|rs)$/.test(f))
      .sort()) {
      const wasm = `${source
        .replace(/\.c$/, '')
        .replace(/\.cpp$/, '-cpp')
        .replace(/\.rs$/, '-rs')}.wasm`;
      build(folder, source, join(out, wasm));
      manifest[wasm] = sha256(readFileSync(join(out, wasm)));
      built++;
    }
    if (check) {
      const committed = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
      const differ = Object.keys({ ...manifest, ...committed }).filter(
        (f) => manifest[f] !== committed[f] || sha256(readFileSync(join(folder, f))) !== committed[f],
      );
      if (differ.length > 0)
        throw new Error(`rebuilt modules differ from the committed ones in ${folder}: ${differ.join(', ')}`);
    } else writeFileSync(join(folder, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  } finally {
    if (check) rmSync(out, { recursive: true, force: true });
  }
}
console.log(`wasi programs: ${built} modules ${check ? 'rebuild byte-identical' : 'built'}`);

#!/usr/bin/env node
// Builds real command-line programs from Debian 12's source packages for wasm32-wasi, as a user
// would bring them (docs/UNIT_ABI.md, "Real programs"), into wasm/programs/<name>.wasm, and writes
// wasm/programs/manifest.json with each module's SHA-256. `--check` rebuilds into a temporary
// folder and fails if any module differs from the committed one or from the manifest.
//
// bzip2 1.0.8 (bzip2 1.0.8-5: fetched with `apt-get source --download-only`, which needs a deb-src
// line; checked against the SHA-256s below, its Debian patches applied), its program and library
// sources as its Makefile lists them, with wasm/programs/bzip2/wasi-compat.c (the two calls WASI
// lacks: fchmod and fchown) and wasi-libc's emulated signals and process clocks. Built twice: as
// clang-14 builds by default (bzip2.wasm), and with the features newer toolchains turn on
// (bzip2-features.wasm: bulk memory, SIMD128, reference types, sign extension, non-trapping
// float-to-int, mutable globals). Fixed flags, no paths or debug information in the output.
//
// zstd 1.5.4 (libzstd 1.5.4+dfsg2-5, its Debian patches applied): the library's compression and
// decompression and the command-line program's sources as its Makefile builds the plain `zstd`
// (no benchmark, dictionary builder, trace or legacy formats, no threads), with
// wasm/programs/zstd/wasi-compat.c (chmod and chown) and stdio.h included first (programs/util.h
// names FILE without including it; other platforms include it on the way).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debianSource, run, sha256 } from './library/common.mjs';

const PROGRAMS = fileURLToPath(new URL('../wasm/programs/', import.meta.url));
const BZIP2_VERSION = '1.0.8-5';
const BZIP2_PINNED = {
  'bzip2_1.0.8.orig.tar.gz': 'ab5a03176ee106d3f0fa90e381da478ddae405918153cca248e682cd0c4a2269',
  'bzip2_1.0.8-5.debian.tar.bz2': 'd68c6eba11d70e14319e24ef1451880a03023b2b75364646adb117086db36039',
};
/** bzip2's Makefile: the library's objects, then the program's. */
const BZIP2_SOURCES = [
  'blocksort.c',
  'huffman.c',
  'crctable.c',
  'randtable.c',
  'compress.c',
  'decompress.c',
  'bzlib.c',
  'bzip2.c',
];
const ZSTD_VERSION = '1.5.4+dfsg2-5';
const ZSTD_PINNED = {
  'libzstd_1.5.4+dfsg2.orig.tar.xz': '8cf4bbb65e77ec348d052c8d6230eba66d435bddf64c8b5be2fcb16880c19953',
  'libzstd_1.5.4+dfsg2-5.debian.tar.xz': '82ce911445772861d0838bd4545f93bc50658bc7f3cefdb17a307dfb8ffca5d8',
};
/** zstd's programs/Makefile for `zstd` without its optional parts, and the library's parts it links. */
const ZSTD_PROGRAM = ['zstdcli.c', 'fileio.c', 'fileio_asyncio.c', 'util.c', 'timefn.c', 'datagen.c'].map(
  (f) => `programs/${f}`,
);
const ZSTD_DEFINES = [
  '-DZSTD_NOBENCH',
  '-DZSTD_NODICT',
  '-DZSTD_NOTRACE',
  '-DZSTD_LEGACY_SUPPORT=0',
  '-DBACKTRACE_ENABLE=0',
  '-DZSTD_DISABLE_ASM',
  '-include',
  'stdio.h',
  '-Ilib',
  '-Ilib/common',
];
const C_FLAGS = [
  '--target=wasm32-wasi',
  '-O2',
  '-g0',
  '-Wl,--strip-all',
  '-D_WASI_EMULATED_SIGNAL',
  '-D_WASI_EMULATED_PROCESS_CLOCKS',
  // fchmod and fchown have no declaration in wasi-libc: wasi-compat.c defines them.
  '-Wno-implicit-function-declaration',
];
const LIBS = ['-lwasi-emulated-signal', '-lwasi-emulated-process-clocks'];
/**
 * What clang 19 and later turn on by default, and SIMD128, which many programs ask for. With bulk
 * memory on, clang-14 keeps wasi-libc's thread-local errno as TLS, which it lowers only as local-exec.
 */
const FEATURE_FLAGS = [
  '-mbulk-memory',
  '-msimd128',
  '-mreference-types',
  '-msign-ext',
  '-mnontrapping-fptoint',
  '-mmutable-globals',
  '-ftls-model=local-exec',
];
const check = process.argv.includes('--check');

/** bzip2, both builds, into `out`. */
function buildBzip2(out) {
  const work = mkdtempSync(join(tmpdir(), 'programs-bzip2-'));
  try {
    const tree = debianSource(work, 'bzip2', BZIP2_VERSION, BZIP2_PINNED, 'bzip2-1.0.8');
    const sources = [...BZIP2_SOURCES, join(PROGRAMS, 'bzip2', 'wasi-compat.c')];
    const variants = [
      { name: 'bzip2.wasm', extra: [] },
      { name: 'bzip2-features.wasm', extra: FEATURE_FLAGS },
    ];
    for (const { name, extra } of variants)
      run('clang-14', [...C_FLAGS, ...extra, ...sources, ...LIBS, '-o', join(out, name)], tree);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** zstd into `out`: the library's common, compress and decompress sources in one order, then the program's. */
function buildZstd(out) {
  const work = mkdtempSync(join(tmpdir(), 'programs-zstd-'));
  try {
    const tree = debianSource(work, 'libzstd', ZSTD_VERSION, ZSTD_PINNED, 'zstd-1.5.4');
    const lib = ['common', 'compress', 'decompress'].flatMap((part) =>
      readdirSync(join(tree, 'lib', part))
        .filter((f) => f.endsWith('.c'))
        .sort()
        .map((f) => `lib/${part}/${f}`),
    );
    const sources = [...lib, ...ZSTD_PROGRAM, join(PROGRAMS, 'zstd', 'wasi-compat.c')];
    run('clang-14', [...C_FLAGS, ...ZSTD_DEFINES, ...sources, ...LIBS, '-o', join(out, 'zstd.wasm')], tree);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const BUILT = ['bzip2.wasm', 'bzip2-features.wasm', 'zstd.wasm'];
const out = check ? mkdtempSync(join(tmpdir(), 'programs-build-')) : PROGRAMS;
try {
  mkdirSync(out, { recursive: true });
  buildBzip2(out);
  buildZstd(out);
  const manifest = Object.fromEntries(BUILT.map((name) => [name, sha256(readFileSync(join(out, name)))]));
  if (check) {
    const committed = JSON.parse(readFileSync(join(PROGRAMS, 'manifest.json'), 'utf8'));
    const differ = Object.keys({ ...manifest, ...committed }).filter(
      (f) => manifest[f] !== committed[f] || sha256(readFileSync(join(PROGRAMS, f))) !== committed[f],
    );
    if (differ.length > 0) throw new Error(`rebuilt programs differ from the committed ones: ${differ.join(', ')}`);
  } else writeFileSync(join(PROGRAMS, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`programs: ${Object.keys(manifest).length} modules ${check ? 'rebuild byte-identical' : 'built'}`);
} finally {
  if (check) rmSync(out, { recursive: true, force: true });
}

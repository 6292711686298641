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
//
// xz 5.4.1 (xz-utils 5.4.1-1+deb12u1): liblzma without threads and the `xz` program, with
// wasm/programs/xz/config.h (what configure finds for wasm32-wasi, written out as upstream's
// windows/ builds have it: no configure run), wasi-signal.h (signals a unit is never sent),
// wasi.patch (no self-pipe) and wasi-compat.c (fchmod, fchown).
//
// lz4 1.9.4 (lz4 1.9.4-1): the library and the program's sources as programs/Makefile builds
// `lz4`, with Debian's flags, wasm/programs/lz4/wasm32-registers.patch (hash as 64-bit builds do)
// and wasi-compat.c (chmod, chown).
//
// lua5.4 5.4.4 (lua5.4 5.4.4-3+deb12u1): the core, the standard libraries and the interpreter
// (lua.c) as src/Makefile lists them, with Debian's -std=gnu99 -DLUA_COMPAT_5_3, its module paths
// (lua5.4-deb-multiarch.h, written as debian/rules writes it), ISO C's system calls (no
// LUA_USE_POSIX: no popen, dlopen or mkstemp in WASI) but isatty for stdin, and its errors'
// setjmp/longjmp lowered to WebAssembly exceptions (wasm/programs/lua5.4/setjmp.h, wasi-compat.c).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debianSource, run, sha256 } from './library/common.mjs';
import { FEATURE_FLAGS } from './wasm-feature-flags.mjs';

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
const XZ_VERSION = '5.4.1-1+deb12u1';
const XZ_PINNED = {
  'xz-utils_5.4.1.orig.tar.xz': '5d9827aa1875b21c288f78864bb26d2650b436ea8d2cad364e4921eb6266a5a5',
  'xz-utils_5.4.1-1+deb12u1.debian.tar.xz': '3e162db2b76480c7e157f4c2f6ff9a426fc023f262d4dc3287530b36e2843ebe',
};
/** liblzma's parts that a build without threads, assembler or --enable-small leaves out. */
const XZ_LEFT_OUT = /(tablegen|_small|outqueue|_mt|hardware_cputhreads)\.c$/;
/** src/xz/Makefile's sources: the program's, and the parts of tuklib it links. */
const XZ_PROGRAM = ['open_stdxxx', 'progname', 'exit', 'mbstr_width', 'mbstr_fw'].map(
  (f) => `src/common/tuklib_${f}.c`,
);
/** src/liblzma/Makefile's flags, the program's too (one compile: tuklib's names get liblzma's prefix in both). */
const XZ_FLAGS = [
  '-DHAVE_CONFIG_H',
  `-I${join(PROGRAMS, 'xz')}`,
  '-DTUKLIB_SYMBOL_PREFIX=lzma_',
  '-Isrc/common',
  ...'api common check lz rangecoder lzma delta simple'.split(' ').map((d) => `-Isrc/liblzma/${d}`),
];
const LZ4_VERSION = '1.9.4-1';
const LZ4_PINNED = {
  'lz4_1.9.4.orig.tar.gz': '0b0e3aa07c8c063ddf40b082bdf7e37a1562bda40a0ff5272957f3e987e0e54b',
  'lz4_1.9.4-1.debian.tar.xz': '47ceec5b95f42598f7b9280b03df9659f2ee6852720ec181488e83bd643f0e5f',
};
/** programs/Makefile's CPPFLAGS and debian/rules'. */
const LZ4_FLAGS = ['-Ilib', '-DXXH_NAMESPACE=LZ4_', '-DLZ4F_PUBLISH_STATIC_FUNCTIONS'];
const LUA_VERSION = '5.4.4-3+deb12u1';
const LUA_PINNED = {
  'lua5.4_5.4.4.orig.tar.gz': '164c7849653b80ae67bec4b7473b884bf5cc8d2dca05653475ec2ed27b9ebf61',
  'lua5.4_5.4.4-3+deb12u1.debian.tar.xz': '2d8e0e380722c648cfeffb8d58287865619b4d035544d93d7ef3a2eaf627abe6',
};
/** src/Makefile's CORE_O, LIB_O and LUA_O (the interpreter; not luac), in its order. */
const LUA_SOURCES = [
  'lapi lcode lctype ldebug ldo ldump lfunc lgc llex lmem lobject lopcodes lparser lstate lstring ltable ltm lundump',
  'lvm lzio lauxlib lbaselib lcorolib ldblib liolib lmathlib loadlib loslib lstrlib ltablib lutf8lib linit lua',
]
  .flatMap((line) => line.split(' '))
  .map((f) => `src/${f}.c`);
const LUA_FLAGS = [
  // debian/rules' CC and src/Makefile's CFLAGS.
  '-std=gnu99',
  '-DLUA_COMPAT_5_3',
  // Errors unwind with setjmp and longjmp, which wasi-libc lacks: WebAssembly exceptions instead.
  '-mllvm',
  '-wasm-enable-sjlj',
  `-I${join(PROGRAMS, 'lua5.4')}`,
  // As LUA_USE_POSIX has it: a script piped in runs as a file, without the prompt of a terminal.
  '-include',
  'unistd.h',
  '-Dlua_stdin_is_tty()=isatty(0)',
  // WASI has no temporary names (ISO C's tmpnam): os.tmpname fails. Nor files: wasi-libc marks
  // tmpfile deprecated, and io.tmpfile calls wasi-compat.c's, which fails.
  '-DLUA_TMPNAMBUFSIZE=1',
  '-Dlua_tmpnam(b,e)=((void)(b), (e) = 1)',
  '-Wno-deprecated-declarations',
];
/** debian/rules writes the multiarch triplet into the module paths; wasm32-wasi is Debian's wasi-libc's. */
const LUA_MULTIARCH_H =
  '#ifndef _LUA_DEB_MULTIARCH_\n#define _LUA_DEB_MULTIARCH_\n#define DEB_HOST_MULTIARCH "wasm32-wasi"\n#endif\n';
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
const check = process.argv.includes('--check');

/** Builds `name`'s Debian source package in a temporary folder, removed after: `build(tree)` compiles it. */
function inSource(name, version, pinned, dir, build) {
  const work = mkdtempSync(join(tmpdir(), `programs-${name}-`));
  try {
    build(debianSource(work, name, version, pinned, dir));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** bzip2, both builds, into `out`. */
function buildBzip2(out) {
  inSource('bzip2', BZIP2_VERSION, BZIP2_PINNED, 'bzip2-1.0.8', (tree) => {
    const sources = [...BZIP2_SOURCES, join(PROGRAMS, 'bzip2', 'wasi-compat.c')];
    const variants = [
      { name: 'bzip2.wasm', extra: [] },
      { name: 'bzip2-features.wasm', extra: FEATURE_FLAGS },
    ];
    for (const { name, extra } of variants)
      run('clang-14', [...C_FLAGS, ...extra, ...sources, ...LIBS, '-o', join(out, name)], tree);
  });
}

/** zstd into `out`: the library's common, compress and decompress sources in one order, then the program's. */
function buildZstd(out) {
  inSource('libzstd', ZSTD_VERSION, ZSTD_PINNED, 'zstd-1.5.4', (tree) => {
    const lib = ['common', 'compress', 'decompress'].flatMap((part) =>
      readdirSync(join(tree, 'lib', part))
        .filter((f) => f.endsWith('.c'))
        .sort()
        .map((f) => `lib/${part}/${f}`),
    );
    const sources = [...lib, ...ZSTD_PROGRAM, join(PROGRAMS, 'zstd', 'wasi-compat.c')];
    run('clang-14', [...C_FLAGS, ...ZSTD_DEFINES, ...sources, ...LIBS, '-o', join(out, 'zstd.wasm')], tree);
  });
}

/** xz into `out`: liblzma's C files in one order, then the program's. */
function buildXz(out) {
  inSource('xz-utils', XZ_VERSION, XZ_PINNED, 'xz-5.4.1', (tree) => {
    run('patch', ['-p1', '-i', join(PROGRAMS, 'xz', 'wasi.patch')], tree);
    const lib = readdirSync(join(tree, 'src/liblzma'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.c') && !XZ_LEFT_OUT.test(f))
      .sort()
      .map((f) => `src/liblzma/${f}`);
    const program = readdirSync(join(tree, 'src/xz'))
      .filter((f) => f.endsWith('.c'))
      .sort()
      .map((f) => `src/xz/${f}`);
    const sources = [
      ...lib,
      'src/common/tuklib_physmem.c',
      ...program,
      ...XZ_PROGRAM,
      join(PROGRAMS, 'xz', 'wasi-compat.c'),
    ];
    run('clang-14', [...C_FLAGS, ...XZ_FLAGS, ...sources, ...LIBS, '-o', join(out, 'xz.wasm')], tree);
  });
}

/** lz4 into `out`: programs/Makefile's sorted list of the library's and the program's C files. */
function buildLz4(out) {
  inSource('lz4', LZ4_VERSION, LZ4_PINNED, 'lz4-1.9.4', (tree) => {
    run('patch', ['-p1', '-i', join(PROGRAMS, 'lz4', 'wasm32-registers.patch')], tree);
    const sources = ['lib', 'programs'].flatMap((dir) =>
      readdirSync(join(tree, dir))
        .filter((f) => f.endsWith('.c'))
        .sort()
        .map((f) => `${dir}/${f}`),
    );
    sources.push(join(PROGRAMS, 'lz4', 'wasi-compat.c'));
    run('clang-14', [...C_FLAGS, ...LZ4_FLAGS, ...sources, ...LIBS, '-o', join(out, 'lz4.wasm')], tree);
  });
}

/** lua5.4 into `out`. */
function buildLua(out) {
  inSource('lua5.4', LUA_VERSION, LUA_PINNED, 'lua-5.4.4', (tree) => {
    writeFileSync(join(tree, 'src', 'lua5.4-deb-multiarch.h'), LUA_MULTIARCH_H);
    const sources = [...LUA_SOURCES, join(PROGRAMS, 'lua5.4', 'wasi-compat.c')];
    run('clang-14', [...C_FLAGS, ...LUA_FLAGS, ...sources, ...LIBS, '-o', join(out, 'lua5.4.wasm')], tree);
  });
}

const BUILT = ['bzip2.wasm', 'bzip2-features.wasm', 'zstd.wasm', 'xz.wasm', 'lz4.wasm', 'lua5.4.wasm'];
const out = check ? mkdtempSync(join(tmpdir(), 'programs-build-')) : PROGRAMS;
try {
  mkdirSync(out, { recursive: true });
  for (const build of [buildBzip2, buildZstd, buildXz, buildLz4, buildLua]) {
    const started = performance.now();
    build(out);
    console.log(
      `programs: ${build.name.slice(5).toLowerCase()} built in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
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

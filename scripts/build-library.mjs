#!/usr/bin/env node
// Builds the library's WASI programs (docs/KERNELS.md, "The library") from real libraries' pinned
// sources into wasm/library/<name>.wasm, and writes wasm/library/manifest.json with each module's
// SHA-256. `--check` rebuilds into a temporary folder and fails if any module differs from the
// committed one or from the manifest.
//
// crypto: libsodium 1.0.18 from Debian 12's source package (libsodium 1.0.18-1+deb12u1, fetched
// with `apt-get source --download-only`, which needs a deb-src line; checked against the SHA-256s
// below, its Debian patches applied) and BLAKE3's C implementation from the c/ folder of Debian's
// librust-blake3-dev 1.3.1 (under /usr/share/cargo/registry), with wasm/library/crypto/main.c.
// Compiled by Debian's clang-14 for wasm32-wasi with fixed flags and no paths or debug information
// in the output, so every rebuild on Debian 12 gives the same bytes.
//
// image: wasm/library/image/ (Rust) with the `image` crate 0.24.3 and its codecs from Debian's
// librust-image-dev, by Debian's cargo and rustc 1.63, offline against /usr/share/cargo/registry
// (its .cargo/config.toml), the versions fixed by the committed Cargo.lock (--locked), release with
// one codegen unit, and every path remapped; linked with libwebp 1.2.4's encoder from Debian 12's
// source package, built first by clang-14 (scripts/library/webp.mjs).
//
// data: wasm/library/data/ (Rust) with the `csv` crate 1.1.6 and `serde_json` 1.0.87 from Debian's
// librust-csv-dev and librust-serde-json-dev, built as image is.
//
// audio: wasm/library/audio/ (C) with libFLAC, libogg, libvorbis, mpg123, libopus, libsamplerate and
// kissfft from Debian 12's source packages (scripts/library/audio.mjs).
// video: scripts/library/video.mjs (libvpx, libwebm and stb from Debian's source packages).
//
// Names after the flags build (or check) those modules alone; the manifest keeps the others'.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAudio } from './library/audio.mjs';
import { buildVideo } from './library/video.mjs';
import { buildWebp } from './library/webp.mjs';
import { ENV, cFiles, debianTarballs, run, sha256, SOURCES, verified } from './library/common.mjs';

const LIBRARY = fileURLToPath(new URL('../wasm/library/', import.meta.url));
const SODIUM_VERSION = '1.0.18-1+deb12u1';
const PINNED = {
  'libsodium_1.0.18.orig.tar.gz': 'd59323c6b712a1519a5daf710b68f5e7fde57040845ffec53850911f10a5d4f4',
  'libsodium_1.0.18-1+deb12u1.debian.tar.xz': 'f410474e46346b06b162defa05b1be26906aeed6cf309e3d4ebe30b4d1350733',
};
const BLAKE3_DIR = '/usr/share/cargo/registry/blake3-1.3.1/c';
const BLAKE3_PINNED = {
  'blake3.c': '017cd96fba5a3ef1d669187d678336ffce594837f7316665c6bd6d5291aab4d8',
  'blake3.h': '024151249bf3234ab1e804596d1d1fa5705626f01670772e55d3267ca1b5863b',
  'blake3_impl.h': '2f98021d869c41bb155e3beee06ad685480c7ececaa653e20ab209c3ec4b510c',
  'blake3_dispatch.c': '2603dd4a855f4be52961c68f9bbebcb9c74e28144e3dc00ab7837f8e88762cfa',
  'blake3_portable.c': '2bc25b0dad67b4329d0b49cfa075ab2b0d04e424addbddc4e9c389c52a192524',
};
const check = process.argv.includes('--check');
const only = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));

/** libsodium's source tree in `work`, as Debian builds it (its patches applied). */
function sodiumSource(work) {
  debianTarballs('libsodium', SODIUM_VERSION, PINNED);
  run('tar', ['xzf', join(SOURCES, 'libsodium_1.0.18.orig.tar.gz'), '-C', work]);
  const tree = join(work, 'libsodium-1.0.18');
  run('tar', ['xJf', join(SOURCES, 'libsodium_1.0.18-1+deb12u1.debian.tar.xz'), '-C', tree]);
  for (const patch of readFileSync(join(tree, 'debian/patches/series'), 'utf8').split('\n').filter(Boolean))
    run('patch', ['-p1', '-i', join(tree, 'debian/patches', patch)], tree);
  // What configure would make of version.h.in for this version (not a minimal build).
  const include = join(tree, 'src/libsodium/include/sodium');
  const version = readFileSync(join(include, 'version.h.in'), 'utf8')
    .replace('@VERSION@', '1.0.18')
    .replace('@SODIUM_LIBRARY_VERSION_MAJOR@', '10')
    .replace('@SODIUM_LIBRARY_VERSION_MINOR@', '3')
    .replace('@SODIUM_LIBRARY_MINIMAL_DEF@', '');
  writeFileSync(join(include, 'version.h'), version);
  return tree;
}

function buildCrypto(work, out) {
  const tree = sodiumSource(work);
  const src = join(tree, 'src/libsodium');
  const blake3 = Object.entries(BLAKE3_PINNED).map(([file, hash]) => verified(join(BLAKE3_DIR, file), hash));
  const flags = [
    '--target=wasm32-wasi',
    '-O2',
    '-g0',
    '-DNDEBUG',
    '-DSODIUM_STATIC',
    // utils.c includes signal.h, which wasi-libc offers only so.
    '-D_WASI_EMULATED_SIGNAL',
    '-DBLAKE3_NO_SSE2',
    '-DBLAKE3_NO_SSE41',
    '-DBLAKE3_NO_AVX2',
    '-DBLAKE3_NO_AVX512',
    `-ffile-prefix-map=${work}=.`,
    `-I${join(src, 'include')}`,
    `-I${join(src, 'include/sodium')}`,
    `-I${BLAKE3_DIR}`,
  ];
  const objects = join(work, 'obj');
  mkdirSync(objects);
  const main = join(LIBRARY, 'crypto/main.c');
  const sources = [...cFiles(src), ...blake3.filter((f) => f.endsWith('.c')), main];
  // The libraries' warnings are theirs; ours are errors.
  const warnings = (file) => (file === main ? ['-Wall', '-Wextra', '-Werror'] : ['-Wno-everything']);
  sources.forEach((file, i) =>
    run('clang-14', [...flags, ...warnings(file), '-c', file, '-o', join(objects, `${i}.o`)], work),
  );
  run(
    'clang-14',
    ['--target=wasm32-wasi', '-Wl,--strip-all', ...sources.map((_, i) => join(objects, `${i}.o`)), '-o', out],
    work,
  );
}

/**
 * A Rust program of wasm/library/<name>/ (its binary named <name>), given the folders of any static
 * C archives it links (`native`: built in `work` first).
 * @param {string} name
 * @param {(work: string) => string[]} [native]
 */
const buildCrate =
  (name, native = () => []) =>
  (work, out) => {
    const crate = join(LIBRARY, name);
    const target = join(work, 'target');
    const search = native(work).map((dir) => `-L native=${dir}`);
    const remaps = [crate, '/usr/share/cargo/registry', work].map((p, i) => `--remap-path-prefix=${p}=/${i}`);
    const env = {
      ...ENV,
      CARGO_HOME: join(work, 'cargo-home'),
      CARGO_TARGET_DIR: target,
      RUSTFLAGS: [...remaps, ...search].join(' '),
    };
    execFileSync('/usr/bin/cargo', ['build', '--release', '--locked', '--target', 'wasm32-wasi'], {
      cwd: crate,
      stdio: ['ignore', 'ignore', 'inherit'],
      env,
    });
    writeFileSync(out, readFileSync(join(target, `wasm32-wasi/release/${name}.wasm`)));
  };

const BUILDS = {
  crypto: buildCrypto,
  image: buildCrate('image', (work) => [buildWebp(work)]),
  data: buildCrate('data'),
  audio: (work, out) => buildAudio(work, out, join(LIBRARY, 'audio')),
  video: (work, out) => buildVideo(work, out, { run, verified, sources: SOURCES }),
};
const unknown = only.filter((name) => !Object.hasOwn(BUILDS, name));
if (unknown.length > 0) throw new Error(`no library module ${unknown.join(', ')}: ${Object.keys(BUILDS).join(', ')}`);

const out = check ? mkdtempSync(join(tmpdir(), 'library-out-')) : LIBRARY;
try {
  const committed = JSON.parse(readFileSync(join(LIBRARY, 'manifest.json'), 'utf8'));
  const manifest = {};
  for (const [name, build] of Object.entries(BUILDS)) {
    if (only.length > 0 && !only.includes(name)) {
      if (committed[`${name}.wasm`]) manifest[`${name}.wasm`] = committed[`${name}.wasm`];
      continue;
    }
    const work = mkdtempSync(join(tmpdir(), `library-${name}-`));
    try {
      await build(work, join(out, `${name}.wasm`));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    manifest[`${name}.wasm`] = sha256(readFileSync(join(out, `${name}.wasm`)));
  }
  if (check) {
    const built = Object.keys(manifest).filter((f) => only.length === 0 || only.includes(f.replace(/\.wasm$/, '')));
    const differ = [...new Set([...built, ...(only.length === 0 ? Object.keys(committed) : [])])].filter(
      (f) => manifest[f] !== committed[f] || sha256(readFileSync(join(LIBRARY, f))) !== committed[f],
    );
    if (differ.length > 0)
      throw new Error(`rebuilt library modules differ from the committed ones: ${differ.join(', ')}`);
  } else writeFileSync(join(LIBRARY, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(
    `library: ${only.length || Object.keys(manifest).length} modules ${check ? 'rebuild byte-identical' : 'built'}`,
  );
} finally {
  if (check) rmSync(out, { recursive: true, force: true });
}

// libwebp for the image library (docs/KERNELS.md, "The library"), called by scripts/build-library.mjs:
// libwebp 1.2.4 from Debian 12's source package (fetched with `apt-get source --download-only`,
// checked against the SHA-256s below, its Debian patches applied: CVE-2023-4863's among them),
// its encoder (src/enc, src/dsp, src/utils, sharpyuv) and wasm/library/image/webp.c compiled by
// Debian's clang-14 for wasm32-wasi into one static archive that the image program (Rust) links.
// Plain C: no SIMD (wasm32 defines none of the macros libwebp's dsp looks for) and no threads
// (WEBP_USE_THREAD is left undefined). No paths or debug information reach the objects, and the
// archive is written in one fixed order with llvm-ar's zeroed timestamps, so it is the same bytes
// on every rebuild.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cFiles, debianSource, run } from './common.mjs';

const IMAGE = fileURLToPath(new URL('../../wasm/library/image/', import.meta.url));
const VERSION = '1.2.4-0.2+deb12u1';
const PINNED = {
  'libwebp_1.2.4.orig.tar.gz': '7bf5a8a28cc69bcfa8cb214f2c3095703c6b73ac5fba4d5480c205331d9494df',
  'libwebp_1.2.4-0.2+deb12u1.debian.tar.xz': '69cdba4dfe2e1b34d55fa80c1b29c31cacd40dd183812d6bcca7e508a2f7afcd',
};

/**
 * Builds libwebp.a (libwebp's encoder with webp.c) in `work`; returns the folder it is in, for
 * rustc's `-L native=`.
 * @param {string} work
 */
export function buildWebp(work) {
  const tree = debianSource(work, 'libwebp', VERSION, PINNED, 'libwebp-1.2.4');
  const flags = [
    '--target=wasm32-wasi',
    '-O2',
    '-g0',
    '-DNDEBUG',
    `-ffile-prefix-map=${work}=.`,
    `-ffile-prefix-map=${IMAGE}=image`,
    `-I${tree}`,
    `-I${join(tree, 'src')}`,
  ];
  const main = join(IMAGE, 'webp.c');
  const sources = [...['sharpyuv', 'src/dsp', 'src/enc', 'src/utils'].flatMap((dir) => cFiles(join(tree, dir))), main];
  const lib = join(work, 'webp-lib');
  mkdirSync(lib);
  // libwebp's warnings are its own; ours are errors.
  const warnings = (file) => (file === main ? ['-Wall', '-Wextra', '-Werror'] : ['-Wno-everything']);
  const objects = sources.map((file, i) => {
    const object = join(lib, `${i}.o`);
    run('clang-14', [...flags, ...warnings(file), '-c', file, '-o', object], work);
    return object;
  });
  run('llvm-ar-14', ['rcs', join(lib, 'libwebp.a'), ...objects], work);
  return lib;
}

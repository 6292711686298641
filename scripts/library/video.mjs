// The video library's build (docs/KERNELS.md, "The library"), called by scripts/build-library.mjs:
// wasm/library/video/ (main.cpp, common.cpp) with libvpx 1.12.0 (VP8 encoder and decoder), libwebm 1.0.0.29
// (mkvmuxer, mkvparser) and stb_image / stb_image_write, each from Debian 12's source package
// (fetched with `apt-get source --download-only PKG=VERSION`, checked against the SHA-256s below,
// its Debian patches applied).
//
// libvpx is configured by its own script for `generic-gnu` (plain C: no SIMD, no threads, no
// runtime CPU detection) with Debian's clang-14 for wasm32-wasi, and built by its Makefile into
// libvpx.a. wasi-libc has no setjmp, which libvpx uses only on its error path: its sources see
// wasm/library/video/setjmp.h instead, whose longjmp (main.cpp's) ends the program with libvpx's
// message. libwebm's C++ is compiled against Debian's libc++-14-dev-wasm32 with -fno-exceptions.
// Every path is relative or remapped and no debug information is kept, so a rebuild on Debian 12
// gives the same bytes.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

const VIDEO = fileURLToPath(new URL('../../wasm/library/video/', import.meta.url));

/** Each source package: its version, the folder its orig tarball unpacks to, and its files' SHA-256s. */
const PACKAGES = {
  libvpx: {
    version: '1.12.0-1+deb12u5',
    folder: 'libvpx-1.12.0',
    files: {
      'libvpx_1.12.0.orig.tar.gz': 'f1acc15d0fd0cb431f4bf6eac32d5e932e40ea1186fe78e074254d6d003957bb',
      'libvpx_1.12.0-1+deb12u5.debian.tar.xz': '35cfacecb71f4c4ddfbb29b53b68fb7e82f1e86e28b67327c72683715c5e22f4',
    },
  },
  libwebm: {
    version: '1.0.0.29-1',
    folder: 'libwebm-1.0.0.29',
    files: {
      'libwebm_1.0.0.29.orig.tar.xz': '7867fcd8a573fa0cbff49484115595ff24463887db8f79d11fc772bb07568793',
      'libwebm_1.0.0.29-1.debian.tar.xz': 'cc00ecc3df8a7282f0b1a4c6db9be822972f621a7955c72124846aeb78ee1eb7',
    },
  },
  libstb: {
    version: '0.0~git20220908.8b5f1f3+ds-1',
    folder: 'libstb-0.0~git20220908.8b5f1f3+ds',
    files: {
      'libstb_0.0~git20220908.8b5f1f3+ds.orig.tar.xz':
        '6949c8ff9f86d982cff1b384f1301a731cbaf3b3fa4d1728c7b48a02386d31d8',
      'libstb_0.0~git20220908.8b5f1f3+ds-1.debian.tar.xz':
        '5c10b002873398da74e690c03091e698c8d9aef126e2aa6b082504c648918cbe',
    },
  },
};

/** libvpx's configuration: VP8 only, one thread, plain C. */
const VPX_CONFIGURE = [
  '--target=generic-gnu',
  '--disable-multithread',
  '--disable-runtime-cpu-detect',
  '--disable-examples',
  '--disable-tools',
  '--disable-unit-tests',
  '--disable-docs',
  '--disable-install-docs',
  '--disable-install-bins',
  '--disable-webm-io',
  '--disable-libyuv',
  '--enable-vp8',
  '--disable-vp9',
  // Relative to the build folder: the configure line is kept in the library (vpx_codec_build_config).
  '--extra-cflags=-I../shim -g0',
];

/**
 * Package `name`'s source tree in `work`, as Debian builds it (its patches applied).
 * @param {{ run: (cmd: string, args: string[], cwd: string) => void, verified: (path: string, hash: string) => string, sources: string }} tools
 */
function debianSource(name, work, { run, verified, sources }) {
  const pkg = PACKAGES[name];
  mkdirSync(sources, { recursive: true });
  if (!Object.keys(pkg.files).every((f) => existsSync(join(sources, f))))
    run('apt-get', ['source', '--download-only', `${name}=${pkg.version}`], sources);
  const [orig, debian] = Object.entries(pkg.files).map(([file, hash]) => verified(join(sources, file), hash));
  run('tar', ['xf', orig, '-C', work]);
  const tree = join(work, pkg.folder);
  run('tar', ['xJf', debian, '-C', tree]);
  for (const patch of readFileSync(join(tree, 'debian/patches/series'), 'utf8').split('\n').filter(Boolean))
    run('patch', ['-p1', '-s', '-i', join(tree, 'debian/patches', patch)], tree);
  return tree;
}

/**
 * Builds wasm/library/video.wasm's bytes into `out`, in the temporary folder `work`.
 * @param {string} work
 * @param {string} out
 * @param {{ run: (cmd: string, args: string[], cwd: string) => void, verified: (path: string, hash: string) => string, sources: string }} tools
 */
export function buildVideo(work, out, tools) {
  const { run } = tools;
  const [vpx, webm, stb] = ['libvpx', 'libwebm', 'libstb'].map((name) => debianSource(name, work, tools));
  mkdirSync(join(work, 'shim'));
  run('cp', [join(VIDEO, 'setjmp.h'), join(work, 'shim/setjmp.h')], work);
  const build = join(work, 'vpx-build');
  mkdirSync(build);
  const wasi = (tool) => `${tool} --target=wasm32-wasi`;
  run(
    'env',
    [
      `CC=${wasi('clang-14')}`,
      `CXX=${wasi('clang++-14')}`,
      `LD=${wasi('clang-14')}`,
      'AR=llvm-ar-14',
      'STRIP=llvm-strip-14',
      `../${PACKAGES.libvpx.folder}/configure`,
      ...VPX_CONFIGURE,
    ],
    build,
  );
  run('make', [`-j${availableParallelism()}`, 'libvpx.a'], build);

  const common = [
    '--target=wasm32-wasi',
    '-O2',
    '-g0',
    '-DNDEBUG',
    `-ffile-prefix-map=${work}=.`,
    `-ffile-prefix-map=${VIDEO}=video`,
    `-I${stb}`,
  ];
  const cxx = [...common, '-std=c++17', '-fno-exceptions', `-I${webm}`, `-I${vpx}`, `-I${build}`, `-I${VIDEO}`];
  const objects = join(work, 'obj');
  mkdirSync(objects);
  const units = [
    ...['mkvmuxer/mkvmuxer.cc', 'mkvmuxer/mkvmuxerutil.cc', 'mkvmuxer/mkvwriter.cc', 'mkvparser/mkvparser.cc'].map(
      (file) => ({ cc: 'clang++-14', flags: [...cxx, '-Wno-everything'], file: join(webm, file) }),
    ),
    { cc: 'clang-14', flags: [...common, '-Wno-everything'], file: join(VIDEO, 'stb.c') },
    // The libraries' warnings are theirs; ours are errors.
    ...['common.cpp', 'main.cpp'].map((file) => ({
      cc: 'clang++-14',
      flags: [...cxx, '-Wall', '-Wextra', '-Werror'],
      file: join(VIDEO, file),
    })),
  ];
  units.forEach(({ cc, flags, file }, i) => run(cc, [...flags, '-c', file, '-o', join(objects, `${i}.o`)], work));
  run(
    'clang++-14',
    [
      '--target=wasm32-wasi',
      '-Wl,--strip-all',
      ...units.map((_, i) => join(objects, `${i}.o`)),
      join(build, 'libvpx.a'),
      '-o',
      out,
    ],
    work,
  );
}

// The audio library's WASI program (docs/KERNELS.md, "The library"): wasm/library/audio/*.c with
// libFLAC 1.4.2, libogg 1.3.5, libvorbis 1.3.7, mpg123 1.31.2 (its generic C decoder), libopus
// 1.3.1 (its float build), libsamplerate 0.2.2 and kissfft 131.1.0, each from Debian 12's source
// package (fetched with `apt-get source --download-only`, checked against the SHA-256s below, its
// Debian patches applied), compiled by clang-14 for wasm32-wasi with fixed flags: the same bytes on every rebuild.
// What configure or CMake would generate (ogg's config_types.h, mpg123.h) is made here from their
// templates; mpg123's config.h is wasm/library/audio/mpg123/config.h.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ENV, cFiles, debianSource, run } from './common.mjs';

const PACKAGES = {
  flac: {
    version: '1.4.2+ds-2',
    dir: 'flac-1.4.2',
    pinned: {
      'flac_1.4.2+ds.orig.tar.xz': '47274ac8fcb1f0e6caa91d29f943925d7a40c0a3f6357c3275773bdb1ee46638',
      'flac_1.4.2+ds-2.debian.tar.xz': '8e3132e8e4a6e459c5a360c8a7e85c2aa6e2a0612687ef124ff65bcae82e90d8',
    },
  },
  libogg: {
    version: '1.3.5-3',
    dir: 'libogg-1.3.5',
    pinned: {
      'libogg_1.3.5.orig.tar.xz': 'c4d91be36fc8e54deae7575241e03f4211eb102afb3fc0775fbbc1b740016705',
      'libogg_1.3.5-3.debian.tar.xz': '980cc7c95d72d2a9c56cf9d602b8296c6551528890f28fee6769b801ea0e54f3',
    },
  },
  libvorbis: {
    version: '1.3.7-1',
    dir: 'libvorbis-1.3.7',
    pinned: {
      'libvorbis_1.3.7.orig.tar.gz': '0e982409a9c3fc82ee06e08205b1355e5c6aa4c36bca58146ef399621b0ce5ab',
      'libvorbis_1.3.7-1.debian.tar.xz': 'c5c40944a3fc1cdd1ce019ef21f580ce5ed3b9f30e0cba7b3d859e8d9fea631f',
    },
  },
  mpg123: {
    version: '1.31.2-1+deb12u1',
    dir: 'mpg123-1.31.2',
    pinned: {
      'mpg123_1.31.2.orig.tar.bz2': 'b17f22905e31f43b6b401dfdf6a71ed11bb7d056f68db449d70b9f9ae839c7de',
      'mpg123_1.31.2-1+deb12u1.debian.tar.xz': '9fc7eeeb4be67525fb7901022955b646832f095499612672ad7c24a1b3303599',
    },
  },
  libsamplerate: {
    version: '0.2.2-3',
    dir: 'libsamplerate-0.2.2',
    pinned: {
      'libsamplerate_0.2.2.orig.tar.gz': '16e881487f184250deb4fcb60432d7556ab12cb58caea71ef23960aec6c0405a',
      'libsamplerate_0.2.2-3.debian.tar.xz': '000ad52f38082f5a954595de96ee54c09d7af2995df28b03fe54183302ecfcb8',
    },
  },
  opus: {
    version: '1.3.1-3',
    dir: 'opus-1.3.1',
    pinned: {
      'opus_1.3.1.orig.tar.gz': '65b58e1e25b2a114157014736a3d9dfeaad8d41be1c8179866f144a2fb44ff9d',
      'opus_1.3.1-3.debian.tar.xz': 'f4a145f0d5b9140106396fc0b0c515b1c3abd59f2aa5fb62b36b69886aa411bc',
    },
  },
  kissfft: {
    version: '131.1.0-4.1~deb12u1',
    dir: 'kissfft-131.1.0',
    pinned: {
      'kissfft_131.1.0.orig.tar.gz': '76c1aac87ddb7258f34b08a13f0eebf9e53afa299857568346aa5c82bcafaf1a',
      'kissfft_131.1.0-4.1~deb12u1.debian.tar.xz': 'bf7fe2596084b0a8b7e0486d9947cfd3216c4dac37924f266524ffae1de107e9',
    },
  },
};

/** libFLAC's encoder and decoder in C alone (its intrinsics files are x86, ARM and POWER only). */
const FLAC_FILES = [
  'bitmath',
  'bitreader',
  'bitwriter',
  'cpu',
  'crc',
  'fixed',
  'float',
  'format',
  'lpc',
  'md5',
  'memory',
  'stream_decoder',
  'stream_encoder',
  'stream_encoder_framing',
  'window',
];
/** What CMake's config.h would say for wasm32 (FLAC includes no config.h without HAVE_CONFIG_H). */
const FLAC_DEFINES = [
  'CPU_IS_BIG_ENDIAN=0',
  'ENABLE_64_BIT_WORDS=1',
  'FLAC__HAS_OGG=0',
  'FLAC__HAS_X86INTRIN=0',
  'FLAC__HAS_NEONINTRIN=0',
  'FLAC__HAS_A64NEONINTRIN=0',
  'HAVE_LROUND=1',
  'HAVE_STDINT_H=1',
  'PACKAGE_VERSION="1.4.2"',
  'FLAC__NO_DLL',
];
/** libvorbis's decoder and what it links (its encoder's files, and the tools with a main, left out). */
const VORBIS_FILES = [
  'bitrate',
  'block',
  'codebook',
  'envelope',
  'floor0',
  'floor1',
  'info',
  'lpc',
  'lsp',
  'mapping0',
  'mdct',
  'psy',
  'registry',
  'res0',
  'sharedbook',
  'smallft',
  'synthesis',
  'vorbisfile',
  'window',
];
/** libmpg123's files for its generic decoder (CMake's list, less the CPU-specific and the ICY stream parts). */
const MPG123_FILES = [
  'parse',
  'frame',
  'format',
  'dct64',
  'id3',
  'optimize',
  'readers',
  'tabinit',
  'libmpg123',
  'index',
  'layer1',
  'layer2',
  'layer3',
  'ntom',
  'synth',
  'synth_s32',
  'synth_real',
  'stringbuf',
  'feature',
];
const SAMPLERATE_DEFINES = [
  'ENABLE_SINC_BEST_CONVERTER=1',
  'ENABLE_SINC_MEDIUM_CONVERTER=1',
  'ENABLE_SINC_FAST_CONVERTER=1',
  'HAVE_STDBOOL_H=1',
  'PACKAGE="libsamplerate"',
  'VERSION="0.2.2"',
];

/** libopus's float build in C alone: its makefile fragments' lists (the SIMD and fixed-point ones left out). */
const OPUS_LISTS = {
  'celt_sources.mk': ['CELT_SOURCES'],
  'silk_sources.mk': ['SILK_SOURCES', 'SILK_SOURCES_FLOAT'],
  'opus_sources.mk': ['OPUS_SOURCES', 'OPUS_SOURCES_FLOAT'],
};
/** What its configure would define here: alloca for its scratch arrays, lrint and lrintf from libc. */
const OPUS_DEFINES = ['OPUS_BUILD', 'USE_ALLOCA', 'HAVE_LRINT', 'HAVE_LRINTF'];

/** The files the `lists` of makefile fragment `mk` name, in their order. */
function makeList(mk, lists) {
  const lines = readFileSync(mk, 'utf8').replaceAll('\\\n', ' ').split('\n');
  return lists.flatMap((name) => {
    const line = lines.find((l) => l.startsWith(`${name} =`));
    if (!line) throw new Error(`${mk} has no ${name}`);
    return line
      .slice(name.length + 2)
      .trim()
      .split(/\s+/);
  });
}

const define = (list) => list.map((d) => `-D${d}`);

/** Writes `template` with each `@NAME@` replaced, failing on any left. */
function configure(template, out, values) {
  const text = readFileSync(template, 'utf8').replace(/@([A-Z0-9_]+)@/g, (all, name) => values[name] ?? all);
  const left = text.match(/^[^*\n]*@[A-Z0-9_]+@/m);
  if (left) throw new Error(`${template}: ${left[0]} is not configured`);
  writeFileSync(out, text);
}

export async function buildAudio(work, out, program) {
  const tree = Object.fromEntries(
    Object.entries(PACKAGES).map(([name, p]) => [name, debianSource(work, name, p.version, p.pinned, p.dir)]),
  );
  const gen = join(work, 'gen');
  mkdirSync(join(gen, 'ogg'), { recursive: true });
  configure(join(tree.libogg, 'include/ogg/config_types.h.in'), join(gen, 'ogg/config_types.h'), {
    INCLUDE_INTTYPES_H: '0',
    INCLUDE_STDINT_H: '1',
    INCLUDE_SYS_TYPES_H: '0',
    SIZE16: 'int16_t',
    USIZE16: 'uint16_t',
    SIZE32: 'int32_t',
    USIZE32: 'uint32_t',
    SIZE64: 'int64_t',
    USIZE64: 'uint64_t',
  });
  configure(join(tree.mpg123, 'src/libmpg123/mpg123.h.in'), join(gen, 'mpg123.h'), {
    API_VERSION: '47',
    PACKAGE_VERSION: '1.31.2',
    INCLUDE_STDLIB_H: '#include <stdlib.h>',
    INCLUDE_SYS_TYPE_H: '#include <sys/types.h>',
    BUILD_NO_LARGENAME: '1',
  });
  const ogg = [`-I${gen}`, `-I${join(tree.libogg, 'include')}`];
  const vorbis = [...ogg, `-I${join(tree.libvorbis, 'include')}`];
  const mpg123 = [
    '-DHAVE_CONFIG_H',
    `-I${join(program, 'mpg123')}`,
    `-I${gen}`,
    `-I${join(tree.mpg123, 'src/libmpg123')}`,
    `-I${join(tree.mpg123, 'src/compat')}`,
    `-I${join(tree.mpg123, 'src')}`,
  ];
  const samplerate = [...define(SAMPLERATE_DEFINES), `-I${join(tree.libsamplerate, 'include')}`];
  const kiss = ['-Dkiss_fft_scalar=float'];
  const opus = [
    ...define(OPUS_DEFINES),
    ...['include', 'celt', 'silk', 'silk/float'].map((d) => `-I${join(tree.opus, d)}`),
  ];
  const opusFiles = Object.entries(OPUS_LISTS).flatMap(([mk, lists]) => makeList(join(tree.opus, mk), lists));
  const lib = (file, flags) => ({ file, flags: ['-Wno-everything', ...flags] });
  const units = [
    ...FLAC_FILES.map((f) =>
      lib(join(tree.flac, `src/libFLAC/${f}.c`), [
        ...define(FLAC_DEFINES),
        `-I${join(tree.flac, 'include')}`,
        `-I${join(tree.flac, 'src/libFLAC/include')}`,
      ]),
    ),
    ...['bitwise', 'framing'].map((f) => lib(join(tree.libogg, `src/${f}.c`), ogg)),
    ...VORBIS_FILES.map((f) =>
      lib(join(tree.libvorbis, `lib/${f}.c`), [...vorbis, `-I${join(tree.libvorbis, 'lib')}`]),
    ),
    ...MPG123_FILES.map((f) => lib(join(tree.mpg123, `src/libmpg123/${f}.c`), mpg123)),
    ...['compat', 'compat_str'].map((f) => lib(join(tree.mpg123, `src/compat/${f}.c`), mpg123)),
    ...['samplerate', 'src_linear', 'src_sinc', 'src_zoh'].map((f) =>
      lib(join(tree.libsamplerate, `src/${f}.c`), samplerate),
    ),
    ...opusFiles.map((f) => lib(join(tree.opus, f), opus)),
    ...['kiss_fft', 'kiss_fftr'].map((f) => lib(join(tree.kissfft, `${f}.c`), kiss)),
    // Ours: its warnings are errors.
    ...cFiles(program).map((file) => ({
      file,
      flags: [
        '-Wall',
        '-Wextra',
        '-Werror',
        ...vorbis,
        ...samplerate,
        ...kiss,
        `-I${join(tree.flac, 'include')}`,
        '-DFLAC__NO_DLL',
        `-I${gen}`,
        `-I${join(tree.mpg123, 'src/libmpg123')}`,
        `-I${join(tree.opus, 'include')}`,
        `-I${tree.kissfft}`,
      ],
    })),
  ];
  const common = ['-O2', '-g0', '-DNDEBUG', `-ffile-prefix-map=${work}=.`, `-ffile-prefix-map=${program}=.`];
  const objects = join(work, 'obj');
  mkdirSync(objects);
  const names = units.map((_, i) => join(objects, `${i}.o`));
  // Two at a time: the objects are the same whichever finishes first.
  const compile = promisify(execFile);
  let next = 0;
  const worker = async () => {
    while (next < units.length) {
      const i = next++;
      const args = ['--target=wasm32-wasi', ...common, ...units[i].flags, '-c', units[i].file, '-o', names[i]];
      await compile('clang-14', args, { cwd: work, env: ENV });
    }
  };
  await Promise.all([worker(), worker()]);
  run('clang-14', ['--target=wasm32-wasi', '-Wl,--strip-all', ...names, '-lm', '-o', out], work);
}

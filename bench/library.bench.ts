// The library's programs (wasm/library/, docs/KERNELS.md) against the native tools on this
// machine, the same work in the same run, each on one thread, as a ratio (ours ÷ native):
// - library_crypto_ratio: library-crypto.bench.ts;
// - library_image_ratio: four 2048 × 1536 JPEG photos (the twenty 12-megapixel photos,
//   scaled to a unit's 4 MiP) each decoded, resized to 25 % with Lanczos 3 and encoded as JPEG at
//   quality 90, by image/resize units against ImageMagick's convert with one thread (target <= 3);
// - library_data_ratio: a group-by aggregate (sum, mean, count, min, max over 7 groups) of 250,000
//   CSV rows (the 1,000,000, scaled to this shared machine), one data/aggregate unit against
//   sqlite3 importing the CSV and grouping it (target <= 3);
// - library_audio_ratio: the 10 minutes of 48 kHz stereo as thirty 20-second FLAC files (a
//   unit's fuel covers about 30 s of this work: wasm/library/audio/budget.c), each decoded,
//   resampled to 44.1 kHz and encoded as FLAC at level 5 by audio/resample units (libsamplerate's
//   medium sinc) against `sox --single-threaded` doing the same with its own resampler at its
//   default quality (`rate -h`) and libFLAC (target <= 3).
// - library_video_ratio: 100 frames of 640 × 360 (JPEG at quality 90) to VP8 WebM, as five
//   video/encode units of 20 frames (a unit's most at this size: its fuel) one after another,
//   against ffmpeg's libvpx encoding the 100 in one run, one thread, the same settings: 1000 kbit/s
//   VBR, realtime deadline, cpu-used -8, no alt-ref or lag, a keyframe at most every 120 frames,
//   BT.601 I420 (reported).
// Native runs include starting the tool, a few milliseconds of the figure.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tarOf } from '../src-main/core/library/tar.js';
import { Executor } from '../src-main/node/exec/index.js';
import { runUnit } from '../test/node/library/run-unit.js';
import { medianMs, round, type Benchmark } from './harness.js';

const PHOTOS = 4;
const [WIDTH, HEIGHT] = [2048, 1536];

async function image(executor: Executor, dir: string) {
  const photos = Array.from({ length: PHOTOS }, (_, i) => {
    const file = join(dir, `photo${i}.jpg`);
    const args = ['-seed', String(i), '-size', `${WIDTH}x${HEIGHT}`, 'plasma:', '-quality', '90', file];
    execFileSync('/usr/bin/convert', args);
    return { file, bytes: readFileSync(file) };
  });
  const params = { width: WIDTH / 4, height: HEIGHT / 4, filter: 'lanczos3', format: 'jpeg', quality: 90 };
  const ours = async () => {
    for (const photo of photos) {
      const result = await runUnit(executor, 'image', 'resize', params, photo.bytes);
      if (result.exit !== 0) throw new Error(result.stdout.toString());
    }
  };
  const native = () => {
    for (const photo of photos)
      execFileSync('/usr/bin/convert', [
        '-limit',
        'thread',
        '1',
        photo.file,
        '-filter',
        'Lanczos',
        '-resize',
        `${WIDTH / 4}x${HEIGHT / 4}!`,
        '-quality',
        '90',
        join(dir, 'out.jpg'),
      ]);
  };
  return { oursMs: await medianMs(ours, 3, 1), nativeMs: await medianMs(native, 3, 1) };
}

const DATA_ROWS = 250_000;

async function data(executor: Executor, dir: string) {
  const lines = ['id,grp,x,n'];
  for (let i = 0; i < DATA_ROWS; i++) lines.push(`${i},g${i % 7},${((i * 7919) % 100_000) / 100},${i % 100}`);
  const csv = Buffer.from(`${lines.join('\n')}\n`);
  const file = join(dir, 'rows.csv');
  writeFileSync(file, csv);
  const aggregates = ['sum', 'mean', 'min', 'max'].map((fn) => ({ fn, column: 'x' }));
  const params = { group_by: ['grp'], aggregates: [...aggregates, { fn: 'count' }] };
  const query = 'SELECT grp, SUM(x), AVG(x), MIN(x), MAX(x), COUNT(*) FROM t GROUP BY grp ORDER BY grp';
  const ours = async () => {
    const result = await runUnit(executor, 'data', 'aggregate', params, csv);
    if (result.exit !== 0) throw new Error(result.stdout.toString());
  };
  // The columns typed, as our unit reads them as numbers: SQLite's import makes TEXT of all.
  const schema = 'CREATE TABLE t(id INTEGER, grp TEXT, x REAL, n INTEGER)';
  const native = () =>
    execFileSync('sqlite3', [
      ':memory:',
      '-cmd',
      schema,
      '-cmd',
      '.mode csv',
      '-cmd',
      `.import --skip 1 ${file} t`,
      query,
    ]);
  return { oursMs: await medianMs(ours, 3, 1), nativeMs: await medianMs(native, 3, 1) };
}

const AUDIO_FILES = 30;
const AUDIO_SECONDS = 20;

async function audio(executor: Executor, dir: string) {
  const files = Array.from({ length: AUDIO_FILES }, (_, i) => {
    const file = join(dir, `sound${i}.flac`);
    // Music-like: pink noise under two tones, a different pair in each file.
    const tones = ['sine', String(220 * (i + 1)), 'sine', String(330 * (i + 1))];
    const args = ['-D', '-n', '-r', '48000', '-c', '2', '-b', '16', file, 'synth', String(AUDIO_SECONDS), 'pinknoise'];
    execFileSync('sox', [...args, ...tones, 'gain', '-12']);
    return { file, bytes: readFileSync(file) };
  });
  const params = { rate: 44_100, quality: 'medium', format: 'flac', compression_level: 5 };
  const ours = async () => {
    for (const sound of files) {
      const result = await runUnit(executor, 'audio', 'resample', params, sound.bytes);
      if (result.exit !== 0) throw new Error(result.stdout.toString());
    }
  };
  const native = () => {
    for (const sound of files)
      execFileSync('sox', ['--single-threaded', sound.file, '-C', '5', join(dir, 'out.flac'), 'rate', '44100']);
  };
  return { oursMs: await medianMs(ours, 3, 1), nativeMs: await medianMs(native, 3, 1) };
}

const VIDEO_FRAMES = 100;
const [VIDEO_WIDTH, VIDEO_HEIGHT] = [640, 360];

async function video(executor: Executor, dir: string) {
  const base = join(dir, 'base.png');
  execFileSync('/usr/bin/convert', ['-seed', '5', '-size', `${VIDEO_WIDTH}x${VIDEO_HEIGHT}`, 'plasma:', base]);
  const frames = Array.from({ length: VIDEO_FRAMES }, (_, i) => {
    const name = `frame-${String(i + 1).padStart(3, '0')}.jpg`;
    execFileSync('/usr/bin/convert', [base, '-roll', `+${3 * i}+${i}`, '-quality', '90', join(dir, name)]);
    return { name, bytes: readFileSync(join(dir, name)) };
  });
  const units = Array.from({ length: VIDEO_FRAMES / 20 }, (_, i) => tarOf(frames.slice(20 * i, 20 * (i + 1))));
  const ours = async () => {
    for (const tar of units) {
      const result = await runUnit(executor, 'video', 'encode', { fps: 25, bitrate: 1000 }, tar);
      if (result.exit !== 0) throw new Error(result.stdout.toString());
    }
  };
  const native = () =>
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-threads',
      '1',
      '-framerate',
      '25',
      '-i',
      join(dir, 'frame-%03d.jpg'),
      '-c:v',
      'libvpx',
      '-threads',
      '1',
      '-b:v',
      '1000k',
      '-deadline',
      'realtime',
      '-cpu-used',
      '-8',
      '-auto-alt-ref',
      '0',
      '-lag-in-frames',
      '0',
      '-g',
      '120',
      '-pix_fmt',
      'yuv420p',
      join(dir, 'out.webm'),
    ]);
  return { oursMs: await medianMs(ours, 3, 1), nativeMs: await medianMs(native, 3, 1) };
}

export const benchmarks: Benchmark[] = [
  {
    names: ['library_image_ratio', 'library_data_ratio', 'library_audio_ratio'],
    async run() {
      const dir = mkdtempSync(join(tmpdir(), 'library-bench-'));
      const executor = Executor.start({ workers: 1 });
      try {
        const photos = await image(executor, dir);
        const rows = await data(executor, dir);
        const sound = await audio(executor, dir);
        return [
          {
            name: 'library_image_ratio',
            value: round(photos.oursMs / photos.nativeMs),
            unit: 'x',
            target: '<= 3',
            ours_ms: round(photos.oursMs, 1),
            native_ms: round(photos.nativeMs, 1),
            photos: PHOTOS,
            pixels: WIDTH * HEIGHT,
          },
          {
            name: 'library_data_ratio',
            value: round(rows.oursMs / rows.nativeMs),
            unit: 'x',
            target: '<= 3',
            ours_ms: round(rows.oursMs, 1),
            native_ms: round(rows.nativeMs, 1),
            rows: DATA_ROWS,
          },
          {
            name: 'library_audio_ratio',
            value: round(sound.oursMs / sound.nativeMs),
            unit: 'x',
            target: '<= 3',
            ours_ms: round(sound.oursMs, 1),
            native_ms: round(sound.nativeMs, 1),
            seconds: AUDIO_FILES * AUDIO_SECONDS,
          },
        ];
      } finally {
        await executor.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    names: ['library_video_ratio'],
    async run() {
      const dir = mkdtempSync(join(tmpdir(), 'library-video-bench-'));
      const executor = Executor.start({ workers: 1 });
      try {
        const encode = await video(executor, dir);
        return [
          {
            name: 'library_video_ratio',
            value: round(encode.oursMs / encode.nativeMs),
            unit: 'x',
            target: 'report',
            ours_ms: round(encode.oursMs, 1),
            native_ms: round(encode.nativeMs, 1),
            frames: VIDEO_FRAMES,
            pixels: VIDEO_WIDTH * VIDEO_HEIGHT,
          },
        ];
      } finally {
        await executor.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];

// The library's programs (wasm/library/, docs/KERNELS.md) against the native tools on this
// machine, the same work in the same run, each on one thread, as a ratio (ours ÷ native):
// - library_crypto_ratio: SHA-256 of 64 MiB (the 256 MiB, scaled to this shared machine),
//   as our units of a chunk's most, 16 MiB, each (crypto/sha256: libsodium in WASM under our host,
//   metered) against `openssl dgst -sha256` of the whole (target <= 2);
// - library_image_ratio: four 2048 × 1536 JPEG photos (the twenty 12-megapixel photos,
//   scaled to a unit's 4 MiP) each decoded, resized to 25 % with Lanczos 3 and encoded as JPEG at
//   quality 90, by image/resize units against ImageMagick's convert with one thread (target <= 3);
// - library_data_ratio: a group-by aggregate (sum, mean, count, min, max over 7 groups) of 250,000
//   CSV rows (the 1,000,000, scaled to this shared machine), one data/aggregate unit against
//   sqlite3 importing the CSV and grouping it (target <= 3).
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
import { MAX_CHUNK_BYTES } from '../src-main/core/api/contract.js';
import { tarOf } from '../src-main/core/library/tar.js';
import { Executor } from '../src-main/node/exec/index.js';
import { runUnit } from '../test/node/library/run-unit.js';
import { medianMs, round, type Benchmark } from './harness.js';

const HASH_BYTES = 64 * 2 ** 20;
const PHOTOS = 4;
const [WIDTH, HEIGHT] = [2048, 1536];

async function crypto(executor: Executor, dir: string) {
  const input = Buffer.alloc(HASH_BYTES, 0x5a);
  const file = join(dir, 'hash.bin');
  writeFileSync(file, input);
  // A unit takes at most a chunk (16 MiB): the input is hashed as units of that, one after another.
  const chunks = Array.from({ length: HASH_BYTES / MAX_CHUNK_BYTES }, (_, i) =>
    input.subarray(i * MAX_CHUNK_BYTES, (i + 1) * MAX_CHUNK_BYTES),
  );
  const ours = async () => {
    for (const chunk of chunks) await runUnit(executor, 'crypto', 'sha256', {}, chunk);
  };
  const native = () => execFileSync('openssl', ['dgst', '-sha256', '-binary', file]);
  const first = await runUnit(executor, 'crypto', 'sha256', {}, chunks[0]!);
  const nativeFirst = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: chunks[0] });
  if (!first.stdout.equals(nativeFirst)) throw new Error('crypto/sha256 and openssl disagree');
  return { oursMs: await medianMs(ours, 3, 1), nativeMs: await medianMs(native, 3, 1) };
}

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
      'good',
      '-cpu-used',
      '4',
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
    names: ['library_crypto_ratio', 'library_image_ratio', 'library_data_ratio'],
    async run() {
      const dir = mkdtempSync(join(tmpdir(), 'library-bench-'));
      const executor = Executor.start({ workers: 1 });
      try {
        const hash = await crypto(executor, dir);
        const photos = await image(executor, dir);
        const rows = await data(executor, dir);
        return [
          {
            name: 'library_crypto_ratio',
            value: round(hash.oursMs / hash.nativeMs),
            unit: 'x',
            target: '<= 2',
            ours_ms: round(hash.oursMs, 1),
            native_ms: round(hash.nativeMs, 1),
            bytes: HASH_BYTES,
          },
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

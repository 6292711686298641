// The library's programs (wasm/library/, docs/KERNELS.md) against the native tools on this
// machine, the same work in the same run, each on one thread, as a ratio (ours ÷ native):
// - library_crypto_ratio: SHA-256 of 64 MiB (the 256 MiB, scaled to this shared machine),
//   our unit (crypto/sha256: libsodium in WASM under our host, metered) against `openssl dgst
//   -sha256` (target <= 2);
// - library_image_ratio: four 2048 × 1536 JPEG photos (the twenty 12-megapixel photos,
//   scaled to a unit's 4 MiP) each decoded, resized to 25 % with Lanczos 3 and encoded as JPEG at
//   quality 90, by image/resize units against ImageMagick's convert with one thread (target <= 3).
// Native runs include starting the tool, a few milliseconds of the figure.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  const ours = () => runUnit(executor, 'crypto', 'sha256', {}, input);
  const native = () => execFileSync('openssl', ['dgst', '-sha256', '-binary', file]);
  if (!(await ours()).stdout.equals(native())) throw new Error('crypto/sha256 and openssl disagree');
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

export const benchmarks: Benchmark[] = [
  {
    names: ['library_crypto_ratio', 'library_image_ratio'],
    async run() {
      const dir = mkdtempSync(join(tmpdir(), 'library-bench-'));
      const executor = Executor.start({ workers: 1 });
      try {
        const hash = await crypto(executor, dir);
        const photos = await image(executor, dir);
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
        ];
      } finally {
        await executor.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];

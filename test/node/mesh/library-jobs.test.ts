// Library methods as mesh jobs, on three real nodes on loopback: a requester (a daemon, as meshctl
// reaches it) and two providers. `meshctl run LIBRARY METHOD FILES… --out DIR` (crypto, image,
// data and audio) makes a unit of each file, both providers compute every unit (redundancy 2) and the requester verifies them by their
// outputs' hashes agreeing; each file's result in DIR is what the native reference (openssl,
// OpenSSL's Ed25519 through node:crypto, flac and sox) makes of it. Bad params are refused at submit naming the
// param; a file the method refuses is named with the program's message, and the others are kept.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runMeshctl } from '../../cli/fixtures/run-meshctl.js';
import { daemonAndTwoProviders } from './cluster.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-library-jobs-'));
const dataDir = join(dir, 'requester');
const inputs = join(dir, 'inputs');

let mesh: Awaited<ReturnType<typeof daemonAndTwoProviders>>;
before(async () => {
  mesh = await daemonAndTwoProviders(dataDir);
  mkdirSync(inputs);
});
after(async () => {
  await mesh.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `meshctl run` with redundancy 2: both providers compute every unit. */
const run = (...args: string[]) =>
  runMeshctl(['run', ...args, '--redundancy', '2', '--budget', '100000', '--data-dir', dataDir]);

/** Files of these sizes, random, in a folder of their own: their paths. */
function files(folder: string, sizes: number[]): string[] {
  mkdirSync(join(inputs, folder));
  return sizes.map((size, i) => {
    const path = join(inputs, folder, `f${i}.bin`);
    writeFileSync(path, randomBytes(size));
    return path;
  });
}

test(
  'crypto/sha256 and crypto/blake3 over files: a verified unit each, every digest the native one',
  { timeout: 240_000 },
  async () => {
    const paths = files('hash', [0, 1, 4096, 100_000, 1_000_003]);
    for (const method of ['sha256', 'blake3']) {
      const out = join(dir, `out-${method}`);
      const ran = await run('crypto', method, ...paths, '--out', out);
      assert.equal(ran.status, 0, ran.stderr);
      assert.match(ran.stdout, new RegExp(`completed: 5 of 5 results written to ${out}`));
      assert.deepEqual(
        readdirSync(out).sort(),
        paths.map((_, i) => `f${i}.bin.${method}`),
      );
      for (const [i, path] of paths.entries()) {
        const native =
          method === 'sha256'
            ? execFileSync('openssl', ['dgst', '-sha256', '-binary', path])
            : execFileSync('b3sum', ['--no-names', '--raw', path]);
        assert.deepEqual(readFileSync(join(out, `f${i}.bin.${method}`)), native, `${method} of f${i}`);
      }
    }
  },
);

test(
  "crypto/ed25519_sign across the mesh gives OpenSSL's signatures; a refused file is named, the rest kept",
  { timeout: 240_000 },
  async () => {
    const seed = randomBytes(32);
    const key = createPrivateKey({
      key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
      format: 'der',
      type: 'pkcs8',
    });
    const paths = files('sign', [10, 20_000]);
    const out = join(dir, 'out-sign');
    const ran = await run(
      'crypto',
      'ed25519_sign',
      ...paths,
      '--params',
      JSON.stringify({ seed: seed.toString('hex') }),
      '--out',
      out,
    );
    assert.equal(ran.status, 0, ran.stderr);
    for (const [i, path] of paths.entries())
      assert.deepEqual(readFileSync(join(out, `f${i}.bin.sig`)), sign(null, readFileSync(path), key));
    // A file too short to be a ciphertext: refused by the program, on both providers alike.
    const [short, long] = files('decrypt', [5, 100]);
    const sealed = join(dir, 'out-sealed');
    const keyHex = JSON.stringify({ key: randomBytes(32).toString('hex') });
    assert.equal((await run('crypto', 'aead_encrypt', long!, '--params', keyHex, '--out', sealed)).status, 0);
    const opened = join(dir, 'out-opened');
    const decrypt = await run(
      'crypto',
      'aead_decrypt',
      short!,
      join(sealed, 'f1.bin.enc'),
      '--params',
      keyHex,
      '--out',
      opened,
    );
    assert.equal(decrypt.status, 1);
    assert.match(decrypt.stdout, /1 of 2 results written/);
    assert.match(decrypt.stdout, /f0\.bin: crypto: the input is shorter than a nonce and a tag/);
    assert.match(decrypt.stderr, /1 files have no result/);
    assert.deepEqual(readFileSync(join(opened, 'f1.bin')), readFileSync(long!));
  },
);

test(
  'image/resize and data/aggregate over files across the mesh: each file a verified unit, its result as asked',
  { timeout: 240_000 },
  async () => {
    mkdirSync(join(inputs, 'photos'));
    const photos = [0, 1].map((i) => {
      const path = join(inputs, 'photos', `p${i}.jpg`);
      execFileSync('/usr/bin/convert', ['-seed', String(i), '-size', '120x80', 'plasma:', path]);
      return path;
    });
    const out = join(dir, 'out-photos');
    const params = JSON.stringify({ width: 30, height: 20, filter: 'lanczos3', format: 'jpeg', quality: 80 });
    const resized = await run('image', 'resize', ...photos, '--params', params, '--out', out);
    assert.equal(resized.status, 0, resized.stderr);
    for (const name of ['p0.jpg', 'p1.jpg'])
      assert.equal(
        execFileSync('/usr/bin/convert', [join(out, name), '-format', '%m %wx%h %Q', 'info:']).toString(),
        'JPEG 30x20 80',
      );
    const table = join(inputs, 'table.csv');
    writeFileSync(table, `grp,x\n${Array.from({ length: 1000 }, (_, i) => `g${i % 3},${i}`).join('\n')}\n`);
    const sums = join(dir, 'out-table');
    const aggregates = JSON.stringify({ group_by: ['grp'], aggregates: [{ fn: 'sum', column: 'x' }, { fn: 'count' }] });
    const summed = await run('data', 'aggregate', table, '--params', aggregates, '--out', sums);
    assert.equal(summed.status, 0, summed.stderr);
    assert.equal(
      readFileSync(join(sums, 'table.csv'), 'utf8'),
      'grp,sum_x,count\ng0,166833,334\ng1,166167,333\ng2,166500,333\n',
    );
  },
);

test(
  'audio/resample over a FLAC and a WAV across the mesh: verified FLAC at 44.1 kHz that flac checks',
  { timeout: 240_000 },
  async () => {
    mkdirSync(join(inputs, 'sounds'));
    const wav = join(inputs, 'sounds', 'tones.wav');
    execFileSync('sox', [
      '-D',
      '-n',
      '-r',
      '48000',
      '-c',
      '2',
      '-b',
      '16',
      wav,
      'synth',
      '1',
      'sine',
      '1000',
      'sine',
      '440',
    ]);
    const flac = join(inputs, 'sounds', 'noise.flac');
    execFileSync('sox', ['-D', '-n', '-r', '48000', '-c', '1', '-b', '24', flac, 'synth', '1', 'pinknoise']);
    const out = join(dir, 'out-sounds');
    const params = JSON.stringify({ rate: 44_100, format: 'flac', compression_level: 8 });
    const resampled = await run('audio', 'resample', wav, flac, '--params', params, '--out', out);
    assert.equal(resampled.status, 0, resampled.stderr);
    assert.deepEqual(readdirSync(out).sort(), ['noise.flac', 'tones.flac']);
    for (const [name, channels, bits] of [
      ['tones.flac', 2, 16],
      ['noise.flac', 1, 24],
    ] as const) {
      const file = join(out, name);
      execFileSync('flac', ['-s', '-t', file]);
      const info = (flag: string) => execFileSync('sox', ['--i', flag, file]).toString().trim();
      assert.deepEqual([info('-r'), info('-c'), info('-b')], ['44100', String(channels), String(bits)]);
      // A second at 44.1 kHz: libsamplerate may end a sample short of it.
      assert.ok(Math.abs(Number(info('-s')) - 44_100) <= 1, info('-s'));
    }
  },
);

test("params are checked at submit with the method's rules: a refusal names the param", async () => {
  const [path] = files('refused', [3]);
  const bad = await run('crypto', 'ed25519_sign', path!, '--params', '{"seed":"abc"}', '--out', join(dir, 'never'));
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /params of crypto\/ed25519_sign .*seed.*expected 64 lowercase hex digits/);
  const unknown = await run('crypto', 'md5', path!, '--out', join(dir, 'never'));
  assert.match(unknown.stderr, /unknown method "md5" of crypto: expected one of sha256/);
  const library = await run('speech', 'transcribe', path!, '--out', join(dir, 'never'));
  assert.match(library.stderr, /unknown library "speech": expected one of crypto, image, data, audio, video/);
  // Two files of one name would write their results over each other: refused before anything is sent.
  mkdirSync(join(inputs, 'twin'));
  writeFileSync(join(inputs, 'twin', 'f0.bin'), 'x');
  const twins = await run('crypto', 'sha256', path!, join(inputs, 'twin', 'f0.bin'), '--out', join(dir, 'never'));
  assert.match(twins.stderr, /two files have the same name/);
  assert.equal(
    (await mesh.handlers['jobs.list']({})).jobs.filter((j) => j.name.startsWith('crypto/sha256 × 2')).length,
    0,
  );
});

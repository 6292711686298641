// `meshctl run` refusing, on three real nodes on loopback: a requester (a daemon, as meshctl
// reaches it) and two providers, redundancy 2. A file the method refuses (a ciphertext too short)
// is named with the program's message, and the other file's result is kept; bad params, an unknown
// method or library and two files of one name are refused before a job is made, naming the param.
// Every method's results across the mesh, against its native reference: library-every-method.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runMeshctl } from '../../cli/fixtures/run-meshctl.js';
import { daemonAndProviders } from './cluster.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-library-jobs-'));
const dataDir = join(dir, 'requester');
const inputs = join(dir, 'inputs');

let mesh: Awaited<ReturnType<typeof daemonAndProviders>>;
before(async () => {
  mesh = await daemonAndProviders(dataDir);
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
  "a file the method refuses is named with the program's message, the others' results kept",
  { timeout: 240_000 },
  async () => {
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

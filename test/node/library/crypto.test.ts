// The crypto library's program (wasm/library/crypto.wasm: libsodium and BLAKE3's C code, built by
// scripts/build-library.mjs) run as the node runs a unit of `crypto/METHOD` (resolveLibrary, then
// wasiRunOf and the executor), each method against a native reference on this machine: OpenSSL's
// command line for SHA-256 and SHA-512, b3sum (the BLAKE3 team's Rust) for BLAKE3, OpenSSL through
// node:crypto for Ed25519 and for ChaCha20-Poly1305 under XChaCha's HChaCha20 subkey. Every digest,
// signature and ciphertext is bit-exact. Bad params are refused at submit naming the param; bad
// input (a tampered ciphertext, an input past a method's limit) is a clear message in the output.
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { decodeWasiOutput, encodeWasiItem, Executor, wasiRunOf } from '../../../src-main/node/exec/index.js';
import { runUnit } from './run-unit.js';
import { resolveLibrary } from '../../../src-main/node/kinds/library/library.js';
import { hchacha20, xchachaSeal } from '../reference/hchacha20.js';

const executor = Executor.start({ workers: 1 });
after(() => executor.close());

const run = (method: string, params: Record<string, unknown>, input: Uint8Array, index = 0, job = 'job-c') =>
  runUnit(executor, 'crypto', method, params, input, index, job);

const native = (cmd: string, args: string[], input: Uint8Array) => execFileSync(cmd, args, { input });
/** Inputs at the block boundaries of SHA-2 (64, 128) and BLAKE3 (64, 1024, 2048), and a few MiB. */
const SIZES = [0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 1023, 1024, 1025, 2048, 4097, 3 * 2 ** 20 + 7];

test('sha256, sha512 and blake3 are bit-exact with openssl dgst and b3sum', async () => {
  for (const size of SIZES) {
    const input = randomBytes(size);
    const sha256 = await run('sha256', {}, input);
    assert.deepEqual(sha256, { exit: 0, stdout: native('openssl', ['dgst', '-sha256', '-binary'], input) }, `${size}`);
    const sha512 = await run('sha512', {}, input);
    assert.deepEqual(sha512, { exit: 0, stdout: native('openssl', ['dgst', '-sha512', '-binary'], input) }, `${size}`);
    const blake3 = await run('blake3', {}, input);
    const b3sum = native('b3sum', ['--no-names', '--raw'], input);
    assert.deepEqual(blake3, { exit: 0, stdout: b3sum }, `${size}`);
  }
});

/** An Ed25519 key of OpenSSL's from its 32-byte seed (PKCS#8: a fixed prefix, then the seed). */
const privateKey = (seed: Buffer) =>
  createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
    format: 'der',
    type: 'pkcs8',
  });

test('ed25519_sign gives the signature OpenSSL gives (RFC 8032 is deterministic); ed25519_verify agrees with it', async () => {
  for (const size of [0, 1, 64, 1000, 2 ** 20]) {
    const seed = randomBytes(32);
    const message = randomBytes(size);
    const key = privateKey(seed);
    const signature = sign(null, message, key);
    const signed = await run('ed25519_sign', { seed: seed.toString('hex') }, message);
    assert.deepEqual(signed, { exit: 0, stdout: signature }, `${size}`);
    const publicKey = createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
    const verify = (sig: Buffer, msg: Uint8Array) =>
      run('ed25519_verify', { public_key: publicKey, signature: sig.toString('hex') }, msg);
    assert.equal((await verify(signature, message)).stdout.toString(), 'valid\n');
    const tampered = Buffer.from(signature);
    tampered.writeUInt8(tampered.readUInt8(10) ^ 1, 10);
    assert.deepEqual(await verify(tampered, message), { exit: 0, stdout: Buffer.from('invalid\n') });
    assert.equal((await verify(signature, Buffer.concat([message, Buffer.from([0])]))).stdout.toString(), 'invalid\n');
  }
  // RFC 8032, section 7.1, TEST 2.
  const rfc = await run(
    'ed25519_sign',
    { seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb' },
    Buffer.from([0x72]),
  );
  assert.equal(
    rfc.stdout.toString('hex'),
    '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  );
});

test('the HChaCha20 reference gives the vector of draft-irtf-cfrg-xchacha, section 2.2.1', () => {
  const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
  const nonce = Buffer.from('000000090000004a0000000031415927', 'hex');
  assert.equal(
    hchacha20(key, nonce).toString('hex'),
    '82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc',
  );
});

test("aead_encrypt is XChaCha20-Poly1305 as OpenSSL computes it, its nonce a unit's own; aead_decrypt reverses it", async () => {
  const key = randomBytes(32);
  const nonces = new Set<string>();
  for (const [index, size] of [0, 1, 63, 64, 65, 4096, 2 ** 20 + 3].entries()) {
    const plaintext = randomBytes(size);
    const ad = randomBytes(index * 3);
    const params = { key: key.toString('hex'), ...(ad.byteLength > 0 ? { ad: ad.toString('hex') } : {}) };
    const sealed = await run('aead_encrypt', params, plaintext, index);
    assert.equal(sealed.exit, 0);
    const nonce = sealed.stdout.subarray(0, 24);
    nonces.add(nonce.toString('hex'));
    assert.deepEqual(sealed.stdout.subarray(24), xchachaSeal(key, nonce, plaintext, ad), `${size}`);
    // The same unit sealed again (as a second provider does) gives the same bytes.
    assert.deepEqual(await run('aead_encrypt', params, plaintext, index), sealed);
    assert.deepEqual(await run('aead_decrypt', params, sealed.stdout, index), { exit: 0, stdout: plaintext });
    const tampered = Buffer.from(sealed.stdout);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 1) ^ 1, tampered.length - 1);
    const refused = await run('aead_decrypt', params, tampered);
    assert.equal(refused.exit, 2);
    assert.match(refused.stdout.toString(), /^crypto: authentication failed/);
  }
  assert.equal(nonces.size, 7, 'each unit draws its own nonce');
  const short = await run('aead_decrypt', { key: key.toString('hex') }, randomBytes(39));
  assert.deepEqual(short, { exit: 2, stdout: Buffer.from('crypto: the input is shorter than a nonce and a tag\n') });
});

test('a unit per file: framed items are each hashed alone', async () => {
  const resolved = resolveLibrary('crypto', 'sha256', {}, 64, 'framed');
  if (typeof resolved === 'string') throw new Error(resolved);
  const unit = { unit_id: 'j/0', job_id: 'j', params: resolved.params as never };
  const input = encodeWasiItem('a.txt', Buffer.from('abc'), 64);
  const { output } = await executor.run({ module: resolved.module, ...wasiRunOf(unit, input, undefined) });
  assert.deepEqual(Buffer.from(decodeWasiOutput(output).stdout), createHash('sha256').update('abc').digest());
});

test("params are refused at submit, naming the param; so are chunks past a method's limit and framed items of a kernel", () => {
  const cases: Array<[string, Record<string, unknown>, number, RegExp]> = [
    ['ed25519_sign', {}, 10, /params of crypto\/ed25519_sign .*seed/s],
    ['ed25519_sign', { seed: 'zz' }, 10, /seed.*expected 64 lowercase hex digits/s],
    ['ed25519_verify', { public_key: '00'.repeat(32), signature: '00'.repeat(63) }, 10, /signature/],
    ['aead_encrypt', { key: '00'.repeat(32), ad: 'abc' }, 10, /ad/],
    ['aead_encrypt', { key: '00'.repeat(32), nonce: '00' }, 10, /nonce/],
    ['sha256', { extra: 1 }, 10, /extra/],
    ['sha3', {}, 10, /unknown method "sha3" of crypto: expected one of sha256, sha512, blake3/],
    ['ed25519_sign', { seed: '00'.repeat(32) }, 25 * 2 ** 20, /takes at most 25165824 bytes of input a unit/],
  ];
  for (const [method, params, chunk, reason] of cases) {
    const refused = resolveLibrary('crypto', method, params, chunk);
    assert.equal(typeof refused, 'string', method);
    assert.match(refused as string, reason);
  }
  assert.match(resolveLibrary('hash', 'sha256', {}, 10, 'framed') as string, /hash is a kernel/);
  assert.match(resolveLibrary('nope', 'x', {}, 10) as string, /expected one of hash, crypto, image, data/);
});

test('the committed library modules are those of the manifest, and rebuild byte-identical from pinned sources', () => {
  const dir = new URL('../../../../wasm/library/', import.meta.url);
  const manifest = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8')) as Record<string, string>;
  for (const [file, sha] of Object.entries(manifest))
    assert.equal(
      createHash('sha256')
        .update(readFileSync(new URL(file, dir)))
        .digest('hex'),
      sha,
      file,
    );
  const script = fileURLToPath(new URL('../../../../scripts/build-library.mjs', import.meta.url));
  execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' });
});

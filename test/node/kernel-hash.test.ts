import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { blake3 } from '@noble/hashes/blake3.js';
import fc from 'fast-check';
import { callUnit, UnitStatus } from '../../src-main/node/exec/abi.js';
import { instantiateUnsandboxed, runUnsandboxed } from '../../src-main/node/exec/unsandboxed.js';
import { loadKernel } from '../../src-main/node/exec/kernels.js';

const kernel = new WebAssembly.Module(loadKernel('hash'));

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const kernelDigest = (algorithm: string, input: Uint8Array) => hex(runUnsandboxed(kernel, { algorithm }, input));
const sha256 = (input: Uint8Array) => createHash('sha256').update(input).digest('hex');
const blake3Hex = (input: Uint8Array) => hex(blake3(input));

/** Bytes that differ from position to position, so a misplaced block changes the digest. */
function patterned(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (Math.imul(i, 2654435761) >>> 24) ^ i;
  return bytes;
}

// Around SHA-256's 64-byte blocks and padding, BLAKE3's 1024-byte chunks, and a many-chunk tree.
const BOUNDARY_LENGTHS = [0, 1, 55, 56, 63, 64, 65, 1023, 1024, 1025, 2048, 3073, (1 << 20) + 1];

test('SHA-256 equals node:crypto at block and padding boundaries', () => {
  for (const length of BOUNDARY_LENGTHS) {
    const input = patterned(length);
    assert.equal(kernelDigest('sha256', input), sha256(input), `length ${length}`);
  }
});

test('BLAKE3 equals @noble/hashes at block, chunk and tree boundaries', () => {
  for (const length of BOUNDARY_LENGTHS) {
    const input = patterned(length);
    assert.equal(kernelDigest('blake3', input), blake3Hex(input), `length ${length}`);
  }
});

test('BLAKE3 of the empty input is the published digest', () => {
  assert.equal(
    kernelDigest('blake3', new Uint8Array(0)),
    'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262',
  );
});

test('both algorithms agree with their references on random inputs', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 5000 }), (input) => {
      assert.equal(kernelDigest('sha256', input), sha256(input));
      assert.equal(kernelDigest('blake3', input), blake3Hex(input));
    }),
    { numRuns: 200 },
  );
});

test('an unknown or missing algorithm is refused with STATUS_BAD_PARAMS', () => {
  const refusedWithBadParams = (error: unknown) => error instanceof UnitStatus && error.status === 1;
  for (const params of [{ algorithm: 'md5' }, { algorithm: 'SHA256' }, {}, { algorithm: 256 }]) {
    assert.throws(
      () => runUnsandboxed(kernel, params, new Uint8Array(3)),
      refusedWithBadParams,
      JSON.stringify(params),
    );
  }
  // The host only sends objects; the kernel still refuses anything else rather than misreading it.
  for (const text of ['"sha256"', '[]', '{"algorithm":']) {
    const params = new TextEncoder().encode(text);
    assert.throws(
      () => callUnit(instantiateUnsandboxed(kernel), params, new Uint8Array(3), 1024),
      refusedWithBadParams,
      text,
    );
  }
});

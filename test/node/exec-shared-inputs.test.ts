// Big unit inputs go to the workers in shared memory that the next units use again
// (node/exec/shared-inputs.ts): what a unit reads is its own bytes, whichever buffer carries them.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { SharedInputs } from '../../src-main/node/exec/shared-inputs.js';
import { resolveLibrary } from '../../src-main/node/kinds/library/library.js';
import { decodeWasiOutput, Executor, wasiRunOf } from '../../src-main/node/exec/index.js';

test('a buffer given back serves the next input of about its size, never a bigger one or a stranger', () => {
  const inputs = new SharedInputs();
  const first = inputs.take(randomBytes(3 << 20));
  assert.ok(first.buffer instanceof SharedArrayBuffer);
  inputs.give(first);
  const next = randomBytes(2 << 20);
  const second = inputs.take(next);
  assert.equal(second.buffer, first.buffer, 'used again');
  assert.deepEqual(Buffer.from(second), next, 'holding the new bytes, and only them');
  inputs.give(second);
  assert.notEqual(inputs.take(randomBytes(1 << 20)).buffer, first.buffer, 'over twice the size: not used');
  const stranger = new Uint8Array(new SharedArrayBuffer(2 << 20));
  inputs.give(stranger); // a caller's own shared memory is not ours to hand out
  assert.notEqual(inputs.take(randomBytes(2 << 20)).buffer, stranger.buffer);
});

test('units of 2 MiB slices of one input, one after another, each hash their own slice', async () => {
  const executor = Executor.start({ workers: 1 });
  try {
    const input = randomBytes(8 << 20);
    const resolved = resolveLibrary('crypto', 'sha256', {}, 2 << 20);
    if (typeof resolved === 'string') throw new Error(resolved);
    const unit = { unit_id: 'j/0', job_id: 'j', params: resolved.params as never };
    for (let at = 0; at < input.byteLength; at += 2 << 20) {
      const slice = input.subarray(at, at + (2 << 20));
      const ran = await executor.run({ module: resolved.module, ...wasiRunOf(unit, slice, undefined) });
      const digest = Buffer.from(decodeWasiOutput(ran.output).stdout);
      assert.deepEqual(digest, createHash('sha256').update(slice).digest(), `the slice at ${at}`);
    }
  } finally {
    await executor.close();
  }
});

// A WASI unit's stderr as a requester takes it from a provider's `results` message: a diagnostic
// beside the result, so one past what a host keeps is refused with the message (its schema), and
// one on a unit that is no WASI program's is dropped while the result is taken on its output alone.
// The positive path, a real program's stderr across real nodes, is in wasi-jobs.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { MESSAGE_TYPES } from '../../../src-main/core/protocol/messages.js';
import { MAX_WASI_STDERR_BYTES, validate } from '../../../src-main/core/schemas/index.js';
import { cidOfBytes } from '../../../src-main/node/blobs/cid.js';
import { Executor } from '../../../src-main/node/exec/index.js';
import { requesterWithAcceptedUnit, resultMessage, sha256 } from './fixtures/accepted-unit.js';

const executor = Executor.start({ workers: 1 });
after(() => executor.close());

test('a results message whose stderr is over what a host keeps is refused; one at the cap is not', async () => {
  const setup = await requesterWithAcceptedUnit(executor);
  const body = await resultMessage(setup, sha256(setup.chunk), setup.provider);
  const withStderr = (bytes: number) => ({
    ...body,
    results: [{ ...body.results[0]!, stderr_base64: randomBytes(bytes).toString('base64') }],
  });
  assert.ok(validate(MESSAGE_TYPES.results.schema, withStderr(MAX_WASI_STDERR_BYTES)).ok);
  const over = validate(MESSAGE_TYPES.results.schema, withStderr(MAX_WASI_STDERR_BYTES + 3));
  assert.ok(!over.ok && /stderr_base64/.test(over.error.message), over.ok ? 'taken' : over.error.message);
  const notBase64 = { ...body, results: [{ ...body.results[0]!, stderr_base64: 'not base64!' }] };
  assert.ok(!validate(MESSAGE_TYPES.results.schema, notBase64).ok);
});

test("a stderr sent with a result of a unit that is no WASI program's is refused: the result is taken without it, and verified", async () => {
  const setup = await requesterWithAcceptedUnit(executor);
  const { ctx, verdicts, acceptance, chunk } = setup;
  const body = await resultMessage(setup, sha256(chunk), setup.provider);
  const stderr = Buffer.from('a hash kernel writes no stderr\n');
  body.results[0]!.stderr_base64 = stderr.toString('base64');
  await verdicts.onResults(acceptance.provider_peer, body);
  const result = ctx.state.assignments.get(acceptance.assignment_id)?.result;
  assert.ok(result, 'the result is taken');
  assert.equal(result.stderr_cid, undefined);
  assert.equal(ctx.blobs.has(cidOfBytes(stderr)), false, 'the stderr is not stored');
  assert.ok(ctx.logged.some((line) => /the stderr of .* is refused: not a WASI unit/.test(line)));
  assert.equal(ctx.state.units.get(acceptance.unit_id)?.verdict, 'verified');
});

// A result that comes after its unit's verdict and carries another output, where the verdict did
// not rest on my own run (a proven provider's result accepted on its record): the requester runs
// the unit, and whichever side its run contradicts is convicted. A CI run once saw a liar's late
// result refunded with no conviction; and a late honest result is the only way a liar accepted
// unchecked can be found before the job ends.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { PROBATION_CHECKS } from '../../../src-main/core/verification/index.js';
import { cidOfBytes } from '../../../src-main/node/blobs/cid.js';
import { Executor } from '../../../src-main/node/exec/index.js';
import { loadKernel } from '../../../src-main/node/exec/kernels.js';
import { iso } from '../../../src-main/node/mesh/context/node-context.js';
import { acceptAsRequester } from './fixtures/fake-context.js';
import {
  BUDGET,
  JOB,
  newProvider,
  PRICE,
  requesterWithAcceptedUnit,
  resultMessage,
  sha256,
  UNIT,
} from './fixtures/accepted-unit.js';

const executor = Executor.start({ workers: 1 });
after(() => executor.close());

/**
 * A unit of a running job verified on its first provider's word: proven by earlier checks, and my
 * store without the module at the time (so no check could run); then the module comes, and a
 * second provider's result for the same unit comes after the verdict.
 */
async function verifiedOnRecord(firstOutput: (chunk: Uint8Array) => Uint8Array) {
  const setup = await requesterWithAcceptedUnit(executor, { moduleInStore: false, unitCount: 2 });
  const { ctx, verdicts, acceptance, chunk } = setup;
  const first = acceptance.provider_peer;
  const passed = Array.from({ length: PROBATION_CHECKS }, (_, i) => ({
    resultId: `earlier/${i}/result`,
    peer: first,
    matched: true,
  }));
  ctx.state.checks.apply('earlier/0', null, passed, iso(ctx.now()));
  await verdicts.onResults(first, await resultMessage(setup, firstOutput(chunk), setup.provider));
  await ctx.settled();
  const unit = ctx.state.units.get(UNIT)!;
  assert.equal(unit.verdict, 'verified', 'the setup: verified on the proven provider’s word');
  assert.equal(ctx.state.checks.truths.get(UNIT), undefined, 'the setup: without my own run');

  await ctx.blobs.put(loadKernel('hash'));
  const second = await newProvider();
  const late = await acceptAsRequester(ctx, {
    unitId: UNIT,
    jobId: JOB,
    provider: second.identity.peerId,
    price: PRICE,
    budget: BUDGET,
  });
  return { ...setup, first, second, lateAcceptance: late.acceptance };
}

test('a late result that contradicts a verdict accepted on its provider’s record is checked: its liar convicted, never paid', async () => {
  const setup = await verifiedOnRecord((chunk) => sha256(chunk));
  const { ctx, verdicts, chunk, first, second, lateAcceptance } = setup;
  const liar = second.identity.peerId;
  const wrong = await resultMessage({ ...setup, acceptance: lateAcceptance }, sha256(randomBytes(64)), second);
  await verdicts.onResults(liar, wrong);
  await ctx.settled();

  assert.equal(ctx.state.checks.isConvicted(liar), true, 'the late liar is convicted');
  assert.ok(ctx.emitted.some((e) => e.type === 'peer.caught_lying' && e.data['peer'] === liar));
  const assignment = ctx.state.assignments.get(lateAcceptance.assignment_id)!;
  assert.equal(assignment.escrow, 'refunded');
  assert.equal(assignment.refundReason, 'rejected');
  assert.equal(ctx.state.checks.isConvicted(first), false, 'the honest first provider is not');
  assert.equal(ctx.state.units.get(UNIT)?.consensusHash, cidOfBytes(sha256(chunk)), 'the verdict stands');
  await verdicts.stop();
});

test('a late honest result that contradicts a liar accepted on its record convicts the liar: the unit is decided again on my run, the honest result paid', async () => {
  const setup = await verifiedOnRecord(() => sha256(randomBytes(64)));
  const { ctx, verdicts, chunk, first, second, lateAcceptance } = setup;
  const honest = second.identity.peerId;
  const right = await resultMessage({ ...setup, acceptance: lateAcceptance }, sha256(chunk), second);
  await verdicts.onResults(honest, right);
  await ctx.settled();

  assert.equal(ctx.state.checks.isConvicted(first), true, 'the provider accepted on its record lied, and is convicted');
  assert.equal(ctx.state.checks.isConvicted(honest), false);
  const unit = ctx.state.units.get(UNIT)!;
  assert.equal(unit.verdict, 'verified');
  assert.equal(unit.consensusHash, cidOfBytes(sha256(chunk)), 'the output the user gets is my run’s');
  assert.equal(
    ctx.state.assignments.get(lateAcceptance.assignment_id)?.escrow,
    'paid',
    'the honest late result is paid',
  );
  assert.equal(ctx.state.assignments.get(setup.acceptance.assignment_id)?.escrow, 'refunded', 'the liar is not');
  await verdicts.stop();
});

// The requester's result intake, judgement and settlement (node/mesh/verdicts/verdicts.ts) against a fake
// context: a real state, ledger rules, receipts and sandbox, but no network and no journal file.
// The requester's journal holds what a real one does once an offer was accepted; the provider is
// a second real identity that signs its execution receipts as a provider does.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { WORKER_SHARE_BPS } from '../../../src-main/core/ledger/index.js';
import type { MessageBody } from '../../../src-main/core/protocol/messages.js';
import { verdictsIn } from '../../../src-main/core/schemas/index.js';
import { cidOfBytes } from '../../../src-main/node/blobs/cid.js';
import { Executor } from '../../../src-main/node/exec/index.js';
import { Requester } from '../../../src-main/node/mesh/requester/requester.js';
import { refundEvent } from '../../../src-main/node/mesh/settlement/ledger-events.js';
import {
  JOB,
  newProvider,
  PRICE,
  requesterWithAcceptedUnit,
  resultMessage,
  sha256,
  UNIT,
} from './fixtures/accepted-unit.js';

// The sandbox that runs the requester's own check of a unit (the hash kernel).
const executor = Executor.start({ workers: 1 });
after(() => executor.close());

const NOTHING: MessageBody<'settlement'> = { entries: [], receipts: [] };

test("a result whose receipt is another peer's, names another unit or requester, or does not cover it, is refused: nothing journaled, the escrow held", async () => {
  const setup = await requesterWithAcceptedUnit(executor);
  const { ctx, verdicts, acceptance, chunk } = setup;
  const journaled = ctx.recorded.length;
  const right = sha256(chunk);

  // The right output, but the receipt is signed by someone else than the provider that sends it.
  const stranger = await newProvider();
  const signedByStranger = await resultMessage(setup, right, stranger);
  assert.deepEqual(await verdicts.onResults(acceptance.provider_peer, signedByStranger), NOTHING);

  // The provider's own receipt for this assignment, but signing for another unit than the assignment's.
  const otherUnit = await resultMessage(setup, right, setup.provider);
  const signedOther = otherUnit.receipts[0]!.receipt;
  assert.ok(signedOther.kind === 'execution_batch');
  otherUnit.receipts = [
    (
      await setup.provider.receipts.next({
        kind: 'execution_batch',
        timestamp: signedOther.timestamp,
        requester_peer: signedOther.requester_peer,
        results: [{ ...signedOther.results[0]!, unit_id: `${acceptance.job_id}/999` }],
      })
    ).signed,
  ];
  assert.deepEqual(await verdicts.onResults(acceptance.provider_peer, otherUnit), NOTHING);

  // The provider's own receipt, right in every field, but for results sent to another requester.
  const forAnother = await resultMessage(setup, right, setup.provider);
  const sentFor = forAnother.receipts[0]!.receipt;
  assert.ok(sentFor.kind === 'execution_batch');
  const signedFor = await setup.provider.receipts.next({
    kind: 'execution_batch',
    timestamp: sentFor.timestamp,
    requester_peer: stranger.identity.peerId,
    results: sentFor.results,
  });
  forAnother.receipts = [signedFor.signed];
  assert.deepEqual(await verdicts.onResults(acceptance.provider_peer, forAnother), NOTHING);

  // A receipt that covers nothing of this message: the result rides on a receipt for other units.
  const uncovered = await resultMessage(setup, right, setup.provider);
  const receipt = uncovered.receipts[0]!.receipt;
  assert.ok(receipt.kind === 'execution_batch');
  const elsewhere = await setup.provider.receipts.next({
    kind: 'execution_batch',
    timestamp: receipt.timestamp,
    requester_peer: receipt.requester_peer,
    results: [{ ...receipt.results[0]!, assignment_id: `${acceptance.provider_peer}#9.9` }],
  });
  uncovered.receipts = [elsewhere.signed];
  assert.deepEqual(await verdicts.onResults(acceptance.provider_peer, uncovered), NOTHING);

  await ctx.settled();
  assert.equal(ctx.recorded.length, journaled, 'nothing journaled for either');
  const assignment = ctx.state.assignments.get(acceptance.assignment_id)!;
  assert.equal(assignment.result, undefined);
  assert.equal(assignment.escrow, 'held');
  assert.equal(ctx.ledger.escrow(acceptance.assignment_id)?.status, 'held');
  assert.equal(ctx.state.checks.outcomes.size, 0, 'not judged: no check ran');
  assert.deepEqual(ctx.sent, []);
  await verdicts.stop();
});

test('a right result of a provider on probation is checked against my own run, then verified and paid', async () => {
  const setup = await requesterWithAcceptedUnit(executor);
  const { ctx, verdicts, acceptance, chunk } = setup;
  const output = sha256(chunk);
  const outputCid = cidOfBytes(output);
  const item = await resultMessage(setup, output, setup.provider);
  const provider = acceptance.provider_peer;

  const reply = await verdicts.onResults(provider, item);
  await ctx.settled();

  // Checked: a new provider's every result is run again by me, and it matched.
  const [check] = ctx.recordedOf('unit.checked');
  assert.equal(check?.truth, outputCid, 'my own run of the unit is the sha256 of its chunk');
  assert.deepEqual(check?.matched, [`${item.results[0]!.assignment_id}/result`]);
  assert.deepEqual(ctx.state.checks.record(provider), { passed: 1, convicted: false });
  // Verified, its output in my store, and paid.
  const unit = ctx.state.units.get(UNIT)!;
  assert.equal(unit.verdict, 'verified');
  assert.equal(unit.consensusHash, outputCid);
  assert.deepEqual(unit.unchecked, [], 'checked, so paid now rather than held until the job completes');
  assert.ok(ctx.blobs.has(outputCid));
  const assignment = ctx.state.assignments.get(acceptance.assignment_id)!;
  assert.equal(assignment.result?.result_id, `${item.results[0]!.assignment_id}/result`);
  assert.equal(assignment.escrow, 'paid');
  assert.equal(ctx.ledger.escrow(acceptance.assignment_id)?.status, 'paid');
  assert.equal(ctx.ledger.balance(provider), (PRICE * WORKER_SHARE_BPS) / 10_000);
  // My verdict, signed and journaled; a settle needs no receipt behind it, so the reply carries none.
  const verdict = ctx.state.verificationOf(UNIT)!;
  assert.ok(verdict.receipt.kind === 'verification_batch');
  assert.equal(verdict.receipt.author, ctx.me);
  assert.deepEqual(
    verdict.receipt.verdicts.map((v) => [v.unit_id, v.verdict, v.agreeing]),
    [[UNIT, 'verified', [`${item.results[0]!.assignment_id}/result`]]],
  );
  assert.deepEqual(
    reply.entries.map((e) => [e.kind, e.assignment_id, e.kind === 'settle' ? e.worker_share_bps : undefined]),
    [['settle', acceptance.assignment_id, WORKER_SHARE_BPS]],
  );
  assert.deepEqual(reply.receipts, []);
  assert.deepEqual(ctx.sent, [], 'the provider hears in its reply, not in a second message');
  const emitted = ctx.emitted.map((e) => e.type);
  assert.ok(emitted.includes('unit.verified') && emitted.includes('job.completed'), emitted.join(', '));

  // Sent again (the provider restarted before it had my reply): the same answer, nothing journaled twice.
  const journaled = ctx.recorded.length;
  assert.deepEqual(await verdicts.onResults(provider, item), reply);
  assert.equal(ctx.recorded.length, journaled);
  await verdicts.stop();
});

test('a wrong result convicts its provider: refunded as rejected, the unit verified on my own run', async () => {
  const setup = await requesterWithAcceptedUnit(executor);
  const { ctx, verdicts, acceptance, chunk } = setup;
  const liar = acceptance.provider_peer;
  // A valid receipt, honestly signed by the provider, for an output that is not the chunk's sha256.
  const wrong = sha256(randomBytes(64));
  const item = await resultMessage(setup, wrong, setup.provider);

  const reply = await verdicts.onResults(liar, item);
  await ctx.settled();

  const truth = cidOfBytes(sha256(chunk));
  assert.equal(ctx.state.checks.isConvicted(liar), true);
  assert.equal(ctx.state.checks.convictions.get(liar)?.resultId, `${item.results[0]!.assignment_id}/result`);
  assert.ok(
    ctx.emitted.some((e) => e.type === 'peer.caught_lying' && e.data['peer'] === liar && e.data['unit_id'] === UNIT),
  );
  const assignment = ctx.state.assignments.get(acceptance.assignment_id)!;
  assert.equal(assignment.escrow, 'refunded');
  assert.equal(assignment.refundReason, 'rejected');
  assert.equal(ctx.ledger.balance(liar), 0, 'the liar is paid nothing');
  assert.equal(ctx.state.effectiveTrustIn(liar, ctx.now()), 0);
  // The unit is decided on my own output, and my signed verdict names the liar's result as dissenting:
  // what the provider needs to take the refund as rejected (settlement-intake.ts).
  const unit = ctx.state.units.get(UNIT)!;
  assert.equal(unit.verdict, 'verified');
  assert.equal(unit.consensusHash, truth);
  const signed = ctx.state.verificationOf(UNIT)!;
  const [verdict] = verdictsIn(signed.receipt);
  assert.deepEqual(verdict?.agreeing, []);
  assert.deepEqual(verdict?.dissenting, [`${item.results[0]!.assignment_id}/result`]);
  assert.deepEqual(
    reply.entries.map((e) => [e.kind, e.assignment_id, e.kind === 'refund' ? e.reason : undefined]),
    [['refund', acceptance.assignment_id, 'rejected']],
  );
  assert.deepEqual(
    reply.receipts.map((r) => r.sig),
    [signed.sig],
    'the refund as rejected goes with the verdict behind it',
  );
  await verdicts.stop();
});

test('a result that comes after its assignment was refunded is not taken', async () => {
  const setup = await requesterWithAcceptedUnit(executor);
  const { ctx, verdicts, acceptance, chunk } = setup;
  // Past its deadline: refunded as late, the unit gone back to the market.
  await ctx.record([refundEvent(ctx.now(), acceptance.assignment_id, 'late')]);
  const journaled = ctx.recorded.length;
  const item = await resultMessage(setup, sha256(chunk), setup.provider);

  const reply = await verdicts.onResults(acceptance.provider_peer, item);
  await ctx.settled();

  assert.equal(ctx.state.assignments.get(acceptance.assignment_id)!.result, undefined);
  assert.equal(ctx.recorded.length, journaled, 'neither the result nor its receipt journaled');
  assert.equal(ctx.state.units.get(UNIT)!.verdict, undefined, 'not judged on it');
  assert.equal(ctx.state.checks.outcomes.size, 0);
  // The reply tells the provider how its assignment closed.
  assert.deepEqual(
    reply.entries.map((e) => [e.kind, e.assignment_id, e.kind === 'refund' ? e.reason : undefined]),
    [['refund', acceptance.assignment_id, 'late']],
  );
  await verdicts.stop();
});

test('a result whose assignment is refunded while its receipt is being checked is not taken either', async () => {
  const setup = await requesterWithAcceptedUnit(executor);
  const { ctx, verdicts, acceptance, chunk } = setup;
  const item = await resultMessage(setup, sha256(chunk), setup.provider);

  // Its deadline passes between the result's arrival and its journaling: the refund is journaled first.
  const taking = verdicts.onResults(acceptance.provider_peer, item);
  await ctx.record([refundEvent(ctx.now(), acceptance.assignment_id, 'late')]);
  const reply = await taking;
  await ctx.settled();

  const assignment = ctx.state.assignments.get(acceptance.assignment_id)!;
  assert.equal(assignment.refundReason, 'late');
  assert.equal(assignment.result, undefined, 'the unit went back to the market: nobody judges this result');
  assert.equal(ctx.state.units.get(UNIT)!.verdict, undefined);
  assert.equal(ctx.state.checks.outcomes.size, 0);
  assert.deepEqual(
    reply.entries.map((e) => [e.kind, e.assignment_id]),
    [['refund', acceptance.assignment_id]],
  );
  await verdicts.stop();
});

test('a result that arrives as its deadline passes is taken or refunded as late, never both', async () => {
  // Taking it first: the deadline check made while its receipt is checked and it is journaled leaves it alone.
  const first = await requesterWithAcceptedUnit(executor);
  await first.verdicts.stop();
  const requester = new Requester(first.ctx, executor, { graceSeconds: 30, providerPipeline: 1 });
  const item = await resultMessage(first, sha256(first.chunk), first.provider);
  first.ctx.nowMs = Date.parse(first.acceptance.deadline) + 1;
  const taking = requester.onResults(first.acceptance.provider_peer, item);
  await requester.checkDeadlines();
  await taking;
  await first.ctx.settled();
  const taken = first.ctx.state.assignments.get(first.acceptance.assignment_id)!;
  assert.equal(taken.refundReason, undefined, 'not refunded as late');
  assert.equal(taken.result?.result_id, `${item.results[0]!.assignment_id}/result`);
  assert.equal(first.ctx.state.units.get(UNIT)!.verdict, 'verified');
  assert.equal(first.ctx.ledger.escrow(first.acceptance.assignment_id)?.status, 'paid', 'its output is used: paid');
  await requester.stop();

  // Refunding it first: the result that arrives while the refund is journaled is not taken.
  const second = await requesterWithAcceptedUnit(executor);
  await second.verdicts.stop();
  const other = new Requester(second.ctx, executor, { graceSeconds: 30, providerPipeline: 1 });
  second.ctx.nowMs = Date.parse(second.acceptance.deadline) + 1;
  const refunding = other.checkDeadlines();
  await other.onResults(
    second.acceptance.provider_peer,
    await resultMessage(second, sha256(second.chunk), second.provider),
  );
  await refunding;
  await second.ctx.settled();
  const refunded = second.ctx.state.assignments.get(second.acceptance.assignment_id)!;
  assert.equal(refunded.refundReason, 'late');
  assert.equal(refunded.result, undefined, 'the unit went back to the market: nobody judges this result');
  assert.equal(second.ctx.state.units.get(UNIT)!.verdict, undefined);
  await other.stop();
});

test('a result being taken as its job is cancelled is paid, not refunded as cancelled', async () => {
  const setup = await requesterWithAcceptedUnit(executor);
  const { ctx, acceptance } = setup;
  await setup.verdicts.stop();
  const requester = new Requester(ctx, executor, { graceSeconds: 30, providerPipeline: 1 });
  const item = await resultMessage(setup, sha256(setup.chunk), setup.provider);
  const taking = requester.onResults(acceptance.provider_peer, item);
  await requester.cancel(JOB);
  await taking;
  await ctx.settled();
  const assignment = ctx.state.assignments.get(acceptance.assignment_id)!;
  assert.equal(assignment.result?.result_id, `${item.results[0]!.assignment_id}/result`, 'the result was taken');
  assert.equal(assignment.refundReason, undefined, 'not refunded as cancelled');
  assert.equal(ctx.ledger.escrow(acceptance.assignment_id)?.status, 'paid', 'a delivered result is paid');
  // Its one unit verified while the cancel waited: the job completed, and a completed job is not cancelled.
  const job = ctx.state.jobs.get(JOB)!;
  assert.ok(job.cancelled || job.completedAt !== undefined);
  await requester.stop();
});

// The requester's checks begun when it accepts a unit (node/mesh/checks-ahead.ts), against the
// fake context of verdicts-fake.test.ts: my run of the unit starts beside the provider's, and the
// verdict on its result uses that run rather than running the unit again after it came.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { cidOfBytes } from '../../../src-main/node/blobs/cid.js';
import { Executor } from '../../../src-main/node/exec/index.js';
import { requesterWithAcceptedUnit, resultMessage, sha256, UNIT } from './fixtures/accepted-unit.js';

const executor = Executor.start({ workers: 1 });
after(() => executor.close());

/** The executor, counting the runs it is given and holding each until `release()`. */
function heldExecutor() {
  let runs = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const held = {
    run: async (request: Parameters<Executor['run']>[0]) => {
      runs++;
      await released;
      return executor.run(request);
    },
  } as unknown as Executor;
  return { held, runs: () => runs, release };
}

const aTurn = () => new Promise((resolve) => setImmediate(resolve));

test('a result of a provider on probation is run by me from its acceptance on, and its verdict uses that run: the unit runs once', async () => {
  const exec = heldExecutor();
  const setup = await requesterWithAcceptedUnit(exec.held);
  const { ctx, verdicts, acceptance, chunk } = setup;

  verdicts.accepted([acceptance]);
  await aTurn();
  assert.equal(exec.runs(), 1, 'my run began at the acceptance, before any result');

  const item = await resultMessage(setup, sha256(chunk), setup.provider);
  const replied = verdicts.onResults(acceptance.provider_peer, item);
  await aTurn();
  exec.release();
  const reply = await replied;
  await ctx.settled();

  assert.equal(exec.runs(), 1, 'the verdict waited for the run begun ahead; it did not run the unit again');
  const truth = cidOfBytes(sha256(chunk));
  const [check] = ctx.recordedOf('unit.checked');
  assert.equal(check?.truth, truth);
  assert.deepEqual(check?.matched, [`${acceptance.assignment_id}/result`]);
  assert.deepEqual(ctx.state.checks.record(acceptance.provider_peer), { passed: 1, convicted: false });
  assert.equal(ctx.state.units.get(UNIT)?.verdict, 'verified');
  assert.equal(ctx.state.assignments.get(acceptance.assignment_id)?.escrow, 'paid');
  assert.deepEqual(
    reply.entries.map((e) => [e.kind, e.assignment_id]),
    [['settle', acceptance.assignment_id]],
  );
  await verdicts.stop();
});

test('a wrong result is convicted by the run begun at its acceptance, and the unit is verified on that run', async () => {
  const exec = heldExecutor();
  const setup = await requesterWithAcceptedUnit(exec.held);
  const { ctx, verdicts, acceptance, chunk } = setup;
  const liar = acceptance.provider_peer;

  verdicts.accepted([acceptance]);
  exec.release();
  await aTurn();
  const item = await resultMessage(setup, sha256(randomBytes(64)), setup.provider);
  const reply = await verdicts.onResults(liar, item);
  await ctx.settled();

  assert.equal(exec.runs(), 1);
  assert.equal(ctx.state.checks.isConvicted(liar), true);
  assert.equal(ctx.state.units.get(UNIT)?.consensusHash, cidOfBytes(sha256(chunk)));
  assert.equal(ctx.state.assignments.get(acceptance.assignment_id)?.refundReason, 'rejected');
  assert.equal(ctx.ledger.balance(liar), 0, 'the liar is paid nothing');
  assert.deepEqual(
    reply.entries.map((e) => [e.kind, e.assignment_id]),
    [['refund', acceptance.assignment_id]],
  );
  await verdicts.stop();
});

test('a unit accepted again, or one I cannot run, is not run ahead twice or at all', async () => {
  const exec = heldExecutor();
  const setup = await requesterWithAcceptedUnit(exec.held);
  setup.verdicts.accepted([setup.acceptance]);
  setup.verdicts.accepted([setup.acceptance]);
  await aTurn();
  assert.equal(exec.runs(), 1, 'one run a unit');
  exec.release();
  await setup.verdicts.stop();

  const without = heldExecutor();
  const noModule = await requesterWithAcceptedUnit(without.held, { moduleInStore: false });
  noModule.verdicts.accepted([noModule.acceptance]);
  await aTurn();
  assert.equal(without.runs(), 0, 'the module is not in my store: nothing to run');
  without.release();
  await noModule.verdicts.stop();
});

// The requester's checks begun when it accepts a unit (node/mesh/verdicts/checks-ahead.ts), against the
// fake context of verdicts-fake.test.ts: my run of the unit starts beside the provider's, and the
// verdict on its result uses that run rather than running the unit again after it came.
import assert from 'node:assert/strict';
import { DEFAULT_MESH_POLICY } from '../../../src-main/core/circles/index.js';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { cidOfBytes } from '../../../src-main/node/blobs/cid.js';
import { Executor } from '../../../src-main/node/exec/index.js';
import { PROBATION_CHECKS } from '../../../src-main/core/verification/index.js';
import {
  BUDGET,
  hashUnit,
  JOB,
  PRICE,
  requesterWithAcceptedUnit,
  resultMessage,
  sha256,
  UNIT,
} from './fixtures/accepted-unit.js';
import { acceptAsRequester } from './fixtures/fake-context.js';
import type { Acceptance } from '../../../src-main/core/schemas/index.js';
import { MeshState, type JobRecord } from '../../../src-main/core/mesh/state/state.js';
import { ChecksAhead } from '../../../src-main/node/mesh/verdicts/checks-ahead.js';
import type { NodeContext } from '../../../src-main/node/mesh/context/node-context.js';
import type { Convictions } from '../../../src-main/node/mesh/verdicts/convictions.js';
import type { GroundTruth } from '../../../src-main/node/mesh/verdicts/ground-truth.js';

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

test('a provider on probation that holds back the results picked ahead is still checked on the others: its lie convicts it', async () => {
  const setup = await requesterWithAcceptedUnit(executor);
  const { ctx, verdicts, provider } = setup;
  const liar = setup.acceptance.provider_peer;
  // Five more units of the job, accepted from the same provider.
  const more = [];
  for (let i = 1; i <= PROBATION_CHECKS; i++) {
    const unit = hashUnit(`${JOB}/${i}`, JOB, setup.unit.module_cid!, await ctx.blobs.put(randomBytes(64)));
    await ctx.record([{ type: 'unit.created', unit }]);
    const { acceptance } = await acceptAsRequester(ctx, {
      unitId: unit.unit_id,
      jobId: JOB,
      provider: liar,
      price: PRICE,
      budget: BUDGET,
      n: i,
    });
    more.push({ unit, acceptance });
  }
  // Its first five are picked ahead (it is on probation); their results never come.
  verdicts.accepted([setup.acceptance, ...more.slice(0, PROBATION_CHECKS - 1).map((m) => m.acceptance)]);
  // A wrong result for the sixth: judged on its record with the results in hand, it is checked.
  const last = more.at(-1)!;
  const lie = await resultMessage({ ctx, ...last }, sha256(randomBytes(64)), provider);
  await verdicts.onResults(liar, lie);
  await ctx.settled();

  assert.equal(
    ctx.state.checks.isConvicted(liar),
    true,
    'convicted on its first result, not taken on a record of checks to come',
  );
  assert.equal(ctx.state.units.get(last.unit.unit_id)?.consensusHash, ctx.state.checks.truths.get(last.unit.unit_id));
  assert.equal(ctx.state.assignments.get(last.acceptance.assignment_id)?.refundReason, 'rejected');
  await verdicts.stop();
});

test('runs ahead are held up to their cap; those of a cancelled job give their places up', () => {
  // Two running jobs of mine, as the state's own rule reads them.
  const mine = new MeshState('me');
  const { jobs } = mine;
  for (const id of ['J', 'K']) jobs.set(id, { job: { requester: 'me' }, cancelled: false } as JobRecord);
  const units = new Map(['J/0', 'J/1', 'K/0', 'K/1'].map((id) => [id, { unit: { unit_id: id, job_id: id[0]! } }]));
  const ctx = {
    state: { units, jobs, checks: { truths: new Map() }, myRunningJob: (id: string) => mine.myRunningJob(id) },
    circles: { policyOf: () => DEFAULT_MESH_POLICY },
    log: () => {},
  } as unknown as NodeContext;
  const ran: string[] = [];
  const truth = {
    canRun: () => true,
    draw: () => 0, // every result picked
    run: (unit: { unit_id: string }) => (ran.push(unit.unit_id), Promise.resolve({ cid: `truth of ${unit.unit_id}` })),
  } as unknown as GroundTruth;
  const checks = { recordOf: () => ({ passed: 0, convicted: false }) } as unknown as Convictions;
  const ahead = new ChecksAhead(ctx, truth, checks, 2);
  const accept = (unit_id: string) =>
    ahead.accepted([{ unit_id, assignment_id: `p#${unit_id}`, provider_peer: 'p' } as Acceptance]);

  accept('J/0');
  accept('J/1');
  accept('K/0');
  assert.deepEqual(ran, ['J/0', 'J/1'], 'two held: the third is checked when its result comes');
  jobs.get('J')!.cancelled = true;
  accept('K/1');
  assert.deepEqual(ran, ['J/0', 'J/1', 'K/1'], "J's runs gave their places up");
  assert.equal(ahead.take('J/0'), undefined);
  assert.ok(ahead.take('K/1'));
});

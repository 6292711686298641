// A job says when its units wait for another provider's agreement: a result of a provider on
// probation that the requester cannot check itself (here: the unit's module is not in its store;
// in a render job, a shader tile) is not accepted on that provider's record alone, and without a
// second provider the unit would wait without a word. Against a fake context (fixtures/accepted-unit.ts).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Executor } from '../../../src-main/node/exec/index.js';
import { jobView } from '../../../src-main/node/mesh/views/job-view.js';
import { JOB, requesterWithAcceptedUnit, resultMessage, sha256, UNIT } from './fixtures/accepted-unit.js';

const executor = Executor.start({ workers: 1 });
after(() => executor.close());

test("a result the requester cannot check, from a provider on probation, leaves its unit waiting, and the job's view says so", async () => {
  const setup = await requesterWithAcceptedUnit(executor, { moduleInStore: false });
  const { ctx, verdicts, acceptance } = setup;
  await verdicts.onResults(acceptance.provider_peer, await resultMessage(setup, sha256(setup.chunk), setup.provider));
  await ctx.settled();

  assert.equal(ctx.state.units.get(UNIT)!.verdict, undefined, 'no verdict on an unproven, unchecked result');
  assert.deepEqual(ctx.recordedOf('unit.checked'), [], 'it could not be checked here');
  assert.equal(ctx.state.assignments.get(acceptance.assignment_id)!.escrow, 'held');
  assert.equal(verdicts.awaitingAgreement(JOB), 1);
  const view = jobView(ctx.state, ctx.state.jobs.get(JOB)!, { awaitingAgreement: verdicts.awaitingAgreement(JOB) });
  assert.equal(view.state, 'running');
  assert.equal(view.units_awaiting_agreement, 1);
  assert.equal(verdicts.awaitingAgreement('another-job'), 0);
  await verdicts.stop();
});

test('a result the requester can check is checked and decided: nothing waits', async () => {
  const setup = await requesterWithAcceptedUnit(executor);
  const { ctx, verdicts, acceptance } = setup;
  await verdicts.onResults(acceptance.provider_peer, await resultMessage(setup, sha256(setup.chunk), setup.provider));
  await ctx.settled();

  assert.equal(ctx.state.units.get(UNIT)!.verdict, 'verified');
  assert.equal(verdicts.awaitingAgreement(JOB), 0);
  assert.equal(jobView(ctx.state, ctx.state.jobs.get(JOB)!, { awaitingAgreement: 0 }).units_awaiting_agreement, 0);
  await verdicts.stop();
});

// A job whose budget runs short before its units are done: no offer fits what it has left. It used
// to wait, then be cancelled, and a cancelled job cannot go on. It now pauses, saying what budget
// it needs to finish, takes no offers and is offered to no provider, and goes on to complete once
// its user raises its budget.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { cidOfBytes } from '../../../src-main/node/blobs/cid.js';
import { formatCredits } from '../../../src-main/core/ledger/index.js';
import { ESTIMATE_SLACK } from '../../../src-main/core/scheduler/quote.js';
import { ApiError } from '../../../src-main/node/api/errors.js';
import { hashJob, jobEnded, meshOf, startNode, stopAndRemove, waitFor, type TestNode } from './cluster.js';

/** Units' prices, and the share more a budget needs for estimates that err. */
const slacked = (price: number) => price + Math.ceil(price * ESTIMATE_SLACK);

test("a job short of budget pauses, naming the budget it needs; raised to that, it completes; a budget under what it spent, or another's job, is refused", async (t) => {
  const nodes = [await startNode(), await startNode()];
  t.after(() => stopAndRemove(nodes));
  const [requester, provider] = nodes as [TestNode, TestNode];
  await meshOf(nodes);
  const { api } = requester;
  // 20 units at the provider's minimum price (10 millicredits, paid whole): the budget escrows 5;
  // each paid 9 to its worker (the verifier share stays with the job), about 45 in all: short.
  const { params, input, chunk } = hashJob(20, false, 1);
  const { job_id } = await api['jobs.submit']({ ...params, redundancy: 1, budget: 50 });
  // Beside it, 40 units in packs of 4, each pack at that price: the asking price is a pack's.
  const packed = (await api['jobs.submit']({ ...hashJob(40, false, 4).params, redundancy: 1, budget: 50 })).job_id;
  const pausedView = (id: string) =>
    waitFor(`job ${id} to pause`, async () => {
      const { job } = await api['jobs.status']({ job_id: id, units: false });
      return job.state === 'paused' ? job : undefined;
    });
  const [paused, packedPaused] = await Promise.all([pausedView(job_id), pausedView(packed)]);
  assert.equal(paused.units_verified, 5);
  // Each paid 9 (or held at 10, accepted unchecked, until the job completes: the provider's first
  // five results, of either job, are checked and paid at once).
  const committed = paused.held + paused.spent;
  assert.ok(committed >= 45 && committed <= 50, `${paused.held} held, ${paused.spent} spent`);
  // The 15 units left at 10 each, and a tenth more for estimates that err, over what it holds and spent.
  const needed = committed + slacked(150);
  assert.equal(paused.budget_needed, needed);
  const c = (n: number) => formatCredits(n);
  assert.equal(
    paused.waiting,
    `paused: its budget of 0.050 credits ran short (${c(committed)} held or spent): the cheapest offer asks 0.010 for a unit, over the ${c(50 - committed)} left. To finish it needs a budget of about ${c(needed)} (${c(needed - 50)} more) at that offer's rate: meshctl job budget ${job_id} ${c(needed)}, or Raise on its card in the UI`,
  );
  assert.match(
    packedPaused.waiting ?? '',
    /the cheapest offer asks 0\.010 for a pack of 4 units, over the 0\.00\d left/,
  );
  const packedCommitted = packedPaused.held + packedPaused.spent;
  assert.equal(packedPaused.budget_needed, packedCommitted + slacked(5 * 10), 'its 5 packs left at 10 each');

  // Paused, it takes nothing, and no provider is asked for it.
  await sleep(1500);
  const still = (await api['jobs.status']({ job_id, units: false })).job;
  assert.deepEqual([still.state, still.units_verified, still.held + still.spent], ['paused', 5, committed]);
  assert.ok(
    requester.node.requester.workRequests('trusted').every((request) => request.job_id !== job_id),
    'its units are in no work request',
  );

  // What a user might type that would do harm or nothing: each refused, the job as it was.
  const refusal = (call: Promise<unknown>) =>
    call.then(
      () => assert.fail('accepted'),
      (err: unknown) => (assert.ok(err instanceof ApiError, String(err)), err),
    );
  const under = await refusal(api['jobs.set_budget']({ job_id, budget: 40 }));
  assert.equal(under.code, 'bad_request');
  assert.match(
    under.message,
    new RegExp(`0\\.040 is under the ${c(committed)} credits job .* has held or spent already`),
  );
  assert.equal((await refusal(provider.api['jobs.set_budget']({ job_id, budget: 1_000 }))).code, 'not_found');
  assert.equal((await api['jobs.status']({ job_id, units: false })).job.state, 'paused');

  // Raised to what it said it needs, it goes on, and it completes within it.
  const raised = await api['jobs.set_budget']({ job_id, budget: paused.budget_needed });
  assert.equal(raised.job.budget, needed);
  assert.equal(raised.job.state, 'running');
  assert.equal(raised.job.budget_needed, null);
  const ended = await jobEnded(api, job_id, 60_000);
  assert.equal(ended.state, 'completed');
  assert.equal(ended.units_verified, 20);
  // Its results accepted unchecked are paid once it completes, a journal step after it: each at 9.
  const paid = await waitFor(
    'its held results to be paid',
    async () => {
      const { job } = await api['jobs.status']({ job_id, units: false });
      return job.held === 0 ? job : undefined;
    },
    10_000,
  );
  assert.equal(paid.spent, 20 * 9, 'each unit paid 9 to its worker');
  const { units = [] } = await api['jobs.status']({ job_id, units: true });
  for (const unit of units) {
    const bytes = input.subarray(unit.index * chunk, (unit.index + 1) * chunk);
    assert.equal(unit.output_cid, cidOfBytes(createHash('sha256').update(bytes).digest()), `unit ${unit.index}`);
  }
  // A job that has ended keeps the budget it ended with.
  assert.equal((await refusal(api['jobs.set_budget']({ job_id, budget: 2_000 }))).code, 'conflict');
  // The packed one, raised too, completes.
  await api['jobs.set_budget']({ job_id: packed, budget: packedPaused.budget_needed });
  assert.equal((await jobEnded(api, packed, 60_000)).units_verified, 40);
});

test('a paused job stays paused across a restart, and goes on once its budget is raised', async (t) => {
  const nodes = [await startNode(), await startNode()];
  t.after(() => stopAndRemove(nodes));
  await meshOf(nodes);
  const { job_id } = await nodes[0]!.api['jobs.submit']({ ...hashJob(12, false, 1).params, redundancy: 1, budget: 30 });
  await waitFor('the job to pause', async () =>
    (await nodes[0]!.api['jobs.status']({ job_id, units: false })).job.state === 'paused' ? true : undefined,
  );
  const { dataDir } = nodes[0]!;
  await nodes[0]!.node.stop();
  nodes[0] = await startNode({ dataDir });
  await meshOf(nodes);
  const after = (await nodes[0].api['jobs.status']({ job_id, units: false })).job;
  assert.equal(after.state, 'paused');
  assert.equal(
    after.budget_needed,
    after.held + after.spent + slacked(9 * 10),
    'the 9 units left at 10, over what it committed',
  );
  await nodes[0].api['jobs.set_budget']({ job_id, budget: after.budget_needed });
  assert.equal((await jobEnded(nodes[0].api, job_id, 60_000)).units_verified, 12);
});

// A job whose budget runs out before its units are done: no offer fits what is left, and the
// results accepted unchecked are held until the job ends. It used to wait for ever, "running",
// its provider's results never paid. It now waits for its user to raise the budget, saying so,
// and is ended after that wait, saying why, and what was delivered is paid.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { cidOfBytes } from '../../../src-main/node/blobs/cid.js';
import { ApiError } from '../../../src-main/node/api/errors.js';
import { hashJob, jobEnded, meshOf, startNode, stopAll, waitFor, type TestNode } from './cluster.js';

test('a job out of budget is cancelled, naming its budget and what was asked for a unit or a pack, and its delivered units are paid', async (t) => {
  const nodes = [await startNode({ outOfBudgetMs: 5_000 }), await startNode()];
  t.after(() => stopAll(nodes).then(() => nodes.forEach((n) => rmSync(n.dataDir, { recursive: true, force: true }))));
  const [requester, provider] = nodes as [TestNode, TestNode];
  await meshOf(nodes);
  // 20 units, each on its own at the provider's minimum price (10 millicredits): the budget covers 5.
  const { params } = hashJob(20, false, 1);
  const { job_id } = await requester.api['jobs.submit']({ ...params, redundancy: 1, budget: 50 });
  // Beside it, 40 units in packs of 4, each pack at that price: the asking price is a pack's.
  const packed = await requester.api['jobs.submit']({ ...hashJob(40, false, 4).params, redundancy: 1, budget: 50 });
  const [ended, packedEnded] = await Promise.all([
    jobEnded(requester.api, job_id, 60_000),
    jobEnded(requester.api, packed.job_id, 60_000),
  ]);
  assert.match(packedEnded.cancel_reason ?? '', /the cheapest offer asked 0\.010 for a pack of 4 units, over/);
  assert.equal(packedEnded.units_verified, 20);
  assert.equal(ended.state, 'cancelled');
  assert.match(
    ended.cancel_reason ?? '',
    /^its budget of 0\.050 credits ran out \(0\.050 held or spent\): the cheapest offer asked 0\.010 for a unit, over the 0\.000 left$/,
  );
  assert.equal(ended.units_verified, 5);
  assert.equal(ended.held, 0, 'nothing held: every unit delivered is paid');
  assert.ok(ended.spent > 0 && ended.spent <= 50, `spent ${ended.spent}, within the budget`);
  await waitFor('the provider to be paid for them', async () =>
    (await provider.api['ledger.get']({ limit: 0 })).held === 0 ? true : undefined,
  );
  assert.ok((await provider.api['ledger.get']({ limit: 0 })).balance > 0);
});

test("a job out of budget waits for its user, who raises its budget, and it completes; a budget under what it spent, or another's job, is refused", async (t) => {
  const nodes = [await startNode({ outOfBudgetMs: 600_000 }), await startNode()];
  t.after(() => stopAll(nodes).then(() => nodes.forEach((n) => rmSync(n.dataDir, { recursive: true, force: true }))));
  const [requester, provider] = nodes as [TestNode, TestNode];
  await meshOf(nodes);
  // 20 units at the provider's minimum price (10 millicredits): the budget covers 5.
  const { params, input, chunk } = hashJob(20, false, 1);
  const { job_id } = await requester.api['jobs.submit']({ ...params, redundancy: 1, budget: 50 });
  const waiting = await waitFor('the job to wait on its budget', async () => {
    const { job } = await requester.api['jobs.status']({ job_id, units: false });
    return job.waiting?.startsWith('out of budget') ? job : undefined;
  });
  assert.equal(waiting.state, 'running');
  assert.match(
    waiting.waiting ?? '',
    new RegExp(
      `Raise it before \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\(meshctl job budget ${job_id} <credits>, or Budget on its card in the UI\\), or the job is cancelled then`,
    ),
  );

  // What a user might type that would do harm or nothing: each refused, the job as it was.
  const refusal = (call: Promise<unknown>) =>
    call.then(
      () => assert.fail('accepted'),
      (err: unknown) => (assert.ok(err instanceof ApiError, String(err)), err),
    );
  const under = await refusal(requester.api['jobs.set_budget']({ job_id, budget: 40 }));
  assert.equal(under.code, 'bad_request');
  assert.match(under.message, /0\.040 is under the 0\.050 credits job .* has held or spent already/);
  assert.equal((await refusal(provider.api['jobs.set_budget']({ job_id, budget: 1_000 }))).code, 'not_found');
  assert.equal((await requester.api['jobs.status']({ job_id, units: false })).job.budget, 50);

  const raised = await requester.api['jobs.set_budget']({ job_id, budget: 1_000 });
  assert.equal(raised.job.budget, 1_000);
  const ended = await jobEnded(requester.api, job_id, 60_000);
  assert.equal(ended.state, 'completed');
  assert.equal(ended.units_verified, 20);
  assert.ok(ended.spent > 50 && ended.spent <= 1_000, `spent ${ended.spent}: past the first budget, within the second`);
  const { units = [] } = await requester.api['jobs.status']({ job_id, units: true });
  for (const unit of units) {
    const bytes = input.subarray(unit.index * chunk, (unit.index + 1) * chunk);
    assert.equal(unit.output_cid, cidOfBytes(createHash('sha256').update(bytes).digest()), `unit ${unit.index}`);
  }
  // A job that has ended keeps the budget it ended with.
  assert.equal((await refusal(requester.api['jobs.set_budget']({ job_id, budget: 2_000 }))).code, 'conflict');
});

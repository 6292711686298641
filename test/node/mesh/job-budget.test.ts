// A job whose budget runs out before its units are done: no offer fits what is left, and the
// results accepted unchecked are held until the job ends. It used to wait for ever, "running",
// its provider's results never paid; it is now ended, saying why, and what was delivered is paid.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { hashJob, jobEnded, meshOf, startNode, stopAll, waitFor, type TestNode } from './cluster.js';

test('a job out of budget is cancelled, naming its budget and what was asked for a unit or a pack, and its delivered units are paid', async (t) => {
  const nodes = [await startNode(), await startNode()];
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

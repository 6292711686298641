// A policy change takes effect on the next settlement of a running job, without a restart, in both
// ledgers (issue 90, item 7): a job in a circle pays its worker 90 % while the circle's policy says
// so; the members vote the worker share down to 80 % while the job is paused short of budget; raised,
// the job's next settlements pay 80 %, as the requester's journal and the provider's both record.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashJob, jobEnded, meshOf, startNode, stopAndRemove, waitFor, type TestNode } from '../mesh/cluster.js';

/** The worker shares of the settles closing `jobId`'s assignments, as `node`'s journal holds them, by assignment. */
function settledShares(node: TestNode, requester: TestNode, provider: TestNode, jobId: string): Map<string, number> {
  const ids = [...requester.node.state.assignments.values()]
    .filter((a) => a.acceptance.job_id === jobId)
    .map((a) => a.acceptance.assignment_id);
  const shares = new Map<string, number>();
  for (const { entries } of node.node.journal.ledger.closings(requester.node.peerId, provider.node.peerId, ids))
    for (const entry of entries) if (entry.kind === 'settle') shares.set(entry.assignment_id, entry.worker_share_bps);
  return shares;
}

test(
  'a changed worker share pays the next settlement of a running job, in both ledgers',
  { timeout: 120_000 },
  async (t) => {
    const nodes = [await startNode(), await startNode()];
    t.after(() => stopAndRemove(nodes));
    const [requester, provider] = nodes as [TestNode, TestNode];
    await meshOf(nodes);
    const { circle } = await requester.api['circles.create']({
      name: 'pair',
      members: [provider.node.peerId],
      policy: {},
    });
    const id = circle.circle_id;
    await waitFor('the provider joined', () => provider.node.circles.ids().includes(id) || undefined, 10_000);

    // 20 units at the provider's minimum price (10 millicredits): a budget of 50 escrows 5, then pauses.
    const { params } = hashJob(20, false, 1);
    const { job_id } = await requester.api['jobs.submit']({ ...params, redundancy: 1, budget: 50, circle: id });
    await waitFor('the job paused', async () => {
      const { job } = await requester.api['jobs.status']({ job_id, units: false });
      return job.state === 'paused' || undefined;
    });
    const before = settledShares(requester, requester, provider, job_id);
    assert.ok(before.size > 0, 'some units settled before the vote');
    assert.deepEqual(new Set(before.values()), new Set([9000]), 'at the default 90 %');

    // While it is paused, the members vote 80 % to the worker, 20 % to verifiers.
    const { proposal } = await requester.api['circles.propose']({
      circle_id: id,
      change: { policy: { rewards: { worker_pct: 80, verifier_pct: 20 } } },
      description: 'verifiers do more',
    });
    await waitFor(
      'the proposal at the provider',
      () => provider.node.circles.state(id).proposals.length === 1 || undefined,
      10_000,
    );
    for (const n of nodes)
      await n.api['circles.vote']({ circle_id: id, proposal_id: proposal.proposal_id, choice: 'approve' });
    await waitFor(
      '80 % on both',
      () => nodes.every((n) => n.node.circles.state(id).policy.rewards.worker_pct === 80) || undefined,
      10_000,
    );

    // Raised, the job goes on with no restart, and completes.
    await requester.api['jobs.set_budget']({ job_id, budget: 10_000 });
    const ended = await jobEnded(requester.api, job_id, 60_000);
    assert.equal(ended.state, 'completed');
    await waitFor(
      'every unit settled on both sides',
      () => nodes.every((n) => settledShares(n, requester, provider, job_id).size === 20) || undefined,
    );
    const mine = settledShares(requester, requester, provider, job_id);
    const theirs = settledShares(provider, requester, provider, job_id);
    assert.deepEqual(theirs, mine, 'both ledgers hold the same settles');
    for (const [assignment, share] of mine) assert.equal(share, before.has(assignment) ? 9000 : 8000, assignment);
    // The provider was paid 9 a unit before the vote and 8 after: its balance says so.
    const newer = [...mine.keys()].filter((a) => !before.has(a)).length;
    assert.equal(provider.node.journal.ledger.balance(provider.node.peerId), before.size * 9 + newer * 8);
  },
);

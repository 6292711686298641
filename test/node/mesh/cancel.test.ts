// A requester that cancels a job pays for the results it already has: a provider that ran a unit
// and returned it in time is not refunded out of its pay because the requester changed its mind
// (nor could it tell such a refund from a requester keeping a result it never paid for). Only the
// units still running or not yet started are refunded as cancelled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashJob, meshOf, startNode, stopAll, waitFor } from './cluster.js';

test('cancelling a job pays each result already delivered, at the requester and at the provider', async () => {
  const [requester, provider] = await Promise.all([startNode(), startNode({ workers: 2 })]);
  try {
    await meshOf([requester, provider]);
    // Two replicas a unit and one provider: each unit gets one result, which waits for a second.
    const units = 6;
    const { params } = hashJob(units, false, 1);
    const { job_id: jobId } = await requester.api['jobs.submit']({ ...params, redundancy: 2 });
    const delivered = await waitFor(
      'a result of every unit at the requester',
      () => {
        const inHand = [...requester.node.state.assignments.values()].filter((a) => a.result);
        return inHand.length === units ? inHand.map((a) => a.acceptance.assignment_id) : undefined;
      },
      30_000,
    );
    const { job } = await requester.api['jobs.cancel']({ job_id: jobId });
    assert.equal(job.state, 'cancelled');

    for (const id of delivered)
      assert.equal(requester.node.state.assignments.get(id)?.closing?.kind, 'settle', `requester paid ${id}`);
    // The provider hears it, and is paid for every result it returned.
    await waitFor(
      'the provider closed every assignment',
      () => delivered.every((id) => provider.node.state.assignments.get(id)?.escrow !== 'held') || undefined,
      20_000,
    );
    for (const id of delivered) {
      const assignment = provider.node.state.assignments.get(id)!;
      assert.equal(assignment.escrow, 'paid', `provider's ${id}: ${JSON.stringify(assignment.closing)}`);
    }
  } finally {
    await stopAll([requester, provider]);
  }
});

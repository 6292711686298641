// A provider's contribution history, live: after it computed units that were paid, its status
// shows them and the commitment it publishes carries them to the peers that follow it.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { hashJob, jobEnded, meshOf, startNode, stopAll, waitFor, type TestNode } from './cluster.js';

const nodes: TestNode[] = [];
after(() => stopAll(nodes));

test(
  'a provider that computed paid units publishes them in its commitment and shows them in its status',
  { timeout: 60_000 },
  async () => {
    nodes.push(await startNode(), await startNode());
    const [requester, provider] = nodes as [TestNode, TestNode];
    await meshOf(nodes);
    const before = (await provider.api.status({})).contribution;
    assert.equal(before.total_work_units_completed, 0);
    assert.equal(before.damping_factor, 1);

    const { params } = hashJob(6, false, 1);
    const { job_id } = await requester.api['jobs.submit']({ ...params, redundancy: 1 });
    assert.equal((await jobEnded(requester.api, job_id, 40_000)).state, 'completed');

    const mine = await waitFor('the settlements to reach the provider', async () => {
      const { contribution } = await provider.api.status({});
      return contribution.total_work_units_completed === 6 ? contribution : undefined;
    });
    assert.ok(mine.total_compute_hours > 0, 'its results took some time');
    assert.equal(mine.average_result_quality, 7 / 8, 'Beta mean of 6 paid, none rejected');
    assert.equal(mine.reliability_score, 7 / 8);
    // The requester follows the provider and hears it say so in its next commitment (heartbeat 2 s).
    const heard = await waitFor('the provider commitment to carry its history', () => {
      const history = requester.node.ctx.commitments.get(provider.node.peerId)?.contribution_history;
      return history?.total_work_units_completed === 6 ? history : undefined;
    });
    assert.equal(heard.total_compute_hours, mine.total_compute_hours);
    // The requester computed nothing: its own record is still empty.
    assert.equal((await requester.api.status({})).contribution.total_work_units_completed, 0);
  },
);

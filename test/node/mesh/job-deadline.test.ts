// A job's own deadline: no provider takes a unit past it, so a job unfinished then is cancelled,
// saying why, rather than left "running" for ever; a node that was down at the deadline cancels it
// as it starts; a deadline already past is refused at submit (job-limits.test.ts).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { hashJob, startNode, stopAll, waitFor, type TestNode } from './cluster.js';

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

test('a job unfinished at its deadline is cancelled then, saying why, also when the node was down at the time', async (t) => {
  const nodes: TestNode[] = [await startNode()];
  t.after(() => stopAll(nodes).then(() => rmSync(nodes[0]!.dataDir, { recursive: true, force: true })));
  // A node alone: nobody computes its units.
  const { params } = hashJob(4, false);
  const deadline = inMs(1_500);
  const { job_id } = await nodes[0]!.api['jobs.submit']({ ...params, deadline });
  const later = (await nodes[0]!.api['jobs.submit']({ ...params, deadline: inMs(60_000) })).job_id;
  assert.equal((await nodes[0]!.api['jobs.status']({ job_id, units: false })).job.state, 'running');
  const cancelled = await waitFor(
    'the job to be cancelled at its deadline',
    async () => {
      const { job } = await nodes[0]!.api['jobs.status']({ job_id, units: false });
      return job.state === 'cancelled' ? job : undefined;
    },
    10_000,
  );
  assert.equal(cancelled.cancel_reason, `its deadline, ${deadline}, passed before it finished`);
  assert.ok(Date.now() >= Date.parse(deadline), 'not before it');
  assert.equal((await nodes[0]!.api['jobs.status']({ job_id: later, units: false })).job.state, 'running');

  // Down at its deadline: cancelled as the node starts.
  const missed = (await nodes[0]!.api['jobs.submit']({ ...params, deadline: inMs(800) })).job_id;
  await nodes[0]!.node.stop();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  nodes[0] = await startNode({ dataDir: nodes[0]!.dataDir });
  const api = nodes[0].api;
  await waitFor('the missed job to be cancelled at start', async () =>
    (await api['jobs.status']({ job_id: missed, units: false })).job.state === 'cancelled' ? true : undefined,
  );
  assert.equal((await api['jobs.status']({ job_id: later, units: false })).job.state, 'running');
});

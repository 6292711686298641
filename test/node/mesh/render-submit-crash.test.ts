// A render submit answers before its later frames are estimated; a node killed (SIGKILL) while it
// estimates them keeps the job and the units it had journaled, and its next start estimates the
// rest from the submit it stored: the job loses nothing. Real child processes.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { sampleRenderSpec } from '../fixtures/sample-scene.js';
import { killAllChildren, meshctl, startChild, stopChild } from './child-nodes.js';
import { waitFor } from './cluster.js';

after(killAllChildren);

test(
  "a node killed while it estimates a render job's later frames makes the rest at its next start",
  {
    timeout: 120_000,
  },
  async () => {
    const node = await startChild();
    // 1,000 frames of 16 tiles: a first step of 16 frames (256 tiles), then steps of 62 (992); the
    // pre-pass of the rest takes seconds.
    // Exact tiles: grouped (they are tiny), each frame would be one unit.
    const spec = {
      ...sampleRenderSpec({ frames: 1000, side: 64, tile: 16, spp: 1, exactTiles: true }),
      manual_accept: true,
    };
    const { job_id: jobId, units } = await node.api.call('render.submit', spec);
    assert.equal(units, 16_000);
    const { job: answered } = await node.api.call('jobs.status', { job_id: jobId });
    assert.equal(answered.state, 'running');
    assert.ok(answered.units_created < 16_000, `still estimating when it answered (${answered.units_created} made)`);
    await stopChild(node, 'SIGKILL');

    const again = await startChild({ dataDir: node.dataDir });
    try {
      const { job: restarted } = await again.api.call('jobs.status', { job_id: jobId });
      assert.equal((restarted.units_created - 256) % 992, 0, `whole steps of frames kept (${restarted.units_created})`);
      const job = await waitFor(
        'the rest of its units',
        async () => {
          const status = (await again.api.call('jobs.status', { job_id: jobId })).job;
          return status.units_created === 16_000 ? status : undefined;
        },
        90_000,
      );
      assert.deepEqual([job.state, job.cancel_reason, job.units_total], ['running', null, 16_000]);
      // Each unit once: the units page ends where the job does.
      const { units: last } = await again.api.call('jobs.status', { job_id: jobId, units: true, units_from: 15_999 });
      assert.deepEqual(
        last!.map((u) => [u.unit_id, u.index]),
        [[`${jobId}/15999`, 15_999]],
      );
      const status = await meshctl(['job', 'status', jobId, '--data-dir', again.dataDir]);
      assert.equal(status.code, 0, status.stderr);
      assert.doesNotMatch(status.stdout, /cancelled|estimating/);
    } finally {
      await stopChild(again);
    }
  },
);

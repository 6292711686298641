// A render submit answers before its later frames are estimated; a node killed (SIGKILL) while it
// estimates them keeps the job and the units it had journaled, and its next start cancels the job,
// saying why, so that `job status` tells the user to submit it again. Real child processes.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { sampleRenderSpec } from '../fixtures/sample-scene.js';
import { killAllChildren, meshctl, startChild, stopChild } from './child-nodes.js';

after(killAllChildren);

test(
  'a node killed while it estimates a render job later frames cancels the job at its next start, saying why',
  {
    timeout: 120_000,
  },
  async () => {
    const node = await startChild();
    // 1,000 frames of 16 tiles: steps of 62 frames (992 tiles); the pre-pass of the rest takes seconds.
    const spec = { ...sampleRenderSpec({ frames: 1000, side: 64, tile: 16, spp: 1 }), manual_accept: true };
    const { job_id: jobId, units } = await node.api.call('render.submit', spec);
    assert.equal(units, 16_000);
    const { job: answered } = await node.api.call('jobs.status', { job_id: jobId });
    assert.equal(answered.state, 'running');
    assert.ok(answered.units_created < 16_000, `still estimating when it answered (${answered.units_created} made)`);
    await stopChild(node, 'SIGKILL');

    const again = await startChild({ dataDir: node.dataDir });
    try {
      const { job } = await again.api.call('jobs.status', { job_id: jobId });
      assert.equal(job.state, 'cancelled');
      assert.match(job.cancel_reason ?? '', /stopped before it had estimated every frame \(submit it again\)/);
      assert.ok(job.units_created >= 992 && job.units_created < 16_000, `${job.units_created} units kept`);
      assert.equal(job.units_created % 992, 0, 'whole steps of frames');
      const status = await meshctl(['job', 'status', jobId, '--data-dir', again.dataDir]);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /cancelled: the node stopped before it had estimated every frame/);
    } finally {
      await stopChild(again);
    }
  },
);

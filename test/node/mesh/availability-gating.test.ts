// Availability decides who gets work, across real nodes in child processes: a node outside its
// slots, or on battery with "pause on battery", is offered nothing; one inside its slot is.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { killAllChildren, startMesh, stopChild, type ChildNode } from './child-nodes.js';
import { waitFor } from './cluster.js';

after(killAllChildren);

const SAMPLE = 'assets/scenes/sample.json';

test(
  'a node outside its slots, or on battery with "pause on battery", gets no units; one in its slot does',
  { timeout: 120_000 },
  async () => {
    const nodes = await startMesh([{}, { env: { MESH_POWER_OVERRIDE: 'battery' } }, {}, {}]);
    const [a, onBattery, outside, open] = nodes as [ChildNode, ChildNode, ChildNode, ChildNode];
    const day = 24 * 3600_000;
    await outside.api.call('slots.add', {
      start_time: new Date(Date.now() + day).toISOString(),
      end_time: new Date(Date.now() + day + 3600_000).toISOString(),
      cpu_cores: 1,
      ram_gb: 1,
    });
    const paused = await waitFor(
      'both to say why they offer nothing',
      async () => {
        const [battery, slot] = await Promise.all([onBattery.api.call('status', {}), outside.api.call('status', {})]);
        return battery.availability.paused?.reason === 'on_battery' &&
          slot.availability.paused?.reason === 'outside_windows'
          ? [battery, slot]
          : undefined;
      },
      20_000,
    );
    assert.equal(paused[0]!.hardware?.power.on_battery, true);
    assert.equal(paused[0]!.availability.offering, false);

    const submitted = await a.api.call('render.submit', {
      scene: JSON.parse(readFileSync(SAMPLE, 'utf8')),
      first_frame: 0,
      last_frame: 0,
      width: 96,
      height: 64,
      spp: 2,
      tile: 32,
      budget: 100_000,
      manual_accept: true,
    });
    await waitFor(
      'offers from the node in its slot',
      async () =>
        (await a.api.call('offers.list', { job_id: submitted.job_id })).offers.some((o) => o.provider === open.peerId)
          ? true
          : undefined,
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 3000)); // more than one commitment heartbeat for the others to offer, if they would
    const offering = new Set(
      (await a.api.call('offers.list', { job_id: submitted.job_id })).offers.map((o) => o.provider),
    );
    assert.deepEqual([...offering], [open.peerId], 'only the node in its slot and on mains power offers');
    await a.api.call('offers.accept', { job_id: submitted.job_id, node_id: open.peerId });
    const done = await waitFor(
      'the job to complete',
      async () => {
        const { job } = await a.api.call('jobs.status', { job_id: submitted.job_id });
        return job.state === 'running' ? undefined : job;
      },
      60_000,
    );
    assert.equal(done.state, 'completed');
    for (const idle of [onBattery, outside])
      assert.equal(
        (await idle.api.call('events.since', { after: 0, limit: 10_000 })).events.filter(
          (e) => e.type === 'unit.started',
        ).length,
        0,
      );
    await Promise.all(nodes.map((n) => stopChild(n)));
  },
);

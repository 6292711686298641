// Renders of more tiles than the executor's queue holds, on a real executor: a render job's fuel
// pre-pass (one run per tile and frame: 61,000 for a 1,000-frame animation) and a frame rendered
// here (a 4K frame in 16-px tiles is 32,400). Each was refused with QueueFull when it queued all.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BlobStore } from '../../../src-main/node/blobs/index.js';
import { Executor } from '../../../src-main/node/exec/index.js';
import { renderFrameLocal } from '../../../src-main/node/render/local.js';
import { compileSceneJson } from '../../../src-main/core/render/index.js';
import { sampleRenderSpec, sampleSceneJson } from '../fixtures/sample-scene.js';
import { renderJobUnits } from './fixtures/render-units.js';

test(
  'a pre-pass of more runs than the executor queues is split with every tile estimated',
  { timeout: 120_000 },
  async () => {
    // 100 frames of 16 tiles: 1,700 runs (a pixel and 16 footprints a frame) against a queue of 1,000.
    const executor = Executor.start({ workers: 1, queueLimit: 1_000 });
    try {
      const spec = sampleRenderSpec({ frames: 100, side: 64, tile: 16, spp: 4, exactTiles: true });
      const blobs = new BlobStore(mkdtempSync(join(tmpdir(), 'mesh-prepass-')));
      const { job, units } = await renderJobUnits({ me: 'requester', blobs }, executor, spec);
      assert.equal(job.unit_count, 1_600);
      assert.equal(units.length, 1_600);
      for (const unit of units) assert.ok(unit.estimated_fuel! > 0, `${unit.unit_id} has a fuel estimate`);
      // The animation moves: tiles of the first and the last frame are not all estimated alike.
      const first = units.slice(0, 16).map((u) => u.estimated_fuel);
      const last = units.slice(-16).map((u) => u.estimated_fuel);
      assert.notDeepEqual(first, last);
    } finally {
      await executor.close();
    }
  },
);

test(
  'a frame of more tiles than the executor queues renders here, every tile in place',
  { timeout: 120_000 },
  async () => {
    // 128×128 in 4-px tiles: 1,024 tiles against a queue of 1,000.
    const executor = Executor.start({ workers: 1, queueLimit: 1_000 });
    const whole = Executor.start({ workers: 1 });
    try {
      const blob = compileSceneJson(sampleSceneJson(), 0);
      assert.ok(blob.ok);
      const request = { sceneBlob: blob.value, frame: 0, width: 128, height: 128, spp: 1, tile: 4, seed: 0 };
      const frame = await renderFrameLocal(executor, request);
      assert.equal(frame.tiles, 1_024);
      // The same frame in one tile: the same pixels (a tile's pixels do not depend on the tiling).
      const reference = await renderFrameLocal(whole, { ...request, tile: 128 });
      assert.deepEqual(frame.rgba, reference.rgba);
    } finally {
      await Promise.all([executor.close(), whole.close()]);
    }
  },
);

test(
  'a pre-pass big enough for a pool of its own estimates each tile as the node pool does',
  { timeout: 120_000 },
  async () => {
    // 64 frames of 64 tiles: 4,160 runs, past OWN_POOL_RUNS. A one-worker pool hands such a pre-pass
    // to a pool of one worker a core (where the machine has more); a pool of a worker a core keeps it.
    const spec = sampleRenderSpec({ frames: 64, side: 64, tile: 8, spp: 4, exactTiles: true });
    const fuelOn = async (workers: number) => {
      const executor = Executor.start({ workers });
      try {
        const blobs = new BlobStore(mkdtempSync(join(tmpdir(), 'mesh-prepass-')));
        const { units } = await renderJobUnits({ me: 'requester', blobs }, executor, spec);
        return units.map((unit) => [
          unit.params?.['frame'],
          unit.params?.['x'],
          unit.params?.['y'],
          unit.estimated_fuel,
        ]);
      } finally {
        await executor.close();
      }
    };
    const alone = await fuelOn(1);
    assert.equal(alone.length, 4_096);
    assert.deepEqual(alone, await fuelOn(availableParallelism()));
  },
);

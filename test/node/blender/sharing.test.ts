// A real node and Blender sharing: off by default (status says so, no Blender algorithm in its
// slots, and Blender is not even looked for); turned on, the node finds Blender in its sandbox and
// advertises `blender-cycles/<major.minor>` in its slots, and `status` says for whom; off again,
// the algorithm goes. The setting is journaled: a restarted node still has it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startNode, waitFor } from '../mesh/cluster.js';

const BLENDER = /^blender-cycles\/\d+\.\d+$/;
const advertised = (api: Awaited<ReturnType<typeof startNode>>) =>
  api.node
    .availability()
    .slots.flatMap((s) => s.algorithms.map((a) => a.algorithm_id))
    .filter((id) => BLENDER.test(id));

test('Blender sharing is off by default; on, the node advertises its Blender in its slots; off, it stops', async () => {
  const one = await startNode();
  let again: Awaited<ReturnType<typeof startNode>> | undefined;
  try {
    await waitFor('slots', () => one.node.availability().slots.length > 0, 120_000);
    const before = (await one.api.status({})).blender;
    assert.deepEqual(before, { sharing: false, min_trust: 0.8, state: 'off', algorithm: null, reason: null });
    assert.deepEqual(advertised(one), []);

    await one.api['settings.set']({ blender_sharing: true, blender_min_trust: 0.6 });
    const ready = await waitFor(
      'Blender found',
      async () => {
        const { blender } = await one.api.status({});
        return blender.state === 'probing' ? undefined : blender;
      },
      120_000,
    );
    assert.equal(ready.state, 'ready', ready.reason ?? '');
    assert.match(ready.algorithm!, BLENDER);
    assert.equal(ready.min_trust, 0.6);
    assert.deepEqual([...new Set(advertised(one))], [ready.algorithm]);

    await one.node.stop();
    again = await startNode({ dataDir: one.dataDir });
    assert.equal((await again.api['settings.get']({})).settings.blender_sharing, true, 'journaled');
    await again.api['settings.set']({ blender_sharing: false });
    assert.equal((await again.api.status({})).blender.state, 'off');
    assert.deepEqual(advertised(again), []);
  } finally {
    await (again ?? one).node.stop();
  }
});

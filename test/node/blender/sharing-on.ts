// A provider's Blender sharing switched for the tests of jobs across nodes.
import assert from 'node:assert/strict';
import { waitFor, type TestNode } from '../mesh/cluster.js';

/** Turns Blender sharing on (for peers trusted at 0.8 or more) or off; on, waits until the node advertises it. */
export async function blenderSharing(provider: TestNode, on: boolean): Promise<void> {
  await provider.api['settings.set']({ blender_sharing: on, blender_min_trust: 0.8 });
  if (!on) return;
  const status = await waitFor(
    'Blender found',
    async () => {
      const { blender } = await provider.api.status({});
      return blender.state === 'probing' ? undefined : blender;
    },
    120_000,
  );
  assert.equal(status.state, 'ready', status.reason ?? '');
}

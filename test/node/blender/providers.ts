// Providers as the tests of Blender jobs across nodes set them up: sharing switched on or off, a
// cheat whose Blender renders fewer samples than asked, a node without Blender, and a count of the
// preflights a provider's Blender runs.
import assert from 'node:assert/strict';
import { chmodSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isBlenderAlgorithm } from '../../../src-main/core/blender/algorithm.js';
import type { MeshNode } from '../../../src-main/node/mesh/wiring/mesh-node.js';
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

/**
 * Makes `provider` (sharing Blender already) a cheat: its Blender, a wrapper written in `dir`,
 * rewrites our `samples` to 1 before Debian's Blender runs.
 */
export function cheatOnSamples(provider: TestNode, dir: string, samples: number): void {
  const blender = realpathSync('/usr/bin/blender');
  const wrapper = join(dir, 'blender');
  writeFileSync(
    wrapper,
    `#!/usr/bin/bash\nargs=()\nfor a in "$@"; do args+=("\${a//cycles.samples = ${samples}/cycles.samples = 1}"); done\nexec ${blender} "\${args[@]}"\n`,
  );
  chmodSync(wrapper, 0o755);
  const real = provider.node.blender.sharedInstall()!;
  provider.node.blender.sharedInstall = () => ({ ...real, path: wrapper });
}

/**
 * Waits until `requester` holds `provider`'s commitment advertising Blender: until then a requester
 * without Blender has nobody to ask to read its scene ("none shares Blender with me").
 */
export async function seesBlenderOf(requester: MeshNode, provider: TestNode): Promise<void> {
  await waitFor(
    `${provider.node.peerId}'s Blender in its commitment`,
    () =>
      requester.ctx.commitments
        .get(provider.node.peerId)
        ?.availability_slots.some((slot) => slot.algorithms.some((a) => isBlenderAlgorithm(a.algorithm_id))),
    120_000,
  );
}

/** Makes `node` one without Blender, as a machine without it finds none: its probe says Blender is not on PATH. */
export function withoutBlender(node: TestNode): void {
  node.node.blender.find = () => Promise.resolve({ ok: false, reason: 'Blender is not on PATH' });
}

/** Counts the preflights `provider`'s Blender runs from now (each a Blender start, unless kept from a moment ago). */
export function countPreflights(provider: TestNode): { runs: number } {
  const count = { runs: 0 };
  const probe = provider.node.blender;
  const preflight = probe.preflight.bind(probe);
  probe.preflight = (blender, scene) => {
    count.runs++;
    return preflight(blender, scene);
  };
  return count;
}

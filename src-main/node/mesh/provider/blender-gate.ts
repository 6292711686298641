// A peer's request to read its scene (a `blender_preflight`), judged on the provider's side as its
// Blender units are (the Blender kind's refusal, node/kinds/blender): rendered only with Blender
// sharing on, for a requester I trust at or above my threshold (a convicted one never).
import { blenderGateOf, blenderUnitRefusal } from '../../../core/blender/algorithm.js';
import type { MeshState } from '../../../core/mesh/state/state.js';

/**
 * Why I refuse to read `requester`'s scene: sharing, its trust against my threshold, a working
 * Blender (`mine`). Any major.minor: a requester that asks has none of its own.
 */
export function preflightRefusal(state: MeshState, requester: string, mine: string | undefined): string | undefined {
  const trust = state.checks.isConvicted(requester) ? 0 : state.myTrustIn(requester);
  return blenderUnitRefusal(mine ?? '', blenderGateOf(state.settings, trust, mine));
}

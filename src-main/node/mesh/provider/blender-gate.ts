// Blender units, judged on the provider's side: rendered only with Blender sharing on, for a
// requester I trust at or above my threshold (my trust weight; a convicted one never), and of the
// Blender major.minor mine renders (core/blender/algorithm.ts). Offer rounds leave the others out,
// and an acceptance of one is refused: it is never run. A peer's request to read its scene (its
// preflight) is judged by the same gate.
import { blenderUnitRefusal, isBlenderAlgorithm, type BlenderGate } from '../../../core/blender/algorithm.js';
import type { MeshState } from '../../../core/mesh/state/state.js';
import type { ComputeCommitment, WorkUnit } from '../../../core/schemas/index.js';

/** Why I refuse `requester`'s `unit`, when it is a Blender unit I refuse; `mine`: the algorithm I advertise. */
export function blenderRefusal(
  state: MeshState,
  requester: string,
  unit: Pick<WorkUnit, 'algorithm_id'>,
  mine: string | undefined,
): string | undefined {
  if (!isBlenderAlgorithm(unit.algorithm_id)) return undefined;
  return blenderUnitRefusal(unit.algorithm_id, gateFor(state, requester, mine));
}

/**
 * Why I refuse to read `requester`'s scene (a `blender_preflight`), judged as its Blender units
 * are: sharing, its trust against my threshold, a working Blender. Any major.minor: a requester
 * that asks has none of its own.
 */
export function preflightRefusal(state: MeshState, requester: string, mine: string | undefined): string | undefined {
  return blenderUnitRefusal(mine ?? '', gateFor(state, requester, mine));
}

function gateFor(state: MeshState, requester: string, mine: string | undefined): BlenderGate {
  return {
    sharing: state.settings.blender_sharing,
    minTrust: state.settings.blender_min_trust,
    trust: state.checks.isConvicted(requester) ? 0 : state.myTrustIn(requester),
    mine,
  };
}

/** The requesters' commitments less the Blender units I would refuse them. */
export function withoutRefusedBlender(
  state: MeshState,
  commitments: readonly ComputeCommitment[],
  mine: string | undefined,
): ComputeCommitment[] {
  return commitments.map((commitment) => {
    const refused = (unit: WorkUnit) => blenderRefusal(state, commitment.peer_id, unit, mine) !== undefined;
    if (!commitment.work_requests.some((r) => r.work_units.some(refused))) return commitment;
    return {
      ...commitment,
      work_requests: commitment.work_requests.map((r) => ({
        ...r,
        work_units: r.work_units.filter((u) => !refused(u)),
      })),
    };
  });
}

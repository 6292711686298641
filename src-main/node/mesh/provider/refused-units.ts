// The units of requesters' commitments that my kinds refuse them (a kind's runtime.refusal: Blender's
// trust gate), left out before an offer round makes offers: an offer for one would be refused at its
// acceptance anyway.
import type { MeshState } from '../../../core/mesh/state/state.js';
import type { ComputeCommitment, WorkUnit } from '../../../core/schemas/index.js';
import type { Kinds } from '../../kinds/seam.js';

/** The requesters' commitments less the units my kinds would refuse them. */
export function withoutRefusedUnits(
  kinds: Kinds,
  state: MeshState,
  commitments: readonly ComputeCommitment[],
): ComputeCommitment[] {
  return commitments.map((commitment) => {
    const refused = (unit: WorkUnit) => kinds.refusal(state, commitment.peer_id, unit) !== undefined;
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

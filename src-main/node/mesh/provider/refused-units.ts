// The units of requesters' commitments that my kinds refuse them (a kind's runtime.refusal: Blender's
// trust gate), or that are a circle's I am not in with them, left out before an offer round makes
// offers: an offer for one would be refused at its acceptance anyway.
import type { ComputeCommitment, WorkUnit } from '../../../core/schemas/index.js';
import type { NodeContext } from '../context/node-context.js';

/** A unit outside any circle, or of one the requester and I are both members of. */
function inMyCircle(ctx: Pick<NodeContext, 'circles' | 'me'>, unit: WorkUnit, requester: string): boolean {
  const { circle } = unit;
  return circle === undefined || (ctx.circles.isMember(circle, ctx.me) && ctx.circles.isMember(circle, requester));
}

/** The requesters' commitments less the units my kinds would refuse them, and those of circles we do not share. */
export function withoutRefusedUnits(
  ctx: Pick<NodeContext, 'circles' | 'kinds' | 'me' | 'state'>,
  commitments: readonly ComputeCommitment[],
): ComputeCommitment[] {
  return commitments.map((commitment) => {
    const requester = commitment.peer_id;
    const refused = (unit: WorkUnit) =>
      ctx.kinds.refusal(ctx.state, requester, unit) !== undefined || !inMyCircle(ctx, unit, requester);
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

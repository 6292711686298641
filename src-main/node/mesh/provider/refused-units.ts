// The units of requesters' commitments that my kinds refuse them (a kind's runtime.refusal: Blender's
// trust gate), or that are a circle's I am not in with them or whose bond I do not hold, left out
// before an offer round makes offers: an offer for one would be refused at its acceptance anyway.
import type { ComputeCommitment, WorkUnit } from '../../../core/schemas/index.js';
import type { NodeContext } from '../context/node-context.js';

/**
 * A unit outside any circle, or of one the requester and I are both members of, while my balance
 * (what peers paid me less what I paid them) holds the credit its policy asks of a member that takes work.
 */
function inMyCircle(
  ctx: Pick<NodeContext, 'circles' | 'me'>,
  unit: WorkUnit,
  requester: string,
  balance: number,
): boolean {
  const { circle } = unit;
  if (circle === undefined) return true;
  const { circles, me } = ctx;
  return (
    circles.isMember(circle, me) &&
    circles.isMember(circle, requester) &&
    balance >= circles.policyOf(circle).bonding.min_credit
  );
}

/** The requesters' commitments less the units my kinds would refuse them, and those of circles we do not share. */
export function withoutRefusedUnits(
  ctx: Pick<NodeContext, 'circles' | 'kinds' | 'me' | 'state'>,
  commitments: readonly ComputeCommitment[],
): ComputeCommitment[] {
  let balance = 0;
  for (const paidMe of ctx.state.positions.values()) balance += paidMe;
  return commitments.map((commitment) => {
    const requester = commitment.peer_id;
    const refused = (unit: WorkUnit) =>
      ctx.kinds.refusal(ctx.state, requester, unit) !== undefined || !inMyCircle(ctx, unit, requester, balance);
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

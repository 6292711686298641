// The requester's deadline refunds: an assignment of mine past its deadline with no result in is
// refunded as `late` (counting against its provider), and its unit offered again. Not one whose
// result is being taken (claimed by the result intake, verdicts.ts), which is in.
import type { AssignmentRecord } from '../../../core/mesh/state/state.js';
import type { AssignmentClaims } from './assignment-claims.js';
import type { NodeContext } from '../context/node-context.js';
import { refundEvent } from '../settlement/ledger-events.js';
import { userUnits } from '../context/unit-events.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type DeadlineRefundsNeeds = Pick<NodeContext, 'commitmentChanged' | 'emit' | 'now' | 'record' | 'state'>;

export async function refundLate(
  ctx: DeadlineRefundsNeeds,
  claims: AssignmentClaims,
  after: {
    /** Tells the providers how these assignments closed. */
    tell: (late: readonly AssignmentRecord[]) => void;
    /** Their providers' pipelines have room again. */
    acceptSoon: () => void;
  },
): Promise<void> {
  const now = ctx.now();
  const past = [...ctx.state.inFlightAs('requester').values()].filter(
    (assignment) => Date.parse(assignment.acceptance.deadline) < now,
  );
  const claimed = claims.claim(past.map((assignment) => assignment.acceptance.assignment_id));
  const late = past.filter((assignment) => claimed.has(assignment.acceptance.assignment_id));
  if (late.length === 0) return;
  try {
    await ctx.record(late.map((assignment) => refundEvent(now, assignment.acceptance.assignment_id, 'late')));
  } finally {
    claims.release(claimed);
  }
  for (const { acceptance } of late)
    ctx.emit('unit.reoffered', {
      ...userUnits(ctx.state, acceptance.unit_id),
      provider: acceptance.provider_peer,
      reason: 'late',
    });
  after.tell(late);
  ctx.commitmentChanged();
  after.acceptSoon();
}

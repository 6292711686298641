// Results that came while their unit was being decided, or after its verdict: one that carries the
// verdict's output is paid, another is refunded as rejected (the verification receipt shows the
// verdict); but a tile judged within a tolerance (comparator) may differ from the verdict's bytes
// and be right, and nobody compared it: its refund is `cancelled` (the unit was decided without it).
import type { AssignmentRecord } from '../../../core/mesh/state/state.js';
import type { NodeContext } from '../context/node-context.js';
import { againstTruth, type Convictions } from './convictions.js';
import { refundEvent, settleEvent } from '../settlement/ledger-events.js';
import { isProvisional, priceOf } from '../settlement/pricing.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type LateResultsNeeds = Pick<NodeContext, 'now' | 'record' | 'state'>;

export async function closeLate(
  ctx: LateResultsNeeds,
  checks: Convictions,
  unitId: string,
  /** Tells the providers how these assignments closed. */
  tell: (late: readonly AssignmentRecord[]) => void,
): Promise<void> {
  const { state } = ctx;
  const record = state.units.get(unitId);
  const late = state
    .activeAssignments(unitId)
    .filter((a) => a.escrow === 'held' && a.result && !isProvisional(state, a));
  if (!record || late.length === 0) return;
  // A verdict that rests on my own run checks what comes after it: a contradiction convicts.
  const truth = state.checks.truths.get(unitId);
  if (truth) await checks.record(record.unit, truth, againstTruth(late, truth));
  const right = (a: AssignmentRecord) => record.verdict === 'verified' && a.result!.output_cid === record.consensusHash;
  const wrong = record.unit.verification?.kind === 'comparator' ? 'cancelled' : 'rejected';
  await ctx.record(
    late.map((a) =>
      right(a)
        ? settleEvent(a, priceOf(state, a), ctx.now())
        : refundEvent(ctx.now(), a.acceptance.assignment_id, record.verdict === 'verified' ? wrong : 'failed'),
    ),
  );
  tell(late);
}

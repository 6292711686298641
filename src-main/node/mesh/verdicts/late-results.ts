// Results that came while their unit was being decided, or after its verdict: one that carries the
// verdict's output is paid, another is refunded as rejected (the verification receipt shows the
// verdict); but a tile judged within a tolerance (comparator) may differ from the verdict's bytes
// and be right, and nobody compared it: its refund is `cancelled` (the unit was decided without it).
// A late result that dissents from a verdict my own run did not make is a dissent like any other:
// I run the unit, and whichever side my run contradicts is convicted (a liar that came late, or
// the provider whose output I had accepted on its record).
import type { AssignmentRecord } from '../../../core/mesh/state/state.js';
import type { WorkUnit } from '../../../core/schemas/index.js';
import type { NodeContext } from '../context/node-context.js';
import { againstTruth, type Convictions } from './convictions.js';
import type { TruthRun } from './ground-truth.js';
import { refundEvent, settleEvent } from '../settlement/ledger-events.js';
import { isProvisional, priceOf, splitOf } from '../settlement/pricing.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type LateResultsNeeds = Pick<NodeContext, 'circles' | 'now' | 'record' | 'state'>;

/** My run of a unit for a check of these providers' results; undefined where I cannot run it here. */
type RunForCheck = (unit: WorkUnit, peers: readonly string[]) => Promise<TruthRun | undefined> | undefined;

export async function closeLate(
  ctx: LateResultsNeeds,
  checks: Convictions,
  unitId: string,
  /** Tells the providers how these assignments closed. */
  tell: (late: readonly AssignmentRecord[]) => void,
  runForCheck: RunForCheck,
): Promise<void> {
  const { state } = ctx;
  const record = state.units.get(unitId);
  const late = state
    .activeAssignments(unitId)
    .filter((a) => a.escrow === 'held' && a.result && !isProvisional(state, a));
  if (!record || late.length === 0) return;
  // A verdict that rests on my own run checks what comes after it: a contradiction convicts.
  const comparedByTolerance = record.unit.verification?.kind === 'comparator';
  let truth = state.checks.truths.get(unitId);
  if (!truth && record.verdict === 'verified' && !comparedByTolerance && dissents(late, record.consensusHash)) {
    const agreeing = state.assignmentsOf(unitId).filter((a) => a.result?.output_cid === record.consensusHash);
    const involved = [...late, ...agreeing];
    const ran = await runForCheck(
      record.unit,
      involved.map((a) => a.acceptance.provider_peer),
    );
    if (ran) {
      await checks.record(record.unit, ran.cid, againstTruth(involved, ran.cid), ran.fuel);
      truth = ran.cid;
    }
  }
  if (truth) await checks.record(record.unit, truth, againstTruth(late, truth));
  // A conviction that reopened the unit leaves these results to its next decision (on my run).
  if (!state.units.get(unitId)?.verdict) return;
  const right = (a: AssignmentRecord) => record.verdict === 'verified' && a.result!.output_cid === record.consensusHash;
  const wrong = comparedByTolerance ? 'cancelled' : 'rejected';
  const open = late.filter((a) => state.assignments.get(a.acceptance.assignment_id)?.escrow === 'held');
  await ctx.record(
    open.map((a) =>
      right(a)
        ? settleEvent(a, priceOf(state, a), ctx.now(), splitOf(ctx, a).worker_bps)
        : refundEvent(ctx.now(), a.acceptance.assignment_id, record.verdict === 'verified' ? wrong : 'failed'),
    ),
  );
  tell(open);
}

/** Whether a late CPU result carries another output than the verdict's, compared byte for byte (not a tile within a tolerance). */
function dissents(late: readonly AssignmentRecord[], verdictHash: string | null | undefined): boolean {
  return late.some((a) => a.result!.device !== 'gpu' && a.result!.output_cid !== verdictHash);
}

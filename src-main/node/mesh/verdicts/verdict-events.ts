// What a verdict on a unit of mine journals (verdicts.ts): the `unit.verified` event, with the
// results that carry its output (those the judgement agreed on, and those my own run matched), and
// for each assignment whose escrow is held, whether it is paid, held until its job completes
// (accepted unchecked) or refunded. What is paid and held is journaled by the payments
// (payments.ts) beside these events.
import type { Vote } from '../../../core/consensus/index.js';
import type { AssignmentRecord, MeshState } from '../../../core/mesh/state/state.js';
import type { UnitRecord } from '../../../core/mesh/state/records.js';
import type { Judgement } from '../../../core/verification/index.js';
import type { NewEvent } from '../context/node-context.js';
import { refundEvent } from '../settlement/ledger-events.js';

/**
 * The verdict's events so far (the verdict, the refunds), its hash (null: failed), the results that
 * carry it, and the assignments it pays and those it holds. `active`: the unit's active assignments.
 */
export function verdictEvents(
  state: MeshState,
  now: () => number,
  unitId: string,
  record: Pick<UnitRecord, 'reopened'>,
  judgement: Extract<Judgement, { status: 'verified' | 'failed' }>,
  votes: readonly Vote[],
  active: readonly AssignmentRecord[],
  failedUnits: number,
): { hash: string | null; agreeing: string[]; events: NewEvent[]; paid: AssignmentRecord[]; held: AssignmentRecord[] } {
  const hash = judgement.status === 'verified' ? judgement.hash : null;
  // Results a check matched carry the output too, those that came after the judgement began included.
  const matched = active.flatMap(({ result }) =>
    result && state.checks.outcomes.get(result.result_id) === true ? [result.result_id] : [],
  );
  const agreeing = judgement.status === 'verified' ? [...new Set([...judgement.results, ...matched])] : [];
  const unchecked = judgement.status === 'verified' ? judgement.unchecked : [];
  const round = record.reopened ? `/${record.reopened}` : '';
  const events: NewEvent[] = [
    {
      type: 'unit.verified',
      event_id: `verdict/${unitId}${round}`,
      unit_id: unitId,
      verdict: hash ? 'verified' : 'rejected',
      consensus_hash: hash,
      agreeing_results: agreeing,
      unchecked_results: unchecked,
      ...(failedUnits > 0 ? { failed_units: failedUnits } : {}),
    },
  ];
  const judged = new Set(votes.map((v) => v.result_id));
  const [paid, held]: [AssignmentRecord[], AssignmentRecord[]] = [[], []];
  for (const assignment of active) {
    if (assignment.escrow !== 'held') continue;
    const resultId = assignment.result?.result_id;
    if (resultId && !judged.has(resultId) && !state.checks.outcomes.has(resultId)) continue; // came during this decision: closeLate
    if (resultId && agreeing.includes(resultId)) {
      // Accepted unchecked: held until the job completes, so that a later conviction can still refund it.
      (unchecked.includes(resultId) ? held : paid).push(assignment);
    } else {
      const reason = hash ? (resultId ? 'rejected' : 'cancelled') : 'failed';
      events.push(refundEvent(now(), assignment.acceptance.assignment_id, reason));
    }
  }
  return { hash, agreeing, events, paid, held };
}

// A requester cannot keep a verified result and refund it as rejected to avoid paying: a provider
// takes a refund as rejected of a result it returned only with the requester's own signed verdict
// against that result (core/ledger rejectionShown), sent with the settlement or before it; nor
// settle it for less than its fuel costs at the offer's rate; nor refund as cancelled or late a
// result it said it holds.
import { rejectionShown, settlePrice } from '../../../core/ledger/index.js';
import type { AssignmentRecord, MeshState } from '../../../core/mesh/state/state.js';
import type { SignedReceipt } from '../../../core/protocol/messages.js';
import { verdictsIn, type LedgerEntry, type Verdict } from '../../../core/schemas/index.js';
import { verifyCheckedReceipt } from '../../receipts/index.js';
import { termsOf } from './pricing.js';

/**
 * The entries of a settlement from requester `from` that close or reward my own assignments with
 * it: a settle or refund of an escrow still held (a settle at a share `shares` allows: its job's
 * circle's policy's, or one it had since the assignment), a reward on one paid, or settled in the
 * same message, and not rewarded before.
 */
export function entriesForMe(
  state: MeshState,
  me: string,
  from: string,
  entries: readonly LedgerEntry[],
  shares: (assignment: AssignmentRecord) => ReadonlySet<number>,
): LedgerEntry[] {
  const settling = new Set(entries.flatMap((e) => (e.kind === 'settle' ? [e.assignment_id] : [])));
  return entries.filter((entry) => {
    const assignment = state.assignments.get(entry.assignment_id);
    if (assignment?.acceptance.provider_peer !== me || assignment.acceptance.requester_peer !== from) return false;
    if (entry.kind === 'reward')
      return !assignment.reward && (assignment.escrow === 'paid' || settling.has(entry.assignment_id));
    if (entry.kind === 'settle' && !shares(assignment).has(entry.worker_share_bps)) return false;
    // A release is its requester's own: my escrow holds what the offer said until it is settled.
    return entry.kind !== 'escrow' && entry.kind !== 'release' && assignment.escrow === 'held';
  });
}

/**
 * Of `entries` (each already checked against my escrow), the assignments settled for less than my
 * own result's fuel costs at my offer's rate (core/ledger/metered.ts): an honest requester bills
 * the fuel that honest runs agree on, or its own run's, and mine is that.
 */
export function underpaidSettles(state: MeshState, entries: readonly LedgerEntry[]): Set<string> {
  const underpaid = new Set<string>();
  for (const entry of entries) {
    const assignment = state.assignments.get(entry.assignment_id)!;
    const { price } = assignment.acceptance;
    if (entry.kind !== 'settle') continue;
    const owed = settlePrice(termsOf(state, assignment), assignment.result ?? {}, [], undefined);
    if ((entry.amount ?? price) < owed) underpaid.add(entry.assignment_id);
  }
  return underpaid;
}

/** Of `entries` (each already checked against my escrow), the assignments refunded as rejected with no verdict of `from` against my result. */
export async function unbackedRefunds(
  state: MeshState,
  from: string,
  entries: readonly LedgerEntry[],
  receipts: readonly SignedReceipt[],
): Promise<Set<string>> {
  const suspect = entries.filter(
    (entry) =>
      entry.kind === 'refund' && entry.reason === 'rejected' && state.assignments.get(entry.assignment_id)?.result,
  );
  const unbacked = new Set<string>();
  if (suspect.length === 0) return unbacked;
  // The requester's verdicts: those it sent before, and those it sends now (signatures checked).
  const verdicts: Verdict[] = (state.receipts.get(from) ?? []).flatMap((r) => verdictsIn(r.receipt));
  for (const signed of receipts) {
    if (signed.receipt.author !== from) continue;
    const checked = await verifyCheckedReceipt(signed);
    if (checked.ok) verdicts.push(...verdictsIn(checked.receipt));
  }
  for (const entry of suspect)
    if (!rejectionShown(state.assignments.get(entry.assignment_id)!.result!, verdicts))
      unbacked.add(entry.assignment_id);
  return unbacked;
}

/**
 * Of `entries` (each already checked against my escrow), the assignments refunded as cancelled or
 * late whose result the requester said it holds (accepted unchecked, to be paid when its job
 * ends). No honest requester does that: a held result is paid when its job completes or is
 * cancelled, refunded as rejected, with its verdict, when a check convicts me, and a result in is
 * never late.
 */
export function refundedHeld(
  entries: readonly LedgerEntry[],
  /** When the requester said it holds my result of the assignment (held-results.ts); undefined if it did not. */
  heldSince: (assignmentId: string) => number | undefined,
): Set<string> {
  return new Set(
    entries.flatMap((entry) =>
      entry.kind === 'refund' &&
      (entry.reason === 'cancelled' || entry.reason === 'late') &&
      heldSince(entry.assignment_id) !== undefined
        ? [entry.assignment_id]
        : [],
    ),
  );
}

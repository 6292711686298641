// What a ledger entry does, or why it is refused. Pure: it reads a LedgerView and returns the
// effects; the in-memory ledger and the journal's SQL projection both apply exactly these.
import {
  BPS,
  LedgerEntrySchema,
  type EscrowEntry,
  type LedgerEntry,
  type RefundEntry,
  type SettleEntry,
} from '../schemas/index.js';
import type { Escrow, LedgerErrorCode, LedgerPlan, LedgerView, Transfer } from './types.js';

type Refusal = Extract<LedgerPlan, { ok: false }>;

function refuse(code: LedgerErrorCode, message: string): Refusal {
  return { ok: false, error: { code, message } };
}

// oxlint-disable-next-line typescript/consistent-return -- the switch covers every kind (TypeScript checks it): no path ends without a return
export function planLedgerEntry(view: LedgerView, entry: LedgerEntry): LedgerPlan {
  const parsed = LedgerEntrySchema.safeParse(entry);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse('invalid_entry', issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid entry');
  }
  const valid = parsed.data;
  if (view.hasEntry(valid.entry_id)) return refuse('duplicate_entry', `entry ${valid.entry_id} was already applied`);
  switch (valid.kind) {
    case 'escrow':
      return planEscrow(view, valid);
    case 'settle':
      return planSettle(view, valid);
    case 'refund':
      return planRefund(view, valid);
  }
}

function planEscrow(view: LedgerView, entry: EscrowEntry): LedgerPlan {
  if (view.escrow(entry.assignment_id)) {
    return refuse('duplicate_escrow', `assignment ${entry.assignment_id} already has an escrow`);
  }
  if (entry.requester === entry.worker) return refuse('self_dealing', 'a peer cannot pay itself');
  const committed = view.jobCommitted(entry.job_id);
  if (committed + entry.amount > entry.job_budget) {
    return refuse(
      'over_budget',
      `job ${entry.job_id}: ${committed} + ${entry.amount} exceeds its budget ${entry.job_budget}`,
    );
  }
  const { assignment_id, job_id, unit_id, requester, worker, amount } = entry;
  const escrow: Escrow = { assignment_id, job_id, unit_id, requester, worker, amount, status: 'held' };
  return { ok: true, effects: { entry, escrow, transfers: [], jobCommittedDelta: amount } };
}

/** The held escrow a settle or refund closes, or why it cannot: a unit is never paid twice. */
function heldEscrow(view: LedgerView, assignmentId: string): { ok: true; escrow: Escrow } | Refusal {
  const escrow = view.escrow(assignmentId);
  if (!escrow) return refuse('unknown_assignment', `no escrow for assignment ${assignmentId}`);
  if (escrow.status !== 'held')
    return refuse('already_settled', `assignment ${assignmentId} is already ${escrow.status}`);
  return { ok: true, escrow };
}

/** Verifiers must be distinct third parties: not the worker, not the requester. */
function verifierProblem(verifiers: readonly string[], escrow: Escrow): string | undefined {
  if (new Set(verifiers).size !== verifiers.length) return 'a verifier is listed twice';
  if (verifiers.includes(escrow.worker)) return 'the worker cannot verify its own result';
  if (verifiers.includes(escrow.requester)) return 'the requester cannot be paid as a verifier';
  return undefined;
}

interface Split {
  toWorker: number;
  toEachVerifier: number;
  /** The verifier share nobody earned (no verifiers): the requester keeps it. */
  unpaid: number;
}

/**
 * How an escrow of `amount` divides. BigInt keeps `amount * bps` exact beyond 2^53. Rounding
 * remainders go to the worker, so every millicredit paid is accounted for.
 */
export function splitPayment(amount: number, workerShareBps: number, verifierCount: number): Split {
  const workerShare = Number((BigInt(amount) * BigInt(workerShareBps)) / BigInt(BPS));
  const verifierShare = amount - workerShare;
  if (verifierCount === 0) return { toWorker: workerShare, toEachVerifier: 0, unpaid: verifierShare };
  const toEachVerifier = Math.floor(verifierShare / verifierCount);
  const remainder = verifierShare - toEachVerifier * verifierCount;
  return { toWorker: workerShare + remainder, toEachVerifier, unpaid: 0 };
}

function planSettle(view: LedgerView, entry: SettleEntry): LedgerPlan {
  const found = heldEscrow(view, entry.assignment_id);
  if (!found.ok) return found;
  const escrow = found.escrow;
  const problem = verifierProblem(entry.verifiers, escrow);
  if (problem) return refuse('invalid_verifiers', problem);

  const split = splitPayment(escrow.amount, entry.worker_share_bps, entry.verifiers.length);
  const payments: Array<[string, number]> = [
    [escrow.worker, split.toWorker],
    ...entry.verifiers.map((verifier): [string, number] => [verifier, split.toEachVerifier]),
  ];
  // Zero-credit payments (a 0% share, a tiny amount) move nothing, so they are not recorded.
  const transfers: Transfer[] = payments
    .filter(([, amount]) => amount > 0)
    .map(([to, amount]) => ({
      entry_id: entry.entry_id,
      assignment_id: entry.assignment_id,
      from: escrow.requester,
      to,
      amount,
    }));
  return {
    ok: true,
    effects: { entry, escrow: { ...escrow, status: 'paid' }, transfers, jobCommittedDelta: negate(split.unpaid) },
  };
}

/** -amount, but 0 rather than -0 for nothing (-0 would leak into stored rows and comparisons). */
function negate(amount: number): number {
  return 0 - amount;
}

function planRefund(view: LedgerView, entry: RefundEntry): LedgerPlan {
  const found = heldEscrow(view, entry.assignment_id);
  if (!found.ok) return found;
  const escrow = found.escrow;
  return {
    ok: true,
    effects: {
      entry,
      escrow: { ...escrow, status: 'refunded' },
      transfers: [],
      jobCommittedDelta: negate(escrow.amount),
    },
  };
}

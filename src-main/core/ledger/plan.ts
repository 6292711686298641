// What a ledger entry does, or why it is refused. Pure: it reads a LedgerView and returns the
// effects; the in-memory ledger and the journal's SQL projection both apply exactly these.
import {
  type EscrowEntry,
  type LedgerEntry,
  type RefundEntry,
  type ReleaseEntry,
  type RewardEntry,
  type SettleEntry,
} from '../schemas/index.js';
import { MIN_WORKER_SHARE_BPS, workerPart } from './shares.js';
import type { Escrow, LedgerEffects, LedgerError, LedgerErrorCode, LedgerPlan, LedgerView, Transfer } from './types.js';

type Refusal = Extract<LedgerPlan, { ok: false }>;

function refuse(code: LedgerErrorCode, message: string): Refusal {
  return { ok: false, error: { code, message } };
}

/**
 * What `entry` does, or why it is refused. Its shape was checked where it came in (an event or a
 * message from outside, at its schema; MemoryLedger's, at LedgerEntrySchema) or the node built it
 * typed: the rules here are the ledger's, not its shape's.
 */
// oxlint-disable-next-line typescript/consistent-return -- the switch covers every kind (TypeScript checks it): no path ends without a return
export function planLedgerEntry(view: LedgerView, entry: LedgerEntry): LedgerPlan {
  const escrow = view.escrow(entry.assignment_id);
  if (escrow && appliedBefore(escrow, entry))
    return refuse('duplicate_entry', `entry ${entry.entry_id} was already applied`);
  switch (entry.kind) {
    case 'escrow':
      return planEscrow(view, entry);
    case 'settle':
      return planSettle(escrow, entry);
    case 'reward':
      return planReward(view, escrow, entry);
    case 'refund':
      return planRefund(escrow, entry);
    case 'release':
      return planRelease(escrow, entry);
  }
}

/** Whether the assignment already has its entry of this kind (its id: ledgerEntryId). */
function appliedBefore(escrow: Escrow, entry: LedgerEntry): boolean {
  if (entry.kind === 'escrow') return true;
  if (entry.kind === 'reward') return escrow.rewarded;
  // A held escrow that holds no more than the release would leave: it was lowered so before.
  if (entry.kind === 'release') return escrow.status === 'held' && escrow.amount <= entry.amount;
  return escrow.status === (entry.kind === 'settle' ? 'paid' : 'refunded');
}

/** What a batch of entries does: those the ledger admits, in order, and those it refuses, with why. */
export interface BatchPlan {
  admitted: LedgerEffects[];
  refused: { entry: LedgerEntry; error: LedgerError }[];
}

/**
 * Plans each entry as if those admitted before it in the batch were applied (their effects laid
 * over `view`): a batch may hold an escrow and its settle. An entry applied before (in the view, or
 * earlier in the batch) is left out without a word, as a journaled event id is.
 */
export function planLedgerEntries(view: LedgerView, entries: readonly LedgerEntry[]): BatchPlan {
  const escrows = new Map<string, Escrow>();
  // Each job's committed credits, read from the view once a batch (a round's escrows are of one job).
  const committed = new Map<string, number>();
  const overlay: LedgerView = {
    escrow: (assignmentId) => escrows.get(assignmentId) ?? view.escrow(assignmentId),
    jobCommitted: (jobId) => committed.get(jobId) ?? view.jobCommitted(jobId),
  };
  const plan: BatchPlan = { admitted: [], refused: [] };
  for (const entry of entries) {
    const planned = planLedgerEntry(overlay, entry);
    if (!planned.ok) {
      if (planned.error.code !== 'duplicate_entry') plan.refused.push({ entry, error: planned.error });
      continue;
    }
    const { escrow, jobCommittedDelta } = planned.effects;
    escrows.set(escrow.assignment_id, escrow);
    committed.set(escrow.job_id, overlay.jobCommitted(escrow.job_id) + jobCommittedDelta);
    plan.admitted.push(planned.effects);
  }
  return plan;
}

function planEscrow(view: LedgerView, entry: EscrowEntry): LedgerPlan {
  if (entry.requester === entry.worker) return refuse('self_dealing', 'a peer cannot pay itself');
  const committed = view.jobCommitted(entry.job_id);
  if (committed + entry.amount > entry.job_budget) {
    return refuse(
      'over_budget',
      `job ${entry.job_id}: ${committed} + ${entry.amount} exceeds its budget ${entry.job_budget}`,
    );
  }
  const { assignment_id, job_id, unit_id, requester, worker, amount } = entry;
  const escrow: Escrow = { assignment_id, job_id, unit_id, requester, worker, amount, status: 'held', rewarded: false };
  return { ok: true, effects: { entry, escrow, transfers: [], jobCommittedDelta: amount, jobHeldDelta: amount } };
}

/** The held escrow a settle or refund closes, or why it cannot: a unit is never paid twice. */
function heldEscrow(escrow: Escrow | undefined, assignmentId: string): { ok: true; escrow: Escrow } | Refusal {
  if (!escrow) return refuse('unknown_assignment', `no escrow for assignment ${assignmentId}`);
  if (escrow.status !== 'held')
    return refuse('already_settled', `assignment ${assignmentId} is already ${escrow.status}`);
  return { ok: true, escrow };
}

function planSettle(current: Escrow | undefined, entry: SettleEntry): LedgerPlan {
  const found = heldEscrow(current, entry.assignment_id);
  if (!found.ok) return found;
  const escrow = found.escrow;
  // Billed by measured fuel, the price may be less than what was held; never more.
  const price = entry.amount ?? escrow.amount;
  if (price > escrow.amount)
    return refuse('over_escrow', `settle of ${price} exceeds the ${escrow.amount} held for ${entry.assignment_id}`);
  const toWorker = workerPart(price, entry.worker_share_bps);
  // A zero-credit payment (a 0% share, a tiny amount) moves nothing, so it is not recorded.
  const transfers: Transfer[] =
    toWorker > 0
      ? [
          {
            entry_id: entry.entry_id,
            assignment_id: entry.assignment_id,
            from: escrow.requester,
            to: escrow.worker,
            amount: toWorker,
          },
        ]
      : [];
  // The verifiers' share, and what the price left of the escrow, go back to the job (a reward pays
  // the share out). A paid escrow's amount is its price: verifier shares are of that.
  return {
    ok: true,
    effects: {
      entry,
      escrow: { ...escrow, amount: price, status: 'paid' },
      transfers,
      jobCommittedDelta: negate(escrow.amount - toWorker),
      jobHeldDelta: negate(escrow.amount),
    },
  };
}

/**
 * A reward is paid on the verifier's own assignment, which must be paid (its result was right). The
 * assignments it verified are checked where this ledger holds them (the requester's does; the
 * verifier's does not): the same unit and requester, another worker, paid, and the reward within
 * their verifier shares.
 */
function planReward(view: LedgerView, own: Escrow | undefined, entry: RewardEntry): LedgerPlan {
  if (!own) return refuse('unknown_assignment', `no escrow for assignment ${entry.assignment_id}`);
  if (own.status !== 'paid')
    return refuse('invalid_reward', `assignment ${entry.assignment_id} is ${own.status}, not paid`);
  let shares = 0;
  let allKnown = true;
  for (const id of entry.verified) {
    const other = view.escrow(id);
    if (!other) {
      allKnown = false;
      continue;
    }
    if (
      other.unit_id !== own.unit_id ||
      other.requester !== own.requester ||
      other.worker === own.worker ||
      other.status !== 'paid'
    )
      return refuse('invalid_reward', `assignment ${id} is not another worker's paid result for unit ${own.unit_id}`);
    // A circle's policy may leave verifiers up to 99 %: the bound is what its least worker share leaves.
    shares += other.amount - workerPart(other.amount, MIN_WORKER_SHARE_BPS);
  }
  if (allKnown && entry.amount > shares)
    return refuse('invalid_reward', `reward ${entry.amount} exceeds the verifier shares ${shares} of what it verified`);
  const transfer = {
    entry_id: entry.entry_id,
    assignment_id: entry.assignment_id,
    from: own.requester,
    to: own.worker,
    amount: entry.amount,
  };
  return {
    ok: true,
    effects: {
      entry,
      escrow: { ...own, rewarded: true },
      transfers: [transfer],
      jobCommittedDelta: entry.amount,
      jobHeldDelta: 0,
    },
  };
}

/** -amount, but 0 rather than -0 for nothing (-0 would leak into stored rows and comparisons). */
function negate(amount: number): number {
  return 0 - amount;
}

/** Lowers what a held escrow holds; what it no longer holds goes back to the job. */
function planRelease(current: Escrow | undefined, entry: ReleaseEntry): LedgerPlan {
  const found = heldEscrow(current, entry.assignment_id);
  if (!found.ok) return found;
  const escrow = found.escrow;
  const released = escrow.amount - entry.amount;
  return {
    ok: true,
    effects: {
      entry,
      escrow: { ...escrow, amount: entry.amount },
      transfers: [],
      jobCommittedDelta: negate(released),
      jobHeldDelta: negate(released),
    },
  };
}

function planRefund(current: Escrow | undefined, entry: RefundEntry): LedgerPlan {
  const found = heldEscrow(current, entry.assignment_id);
  if (!found.ok) return found;
  const escrow = found.escrow;
  return {
    ok: true,
    effects: {
      entry,
      escrow: { ...escrow, status: 'refunded' },
      transfers: [],
      jobCommittedDelta: negate(escrow.amount),
      jobHeldDelta: negate(escrow.amount),
    },
  };
}

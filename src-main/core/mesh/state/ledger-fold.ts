// How a journaled ledger entry moves the state: the assignment's escrow, what is held with each
// peer, what my jobs have committed, my position with each peer, and my contribution history.
import { workerPart } from '../../ledger/index.js';
import type { Outcome } from '../../trust/index.js';
import type { Acceptance, LedgerEntry } from '../../schemas/index.js';
import { countClosing, type ContributionCounts } from './contribution.js';
import type { HeldIndex } from './held-index.js';
import { heldOf, type AssignmentRecord } from './records.js';
import type { SharedValues } from './shared-values.js';

/** The parts of MeshState a ledger entry changes. */
export interface LedgerFolded {
  readonly me: string;
  readonly assignments: Map<string, AssignmentRecord>;
  /** Assignments whose escrow is held, by the other party. */
  readonly heldWith: Map<string, Set<string>>;
  /** What each job of mine has in escrow or paid. */
  readonly committed: Map<string, number>;
  /** My net position with each peer from settled units. */
  readonly positions: Map<string, number>;
  contribution: ContributionCounts;
}

export function foldLedgerEntry(
  state: LedgerFolded,
  held: HeldIndex,
  shared: SharedValues,
  entry: LedgerEntry,
  at: string,
  /** Counts a late provider's outcome in its reputation. */
  outcome: (peer: string, outcome: Outcome, at: string) => void,
): void {
  const assignment = state.assignments.get(entry.assignment_id);
  if (!assignment) return;
  trackCommitted(state, assignment, entry);
  if (entry.kind === 'reward') {
    assignment.reward = entry;
    transfer(state, assignment.acceptance.requester_peer, assignment.acceptance.provider_peer, entry.amount);
    return;
  }
  if (entry.kind === 'release') {
    // Still held, for less: nothing is paid or closed.
    if (assignment.escrow === 'held' && entry.amount < heldOf(assignment)) assignment.held = entry.amount;
    return;
  }
  if (!assignment.closing && assignment.acceptance.provider_peer === state.me)
    state.contribution = countClosing(state.contribution, entry, assignment.result);
  trackHeld(state, assignment.acceptance, entry.kind);
  held.track(assignment, entry.kind === 'escrow');
  if (entry.kind === 'escrow') {
    assignment.escrow = 'held';
    return;
  }
  shared.closing(entry, assignment.acceptance);
  assignment.closing = entry;
  if (entry.kind === 'settle') {
    assignment.escrow = 'paid';
    const { requester_peer: payer, provider_peer: worker } = assignment.acceptance;
    transfer(state, payer, worker, workerPart(entry.amount ?? heldOf(assignment), entry.worker_share_bps));
  } else {
    assignment.escrow = 'refunded';
    assignment.refundReason = entry.reason;
    const provider = assignment.acceptance.provider_peer;
    if (entry.reason === 'late' && provider !== state.me) outcome(provider, 'late', at);
  }
}

/** An escrow puts its assignment in `heldWith` under the other party; its settle or refund takes it out. */
function trackHeld(
  state: LedgerFolded,
  { assignment_id, requester_peer, provider_peer }: Acceptance,
  kind: LedgerEntry['kind'],
): void {
  const other = requester_peer === state.me ? provider_peer : requester_peer;
  const held = state.heldWith.get(other) ?? new Set<string>();
  if (kind === 'escrow') held.add(assignment_id);
  else held.delete(assignment_id);
  if (held.size > 0) state.heldWith.set(other, held);
  else state.heldWith.delete(other);
}

/**
 * What each job of mine has held and paid, as its ledger counts it (core/ledger/plan.ts,
 * `jobCommitted`): an escrow adds what it holds; a release gives back what it no longer holds; a
 * settle keeps of it only what went to the worker, the verifier share going back to the job until
 * a reward pays it out; a reward adds what it pays; a refund gives back what was held. Run before
 * the entry is folded into the assignment.
 */
function trackCommitted(state: LedgerFolded, assignment: AssignmentRecord, entry: LedgerEntry): void {
  const { acceptance } = assignment;
  if (acceptance.requester_peer !== state.me) return;
  const change = committedChange(assignment, entry);
  if (change !== 0) state.committed.set(acceptance.job_id, (state.committed.get(acceptance.job_id) ?? 0) + change);
}

/** How much an entry moves its job's committed credits. */
// oxlint-disable-next-line typescript/consistent-return -- the switch covers every kind (TypeScript checks it): no path ends without a return
function committedChange(assignment: AssignmentRecord, entry: LedgerEntry): number {
  const { acceptance, escrow, reward } = assignment;
  const held = heldOf(assignment);
  switch (entry.kind) {
    case 'escrow':
      return escrow ? 0 : acceptance.price;
    case 'release':
      return escrow === 'held' && entry.amount < held ? entry.amount - held : 0;
    case 'settle':
      return escrow === 'held' ? workerPart(entry.amount ?? held, entry.worker_share_bps) - held : 0;
    case 'reward':
      return reward ? 0 : entry.amount;
    case 'refund':
      return escrow === 'held' ? -held : 0;
  }
}

/** A payment, as it moves my position with the other party (the ledger's transfers, in memory). */
function transfer(state: LedgerFolded, from: string, to: string, amount: number): void {
  if (to === state.me && from !== state.me) state.positions.set(from, (state.positions.get(from) ?? 0) + amount);
  if (from === state.me && to !== state.me) state.positions.set(to, (state.positions.get(to) ?? 0) - amount);
}

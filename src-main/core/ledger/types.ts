// The ledger's contract, shared by the in-memory ledger (core) and the journal's SQL projection
// (node/journal): both ask `planLedgerEntry` what an entry does, then apply the same effects.
import type { LedgerEntry } from '../schemas/index.js';

type EscrowStatus = 'held' | 'paid' | 'refunded';

export interface Escrow {
  assignment_id: string;
  job_id: string;
  unit_id: string;
  requester: string;
  worker: string;
  /** What is held; once paid, the price its settle paid (at most what was held). */
  amount: number;
  status: EscrowStatus;
  /** Its reward (verifier shares) was paid: an assignment is rewarded once. */
  rewarded: boolean;
}

/** A movement of credit between two peers; balances are the sums of these, so they sum to zero. */
export interface Transfer {
  entry_id: string;
  assignment_id: string;
  from: string;
  to: string;
  amount: number;
}

/** What the planner needs to read; implemented over Maps (MemoryLedger) and over SQL (journal). */
export interface LedgerView {
  escrow(assignmentId: string): Escrow | undefined;
  /** Credits held plus credits paid for a job so far. */
  jobCommitted(jobId: string): number;
}

/** What an entry changes: the escrow row written (new or with its new status) and the transfers. */
export interface LedgerEffects {
  entry: LedgerEntry;
  escrow: Escrow;
  transfers: Transfer[];
  /** Change to the job's committed credits (held + paid). */
  jobCommittedDelta: number;
  /** Change to the job's credits held in escrows: an escrow's amount, less what a settle or refund closes. */
  jobHeldDelta: number;
}

export type LedgerErrorCode =
  /** The entry does not match its schema (e.g. a non-integer amount). */
  | 'invalid_entry'
  /** The assignment already has its entry of this kind (an entry's id is its kind and assignment). */
  | 'duplicate_entry'
  | 'unknown_assignment'
  | 'already_settled'
  /** A settle whose price is more than its escrow holds. */
  | 'over_escrow'
  | 'over_budget'
  | 'self_dealing'
  /** A reward on an assignment not paid, or beyond the verifier shares of what it names. */
  | 'invalid_reward';

export interface LedgerError {
  code: LedgerErrorCode;
  message: string;
}

export type LedgerPlan = { ok: true; effects: LedgerEffects } | { ok: false; error: LedgerError };

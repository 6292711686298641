// The records the node's state is made of (state.ts), apart from the class that folds them, so
// that what works on them (compaction.ts, the snapshot codec's parts) needs no import of the fold.
import type {
  Acceptance,
  FuelPrice,
  Job,
  JobInput,
  JobRefusal,
  Offer,
  Receipt,
  RefundEntry,
  RewardEntry,
  SettleEntry,
  WorkResult,
  WorkUnit,
} from '../../schemas/index.js';

/** What a unit's verdict changes; the rest of its record never changes. */
export interface UnitProgress {
  verdict?: 'verified' | 'rejected';
  consensusHash?: string | null;
  verifiedAt?: string;
  /** The results that carry the verdict's output. */
  agreeing?: readonly string[];
  /** Those accepted unchecked: their escrows are held until the job completes. */
  unchecked?: readonly string[];
  /** A verified pack's units that failed alike in every run (core/mesh/rules/packs.ts). */
  failedUnits?: number;
  /** Times the verdict was withdrawn (a provider it relied on was convicted); a reopened unit is checked. */
  reopened?: number;
}

export interface UnitRecord extends UnitProgress {
  unit: WorkUnit;
  requester: string;
  index: number;
}

export interface JobRecord {
  job: Job;
  /** Units journaled so far: `${job_id}/0` … `${job_id}/${created - 1}` (unitIdsOf). */
  created: number;
  /** Units with a verdict: the job is complete when every unit has one. */
  decided: number;
  /** A batched job's input, stored once (its units' inputs are slices of it). */
  input?: JobInput;
  submittedAt: string;
  cancelled: boolean;
  cancelledAt?: string;
  /** Why the node cancelled it, when its user did not (job.cancelled's `reason`). */
  cancelReason?: string;
  /** Paused short of budget (job.paused), until its budget is set anew: the budget it needs, and why. */
  paused?: { at: string; needed: number; reason: string };
  /** When the last unit reached a verdict. */
  completedAt?: string;
  /** A render job's finished frames: frame number → PNG blob CID. */
  frames: Map<number, string>;
  /** A composited Blender job's frames by the unit each was made from: unit index → frame number. */
  frameOfUnit?: Map<number, number>;
  /** Set once the job is compacted (compaction.ts): its units are no longer in the state (the counts stay). */
  summary?: JobSummary;
}

export interface AssignmentRecord {
  acceptance: Acceptance;
  escrow?: 'held' | 'paid' | 'refunded';
  refundReason?: RefundEntry['reason'];
  /** The settle or refund that closed the escrow. */
  closing?: SettleEntry | RefundEntry;
  /** What its escrow holds now, when a release lowered it under the acceptance's price (requester side). */
  held?: number;
  /** Verifier shares paid on this assignment after it settled (its result confirmed others'). */
  reward?: RewardEntry;
  result?: WorkResult;
  /** The journal's `at` of the acceptance. */
  acceptedAt: string;
  /** The seconds the provider's offer estimated. */
  estimatedSeconds?: number;
  /** The slot my offer took (provider side): while my unit runs it holds its share of that slot. */
  slotId?: string;
  /** The offer priced the unit by fuel at this rate: its price is a cap (core/ledger/metered.ts). */
  fuelPrice?: FuelPrice;
  /** The provider refused the acceptance, and why (requester side); its escrow was refunded. */
  refusal?: { reason: string; at: string };
}

/** What an assignment's escrow holds (or held, once closed): its price, or less once a release lowered it. */
export const heldOf = (assignment: AssignmentRecord): number => assignment.held ?? assignment.acceptance.price;

/**
 * Whether an assignment still holds its unit: not taken back, or taken back for a wrong result
 * (a unit taken back for anything else, late, handed back or cancelled, is the job's again).
 */
export const holdsItsUnit = (assignment: AssignmentRecord): boolean =>
  assignment.escrow !== 'refunded' || assignment.refundReason === 'rejected';

/** Whether an assignment's provider is at work on its unit now: taken, its escrow held, no result yet. */
export const isRunning = (assignment: AssignmentRecord): boolean => assignment.escrow === 'held' && !assignment.result;

export interface StoredReceipt {
  cid: string;
  receipt: Receipt;
  sig?: string;
}

/** What a compacted job of mine still shows: its units' outcomes and what it paid. */
export interface JobSummary {
  verified: number;
  failed: number;
  spent: number;
  /** The providers that refused its units, as its view listed them (none journaled before they were kept). */
  refusals?: JobRefusal[];
}

/** A class-held part of the state: its fields as plain data for a snapshot, and how to load them back. */
export interface SnapshotPart {
  toSnapshot(): unknown;
  restoreSnapshot(data: unknown): void;
}

/** The parts of the state compaction reads and prunes (MeshState has them all). */
export interface CompactableState {
  readonly me: string;
  readonly jobs: Map<string, JobRecord>;
  readonly units: { dropJob(jobId: string): void };
  readonly assignments: Map<string, AssignmentRecord>;
  readonly assignmentsByUnit: Map<string, string[]>;
  readonly offersByUnit: Map<string, Map<string, Offer>>;
  readonly offerReceivedAt: Map<string, number>;
  readonly resultsByOutput: Map<string, string[]>;
  readonly receipts: Map<string, StoredReceipt[]>;
  readonly checks: {
    readonly truths: Map<string, string>;
    readonly truthFuel: Map<string, number>;
    readonly outcomes: Map<string, boolean>;
  };
}

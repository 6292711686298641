// The node's working state, folded from its journal: apply every journaled event in order and
// you get the same state back, which is how a restarted node resumes. Pure: no I/O, no clock.
import { DEFAULT_SHARING_SETTINGS, type SharingSettings, type WeeklyWindow } from '../../availability/index.js';
import {
  effectiveTrust,
  emptyReputation,
  recordOutcome,
  reputationScore,
  withdrawOutcome,
  type Outcome,
  type Reputation,
} from '../../trust/index.js';
import { CheckBook } from './checks.js';
import { ReceiptIndex } from './receipt-index.js';
import { HeldIndex, type Side } from './held-index.js';
import { compactJob } from './compaction.js';
import { emptyContribution, type ContributionCounts } from './contribution.js';
import { foldLedgerEntry } from './ledger-fold.js';
import { foldAccepted, foldResult } from './assignment-fold.js';
import { foldReopened, foldVerdict } from './verdict-fold.js';
import { holdsItsUnit, type AssignmentRecord, type JobRecord, type StoredReceipt } from './records.js';
import { foldJobEvent } from './job-fold.js';
import { SharedValues } from './shared-values.js';
import { notePeer, type KnownPeer } from './known-peers.js';
import { unitIdOf, UnitTable } from './unit-table.js';
import type { AvailabilitySlot, NodeEvent, Offer, Policy, PriceSchedule, Receipt } from '../../schemas/index.js';

/** A job's unit ids, in order; none once it is compacted (its units left the state). */
export function* unitIdsOf(record: JobRecord, from = 0): Generator<string> {
  if (record.summary) return;
  for (let i = from; i < record.created; i++) yield unitIdOf(record.job.job_id, i);
}

/** The `peer.penalized` reason for a requester that refunded a result of mine as rejected without its verdict saying so. */
export const FALSE_REFUND = 'false_refund';
/** The `peer.penalized` reason for a requester that settled a result of mine for less than its fuel costs at my offer's rate. */
export const UNDERPAID = 'underpaid';

export type { AssignmentRecord, JobRecord, StoredReceipt } from './records.js';

export class MeshState {
  readonly jobs = new Map<string, JobRecord>();
  readonly units = new UnitTable();
  /** Offers received for my units (requester side), by unit. */
  readonly offersByUnit = new Map<string, Map<string, Offer>>();
  /** When each of those offers reached me (journal time, my clock: providers' clocks may differ). */
  readonly offerReceivedAt = new Map<string, number>();
  /**
   * My own offers from a journal written before 2026-11-23, until their acceptance is folded: a
   * provider's offers are no longer journaled (its acceptance journals their terms and slot).
   * Not saved in a snapshot.
   */
  readonly #legacyOffers = new Map<string, Offer>();
  readonly assignments = new Map<string, AssignmentRecord>();
  readonly assignmentsByUnit = new Map<string, string[]>();
  /** Assignments whose escrow is held, by the other party (the provider of mine, the requester of theirs). */
  readonly heldWith = new Map<string, Set<string>>();
  /** When each requester's units were accepted by me as provider (ms, journal order): what my policies count (the last 30 days). */
  readonly acceptedFrom = new Map<string, number[]>();
  /** Assignments by the output CID of their result. */
  readonly resultsByOutput = new Map<string, string[]>();
  readonly trust = new Map<string, { weight: number; updatedAt: string }>();
  /** One-off slots, and weekly windows, by id. */
  readonly slots = new Map<string, AvailabilitySlot>();
  readonly windows = new Map<string, WeeklyWindow>();
  settings: SharingSettings = DEFAULT_SHARING_SETTINGS;
  readonly peers = new Map<string, KnownPeer>();
  readonly reputation = new Map<string, Reputation>();
  /** My checks of providers' results against my own runs: records, outcomes, convictions. */
  readonly checks = new CheckBook();
  /** Receipt chains as far as the state needs them: mine, and others' verdicts (settlement-intake.ts). */
  readonly receipts = new Map<string, StoredReceipt[]>();
  /** What is looked up in `receipts`, rebuilt from it (reindex): a snapshot need not hold it. */
  #receiptIndex: ReceiptIndex;
  #held: HeldIndex;
  /** One copy of each value the records repeat (not saved: a restored state's records have their own). */
  readonly #shared = new SharedValues();
  /** What each job of mine has in escrow or paid (read it with committedTo). */
  readonly committed = new Map<string, number>();
  /** My net position with each peer from settled units: what it paid me minus what I paid it. */
  readonly positions = new Map<string, number>();
  /** Requesters' false settlements (FALSE_REFUND, UNDERPAID), until I set my trust in them again. */
  readonly falseRefunds = new Map<string, number>();
  /** Who may use my machine, and how much (core/policy): every acceptance of my compute passes them all. */
  policies: Policy[] = [];
  sharing = true;
  /** The prices I ask, once the user set them (else the node's defaults). */
  price: PriceSchedule | undefined;
  /** My offer rounds spoken for (rounds.reserved): the next starts after them. */
  roundsReserved = 0;
  /** My assignments as a provider, counted as each closes: my contribution history (contribution.ts). */
  contribution: ContributionCounts = emptyContribution();

  constructor(readonly me: string) {
    this.#receiptIndex = new ReceiptIndex(me, this.receipts);
    this.#held = new HeldIndex(me);
  }

  apply(event: NodeEvent): void {
    switch (event.type) {
      case 'peer.seen': {
        // A connection says nothing of a name: the one an invite told stays.
        const name = event.name ?? this.peers.get(event.peer_id)?.name;
        const seen = { name, addresses: event.addresses, lastSeen: event.at };
        notePeer(this.peers, event.peer_id, seen, (peer) => this.myTrustIn(peer) > 0);
        return;
      }
      case 'trust.set':
        this.trust.set(event.peer_id, { weight: event.weight, updatedAt: event.at });
        this.falseRefunds.delete(event.peer_id); // the person looked at this peer again: a fresh start
        return;
      case 'slot.put':
        this.slots.set(event.slot.slot_id, event.slot);
        return;
      case 'slot.removed':
        this.slots.delete(event.slot_id);
        return;
      case 'sharing.set':
        this.sharing = event.on;
        return;
      case 'job.submitted':
      case 'units.created':
      case 'job.budget_set':
      case 'job.paused':
      case 'job.cancelled':
      case 'unit.created':
        foldJobEvent(this, event);
        return;
      case 'job.compacted':
        compactJob(this, event.job_id, event.summary);
        this.committed.delete(event.job_id);
        this.reindex();
        return;
      case 'job.deleted': // its units stay: assignments, the ledger and receipts name them
        this.jobs.delete(event.job_id);
        return;
      case 'offer.recorded':
        if (event.offer.provider_peer === this.me) {
          this.roundsReserved = Math.max(this.roundsReserved, event.offer.round);
          if (!this.assignments.has(event.offer.offer_id)) this.#legacyOffers.set(event.offer.offer_id, event.offer);
        } else {
          let offers = this.offersByUnit.get(event.offer.unit_id);
          if (!offers) this.offersByUnit.set(event.offer.unit_id, (offers = new Map()));
          offers.set(event.offer.offer_id, event.offer);
          this.offerReceivedAt.set(event.offer.offer_id, Date.parse(event.at));
        }
        return;
      case 'rounds.reserved':
        this.roundsReserved = Math.max(this.roundsReserved, event.through);
        return;
      case 'offer.accepted':
        foldAccepted(this, this.#shared, this.#legacyOffers, event.acceptance, event.terms, event.at);
        return;
      case 'offers.accepted':
        for (const { acceptance, terms, unit } of event.accepted) {
          // A unit assigned to me (provider): its job is not mine, the requester is on the assignment.
          if (unit) {
            this.#shared.unit(unit);
            this.units.add({ unit, requester: '', index: -1 });
          }
          foldAccepted(this, this.#shared, this.#legacyOffers, acceptance, terms, event.at);
        }
        return;
      case 'acceptance.refused': {
        const assignment = this.assignments.get(event.assignment_id);
        if (assignment) assignment.refusal = { reason: event.reason, at: event.at };
        return;
      }
      case 'result.recorded':
        foldResult(this, this.#held, this.#shared, event.result);
        return;
      case 'results.recorded':
        for (const result of event.results) foldResult(this, this.#held, this.#shared, result);
        return;
      case 'unit.verified':
        foldVerdict(this, this.#shared, event, event.at, this.#countOutcome);
        return;
      case 'units.verified':
        for (const verdict of event.verdicts) foldVerdict(this, this.#shared, verdict, event.at, this.#countOutcome);
        return;
      case 'unit.checked': {
        const results = this.assignmentsOf(event.unit_id).flatMap(({ result }) => {
          if (!result) return [];
          const matched = event.matched.includes(result.result_id);
          if (!matched && !event.contradicted.includes(result.result_id)) return [];
          return [{ resultId: result.result_id, peer: result.computed_by_peer, matched }];
        });
        const fresh = results.filter(({ resultId }) => !this.checks.outcomes.has(resultId));
        this.checks.apply(event.unit_id, event.truth, results, event.at);
        // Counted once convicted: the conviction keeps the rejection, for a pardon to take back.
        for (const { peer, matched } of fresh) if (!matched) this.#countOutcome(peer, 'rejected', event.at);
        if (event.truth_fuel !== undefined) this.checks.truthFuel.set(event.unit_id, event.truth_fuel);
        return;
      }
      case 'peer.pardoned': {
        let reputation = this.reputation.get(event.peer_id);
        for (const at of this.checks.pardon(event.peer_id))
          if (reputation) reputation = withdrawOutcome(reputation, 'rejected', Date.parse(at));
        if (reputation) this.reputation.set(event.peer_id, reputation);
        return;
      }
      case 'unit.reopened':
        foldReopened(this, event);
        return;
      case 'receipt.stored':
        if (event.receipt.author === this.me) this.#shareMine(event.receipt);
        this.#receiptIndex.store(this.receipts, event);
        return;
      case 'ledger.entry':
        foldLedgerEntry(this, this.#held, this.#shared, event.entry, event.at, this.#countOutcome);
        return;
      case 'ledger.entries':
        for (const entry of event.entries)
          foldLedgerEntry(this, this.#held, this.#shared, entry, event.at, this.#countOutcome);
        return;
      case 'peer.penalized': // an offence of its own, not its conviction's: a pardon does not take it back
        this.#countOutcome(event.peer_id, 'rejected', event.at, false);
        if (event.reason === FALSE_REFUND || event.reason === UNDERPAID)
          this.falseRefunds.set(event.peer_id, (this.falseRefunds.get(event.peer_id) ?? 0) + 1);
        return;
      case 'frame.rendered': {
        const job = this.jobs.get(event.job_id);
        job?.frames.set(event.frame, event.png_cid);
        if (job && event.unit_index !== undefined) (job.frameOfUnit ??= new Map()).set(event.unit_index, event.frame);
        return;
      }
      case 'price.set':
        this.price = event.price;
        return;
      case 'window.put':
        this.windows.set(event.window.window_id, event.window);
        return;
      case 'window.removed':
        this.windows.delete(event.window_id);
        return;
      case 'settings.set':
        this.settings = event.settings;
        return;
      case 'policies.set':
        this.policies = event.policies;
        return;
    }
  }

  /** Rebuilds the private indexes from what they index: after a restore from a snapshot, and after a compaction. */
  reindex(): void {
    this.#receiptIndex = new ReceiptIndex(this.me, this.receipts);
    this.#held = new HeldIndex(this.me);
    for (const ids of this.heldWith.values()) for (const id of ids) this.#held.track(this.assignments.get(id)!, true);
  }

  /** A batch receipt of mine, kept with the state: its entries' values as the records they speak of. */
  #shareMine(receipt: Receipt): void {
    if (receipt.kind === 'execution_batch')
      for (const entry of receipt.results) {
        const assignment = this.assignments.get(entry.assignment_id);
        const unit = assignment && this.units.get(assignment.acceptance.unit_id)?.unit;
        this.#shared.executionEntry(entry, assignment?.acceptance, assignment?.result, unit);
      }
    else if (receipt.kind === 'verification_batch')
      for (const entry of receipt.verdicts) this.#shared.verdictEntry(entry, this.units.progressOf(entry.unit_id));
  }

  /** An outcome in the peer's reputation; a rejection of a convicted peer (its wrong results, its held ones refunded) is its conviction's. */
  readonly #countOutcome = (peer: string, outcome: Outcome, at: string, ofConviction = true): void => {
    this.reputation.set(peer, recordOutcome(this.reputation.get(peer) ?? emptyReputation(), outcome, Date.parse(at)));
    if (outcome === 'rejected' && ofConviction) this.checks.rejectionCounted(peer, at);
  };

  /**
   * Whether a job is a running job of mine: I submitted it, and it is neither cancelled nor
   * complete. Only such a job wants workers, has its deadline and budget watched, and can still
   * be cancelled.
   */
  isMyRunningJob(record: JobRecord): boolean {
    return record.job.requester === this.me && !record.cancelled && !record.completedAt;
  }

  /** My running jobs (isMyRunningJob), in the order they were submitted. */
  *myRunningJobs(): Generator<JobRecord> {
    for (const record of this.jobs.values()) if (this.isMyRunningJob(record)) yield record;
  }

  /** The job, if it is a running job of mine (isMyRunningJob). */
  myRunningJob(jobId: string): JobRecord | undefined {
    const record = this.jobs.get(jobId);
    return record && this.isMyRunningJob(record) ? record : undefined;
  }

  // Queries the requester and provider sides share.

  assignmentsOf(unitId: string): AssignmentRecord[] {
    return (this.assignmentsByUnit.get(unitId) ?? []).map((id) => this.assignments.get(id)!);
  }

  /** Assignments still working on a unit or done with it: everything not handed back, of providers not convicted. */
  activeAssignments(unitId: string): AssignmentRecord[] {
    return this.assignmentsOf(unitId).filter((assignment) => this.#active(assignment));
  }

  /** How many activeAssignments the unit has, without listing them (walked for every unit in flight). */
  activeCount(unitId: string): number {
    let count = 0;
    for (const id of this.assignmentsByUnit.get(unitId) ?? []) if (this.#active(this.assignments.get(id)!)) count++;
    return count;
  }

  #active(assignment: AssignmentRecord): boolean {
    return holdsItsUnit(assignment) && !this.checks.isConvicted(assignment.acceptance.provider_peer);
  }

  /** My verification receipt for a unit, if I decided it. */
  verificationOf(unitId: string): StoredReceipt | undefined {
    return this.#receiptIndex.verificationOf(unitId);
  }

  /** My execution receipt for an assignment of mine, once I journaled its result. */
  executionOf(assignmentId: string): StoredReceipt | undefined {
    return this.#receiptIndex.executionOf(assignmentId);
  }

  /** A peer's reputation with me at `nowMs`, in [0, 1] (0.5 for a peer I know nothing of). */
  reputationOf(peer: string, nowMs: number): number {
    return reputationScore(this.reputation.get(peer) ?? emptyReputation(), nowMs);
  }

  /** My assignments (provider side) on a requester's unit: unit ids are the requester's to choose, so two may share one. */
  myAssignmentsOn(requester: string, unitId: string): AssignmentRecord[] {
    return this.assignmentsOf(unitId).filter(
      ({ acceptance }) => acceptance.provider_peer === this.me && acceptance.requester_peer === requester,
    );
  }

  /** What a job of mine has in escrow or paid: its budget less this is what it may still spend. */
  committedTo(jobId: string): number {
    return this.committed.get(jobId) ?? 0;
  }

  /** My assignments on one side whose escrow is held, by id: `requester`, the providers' of my units; `provider`, those I run. */
  heldAs(side: Side): ReadonlyMap<string, AssignmentRecord> {
    return this.#held.held(side);
  }

  /** What the held escrows of `requester`'s units that I run come to (a sum kept, not walked). */
  heldFrom(requester: string): number {
    return this.#held.heldFrom(requester);
  }

  /** Of heldAs(side), those with no result yet: running, or on their way. */
  inFlightAs(side: Side): ReadonlyMap<string, AssignmentRecord> {
    return this.#held.inFlight(side);
  }

  myTrustIn(peer: string): number {
    return this.trust.get(peer)?.weight ?? 0;
  }

  /** The user's weight for a peer times its record with me; 0 once a check convicted it. */
  effectiveTrustIn(peer: string, nowMs: number): number {
    if (this.checks.isConvicted(peer)) return 0;
    return effectiveTrust(this.myTrustIn(peer), this.reputationOf(peer, nowMs));
  }
}

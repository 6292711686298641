// The node's working state, folded from its journal: apply every journaled event in order and
// you get the same state back, which is how a restarted node resumes. Pure: no I/O, no clock.
import { DEFAULT_SHARING_SETTINGS, type SharingSettings, type WeeklyWindow } from '../availability/index.js';
import {
  effectiveTrust,
  emptyReputation,
  recordOutcome,
  reputationScore,
  type Outcome,
  type Reputation,
} from '../trust/index.js';
import { CheckBook } from './checks.js';
import { compactJob } from './compaction.js';
import { countClosing, emptyContribution, type ContributionCounts } from './contribution.js';
import type { AssignmentRecord, JobRecord, StoredReceipt, UnitRecord } from './records.js';
import { workerPart } from '../ledger/index.js';
import type {
  Acceptance,
  AvailabilitySlot,
  PriceSchedule,
  LedgerEntry,
  NodeEvent,
  NodeEventOf,
  Offer,
  Policy,
} from '../schemas/index.js';

/** The `peer.penalized` reason for a requester that refunded a result of mine as rejected without its verdict saying so. */
export const FALSE_REFUND = 'false_refund';

export type { AssignmentRecord, JobRecord, StoredReceipt, UnitRecord } from './records.js';

export class MeshState {
  readonly jobs = new Map<string, JobRecord>();
  readonly units = new Map<string, UnitRecord>();
  /** Offers received for my units (requester side), by unit. */
  readonly offersByUnit = new Map<string, Map<string, Offer>>();
  /** When each of those offers reached me (journal time, my clock: providers' clocks may differ). */
  readonly offerReceivedAt = new Map<string, number>();
  /** Offers I made (provider side), by offer id. */
  readonly myOffers = new Map<string, Offer>();
  readonly assignments = new Map<string, AssignmentRecord>();
  readonly assignmentsByUnit = new Map<string, string[]>();
  /** Assignments whose escrow is held, by the other party (the provider of mine, the requester of theirs). */
  readonly heldWith = new Map<string, Set<string>>();
  /** When each requester's units were accepted by me as provider (ms, journal order): what my policies count. */
  readonly acceptedFrom = new Map<string, number[]>();
  /** Assignments by the output CID of their result. */
  readonly resultsByOutput = new Map<string, string[]>();
  readonly trust = new Map<string, { weight: number; updatedAt: string }>();
  /** One-off slots, and weekly windows, by id. */
  readonly slots = new Map<string, AvailabilitySlot>();
  readonly windows = new Map<string, WeeklyWindow>();
  settings: SharingSettings = DEFAULT_SHARING_SETTINGS;
  readonly peers = new Map<string, { name?: string; addresses: string[]; lastSeen: string }>();
  readonly reputation = new Map<string, Reputation>();
  /** My checks of providers' results against my own runs: records, outcomes, convictions. */
  readonly checks = new CheckBook();
  readonly receipts = new Map<string, StoredReceipt[]>();
  /** The CIDs in `receipts`: a receipt stored twice is kept once, without a search of its chain. */
  readonly receiptCids = new Set<string>();
  /** My net position with each peer from settled units: what it paid me minus what I paid it. */
  readonly positions = new Map<string, number>();
  /** Requesters' refunds as rejected that their verdicts did not back (FALSE_REFUND), until I set my trust in them again. */
  readonly falseRefunds = new Map<string, number>();
  /** Who may use my machine, and how much (core/policy): every acceptance of my compute passes them all. */
  policies: Policy[] = [];
  sharing = true;
  /** The prices I ask, once the user set them (else the node's defaults). */
  price: PriceSchedule | undefined;
  /** The highest round number among my offers. */
  lastRound = 0;
  /** My assignments as a provider, counted as each closes: my contribution history (contribution.ts). */
  contribution: ContributionCounts = emptyContribution();

  constructor(readonly me: string) {}

  apply(event: NodeEvent): void {
    switch (event.type) {
      case 'peer.seen':
        this.peers.set(event.peer_id, { name: event.name, addresses: event.addresses, lastSeen: event.at });
        return;
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
        if (!this.jobs.has(event.job.job_id))
          this.jobs.set(event.job.job_id, {
            job: event.job,
            unitIds: [],
            decided: 0,
            submittedAt: event.at,
            cancelled: false,
            frames: new Map(),
          });
        return;
      case 'job.compacted':
        compactJob(this, event.job_id, event.summary);
        return;
      case 'job.cancelled': {
        const job = this.jobs.get(event.job_id);
        if (job) job.cancelled = true;
        return;
      }
      case 'unit.created': {
        const job = this.jobs.get(event.unit.job_id);
        if (this.units.has(event.unit.unit_id)) return;
        // A provider journals the units it was assigned, without their job: the requester is on the assignment.
        this.units.set(event.unit.unit_id, {
          unit: event.unit,
          requester: job?.job.requester ?? '',
          index: job?.unitIds.length ?? -1,
        });
        job?.unitIds.push(event.unit.unit_id);
        return;
      }
      case 'offer.recorded':
        if (event.offer.provider_peer === this.me) {
          this.myOffers.set(event.offer.offer_id, event.offer);
          this.lastRound = Math.max(this.lastRound, event.offer.round);
        } else {
          let offers = this.offersByUnit.get(event.offer.unit_id);
          if (!offers) this.offersByUnit.set(event.offer.unit_id, (offers = new Map()));
          offers.set(event.offer.offer_id, event.offer);
          this.offerReceivedAt.set(event.offer.offer_id, Date.parse(event.at));
        }
        return;
      case 'offer.accepted': {
        const { acceptance } = event;
        if (this.assignments.has(acceptance.assignment_id)) return;
        const estimatedSeconds =
          this.offersByUnit.get(acceptance.unit_id)?.get(acceptance.offer_id)?.estimated_seconds ??
          this.myOffers.get(acceptance.offer_id)?.estimated_seconds;
        this.assignments.set(acceptance.assignment_id, {
          acceptance,
          acceptedAt: event.at,
          ...(estimatedSeconds !== undefined ? { estimatedSeconds } : {}),
        });
        const list = this.assignmentsByUnit.get(acceptance.unit_id);
        if (list) list.push(acceptance.assignment_id);
        else this.assignmentsByUnit.set(acceptance.unit_id, [acceptance.assignment_id]);
        this.offersByUnit.get(acceptance.unit_id)?.delete(acceptance.offer_id);
        this.offerReceivedAt.delete(acceptance.offer_id);
        if (acceptance.provider_peer === this.me) {
          const times = this.acceptedFrom.get(acceptance.requester_peer);
          if (times) times.push(Date.parse(event.at));
          else this.acceptedFrom.set(acceptance.requester_peer, [Date.parse(event.at)]);
        }
        return;
      }
      case 'acceptance.refused': {
        const assignment = this.assignments.get(event.assignment_id);
        if (assignment) assignment.refusal = { reason: event.reason, at: event.at };
        return;
      }
      case 'result.recorded': {
        const assignment = this.assignments.get(event.result.assignment_id);
        if (!assignment || assignment.result) return;
        assignment.result = event.result;
        const list = this.resultsByOutput.get(event.result.output_cid);
        if (list) list.push(event.result.assignment_id);
        else this.resultsByOutput.set(event.result.output_cid, [event.result.assignment_id]);
        return;
      }
      case 'unit.verified':
        this.#verdict(event);
        return;
      case 'unit.checked': {
        const results = this.assignmentsOf(event.unit_id).flatMap(({ result }) => {
          if (!result) return [];
          const matched = event.matched.includes(result.result_id);
          if (!matched && !event.contradicted.includes(result.result_id)) return [];
          if (!matched) this.#outcome(result.computed_by_peer, 'rejected', event.at);
          return [{ resultId: result.result_id, peer: result.computed_by_peer, matched }];
        });
        this.checks.apply(event.unit_id, event.truth, results, event.at);
        return;
      }
      case 'unit.reopened': {
        const record = this.units.get(event.unit_id);
        if (!record?.verdict) return;
        record.verdict = undefined;
        record.consensusHash = undefined;
        record.verifiedAt = undefined;
        record.agreeing = undefined;
        record.unchecked = undefined;
        record.reopened = (record.reopened ?? 0) + 1;
        const job = this.jobs.get(record.unit.job_id);
        if (!job) return;
        if (record.index >= 0) job.decided--;
        job.completedAt = undefined;
        // A render tile's frame was stitched with the withdrawn tile: it is assembled again once the tile is.
        job.frames.delete(Number(record.unit.params?.['frame']));
        return;
      }
      case 'receipt.stored': {
        if (this.receiptCids.has(event.cid)) return;
        this.receiptCids.add(event.cid);
        const chain = this.receipts.get(event.receipt.author);
        const stored = { cid: event.cid, receipt: event.receipt, sig: event.sig };
        if (!chain) this.receipts.set(event.receipt.author, [stored]);
        else chain.push(stored);
        return;
      }
      case 'ledger.entry':
        this.#ledger(event.entry, event.at);
        return;
      case 'peer.penalized':
        this.#outcome(event.peer_id, 'rejected', event.at);
        if (event.reason === FALSE_REFUND)
          this.falseRefunds.set(event.peer_id, (this.falseRefunds.get(event.peer_id) ?? 0) + 1);
        return;
      case 'frame.rendered':
        this.jobs.get(event.job_id)?.frames.set(event.frame, event.png_cid);
        return;
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

  #verdict(event: NodeEventOf<'unit.verified'>): void {
    const record = this.units.get(event.unit_id);
    if (!record || record.verdict) return;
    const hash = event.consensus_hash;
    record.verdict = event.verdict;
    record.consensusHash = hash;
    record.verifiedAt = event.at;
    const assignments = this.assignmentsOf(event.unit_id);
    record.agreeing =
      event.agreeing_results ??
      assignments.flatMap(({ result }) => (result && result.verification_hash === hash ? [result.result_id] : []));
    record.unchecked = event.unchecked_results ?? [];
    // Reputation: results that carry the verdict count as verified. Only a check convicts (unit.checked).
    for (const { result } of assignments) {
      if (result && record.agreeing.includes(result.result_id))
        this.#outcome(result.computed_by_peer, 'verified', event.at);
    }
    const job = this.jobs.get(record.unit.job_id);
    if (!job || record.index < 0) return; // a unit journaled before its job is not in its list
    // Counted, not searched: a job of a million units is checked in constant time at each verdict.
    if (++job.decided === job.unitIds.length) job.completedAt = event.at;
  }

  #ledger(entry: LedgerEntry, at: string): void {
    const assignment = this.assignments.get(entry.assignment_id);
    if (!assignment) return;
    if (entry.kind === 'reward') {
      assignment.reward = entry;
      this.#transfer(assignment.acceptance.requester_peer, assignment.acceptance.provider_peer, entry.amount);
      return;
    }
    if (!assignment.closing && assignment.acceptance.provider_peer === this.me)
      this.contribution = countClosing(this.contribution, entry, assignment.result);
    this.#trackHeld(assignment.acceptance, entry.kind);
    if (entry.kind === 'escrow') assignment.escrow = 'held';
    else if (entry.kind === 'settle') {
      assignment.escrow = 'paid';
      assignment.closing = entry;
      const { requester_peer: payer, provider_peer: worker, price } = assignment.acceptance;
      this.#transfer(payer, worker, workerPart(price, entry.worker_share_bps));
    } else {
      assignment.closing = entry;
      assignment.escrow = 'refunded';
      assignment.refundReason = entry.reason;
      const provider = assignment.acceptance.provider_peer;
      if (entry.reason === 'late' && provider !== this.me) this.#outcome(provider, 'late', at);
    }
  }

  /** An escrow puts its assignment in `heldWith` under the other party; its settle or refund takes it out. */
  #trackHeld({ assignment_id, requester_peer, provider_peer }: Acceptance, kind: LedgerEntry['kind']): void {
    const other = requester_peer === this.me ? provider_peer : requester_peer;
    const held = this.heldWith.get(other) ?? new Set<string>();
    if (kind === 'escrow') held.add(assignment_id);
    else held.delete(assignment_id);
    if (held.size > 0) this.heldWith.set(other, held);
    else this.heldWith.delete(other);
  }

  /** A payment, as it moves my position with the other party (the ledger's transfers, in memory). */
  #transfer(from: string, to: string, amount: number): void {
    if (to === this.me && from !== this.me) this.positions.set(from, (this.positions.get(from) ?? 0) + amount);
    if (from === this.me && to !== this.me) this.positions.set(to, (this.positions.get(to) ?? 0) - amount);
  }

  #outcome(peer: string, outcome: Outcome, at: string): void {
    this.reputation.set(peer, recordOutcome(this.reputation.get(peer) ?? emptyReputation(), outcome, Date.parse(at)));
  }

  // Queries the requester and provider sides share.

  assignmentsOf(unitId: string): AssignmentRecord[] {
    return (this.assignmentsByUnit.get(unitId) ?? []).map((id) => this.assignments.get(id)!);
  }

  /** Assignments still working on a unit or done with it: everything not handed back, of providers not convicted. */
  activeAssignments(unitId: string): AssignmentRecord[] {
    return this.assignmentsOf(unitId).filter(
      (assignment) =>
        (assignment.escrow !== 'refunded' || assignment.refundReason === 'rejected') &&
        !this.checks.isConvicted(assignment.acceptance.provider_peer),
    );
  }

  /** My verification receipt for a unit, if I decided it. */
  verificationOf(unitId: string): StoredReceipt | undefined {
    return this.receipts
      .get(this.me)
      ?.findLast((r) => r.receipt.kind === 'verification' && r.receipt.unit_id === unitId);
  }

  /** A peer's reputation with me at `nowMs`, in [0, 1] (0.5 for a peer I know nothing of). */
  reputationOf(peer: string, nowMs: number): number {
    return reputationScore(this.reputation.get(peer) ?? emptyReputation(), nowMs);
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

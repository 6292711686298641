// Ledger entries as the events that journal them: offers accepted, with the escrow each holds (both
// sides journal these), and how an escrow closes: settled to its worker, its verifiers rewarded,
// or refunded to the requester.
import type { AssignmentRecord } from '../../../core/mesh/state/state.js';
import type { Reward } from '../../../core/ledger/index.js';
import { chunks } from '../../../core/chunks.js';
import {
  ledgerEntryId,
  MAX_ACCEPTED_PER_EVENT,
  type Acceptance,
  type Offer,
  type OfferTerms,
  type RefundEntry,
  type WorkUnit,
} from '../../../core/schemas/index.js';
import { idsDigest, iso, type NewEvent } from '../context/node-context.js';

/**
 * The ledger entry that pays a verified result its worker's share of `price` (its job's circle's
 * policy's: pricing.ts workerShareOf; verifierRewards pays the rest); a price under the escrow
 * gives the remainder back with it.
 */
export function settleEvent(
  assignment: AssignmentRecord,
  price: number,
  nowMs: number,
  workerShareBps: number,
): NewEvent {
  const id = assignment.acceptance.assignment_id;
  return {
    type: 'ledger.entry',
    event_id: `ledger/settle/${id}`,
    entry: {
      kind: 'settle',
      entry_id: ledgerEntryId('settle', id),
      assignment_id: id,
      ...(price < assignment.acceptance.price ? { amount: price } : {}),
      worker_share_bps: workerShareBps,
      at: iso(nowMs),
    },
  };
}

/**
 * The ledger entry that lowers what an assignment holds to `amount`, what its settle will pay at
 * most: a result billed by fuel and accepted unchecked, held until its job completes.
 */
export function releaseEvent(assignment: AssignmentRecord, amount: number, nowMs: number): NewEvent {
  const id = assignment.acceptance.assignment_id;
  return {
    type: 'ledger.entry',
    event_id: `ledger/release/${id}`,
    entry: { kind: 'release', entry_id: ledgerEntryId('release', id), assignment_id: id, amount, at: iso(nowMs) },
  };
}

/** The ledger entry that pays a verifier its shares, on its own assignment. */
export function rewardEvent({ assignment_id, verified, amount }: Reward, nowMs: number): NewEvent {
  return {
    type: 'ledger.entry',
    event_id: `ledger/reward/${assignment_id}`,
    entry: {
      kind: 'reward',
      entry_id: ledgerEntryId('reward', assignment_id),
      assignment_id,
      verified,
      amount,
      at: iso(nowMs),
    },
  };
}

/** The ledger entry that gives an assignment's escrow back to the requester. */
export function refundEvent(nowMs: number, assignmentId: string, reason: RefundEntry['reason']): NewEvent {
  return {
    type: 'ledger.entry',
    event_id: `ledger/refund/${assignmentId}`,
    entry: {
      kind: 'refund',
      entry_id: ledgerEntryId('refund', assignmentId),
      assignment_id: assignmentId,
      reason,
      at: iso(nowMs),
    },
  };
}

/** An offer accepted, as `acceptanceEvents` journals it; `offer`: the accepted offer, whose terms the acceptance keeps (offers are not journaled). */
export interface Accepted {
  acceptance: Acceptance;
  parties: { requester: string; worker: string };
  /** What the ledger checks the hold against. */
  jobBudget: number;
  offer?: Offer | undefined;
  /** The unit, journaled with its acceptance (a provider's, assigned a unit it had no record of). */
  unit?: WorkUnit;
}

/**
 * What both sides journal when offers are accepted: the acceptances (with a provider's new units),
 * one `offers.accepted` event for up to MAX_ACCEPTED_PER_EVENT of them, then the escrow holding
 * each one's price. `slot`: the provider keeps the slot its offer took too (open-work.ts reserves
 * it while the unit runs).
 */
export function acceptanceEvents(accepted: readonly Accepted[], slot?: 'with slot'): NewEvent[] {
  const events: NewEvent[] = [];
  for (const chunk of chunks(accepted, MAX_ACCEPTED_PER_EVENT)) {
    events.push({
      type: 'offers.accepted',
      // By the assignments it holds: the same ones again (a message handled twice at once) are
      // journaled once; others, in part the same, fold only those not yet assigned (assignment-fold.ts).
      event_id: `accepts/${idsDigest(chunk.map(({ acceptance }) => acceptance.assignment_id))}`,
      accepted: chunk.map(({ acceptance, offer, unit }) => ({
        acceptance,
        ...(offer ? { terms: offerTermsOf(offer, slot) } : {}),
        ...(unit ? { unit } : {}),
      })),
    });
  }
  for (const { acceptance, parties, jobBudget } of accepted) {
    const id = acceptance.assignment_id;
    events.push({
      type: 'ledger.entry',
      event_id: `ledger/escrow/${id}`,
      entry: {
        kind: 'escrow',
        entry_id: ledgerEntryId('escrow', id),
        assignment_id: id,
        job_id: acceptance.job_id,
        unit_id: acceptance.unit_id,
        ...parties,
        amount: acceptance.price,
        job_budget: jobBudget,
        at: acceptance.timestamp,
      },
    });
  }
  return events;
}

function offerTermsOf(offer: Offer, slot?: 'with slot'): OfferTerms {
  return {
    estimated_seconds: offer.estimated_seconds,
    ...(offer.fuel_price ? { fuel_price: offer.fuel_price } : {}),
    ...(slot ? { slot_id: offer.slot_id } : {}),
  };
}

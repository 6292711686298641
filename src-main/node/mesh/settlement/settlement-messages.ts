// What a requester tells a provider about its assignments: the ledger entries that closed them
// and the verification receipts behind its refunds as rejected. Sent as a reply to a result or a release,
// and pushed when a unit is decided or a deadline passes.
import type { AssignmentRecord, MeshState } from '../../../core/mesh/state/state.js';
import { settlePrice, WORKER_SHARE_BPS, type Reward } from '../../../core/ledger/index.js';
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
import type { MessageBody } from '../../../core/protocol/messages.js';
import { ReceiptRoom } from './outgoing-receipts.js';

/**
 * The settlement that tells a provider how these assignments closed: their entries, and the
 * verification receipts behind their refunds as rejected (what the provider needs to take them,
 * settlement-intake.ts). A receipt signs a batch of verdicts: those past MAX_SETTLEMENT_RECEIPT_BYTES wait,
 * with their assignments' entries, for the next message (settlementsFor).
 */
export function settlementFor(state: MeshState, assignmentIds: readonly string[]): MessageBody<'settlement'> {
  return settlementsFor(state, assignmentIds)[0]!;
}

/** As settlementFor, in as many messages as the receipts need (always one at least). */
export function settlementsFor(state: MeshState, assignmentIds: readonly string[]): MessageBody<'settlement'>[] {
  const messages: MessageBody<'settlement'>[] = [];
  let rest = assignmentIds;
  do {
    const { message, left } = oneSettlement(state, rest);
    messages.push(message);
    rest = left;
  } while (rest.length > 0);
  return messages;
}

/** The verification receipts one settlement carries, as JSON, at most (the message's cap is 1 MiB). */
export const MAX_SETTLEMENT_RECEIPT_BYTES = 768 * 1024;

function oneSettlement(
  state: MeshState,
  assignmentIds: readonly string[],
): { message: MessageBody<'settlement'>; left: string[] } {
  const entries = [];
  const receipts = new ReceiptRoom(MAX_SETTLEMENT_RECEIPT_BYTES);
  const held: string[] = [];
  const left: string[] = [];
  for (const id of assignmentIds) {
    const assignment = state.assignments.get(id);
    const closing = assignment?.closing;
    const behind =
      closing?.kind === 'refund' && closing.reason === 'rejected'
        ? state.verificationOf(assignment!.acceptance.unit_id)
        : undefined;
    if (behind?.sig && !receipts.take({ ...behind, sig: behind.sig })) {
      left.push(id);
      continue;
    }
    if (assignment && isProvisional(state, assignment)) held.push(id);
    if (!closing) continue;
    entries.push(closing);
    if (assignment.reward) entries.push(assignment.reward);
  }
  const body = { entries, receipts: receipts.list() };
  return { message: held.length > 0 ? { ...body, held } : body, left };
}

/** A result accepted unchecked, its escrow still held: it is paid when its job completes. */
export function isProvisional(state: MeshState, assignment: AssignmentRecord): boolean {
  const result = assignment.result;
  if (assignment.escrow !== 'held' || !result) return false;
  // Its progress, not its record, which a batched job's unit makes when asked for.
  return !!state.units.progressOf(assignment.acceptance.unit_id)?.unchecked?.includes(result.result_id);
}

/**
 * What a verified result of mine (requester) is paid: its escrow, or, billed by fuel, the fuel of
 * the results `agreeing` with it (by default, its unit's verdict's) and of my own run of the unit
 * (core/ledger/metered.ts).
 */
export function priceOf(state: MeshState, assignment: AssignmentRecord, agreeing?: readonly string[]): number {
  // Not billed by fuel: its escrow (settlePrice), without making its unit's record to ask.
  if (!assignment.fuelPrice) return assignment.acceptance.price;
  const unitId = assignment.acceptance.unit_id;
  const agreed = agreeing ?? state.units.get(unitId)?.agreeing ?? [];
  const others = state
    .assignmentsOf(unitId)
    .flatMap(({ result }) => (result && agreed.includes(result.result_id) ? [result] : []));
  return settlePrice(termsOf(state, assignment), assignment.result ?? {}, others, state.checks.truthFuel.get(unitId));
}

/** What an assignment was offered on, for settlePrice: its escrow, and its fuel rate and its unit's estimate if billed by fuel. */
export function termsOf(
  state: MeshState,
  { acceptance, fuelPrice }: AssignmentRecord,
): Parameters<typeof settlePrice>[0] {
  const estimatedFuel = state.units.get(acceptance.unit_id)?.unit.estimated_fuel;
  return {
    escrow: acceptance.price,
    ...(fuelPrice ? { rate: fuelPrice } : {}),
    ...(estimatedFuel !== undefined ? { estimatedFuel } : {}),
  };
}

/**
 * The ledger entry that pays a verified result its worker's share of `price` (verifierRewards
 * pays the rest); a price under the escrow gives the remainder back with it.
 */
export function settleEvent(assignment: AssignmentRecord, price: number, nowMs: number): NewEvent {
  const id = assignment.acceptance.assignment_id;
  return {
    type: 'ledger.entry',
    event_id: `ledger/settle/${id}`,
    entry: {
      kind: 'settle',
      entry_id: ledgerEntryId('settle', id),
      assignment_id: id,
      ...(price < assignment.acceptance.price ? { amount: price } : {}),
      worker_share_bps: WORKER_SHARE_BPS,
      at: iso(nowMs),
    },
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
      // journaled once; others, in part the same, fold only those not yet assigned (state.ts).
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

// What a requester tells a provider about its assignments: the ledger entries that closed them
// and the verification receipts behind those entries. Sent as a reply to a result or a release,
// and pushed when a unit is decided or a deadline passes.
import type { AssignmentRecord, MeshState } from '../../core/mesh/state.js';
import { settlePrice, WORKER_SHARE_BPS, type Reward } from '../../core/ledger/index.js';
import type { Acceptance, Offer, RefundEntry } from '../../core/schemas/index.js';
import { iso, type NewEvent } from './context.js';
import type { MessageBody, SignedReceipt } from '../../core/protocol/messages.js';

export function settlementFor(state: MeshState, assignmentIds: readonly string[]): MessageBody<'settlement'> {
  const entries = [];
  const receipts: SignedReceipt[] = [];
  const sigs = new Set<string>();
  const held: string[] = [];
  for (const id of assignmentIds) {
    const assignment = state.assignments.get(id);
    if (assignment && isProvisional(state, assignment)) held.push(id);
    if (!assignment?.closing) continue;
    entries.push(assignment.closing);
    if (assignment.reward) entries.push(assignment.reward);
    const verification = state.verificationOf(assignment.acceptance.unit_id);
    if (!verification?.sig || sigs.has(verification.sig)) continue;
    sigs.add(verification.sig);
    receipts.push({ receipt: verification.receipt, sig: verification.sig });
  }
  return held.length > 0 ? { entries, receipts, held } : { entries, receipts };
}

/** A result accepted unchecked, its escrow still held: it is paid when its job completes. */
export function isProvisional(state: MeshState, assignment: AssignmentRecord): boolean {
  const result = assignment.result;
  const unit = state.units.get(assignment.acceptance.unit_id);
  return assignment.escrow === 'held' && !!result && !!unit?.unchecked?.includes(result.result_id);
}

/**
 * What a verified result of mine (requester) is paid: its escrow, or, billed by fuel, the fuel of
 * the results `agreeing` with it (by default, its unit's verdict's) and of my own run of the unit
 * (core/ledger/metered.ts).
 */
export function priceOf(
  state: MeshState,
  assignment: AssignmentRecord,
  agreeing: readonly string[] = state.units.get(assignment.acceptance.unit_id)?.agreeing ?? [],
): number {
  const unitId = assignment.acceptance.unit_id;
  const others = state
    .assignmentsOf(unitId)
    .flatMap(({ result }) => (result && agreeing.includes(result.result_id) ? [result] : []));
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
      entry_id: `settle/${id}`,
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
    entry: { kind: 'reward', entry_id: `reward/${assignment_id}`, assignment_id, verified, amount, at: iso(nowMs) },
  };
}

/** The ledger entry that gives an assignment's escrow back to the requester. */
export function refundEvent(nowMs: number, assignmentId: string, reason: RefundEntry['reason']): NewEvent {
  return {
    type: 'ledger.entry',
    event_id: `ledger/refund/${assignmentId}`,
    entry: { kind: 'refund', entry_id: `refund/${assignmentId}`, assignment_id: assignmentId, reason, at: iso(nowMs) },
  };
}

/**
 * The two events both sides journal when an offer is accepted: the acceptance, and the escrow
 * holding its price. `jobBudget` is what the ledger checks the hold against.
 */
export function acceptanceEvents(
  acceptance: Acceptance,
  parties: { requester: string; worker: string },
  jobBudget: number,
  /** The accepted offer, when this side keeps only its terms (the requester). */
  offer?: Offer,
): NewEvent[] {
  const id = acceptance.assignment_id;
  const terms = offer && {
    estimated_seconds: offer.estimated_seconds,
    ...(offer.fuel_price ? { fuel_price: offer.fuel_price } : {}),
  };
  return [
    { type: 'offer.accepted', event_id: `accept/${id}`, acceptance, ...(terms ? { terms } : {}) },
    {
      type: 'ledger.entry',
      event_id: `ledger/escrow/${id}`,
      entry: {
        kind: 'escrow',
        entry_id: `escrow/${id}`,
        assignment_id: id,
        job_id: acceptance.job_id,
        unit_id: acceptance.unit_id,
        ...parties,
        amount: acceptance.price,
        job_budget: jobBudget,
        at: acceptance.timestamp,
      },
    },
  ];
}

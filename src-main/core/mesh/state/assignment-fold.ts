// How an acceptance and a result move the state: an acceptance makes an assignment, with the
// terms of the offer it took, indexed by its unit (and, when I am its provider, counted among
// what my policies see of its requester); a result fills its assignment, indexed by its output.
import { forgetUncounted } from '../../policy/index.js';
import type { Acceptance, Offer, OfferTerms, WorkResult } from '../../schemas/index.js';
import type { HeldIndex } from './held-index.js';
import type { AssignmentRecord } from './records.js';
import type { SharedValues } from './shared-values.js';

/** The parts of MeshState an acceptance or a result changes. */
export interface AssignmentFolded {
  readonly me: string;
  readonly assignments: Map<string, AssignmentRecord>;
  readonly assignmentsByUnit: Map<string, string[]>;
  /** Offers received for my units, by unit: an accepted one leaves. */
  readonly offersByUnit: Map<string, Map<string, Offer>>;
  readonly offerReceivedAt: Map<string, number>;
  /** When each requester's units were accepted by me as provider (ms). */
  readonly acceptedFrom: Map<string, number[]>;
  readonly resultsByOutput: Map<string, string[]>;
}

/**
 * An acceptance journaled (`offer.accepted`, or one of an `offers.accepted`): a new assignment;
 * one I have is left alone. `legacyOffers`: my own offers from a journal that recorded them.
 */
export function foldAccepted(
  state: AssignmentFolded,
  shared: SharedValues,
  legacyOffers: Map<string, Offer>,
  acceptance: Acceptance,
  terms: OfferTerms | undefined,
  at: string,
): void {
  if (state.assignments.has(acceptance.assignment_id)) return;
  // Its terms travel with it; a journal from before has the offer itself (offer.recorded).
  const offer =
    terms ??
    state.offersByUnit.get(acceptance.unit_id)?.get(acceptance.offer_id) ??
    legacyOffers.get(acceptance.offer_id);
  legacyOffers.delete(acceptance.offer_id);
  shared.acceptance(acceptance);
  state.assignments.set(acceptance.assignment_id, {
    acceptance,
    acceptedAt: at,
    ...(offer ? { estimatedSeconds: offer.estimated_seconds } : {}),
    ...(offer?.fuel_price ? { fuelPrice: offer.fuel_price } : {}),
    ...(offer?.slot_id !== undefined && acceptance.provider_peer === state.me ? { slotId: offer.slot_id } : {}),
  });
  const list = state.assignmentsByUnit.get(acceptance.unit_id);
  if (list) list.push(acceptance.assignment_id);
  else state.assignmentsByUnit.set(acceptance.unit_id, [acceptance.assignment_id]);
  state.offersByUnit.get(acceptance.unit_id)?.delete(acceptance.offer_id);
  state.offerReceivedAt.delete(acceptance.offer_id);
  if (acceptance.provider_peer === state.me) {
    const time = Date.parse(at);
    const times = state.acceptedFrom.get(acceptance.requester_peer);
    if (!times) state.acceptedFrom.set(acceptance.requester_peer, [time]);
    else {
      times.push(time);
      forgetUncounted(times, time);
    }
  }
}

/** A result journaled: its assignment's, unless it has one or was refunded. */
export function foldResult(state: AssignmentFolded, held: HeldIndex, shared: SharedValues, result: WorkResult): void {
  const assignment = state.assignments.get(result.assignment_id);
  // A result that comes after its assignment was refunded is too late: nobody will judge it.
  if (!assignment || assignment.result || assignment.escrow === 'refunded') return;
  shared.result(result, assignment.acceptance);
  assignment.result = result;
  held.resultIn(assignment);
  const list = state.resultsByOutput.get(result.output_cid);
  if (list) list.push(result.assignment_id);
  else state.resultsByOutput.set(result.output_cid, [result.assignment_id]);
}

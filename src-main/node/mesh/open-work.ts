// The provider's open work as an allocation round sees it: my offers still open and my running
// units keep their share of their slot and count against their requester's pipeline, and units I
// have offered for or hold already are not offered again. Only the units the requesters list now
// and my recent offers are looked at, never my whole history.
import { OFFER_TTL_MS, unitKey, type Reservation } from '../../core/scheduler/index.js';
import type { ComputeCommitment, Offer, WorkUnit } from '../../core/schemas/index.js';
import type { NodeContext } from './context.js';

/** The longest estimate among a requester's listed units: its pipeline with me is sized for them (pipelineOf). */
export function longestListed(commitment: ComputeCommitment | undefined): number {
  let longest = 0;
  for (const request of commitment?.work_requests ?? [])
    for (const unit of request.work_units) longest = Math.max(longest, unit.estimated_duration_seconds);
  return longest === 0 ? Infinity : longest;
}

export class OpenWork {
  /**
   * My offers younger than OFFER_TTL_MS and not yet accepted, oldest first, with their time (from
   * the journal at my first round). An accepted one leaves: its assignment is counted as running.
   */
  #open: Array<{ offer: Offer; at: number }> | undefined;
  /** My offers whose acceptance I refused (policies, credit), until they would have lapsed anyway. */
  readonly #refused = new Set<string>();

  constructor(
    private readonly ctx: NodeContext,
    /** A unit I offered for, as its requester listed it or as I journaled it. */
    private readonly unitOf: (key: string, unitId: string) => WorkUnit | undefined,
  ) {}

  /** Offers I just made. */
  offered(offers: readonly Offer[]): void {
    this.#open?.push(...offers.map((offer) => ({ offer, at: Date.parse(offer.timestamp) })));
  }

  /** An offer whose acceptance I refused: closed, so its unit may be offered again once allowed. */
  refused(offerId: string): void {
    this.#refused.add(offerId);
  }

  /**
   * What my open work holds back from a round at `nowMs`: my offers still open (fresh, neither taken nor
   * refused) and my assignments still running keep their share of their slot and count against
   * their requester's pipeline; units I have offered for or hold already are not offered again.
   * Only the units the requesters list now (`requesters`, with what I pulled) and my recent offers
   * are looked at, not my history.
   */
  at(
    nowMs: number,
    requesters: readonly ComputeCommitment[],
  ): {
    unaccepted: Offer[];
    skip: Set<string>;
    reserved: Reservation[];
    inFlight: Map<string, number>;
  } {
    const { state } = this.ctx;
    this.#open ??= [...state.myOffers.values()].map((offer) => ({ offer, at: Date.parse(offer.timestamp) }));
    this.#open = this.#open.filter(({ offer, at }) => {
      if (nowMs - at < OFFER_TTL_MS && !state.assignments.has(offer.offer_id)) return true;
      this.#refused.delete(offer.offer_id);
      return false;
    });
    const unaccepted = this.#open.flatMap(({ offer }) => (this.#refused.has(offer.offer_id) ? [] : [offer]));
    const running: Offer[] = [];
    for (const [requester, held] of state.heldWith)
      for (const id of held) {
        const assignment = state.assignments.get(id);
        const offer = state.myOffers.get(id);
        if (assignment?.acceptance.requester_peer === requester && !assignment.result && offer) running.push(offer);
      }
    const reserved: Reservation[] = [];
    const inFlight = new Map<string, number>(); // per requester: my open offers and running units, against its pipeline
    for (const offer of [...unaccepted, ...running]) {
      const key = unitKey(offer.requester_peer, offer.unit_id);
      inFlight.set(offer.requester_peer, (inFlight.get(offer.requester_peer) ?? 0) + 1);
      const unit = this.unitOf(key, offer.unit_id);
      if (unit)
        reserved.push({ slot_id: offer.slot_id, resources: unit.required_resources, seconds: offer.estimated_seconds });
    }
    const open = new Set([...unaccepted, ...running].map((offer) => offer.offer_id));
    const skip = new Set<string>();
    for (const commitment of requesters)
      for (const request of commitment.work_requests)
        for (const unit of request.work_units) {
          const key = unitKey(commitment.peer_id, unit.unit_id);
          // A unit taken back from me but not for a wrong result (late, handed back, cancelled) may be
          // offered again: after crashes every provider may have held it once, and it would wait forever.
          const held = state.myOffersFor(commitment.peer_id, unit.unit_id).some((id) => {
            const assignment = state.assignments.get(id);
            const takenBack = assignment?.escrow === 'refunded' && assignment.refundReason !== 'rejected';
            return open.has(id) || (assignment !== undefined && !takenBack);
          });
          if (held) skip.add(key);
        }
    return { unaccepted, skip, reserved, inFlight };
  }
}

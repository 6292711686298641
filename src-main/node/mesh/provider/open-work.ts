// The provider's open work as an allocation round sees it: my offers still open and my running
// units keep their share of their slot and count against their requester's pipeline, and units I
// have offered for or hold already are not offered again. Only the units the requesters list now
// and my recent offers are looked at, never my whole history.
import { OFFER_TTL_MS, unitKey, type Reservation } from '../../../core/scheduler/index.js';
import type { ComputeCommitment, Offer, WorkUnit } from '../../../core/schemas/index.js';
import { holdsItsUnit } from '../../../core/mesh/state/records.js';
import type { MeshState } from '../../../core/mesh/state/state.js';
import type { NodeContext } from '../context/node-context.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type OpenWorkNeeds = Pick<NodeContext, 'state'>;

/** The longest estimate among a requester's listed units: its pipeline with me is sized for them (pipelineOf). */
export function longestListed(commitment: ComputeCommitment | undefined): number {
  let longest = 0;
  for (const request of commitment?.work_requests ?? [])
    for (const unit of request.work_units) longest = Math.max(longest, unit.estimated_duration_seconds);
  return longest === 0 ? Infinity : longest;
}

/**
 * Whether I hold the requester's unit, or held it and gave a wrong result: then I do not offer for
 * it again. A unit taken back from me for anything else may be offered again: after crashes every
 * provider may have held it once, and it would wait forever.
 */
export function holdsUnit(state: MeshState, requester: string, unitId: string): boolean {
  return state.myAssignmentsOn(requester, unitId).some(holdsItsUnit);
}

/**
 * How long an offer of mine is kept for its acceptance: its time to live, twice, for clocks apart.
 * Offers are kept in memory only; an acceptance journals what its assignment needs of its offer.
 */
const OFFER_KEPT_MS = 2 * OFFER_TTL_MS;
/**
 * How long an open offer holds a place in its requester's pipeline. A requester takes what it
 * wants of an offer within a round or two (~100 ms) and does not say what it passed over (another
 * provider's offer won the unit, or the job ended): counted for their whole life, such offers
 * would fill a provider's pipeline with units that others are running, and of two providers of a
 * render job one would run at half speed. An older offer still keeps its share of my slot (it may yet
 * be taken: a requester in manual mode takes offers late), and its unit from being offered again.
 */
const OFFER_PENDING_MS = 1000;

export class OpenWork {
  /** My offers of the last OFFER_KEPT_MS, oldest first, with their time. Empty after a restart: those made before are refused. */
  readonly #recent = new Map<string, { offer: Offer; at: number }>();
  /**
   * Of those, the ones still open: neither taken nor refused nor lapsed, oldest first. Each leaves
   * once, so a round walks only what is open, not every offer of the last 30 s.
   */
  readonly #open = new Map<string, { offer: Offer; at: number }>();

  constructor(
    private readonly ctx: OpenWorkNeeds,
    /** A unit I offered for, as its requester listed it or as I journaled it. */
    private readonly unitOf: (requester: string, unitId: string) => WorkUnit | undefined,
  ) {}

  /** Offers I just made. */
  offered(offers: readonly Offer[]): void {
    for (const offer of offers) {
      const made = { offer, at: Date.parse(offer.timestamp) };
      this.#recent.set(offer.offer_id, made);
      this.#open.set(offer.offer_id, made);
    }
  }

  /**
   * Offers a requester took (an assignment's id is its offer's): closed, and forgotten at once, since
   * a second acceptance of one is known by its assignment. Kept their 60 s, a big job's offers would
   * be tens of megabytes of a provider's heap.
   */
  taken(offerIds: readonly string[]): void {
    for (const id of offerIds) {
      this.#open.delete(id);
      this.#recent.delete(id);
    }
  }

  /** An offer whose acceptance I refused: closed, so its unit may be offered again once allowed. */
  refused(offerId: string): void {
    this.#open.delete(offerId);
  }

  /** My offer of that id, while an acceptance of it may still come. */
  offer(offerId: string): Offer | undefined {
    return this.#recent.get(offerId)?.offer;
  }

  /** My offers of the last OFFER_KEPT_MS, oldest first: those an acceptance may still name. */
  recent(): Offer[] {
    return [...this.#recent.values()].map(({ offer }) => offer);
  }

  /**
   * What my open work holds back from a round at `nowMs`: my offers still open (fresh, neither taken nor
   * refused) and my assignments still running keep their share of their slot and count against
   * their requester's pipeline (an offer for its first OFFER_PENDING_MS only); units I have offered
   * for or hold already are not offered again.
   * Only the units the requesters list now (`requesters`, with what I pulled) and my recent offers
   * are looked at, not my history.
   */
  at(
    nowMs: number,
    requesters: readonly ComputeCommitment[],
  ): {
    /** My open offers still pending (their first OFFER_PENDING_MS): what the requester may still take of them. */
    pending: Offer[];
    skip: Set<string>;
    reserved: Reservation[];
    inFlight: Map<string, number>;
  } {
    const { state } = this.ctx;
    for (const [id, { at }] of this.#recent) {
      if (nowMs - at < OFFER_KEPT_MS) break;
      this.#recent.delete(id);
    }
    const reserved: Reservation[] = [];
    const inFlight = new Map<string, number>(); // per requester: my fresh offers and running units, against its pipeline
    const hold = (
      requester: string,
      unitId: string,
      slotId: string | undefined,
      seconds: number | undefined,
      inPipeline: boolean,
    ) => {
      if (inPipeline) inFlight.set(requester, (inFlight.get(requester) ?? 0) + 1);
      const unit = this.unitOf(requester, unitId);
      if (unit && slotId !== undefined && seconds !== undefined)
        reserved.push({ slot_id: slotId, resources: unit.required_resources, seconds });
    };
    const unaccepted: Offer[] = [];
    const pending: Offer[] = [];
    for (const [id, { offer, at }] of this.#open) {
      if (nowMs - at >= OFFER_TTL_MS || state.assignments.has(id)) {
        this.#open.delete(id);
        continue;
      }
      unaccepted.push(offer);
      const fresh = nowMs - at < OFFER_PENDING_MS;
      if (fresh) pending.push(offer);
      hold(offer.requester_peer, offer.unit_id, offer.slot_id, offer.estimated_seconds, fresh);
    }
    for (const { acceptance, slotId, estimatedSeconds } of state.inFlightAs('provider').values())
      hold(acceptance.requester_peer, acceptance.unit_id, slotId, estimatedSeconds, true);
    const offeredFor = new Set(unaccepted.map((offer) => unitKey(offer.requester_peer, offer.unit_id)));
    const skip = new Set<string>();
    for (const commitment of requesters)
      for (const request of commitment.work_requests)
        for (const unit of request.work_units) {
          const key = unitKey(commitment.peer_id, unit.unit_id);
          if (offeredFor.has(key) || holdsUnit(state, commitment.peer_id, unit.unit_id)) skip.add(key);
        }
    return { pending, skip, reserved, inFlight };
  }
}

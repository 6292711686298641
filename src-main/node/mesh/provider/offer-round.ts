// The provider's offer rounds: allocate my slots to the units of peers I follow, by tier and my
// trust in them, within what each may have of mine now (admission.ts), and offer them. A round
// runs when something may have changed (a commitment, a unit ending, a policy), at most every
// ROUND_GAP_MS; what it offered is sent, one message per requester. Offers are not journaled: one
// lives seconds, and its acceptance journals what the assignment needs of it (its terms, its slot).
import { contributionHistory } from '../../../core/mesh/state/contribution.js';
import { offerMessagesOf } from '../../../core/protocol/messages.js';
import { allocate, DampingTracker, OFFER_TTL_MS, pipelineOf } from '../../../core/scheduler/index.js';
import type {
  Acceptance,
  AvailabilitySlot,
  ComputeCommitment,
  ContributionFields,
  Offer,
  PriceSchedule,
  WorkUnit,
} from '../../../core/schemas/index.js';
import { Admission, admittedOffers } from './admission.js';
import { withoutRefusedUnits } from './refused-units.js';
import { iso, type NodeContext } from '../context/node-context.js';
import { longestListed, OpenWork } from './open-work.js';
import { PulledUnits } from './pulled-units.js';
import { SeenUnits } from './seen-units.js';
import { OncePerGap, RoundTimer } from '../basics/round-timer.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type OfferRoundNeeds = Pick<
  NodeContext,
  'background' | 'circles' | 'commitments' | 'kinds' | 'me' | 'now' | 'quota' | 'record' | 'send' | 'state'
>;

/**
 * Rounds at most this often: every unit that ends asks for one, and a round looks at every unit
 * listed and offered for (at 50 tiles a second, every 50 ms, they and the offers and acceptances
 * they make would be ~8 % of the provider's main thread in the event_loop benchmark). A pipeline holds
 * 2 s of work, so a round every 200 ms still keeps the workers fed, offering more units each time.
 */
const ROUND_GAP_MS = 200;
/**
 * How long a unit a requester listed or lent me is remembered after it was last seen: long enough
 * for an offer on it to be accepted (OFFER_TTL_MS, twice for clocks apart); once it is, the state
 * has it. Without a bound, a provider would keep every unit of every job it ever saw.
 */
const UNIT_MEMORY_MS = 2 * OFFER_TTL_MS;
/** Offer rounds reserved at a time (rounds.reserved): an event per this many rounds that offer. */
const ROUNDS_RESERVED = 1000;

export interface OfferRoundOptions {
  price(): PriceSchedule;
  /** The slots my commitment offers now. */
  slots(): AvailabilitySlot[];
  /** Whether I hold a unit's input already (it came with an earlier unit): such units are offered first. */
  holds?(cid: string): boolean;
}

export class OfferRounds {
  readonly #rounds = new RoundTimer(ROUND_GAP_MS, 10, () => this.ctx.background('offer round failed', this.run()));
  /** The jobs each requester's last commitment asked for. */
  readonly #jobsOf = new Map<string, Set<string>>();
  /** Requesters whose new job brought a round forward lately. */
  readonly #newJobs = new OncePerGap(ROUND_GAP_MS);
  #stopped = false;
  /** Units each requester asked for, as last seen in its commitment or pulled: oldest first. */
  readonly #unitsSeen = new SeenUnits();
  /** My rounds' over-allocation and the damping factor it sets (in memory: 1 again after a restart). */
  readonly #damping = new DampingTracker();
  /** My offers and running units, as each round sees them. */
  readonly #open: OpenWork;
  /** Units pulled beyond those the requesters' commitments list. */
  readonly #pulled: PulledUnits;
  /** My last round that made offers (its number is in their ids); after a restart, past those reserved before. */
  #round: number | undefined;

  constructor(
    private readonly ctx: OfferRoundNeeds,
    private readonly options: OfferRoundOptions,
  ) {
    this.#open = new OpenWork(
      ctx,
      (requester, unitId) => this.#unitsSeen.get(requester, unitId) ?? ctx.state.units.get(unitId)?.unit,
    );
    this.#pulled = new PulledUnits(
      ctx,
      (requester, unit) => this.#saw(requester, unit),
      () => this.soon(true),
    );
  }

  /** No more rounds. */
  stop(): void {
    this.#stopped = true;
    this.#rounds.stop();
  }

  /** The number my next round that offers will carry (in its offer ids). */
  nextRound(): number {
    return (this.#round ?? this.ctx.state.roundsReserved) + 1;
  }

  /** My recent offers, oldest first: those an acceptance may still name. */
  recentOffers(): Offer[] {
    return this.#open.recent();
  }

  /** My offer of that id, while an acceptance of it may still come (open-work.ts). */
  offer(offerId: string): Offer | undefined {
    return this.#open.offer(offerId);
  }

  /** A unit `requester` asked me for, as its commitment listed it or I pulled it. */
  unitOf(requester: string, unitId: string): WorkUnit | undefined {
    return this.#unitsSeen.get(requester, unitId);
  }

  /** How many units requesters' commitments and pulls left me remembering (SeenUnits.counts). */
  unitsSeen(): { total: number; mostOfOnePeer: number } {
    return this.#unitsSeen.counts();
  }

  /** Remembers a unit as seen now: moved to the end, so the oldest stay first. */
  #saw(requester: string, unit: WorkUnit): void {
    this.#unitsSeen.saw(requester, unit, this.ctx.now());
  }

  /** An offer whose acceptance I refused: closed, so its unit may be offered again once allowed. */
  refused(offerId: string): void {
    this.#open.refused(offerId);
  }

  /** Offers `requester` took: forgotten, with the units they were for (the state has those now). */
  taken(requester: string, acceptances: readonly Acceptance[]): void {
    this.#open.taken(acceptances.map((acceptance) => acceptance.offer_id));
    for (const { unit_id } of acceptances) this.#unitsSeen.delete(requester, unit_id);
  }

  onCommitment(from: string, commitment: ComputeCommitment): void {
    if (commitment.peer_id !== from) return;
    const known = this.#jobsOf.get(from);
    const jobs = new Set<string>();
    for (const request of commitment.work_requests) {
      if (request.requester_id !== from) continue;
      jobs.add(request.job_id);
      for (const unit of request.work_units) this.#saw(from, unit);
    }
    if (jobs.size > 0) this.#jobsOf.set(from, jobs);
    else this.#jobsOf.delete(from);
    this.#pulled.onCommitment(from);
    // A job I had not seen is offered for at once: the gap between rounds holds back rounds that
    // would look at the same units again, and a new job's first units would wait out up to 200 ms of it.
    // Once a gap a requester, so that commitments naming ever new jobs cannot run rounds back to back.
    this.soon([...jobs].some((job) => !known?.has(job)) && this.#newJobs.take(from));
  }

  /**
   * A round soon: 10 ms from now, and at least ROUND_GAP_MS after the last; or, `now`, at the end of
   * this turn (units I pulled came: one reply per pull, so no storm of rounds to hold back; a new job).
   */
  soon(now = false): void {
    this.#rounds.soon(now);
  }

  /**
   * What my commitment says of me: my contribution history, from my closed assignments, and my
   * damping, from how many of my recent rounds' offers were accepted (resolved up to now).
   */
  contribution(): ContributionFields {
    const { state } = this.ctx;
    this.#damping.resolve(this.ctx.now(), (offerId) => state.assignments.has(offerId));
    return { contribution_history: contributionHistory(state.contribution), ...this.#damping.state };
  }

  /**
   * One allocation round: offers for the units of the peers I follow, by tier, within my slots,
   * their capacity scaled by my damping factor.
   */
  async run(): Promise<void> {
    this.#unitsSeen.forgetBefore(this.ctx.now() - UNIT_MEMORY_MS);
    const { state } = this.ctx;
    if (this.#stopped || !state.sharing) return;
    const slots = this.options.slots();
    if (slots.length === 0) return;
    const nowMs = this.ctx.now();
    const followed = this.#pulled.view(nowMs);
    const { pending, skip, reserved, inFlight } = this.#open.at(nowMs, followed);
    const me: ComputeCommitment = {
      peer_id: this.ctx.me,
      availability_slots: slots,
      work_requests: [],
      trust_weights: Object.fromEntries([...state.trust].map(([peer, t]) => [peer, t.weight])),
      ...this.contribution(),
      timestamp: iso(nowMs),
      vector_clock: {},
    };
    const myTrust = Object.fromEntries(
      [...state.trust.keys()].map((peer) => [peer, state.effectiveTrustIn(peer, nowMs)]),
    );
    // Only what each requester may have of mine now (admission.ts), its pending offers counted as
    // taken: an older one it passed over (another provider's won the unit) holds no place in its
    // quota, as none in its pipeline; taken late all the same, its acceptance is admitted anew.
    const price = this.options.price();
    const requesterRoom = (peer: string) =>
      pipelineOf(me, undefined, longestListed(this.ctx.commitments.get(peer))) - (inFlight.get(peer) ?? 0);
    const round = this.nextRound();
    const made = admittedOffers(
      withoutRefusedUnits(this.ctx, followed),
      () => {
        const admission = new Admission(state, nowMs, this.ctx.commitments, this.ctx.quota);
        for (const offer of pending) admission.count(offer.requester_peer, offer.price);
        return admission;
      },
      (requesters) =>
        allocate({
          provider: me,
          requesters,
          round,
          nowMs,
          price,
          // Who gets my slots first: my effective trust (weight times record), not the weight alone.
          myTrust,
          skip,
          reserved,
          requesterRoom,
          holds: (cid) => this.options.holds?.(cid) === true,
          // A circle's members' units go first among its members, by as much as its policy says.
          boost: (unit) =>
            unit.circle === undefined ? 0 : this.ctx.circles.policyOf(unit.circle).scheduling.member_priority_boost,
        }).offers,
      Math.max(1, price.minimum),
    );
    this.#pulled.pullMore(followed, skip, made, requesterRoom);
    if (made.length === 0) return;
    this.#round = round;
    if (round > state.roundsReserved)
      await this.ctx.record([
        { type: 'rounds.reserved', event_id: `rounds/${round}`, through: round + ROUNDS_RESERVED - 1 },
      ]);
    this.#open.offered(made);
    this.#damping.offered(
      made.map((offer) => offer.offer_id),
      nowMs,
    );
    const byRequester = Map.groupBy(made, (offer) => offer.requester_peer);
    await Promise.all(
      [...byRequester].flatMap(([peer, offers]) =>
        offerMessagesOf(offers).map((body) => this.ctx.send(peer, 'offers', body)),
      ),
    );
  }
}

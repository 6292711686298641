// The requester's offers and acceptances: offers in (from providers I trust, or for jobs open to
// strangers), held in memory until they lapse, accepted by policy (in rounds that never overlap)
// or by hand, journaled with their escrows only then, and delivered to each provider
// (acceptance-delivery.ts), with what a provider refused or never heard refunded at once.
import { unitIdsOf } from '../../../core/mesh/state/state.js';
import { describeError } from '../../../core/errors.js';
import { chunks } from '../../../core/chunks.js';
import { mayCompute } from '../../circles/index.js';
import {
  acceptByPolicy,
  acceptOffer,
  DEFAULT_ACCEPTANCE_POLICY,
  type Holdings,
  OfferBook,
  pipelineOf,
  type AcceptanceContext,
} from '../../../core/scheduler/index.js';
import {
  authoredBy,
  MAX_REDUNDANCY,
  type Acceptance,
  type FuelPrice,
  type Offer,
  type WorkUnit,
} from '../../../core/schemas/index.js';
import { ApiError } from '../../api/errors.js';
import { AcceptanceDelivery, ACCEPTANCES_PER_STEP } from './acceptance-delivery.js';
import { DataLocality } from './data-locality.js';
import type { NodeContext } from '../context/node-context.js';
import type { AcceptanceRound } from '../jobs/job-rounds.js';
import { OncePerGap, RoundTimer } from '../basics/round-timer.js';
import { acceptanceEvents } from '../settlement/ledger-events.js';
import { emitUnits, userUnits } from '../context/unit-events.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type OfferAcceptanceNeeds = Pick<
  NodeContext,
  | 'background'
  | 'blobs'
  | 'circles'
  | 'commitmentChanged'
  | 'commitments'
  | 'emit'
  | 'kinds'
  | 'log'
  | 'me'
  | 'now'
  | 'record'
  | 'send'
  | 'state'
>;

/**
 * Acceptance rounds at most this often: every verdict asks for one, and a round 5 ms after each
 * would send providers an `acceptances` message of one or two units (in the event_loop benchmark,
 * three times as many messages, each signed, checked, journaled and answered). A provider's
 * pipeline holds 2 s of work, so it does not run dry waiting.
 */
const ACCEPT_GAP_MS = 100;

/** What the acceptor asks of the requester: which units want workers, and how many. */
export interface UnitWants {
  /** The unit, while it still wants workers. */
  openUnit(unitId: string): WorkUnit | undefined;
  /** Workers a unit wants: its redundancy, plus replicas asked for after results disagreed. */
  wanted(unit: WorkUnit): number;
  /** Units of my running jobs without a verdict yet. */
  undecided(): number;
  /** What each acceptance round took and refused (job-rounds.ts: a job short of budget pauses, and one held up says why). */
  rounded(round: AcceptanceRound): void;
  /** Assignments just made, their escrow held. */
  accepted(acceptances: readonly Acceptance[]): void;
}

export class Acceptor {
  readonly #rounds = new RoundTimer(ACCEPT_GAP_MS, 5, () => this.#round());
  /** The accept round in progress: rounds never overlap, or both would count the same pipeline room. */
  #accepting: Promise<void> | undefined;
  #acceptAgain = false;
  /** …and at once (acceptSoon's `now`). */
  #acceptAgainNow = false;
  /** Providers whose offers brought a round forward lately. */
  readonly #idleFirst = new OncePerGap(ACCEPT_GAP_MS);
  /**
   * Idle providers whose offers brought the next round forward. One that round gives nothing (its
   * offers lost to another's on the same units) has its pass back once: its offers for the units
   * it pulls next are not held the gap, while its cores idle.
   */
  readonly #broughtBy = new Set<string>();
  #stopped = false;
  /** Offers received and not yet accepted: in memory only, each until it lapses. */
  readonly #offers = new OfferBook();
  readonly #delivery: AcceptanceDelivery;
  /** Data locality: who holds which of my blobs, and the units waiting for a holder. */
  readonly #locality: DataLocality;

  constructor(
    private readonly ctx: OfferAcceptanceNeeds,
    private readonly source: UnitWants,
    private readonly options: {
      graceSeconds: number;
      providerPipeline: number;
      /** Who holds which of my blobs: a unit goes where its data is, unless `dataLocality` is false. */
      holdings: Holdings;
      dataLocality?: boolean;
    },
  ) {
    this.#delivery = new AcceptanceDelivery(ctx, () => this.acceptSoon());
    this.#locality = new DataLocality(ctx, options.holdings, () => this.acceptSoon());
  }

  /** A provider connected: my acceptances it holds no answer to from me since I started go again. */
  resend(provider: string): void {
    this.#delivery.resend(provider);
  }

  /** No more rounds; resolves when the one in progress has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#rounds.stop();
    this.#locality.stop();
    await this.#accepting;
  }

  /**
   * Offers for my units; those of a provider I do not trust are dropped unless their job is open to
   * strangers, a circle's job's from a non-member, and a convicted provider's always.
   */
  async onOffers(from: string, offers: Offer[]): Promise<void> {
    const { state } = this.ctx;
    if (state.checks.isConvicted(from)) return;
    const trusted = state.myTrustIn(from) > 0;
    const nowMs = this.ctx.now();
    const fresh = offers.filter((o) => {
      const unit = state.units.get(o.unit_id);
      return (
        o.provider_peer === from &&
        authoredBy(o.offer_id, from) &&
        o.requester_peer === this.ctx.me &&
        unit?.requester === this.ctx.me &&
        !unit.verdict &&
        unit.unit.job_id === o.job_id &&
        (trusted || this.#openToStrangers(o.job_id)) &&
        mayCompute(this.ctx, unit.unit, from, nowMs)
      );
    });
    const held = fresh.filter((offer) => this.#offers.add(offer, nowMs));
    if (held.length < fresh.length)
      this.ctx.log(`held offers are at their limit: ${fresh.length - held.length} from ${from} dropped`);
    emitUnits(
      (type, data) => this.ctx.emit(type, data),
      { one: 'offer.received', many: 'offers.received', peerKey: 'provider' },
      held.map(({ job_id, unit_id, price }) => ({
        job_id,
        ...userUnits(this.ctx.state, unit_id),
        peer: from,
        extra: { price },
      })),
    );
    // A provider with nothing of mine to run skips the gap: its cores idle until a round.
    const idle = held.length > 0 && !this.#runsForMe(from) && this.#idleFirst.take(from);
    if (idle) this.#broughtBy.add(from);
    this.acceptSoon(idle);
  }

  /**
   * An acceptance round soon: ACCEPT_GAP_MS after the last (offers that come meanwhile are taken
   * together), or, `now`, at the end of this turn.
   */
  acceptSoon(now = false): void {
    if (this.#stopped) return;
    if (this.#accepting) {
      this.#acceptAgain = true;
      this.#acceptAgainNow ||= now;
      return;
    }
    this.#rounds.soon(now);
  }

  #round(): void {
    this.#accepting = this.acceptRound()
      .catch((err) => this.ctx.log(`accepting offers failed: ${describeError(err)}`))
      .finally(() => {
        this.#accepting = undefined;
        if (this.#acceptAgain) {
          const now = this.#acceptAgainNow;
          this.#acceptAgain = this.#acceptAgainNow = false;
          this.acceptSoon(now);
        }
      });
  }

  /** Accepts offers by policy for jobs not in manual mode, keeping each provider's pipeline short. */
  async acceptRound(): Promise<void> {
    const broughtBy = [...this.#broughtBy];
    this.#broughtBy.clear();
    // Only units with offers can be accepted: the round costs what was offered, not the size of my jobs.
    // Each unit's index read once, not at every comparison: a batched job's unit record is made when asked for.
    const units = this.#offers
      .units(this.ctx.now())
      .flatMap((id) => this.source.openUnit(id) ?? [])
      .filter((u) => !this.ctx.state.jobs.get(u.job_id)!.job.manual_accept)
      .map((unit) => ({ unit, index: this.#indexOf(unit) }))
      .sort((a, b) => b.unit.priority - a.unit.priority || a.index - b.index)
      .map(({ unit }) => this.#asWanted(unit));
    const inFlight = this.#inFlightByProvider();
    const offers = units.flatMap((u) => this.#liveOffers(u.unit_id));
    // A provider's share of short units: what is left to do over the providers I hear from.
    let providers = 0;
    for (const c of this.ctx.commitments.values()) if (c.availability_slots.length > 0) providers++;
    const share = Math.ceil(this.source.undecided() / Math.max(1, providers));
    // Each provider's pipeline is sized for the longest unit it offers for (pipelineOf).
    const longest = new Map<string, number>();
    const estimate = new Map(units.map((u) => [u.unit_id, u.estimated_duration_seconds]));
    for (const offer of offers)
      longest.set(
        offer.provider_peer,
        Math.max(longest.get(offer.provider_peer) ?? 0, estimate.get(offer.unit_id) ?? Infinity),
      );
    // A provider gets at most its pipeline (`providerPipeline`, or one per core of its largest slot, or more of short units) in flight; the rest wait for its results or go to others.
    const ctx = {
      ...this.#acceptanceContext(),
      providerRoom: (peer: string) =>
        pipelineOf(this.ctx.commitments.get(peer), this.options.providerPipeline, longest.get(peer), share) -
        (inFlight.get(peer) ?? 0),
      awaitLocal: (unit: WorkUnit, taken: readonly string[]) => this.#locality.awaitLocal(unit, taken),
    };
    const { acceptances, refusals } = acceptByPolicy(ctx, units, offers);
    for (const provider of broughtBy)
      if (!acceptances.some((a) => a.provider_peer === provider)) this.#idleFirst.giveBack(provider);
    this.source.rounded({ offers, acceptances, refusals });
    // The next round need not wait for the providers' answers: the pipeline room it counts is
    // journaled already (waiting held an idle provider's first units back by another's round trip).
    const { delivered } = await this.#commit(acceptances);
    this.ctx.background('delivering acceptances', delivered);
  }

  #indexOf(unit: WorkUnit): number {
    return this.ctx.state.units.get(unit.unit_id)?.index ?? 0;
  }

  /** The live offers for a job's units. */
  heldOffers(jobId: string): Offer[] {
    const job = this.ctx.state.jobs.get(jobId);
    if (!job) throw new ApiError('not_found', `no job ${jobId}`);
    return [...unitIdsOf(job)].flatMap((id) => this.#liveOffers(id));
  }

  /** Manual mode: takes every open offer of one provider on the job, with the same checks as policy; says which the provider refused. */
  async acceptFrom(
    jobId: string,
    provider: string,
  ): Promise<{ accepted: number; refused: { offer_id: string; reason: string }[] }> {
    const job = this.ctx.state.jobs.get(jobId);
    if (!job) throw new ApiError('not_found', `no job ${jobId}`);
    const ctx = this.#acceptanceContext();
    const acceptances: Acceptance[] = [];
    const refused: { offer_id: string; reason: string }[] = [];
    for (const id of unitIdsOf(job)) {
      for (const offer of this.#liveOffers(id)) {
        if (offer.provider_peer !== provider) continue;
        const unit = this.ctx.state.units.get(id)?.unit;
        const outcome = acceptOffer(ctx, offer, unit && this.#asWanted(unit));
        if (outcome.ok) acceptances.push(outcome.acceptance);
        else refused.push({ offer_id: offer.offer_id, reason: outcome.refusal.message });
      }
    }
    if (acceptances.length === 0 && refused.length === 0)
      throw new ApiError('not_found', `${provider} has no open offer on job ${jobId}`);
    await (
      await this.#commit(acceptances)
    ).delivered;
    // The provider's own refusals (its policies, my credit with it) are known once they are delivered.
    let accepted = 0;
    for (const acceptance of acceptances) {
      const refusal = this.ctx.state.assignments.get(acceptance.assignment_id)?.refusal;
      if (refusal) refused.push({ offer_id: acceptance.offer_id, reason: `the provider refused: ${refusal.reason}` });
      else accepted++;
    }
    return { accepted, refused };
  }

  /** Whether `provider` has an offer for the unit that has not lapsed. */
  /** The fuel rates of the live offers in hand, for any job, one a provider: what a new job is quoted at (job-quotes.ts). */
  fuelRates(): FuelPrice[] {
    const nowMs = this.ctx.now();
    const rates = new Map<string, FuelPrice>();
    for (const unitId of this.#offers.units(nowMs))
      for (const { offer } of this.#offers.live(unitId, nowMs))
        if (offer.fuel_price) rates.set(offer.provider_peer, offer.fuel_price);
    return [...rates.values()];
  }

  hasOfferFrom(provider: string, unitId: string): boolean {
    return this.#liveOffers(unitId).some((offer) => offer.provider_peer === provider);
  }

  /** Offers for a unit that have not lapsed (OFFER_TTL_MS after they reached me). */
  #liveOffers(unitId: string): Offer[] {
    return this.#offers
      .live(unitId, this.ctx.now())
      .filter(({ offer, receivedAt }) => receivedAt > this.#delivery.unreachableSince(offer.provider_peer))
      .map(({ offer }) => offer);
  }

  /** A unit whose results disagreed wants more workers than its redundancy: acceptance counts against that. */
  #asWanted(unit: WorkUnit): WorkUnit {
    return { ...unit, verification_redundancy: Math.min(MAX_REDUNDANCY, this.source.wanted(unit)) };
  }

  /** Journals the acceptances and their escrows; `delivered` once each provider was told and answered. */
  async #commit(acceptances: Acceptance[]): Promise<{ delivered: Promise<unknown> }> {
    if (acceptances.length === 0) return { delivered: Promise.resolve() };
    const accepted = acceptances.map((acceptance) => ({
      acceptance,
      parties: { requester: this.ctx.me, worker: acceptance.provider_peer },
      jobBudget: this.ctx.state.jobs.get(acceptance.job_id)!.job.budget,
      // The offer's terms go with the acceptance: what the provider estimated, and its fuel rate.
      offer: this.#offers.take(acceptance.unit_id, acceptance.offer_id),
    }));
    for (const step of chunks(accepted, ACCEPTANCES_PER_STEP)) await this.ctx.record(acceptanceEvents(step));
    const byProvider = new Map<string, Acceptance[]>();
    for (const acceptance of acceptances) {
      if (this.ctx.state.assignments.get(acceptance.assignment_id)?.escrow !== 'held') continue; // refused by the ledger
      const list = byProvider.get(acceptance.provider_peer);
      if (list) list.push(acceptance);
      else byProvider.set(acceptance.provider_peer, [acceptance]);
    }
    const held = [...byProvider.values()].flat();
    this.source.accepted(held);
    emitUnits(
      (type, data) => this.ctx.emit(type, data),
      { one: 'unit.accepted', many: 'units.accepted', peerKey: 'provider' },
      held.map(({ job_id, unit_id, provider_peer }) => ({
        job_id,
        ...userUnits(this.ctx.state, unit_id),
        peer: provider_peer,
      })),
    );
    this.ctx.commitmentChanged();
    const delivered = Promise.all(
      [...byProvider].flatMap(([provider, list]) =>
        chunks(list, ACCEPTANCES_PER_STEP).map((step) => this.#delivery.deliver(provider, step)),
      ),
    );
    return { delivered };
  }

  #openToStrangers(jobId: string): boolean {
    return this.ctx.state.jobs.get(jobId)?.job.open_to_strangers === true;
  }

  /** Whether `provider` holds an assignment of mine still to be run or decided. */
  #runsForMe(provider: string): boolean {
    for (const { acceptance } of this.ctx.state.inFlightAs('requester').values())
      if (acceptance.provider_peer === provider) return true;
    return false;
  }

  #inFlightByProvider(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { acceptance } of this.ctx.state.inFlightAs('requester').values())
      counts.set(acceptance.provider_peer, (counts.get(acceptance.provider_peer) ?? 0) + 1);
    return counts;
  }

  #acceptanceContext(): AcceptanceContext {
    const { state } = this.ctx;
    const nowMs = this.ctx.now();
    return {
      me: this.ctx.me,
      nowMs,
      policy: {
        ...DEFAULT_ACCEPTANCE_POLICY,
        graceSeconds: this.options.graceSeconds,
        ...(this.options.dataLocality === false ? { locality: 0 } : {}),
      },
      localShare: (peer, unit) => this.#locality.share(peer, unit),
      willHold: (peer, unit) => this.#locality.willHold(peer, unit),
      trustIn: (peer) => state.effectiveTrustIn(peer, nowMs),
      openToStrangers: (jobId) => this.#openToStrangers(jobId),
      isConvicted: (peer) => state.checks.isConvicted(peer),
      reputationOf: (peer) => state.reputationOf(peer, nowMs),
      acceptedProviders: (unitId) =>
        state.activeAssignments(unitId).map((assignment) => assignment.acceptance.provider_peer),
      budgetLeft: (jobId) => (state.jobs.get(jobId)?.job.budget ?? 0) - state.committedTo(jobId),
      circleLimits: ({ circle }) => {
        if (circle === undefined) return undefined;
        const { offer_timeout_s, unit_timeout_s } = this.ctx.circles.policyOf(circle).scheduling;
        return { offerTimeoutSeconds: offer_timeout_s, unitTimeoutSeconds: unit_timeout_s };
      },
    };
  }
}

// The requester's side of a round (docs/PROTOCOL.md, "The round"): of the offers received for each of my
// units, accept the best ones, each from a different provider, until the unit has as many
// workers as its redundancy asks. Accepting is what makes an assignment and holds the price in
// escrow, so it also keeps each job within its budget, and gives work only to providers I trust
// unless the job is open to strangers. Manual acceptance (`meshctl offers` / `offers accept`) goes
// through `acceptOffer`, the same checks for one chosen offer.
import {
  authoredBy,
  MIN_PERFORMANCE,
  type Acceptance,
  type ComputeCommitment,
  type Offer,
  type WorkUnit,
} from '../schemas/index.js';

/**
 * An offer holds this long: after it, its provider may offer the unit again under a new id, and
 * its requester no longer accepts it (a provider that went quiet stops drawing work).
 */
export const OFFER_TTL_MS = 15_000;

/** Units a requester lets any provider have in flight at least: enough to keep a small machine busy between rounds. */
export const MIN_PIPELINE = 8;
/** And at most, whatever cores it claims: a peer that claims a huge machine cannot hoard a job. */
const MAX_PIPELINE = 64;
/** Units of a known short estimate: a provider may hold this many seconds of work per core... */
const PIPELINE_SECONDS = 2;
/** ...counting no unit as shorter than this... */
const MIN_UNIT_SECONDS = 0.001;
/**
 * ...and no more than this: three batch messages' worth (offers go in messages of 1,000). Tiny
 * units at thousands a second spend half a second between offer and settlement; a pipeline of
 * one message's worth left the provider's workers waiting on round trips.
 */
const MAX_TIME_PIPELINE = 3000;

/**
 * How many units a requester lets a provider with `cores` have in flight: MIN_PIPELINE (or the
 * requester's own `minimum`), or one per core when it has more, up to MAX_PIPELINE, so that a big
 * machine is not held to half its cores; or, for units estimated at `unitSeconds` each, as many as
 * keep its cores busy PIPELINE_SECONDS, up to MAX_TIME_PIPELINE and to its `share` of the work
 * (the requester's open units over the providers it knows).
 */
export function pipelineFor(cores: number, minimum = MIN_PIPELINE, unitSeconds = Infinity, share = Infinity): number {
  const byCount = Math.max(minimum, Math.min(MAX_PIPELINE, Math.floor(cores)));
  // Short units: enough to keep every core busy for PIPELINE_SECONDS, so a round trip per few
  // units does not leave the workers idle (tiny units ran at a pipeline's worth per round trip);
  // but no more than the provider's `share` of the work, so that a small job still spreads.
  const byTime = Math.floor((Math.max(1, cores) * PIPELINE_SECONDS) / Math.max(unitSeconds, MIN_UNIT_SECONDS));
  return Math.max(byCount, Math.min(MAX_TIME_PIPELINE, byTime, share));
}

/**
 * The pipeline of a provider by its commitment, from its largest slot: both ends read it there, the
 * requester to accept, the provider to offer no more than would be accepted (allocate's `requesterRoom`).
 */
export function pipelineOf(
  provider: ComputeCommitment | undefined,
  minimum = MIN_PIPELINE,
  unitSeconds = Infinity,
  share = Infinity,
): number {
  let cores = 0;
  for (const slot of provider?.availability_slots ?? []) cores = Math.max(cores, slot.resources.cpu_cores);
  return pipelineFor(cores, minimum, unitSeconds, share);
}

/** How offers are ranked: weights on trust, reputation, price, estimated time and data locality. */
export interface AcceptancePolicy {
  trust: number;
  reputation: number;
  price: number;
  time: number;
  /** On the share of the unit's data the provider holds already (holdings.ts): its bytes need not cross again. */
  locality: number;
  /** A worker's deadline is its estimate times this, plus `graceSeconds`. */
  deadlineSlack: number;
  graceSeconds: number;
}

export const DEFAULT_ACCEPTANCE_POLICY: AcceptancePolicy = {
  trust: 1,
  reputation: 1,
  price: 0.5,
  time: 0.5,
  // Above price and time together: a unit whose data is there goes there while that provider has room.
  locality: 1,
  deadlineSlack: 3,
  graceSeconds: 30,
};

export interface AcceptanceContext {
  me: string;
  nowMs: number;
  policy: AcceptancePolicy;
  /** My effective trust in a provider, in [0, 1]; 0 for a peer I have not trusted (a stranger). */
  trustIn(peer: string): number;
  /** Whether a job is open to strangers: its units may go to providers I do not trust. Absent: none is. */
  openToStrangers?(jobId: string): boolean;
  /** Whether a check caught the provider lying: it gets nothing, open job or not. */
  isConvicted?(peer: string): boolean;
  /** A provider's reputation with me, in [0, 1]. */
  reputationOf(peer: string): number;
  /** Providers already working on a unit (accepted before), by unit id. */
  acceptedProviders(unitId: string): readonly string[];
  /** Credits a job may still commit (budget minus held and paid). */
  budgetLeft(jobId: string): number;
  /**
   * How many more units a provider may be given now (the requester keeps each provider's pipeline
   * short); unlimited when absent. A unit whose best provider is full goes to the next best.
   */
  providerRoom?(peer: string): number;
  /** The share, in [0, 1], of the unit's data that a provider holds already; none when absent. */
  localShare?(peer: string, unit: WorkUnit): number;
  /** A unit was just accepted for a provider: it will hold the unit's data (the next unit of this round sees it). */
  willHold?(peer: string, unit: WorkUnit): void;
  /**
   * Whether a unit with no offer from a provider that holds its data and has room waits this round
   * for one (delay scheduling: a short wait for the data's provider, then anyone); `taken`: the
   * providers on the unit already, whom it cannot wait for.
   */
  awaitLocal?(unit: WorkUnit, taken: readonly string[]): boolean;
  /**
   * A unit of a job in a circle: how old an offer for it may be, and the longest a worker may take
   * (its circle's policy's scheduling timeouts); none outside a circle.
   */
  circleLimits?(unit: WorkUnit): { offerTimeoutSeconds: number; unitTimeoutSeconds: number } | undefined;
}

export type RefusalCode =
  | 'not_mine'
  | 'self_offer'
  | 'foreign_id'
  | 'unreasonable'
  | 'unknown_unit'
  | 'untrusted'
  | 'convicted'
  | 'redundancy_met'
  | 'same_provider'
  | 'over_max_price'
  | 'over_budget'
  | 'provider_busy'
  /** Older than its unit's circle lets an offer be. */
  | 'lapsed';

export interface Refusal {
  offer_id: string;
  code: RefusalCode;
  message: string;
}

/** Why an offer cannot be accepted for this unit now, or undefined when it can. */
function refusalOf(
  ctx: AcceptanceContext,
  offer: Offer,
  unit: WorkUnit | undefined,
  taken: readonly string[],
  budget: number,
): Refusal | undefined {
  const refuse = (code: RefusalCode, message: string): Refusal => ({ offer_id: offer.offer_id, code, message });
  if (offer.requester_peer !== ctx.me)
    return refuse('not_mine', `offer ${offer.offer_id} is for ${offer.requester_peer}, not me`);
  if (offer.provider_peer === ctx.me) return refuse('self_offer', 'a node does not accept its own offer');
  // The offer's id becomes the assignment's: it must be its provider's own, or a peer could take another's.
  if (!authoredBy(offer.offer_id, offer.provider_peer))
    return refuse('foreign_id', `offer id ${offer.offer_id} does not start with its provider's id`);
  if (!unit || unit.job_id !== offer.job_id)
    return refuse('unknown_unit', `no open unit ${offer.unit_id} in job ${offer.job_id}`);
  if (ctx.isConvicted?.(offer.provider_peer) === true)
    return refuse('convicted', `${offer.provider_peer} was caught returning a wrong result`);
  if (!(ctx.trustIn(offer.provider_peer) > 0) && ctx.openToStrangers?.(offer.job_id) !== true) {
    return refuse(
      'untrusted',
      `${offer.provider_peer} is not a peer I trust, and job ${offer.job_id} is not open to strangers`,
    );
  }
  if (taken.length >= unit.verification_redundancy) {
    return refuse(
      'redundancy_met',
      `unit ${unit.unit_id} already has ${taken.length} of ${unit.verification_redundancy} workers`,
    );
  }
  if (taken.includes(offer.provider_peer))
    return refuse('same_provider', `${offer.provider_peer} already works on ${unit.unit_id}`);
  // Numbers a peer chose, bounded by the unit: a huge estimate would hold the unit and its escrow for ever.
  const longest = unit.estimated_duration_seconds / MIN_PERFORMANCE;
  if (!(offer.estimated_seconds <= longest))
    return refuse(
      'unreasonable',
      `estimate of ${offer.estimated_seconds} s is over the ${longest} s the unit allows any provider`,
    );
  if (!Number.isSafeInteger(deadlineMs(ctx, offer, unit)))
    return refuse('unreasonable', `estimate of ${offer.estimated_seconds} s makes no deadline`);
  const limits = ctx.circleLimits?.(unit);
  if (limits && offer.estimated_seconds > limits.unitTimeoutSeconds)
    return refuse(
      'unreasonable',
      `estimate of ${offer.estimated_seconds} s is over the ${limits.unitTimeoutSeconds} s its circle allows a unit`,
    );
  if (limits && ctx.nowMs - Date.parse(offer.timestamp) > limits.offerTimeoutSeconds * 1000)
    return refuse(
      'lapsed',
      `offer ${offer.offer_id} is older than the ${limits.offerTimeoutSeconds} s its circle allows`,
    );
  if (unit.max_price !== undefined && offer.price > unit.max_price) {
    return refuse('over_max_price', `price ${offer.price} is above the unit's maximum ${unit.max_price}`);
  }
  if (offer.price > budget)
    return refuse('over_budget', `price ${offer.price} exceeds the ${budget} left in job ${offer.job_id}`);
  return undefined;
}

/** Largest time a Date holds (±10⁸ days from the epoch). */
const MAX_DATE_MS = 8.64e15;

/**
 * When a worker's result is due: its estimate times the slack, plus the grace, and no later than its
 * circle's unit timeout; NaN past what a Date holds.
 */
function deadlineMs(ctx: AcceptanceContext, offer: Offer, unit: WorkUnit): number {
  const seconds = offer.estimated_seconds * ctx.policy.deadlineSlack + ctx.policy.graceSeconds;
  const ms = Math.floor(ctx.nowMs + Math.min(seconds, ctx.circleLimits?.(unit)?.unitTimeoutSeconds ?? Infinity) * 1000);
  return ms <= MAX_DATE_MS ? ms : Number.NaN;
}

function acceptanceFor(ctx: AcceptanceContext, offer: Offer, unit: WorkUnit, alreadyTaken: number): Acceptance {
  return {
    assignment_id: offer.offer_id,
    offer_id: offer.offer_id,
    unit_id: offer.unit_id,
    job_id: offer.job_id,
    requester_peer: offer.requester_peer,
    provider_peer: offer.provider_peer,
    price: offer.price,
    role: alreadyTaken === 0 ? 'primary' : 'verification',
    deadline: new Date(deadlineMs(ctx, offer, unit)).toISOString(),
    timestamp: new Date(ctx.nowMs).toISOString(),
  };
}

/** Accepts one chosen offer (manual mode), or says why not. */
export function acceptOffer(
  ctx: AcceptanceContext,
  offer: Offer,
  unit: WorkUnit | undefined,
): { ok: true; acceptance: Acceptance } | { ok: false; refusal: Refusal } {
  const taken = ctx.acceptedProviders(offer.unit_id);
  const refusal = refusalOf(ctx, offer, unit, taken, ctx.budgetLeft(offer.job_id));
  return refusal ? { ok: false, refusal } : { ok: true, acceptance: acceptanceFor(ctx, offer, unit!, taken.length) };
}

/** Higher is better; price and time are relative to the unit's dearest and slowest offer. */
function score(ctx: AcceptanceContext, offer: Offer, unit: WorkUnit, maxPrice: number, maxSeconds: number): number {
  const w = ctx.policy;
  const price = maxPrice > 0 ? offer.price / maxPrice : 0;
  const time = maxSeconds > 0 ? offer.estimated_seconds / maxSeconds : 0;
  const local = w.locality > 0 ? (ctx.localShare?.(offer.provider_peer, unit) ?? 0) : 0;
  return (
    w.trust * ctx.trustIn(offer.provider_peer) +
    w.reputation * ctx.reputationOf(offer.provider_peer) -
    w.price * price -
    w.time * time +
    w.locality * local
  );
}

/**
 * Accepts offers by policy: units in the order given (the caller's priority order), each up to
 * its redundancy. Deterministic: ties go to the cheaper offer, then the smaller provider id.
 */
export function acceptByPolicy(
  ctx: AcceptanceContext,
  units: readonly WorkUnit[],
  offers: readonly Offer[],
): { acceptances: Acceptance[]; refusals: Refusal[] } {
  const byUnit = new Map<string, Offer[]>();
  for (const offer of offers) {
    const list = byUnit.get(offer.unit_id);
    if (list) list.push(offer);
    else byUnit.set(offer.unit_id, [offer]);
  }
  const budgets = new Map<string, number>();
  const budgetOf = (job: string) => budgets.get(job) ?? ctx.budgetLeft(job);
  const rooms = new Map<string, number>();
  const roomOf = (peer: string) => rooms.get(peer) ?? ctx.providerRoom?.(peer) ?? Number.POSITIVE_INFINITY;
  const acceptances: Acceptance[] = [];
  const refusals: Refusal[] = [];

  for (const unit of units) {
    if (byUnit.size === 0) break; // the rest have no offers: a requester lists far more units than it gets offers for
    const candidates = byUnit.get(unit.unit_id);
    if (!candidates) continue;
    byUnit.delete(unit.unit_id);
    const maxPrice = Math.max(...candidates.map((o) => o.price));
    const maxSeconds = Math.max(...candidates.map((o) => o.estimated_seconds));
    const ranked = candidates
      .map((offer) => ({ offer, score: score(ctx, offer, unit, maxPrice, maxSeconds) }))
      .sort(
        (a, b) =>
          b.score - a.score ||
          a.offer.price - b.offer.price ||
          (a.offer.provider_peer < b.offer.provider_peer ? -1 : 1),
      );
    const taken = [...ctx.acceptedProviders(unit.unit_id)];
    // No offer from a provider that holds the unit's data and has room: it may wait a round or more
    // for one (its offers stay in hand, not refused: a later round may take them).
    const localWithRoom = (peer: string) => (ctx.localShare?.(peer, unit) ?? 0) > 0 && roomOf(peer) > 0;
    if (ctx.policy.locality > 0 && !ranked.some(({ offer }) => localWithRoom(offer.provider_peer)))
      if (ctx.awaitLocal?.(unit, taken)) continue;
    for (const { offer } of ranked) {
      const budget = budgetOf(unit.job_id);
      const refusal = refusalOf(ctx, offer, unit, taken, budget);
      if (refusal) {
        refusals.push(refusal);
        continue;
      }
      const room = roomOf(offer.provider_peer);
      if (room <= 0) {
        refusals.push({
          offer_id: offer.offer_id,
          code: 'provider_busy',
          message: `${offer.provider_peer} has as many units in flight as it may have`,
        });
        continue;
      }
      acceptances.push(acceptanceFor(ctx, offer, unit, taken.length));
      ctx.willHold?.(offer.provider_peer, unit);
      taken.push(offer.provider_peer);
      budgets.set(unit.job_id, budget - offer.price);
      rooms.set(offer.provider_peer, room - 1);
    }
  }
  for (const rest of byUnit.values()) {
    for (const offer of rest)
      refusals.push({ offer_id: offer.offer_id, code: 'unknown_unit', message: `no open unit ${offer.unit_id}` });
  }
  return { acceptances, refusals };
}

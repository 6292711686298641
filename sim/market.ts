// The requester's choice of providers for a unit, through the real acceptance (acceptByPolicy):
// a few providers with room offer for the unit (the same price; slightly different speeds), and
// the policy ranks them by trust and reputation. A convicted identity has trust 0 and makes no
// offer: acceptByPolicy ranks by trust but does not refuse a trust-0 provider, so the caller drops
// its offers, as the node's requester must.
import { acceptByPolicy, DEFAULT_ACCEPTANCE_POLICY, type AcceptanceContext } from '../src-main/core/scheduler/index.js';
import type { Acceptance, Offer, WorkUnit } from '../src-main/core/schemas/index.js';
import type { Providers } from './providers.js';

const REQUESTER = 'requester';
const JOB = 'job';
/** Every offer's price, in credits. */
export const PRICE = 10;

export class Market {
  readonly #ctx: AcceptanceContext;
  #taken: readonly string[] = [];
  #iso = '';
  #round = 0;
  #offerSerial = 0;
  readonly #scratch: number[] = [];

  constructor(
    private readonly providers: Providers,
    /** The stream that picks which providers offer (the market, not the requester's secret). */
    private readonly pick: () => number,
    budget: number,
  ) {
    this.#ctx = {
      me: REQUESTER,
      nowMs: 0,
      policy: DEFAULT_ACCEPTANCE_POLICY,
      trustIn: (peer) => providers.trust(providers.identityOf(peer), this.#ctx.nowMs),
      reputationOf: (peer) => providers.reputation(providers.identityOf(peer), this.#ctx.nowMs),
      acceptedProviders: () => this.#taken,
      budgetLeft: () => budget - PRICE * this.#offerSerial,
      providerRoom: (peer) => providers.room[providers.slotOf[providers.identityOf(peer)]!]!,
    };
  }

  startRound(round: number, nowMs: number): void {
    this.#round = round;
    this.#ctx.nowMs = nowMs;
    this.#iso = new Date(nowMs).toISOString();
  }

  /**
   * Offers for unit `unit` from up to `need + 1` of the `open` slots that have room and are not on
   * it yet (`taken`: the peers already on it), accepted by policy up to `wanted` workers.
   */
  accept(unit: number, wanted: number, need: number, taken: readonly string[], open: readonly number[]): Acceptance[] {
    const { providers } = this;
    const candidates = this.#scratch;
    candidates.length = 0;
    for (const slot of open) {
      const id = providers.current[slot]!;
      if (id >= 0 && providers.room[slot]! > 0 && !taken.includes(providers.names[id]!)) candidates.push(slot);
    }
    if (candidates.length === 0) return [];
    const unitId = `u${unit}`;
    const offers: Offer[] = [];
    const k = Math.min(candidates.length, need + 1);
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(this.pick() * (candidates.length - i));
      const slot = candidates[j]!;
      candidates[j] = candidates[i]!;
      candidates[i] = slot;
      offers.push(this.#offer(unitId, providers.names[providers.current[slot]!]!, slot));
    }
    this.#taken = taken;
    return acceptByPolicy(this.#ctx, [this.#workUnit(unitId, wanted)], offers).acceptances;
  }

  #offer(unitId: string, provider: string, slot: number): Offer {
    return {
      offer_id: `${provider}#${this.#offerSerial++}`, // an offer id starts with its author (authoredBy)
      round: this.#round,
      unit_id: unitId,
      job_id: JOB,
      requester_peer: REQUESTER,
      provider_peer: provider,
      slot_id: 'cpu',
      tier: 1,
      price: PRICE,
      estimated_seconds: 10 + (slot % 3),
      performance_score: 1,
      expected_start: this.#iso,
      expected_end: this.#iso,
      timestamp: this.#iso,
    };
  }

  #workUnit(unitId: string, wanted: number): WorkUnit {
    return {
      unit_id: unitId,
      job_id: JOB,
      algorithm_id: 'hash/sha256',
      algorithm_version: '1.0.0',
      required_resources: { cpu_cores: 1, ram_gb: 1 },
      estimated_duration_seconds: 10,
      priority: 0.5,
      verification_redundancy: wanted,
    };
  }
}

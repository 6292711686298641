// Per-peer rate limits as token buckets: each peer may spend `burst` at once and earns `perSecond`
// back. Time is an argument (core has no clock), so a test can replay any sequence of arrivals.

export interface RateLimit {
  /** Tokens earned per second. */
  perSecond: number;
  /** The most a peer holds: what it may spend at once after a quiet while. */
  burst: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/** Peers tracked at once; past this the least recently seen is forgotten (it starts again full). */
const MAX_TRACKED = 10_000;

export class PeerRates {
  readonly #buckets = new Map<string, Bucket>();

  constructor(private readonly limit: RateLimit) {}

  /** Spends `cost` of `peer`'s tokens at `nowMs`; false (nothing spent) when it has too few. */
  take(peer: string, nowMs: number, cost = 1): boolean {
    const { perSecond, burst } = this.limit;
    let bucket = this.#buckets.get(peer);
    if (bucket === undefined) bucket = { tokens: burst, atMs: nowMs };
    else this.#buckets.delete(peer); // re-inserted below: the map stays in order of last use
    bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, nowMs - bucket.atMs) / 1000) * perSecond);
    bucket.atMs = nowMs;
    this.#buckets.set(peer, bucket);
    if (this.#buckets.size > MAX_TRACKED) this.#buckets.delete(this.#buckets.keys().next().value!);
    if (bucket.tokens < cost) return false;
    bucket.tokens -= cost;
    return true;
  }

  /** How long from `nowMs` until `peer` holds `cost` tokens again (0: it does now). */
  waitMs(peer: string, nowMs: number, cost = 1): number {
    const { perSecond, burst } = this.limit;
    const bucket = this.#buckets.get(peer);
    if (bucket === undefined) return 0;
    const tokens = Math.min(burst, bucket.tokens + (Math.max(0, nowMs - bucket.atMs) / 1000) * perSecond);
    return tokens >= cost ? 0 : Math.ceil(((Math.min(cost, burst) - tokens) / perSecond) * 1000);
  }
}

// The offers a requester holds for its units, in memory only: an offer not accepted within
// OFFER_TTL_MS lapses, so none is journaled until it is accepted, and the book is bounded, so
// no peer can grow a requester's journal or memory by offering. Pure: the caller passes the time.
import type { Offer } from '../schemas/index.js';
import { OFFER_TTL_MS } from './accept.js';

/** Offers held at most, all providers and units together; past it, lapsed ones go, then new ones are refused. */
const MAX_HELD_OFFERS = 20_000;

export interface HeldOffer {
  offer: Offer;
  /** When it reached me (my clock: providers' clocks may differ). */
  receivedAt: number;
}

export class OfferBook {
  /** Unit → provider → its latest offer: a provider has one open offer per unit, a new one replaces it. */
  readonly #byUnit = new Map<string, Map<string, HeldOffer>>();
  #size = 0;

  constructor(private readonly maxOffers = MAX_HELD_OFFERS) {}

  get size(): number {
    return this.#size;
  }

  /** Holds the offer; false when the book is full of offers still live. */
  add(offer: Offer, nowMs: number): boolean {
    let byProvider = this.#byUnit.get(offer.unit_id);
    if (!byProvider?.has(offer.provider_peer) && this.#size >= this.maxOffers) {
      this.#prune(nowMs);
      if (this.#size >= this.maxOffers) return false;
      byProvider = this.#byUnit.get(offer.unit_id);
    }
    if (!byProvider) this.#byUnit.set(offer.unit_id, (byProvider = new Map()));
    if (!byProvider.has(offer.provider_peer)) this.#size++;
    byProvider.set(offer.provider_peer, { offer, receivedAt: nowMs });
    return true;
  }

  /** The units with offers held (live or lapsed). */
  units(): IterableIterator<string> {
    return this.#byUnit.keys();
  }

  /** The unit's offers that have not lapsed. */
  live(unitId: string, nowMs: number): HeldOffer[] {
    const held = [...(this.#byUnit.get(unitId)?.values() ?? [])];
    return held.filter((h) => nowMs - h.receivedAt < OFFER_TTL_MS);
  }

  /** The offer, if held (live or lapsed), and it is no longer held. */
  take(unitId: string, offerId: string): Offer | undefined {
    const byProvider = this.#byUnit.get(unitId);
    for (const [provider, held] of byProvider ?? []) {
      if (held.offer.offer_id !== offerId) continue;
      byProvider!.delete(provider);
      if (byProvider!.size === 0) this.#byUnit.delete(unitId);
      this.#size--;
      return held.offer;
    }
    return undefined;
  }

  #prune(nowMs: number): void {
    for (const [unitId, byProvider] of this.#byUnit) {
      for (const [provider, held] of byProvider) {
        if (nowMs - held.receivedAt < OFFER_TTL_MS) continue;
        byProvider.delete(provider);
        this.#size--;
      }
      if (byProvider.size === 0) this.#byUnit.delete(unitId);
    }
  }
}

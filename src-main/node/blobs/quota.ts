// How many bytes of my disk each requester's work holds, as provider (its units' modules and my
// outputs), against its quota. The collector recounts it from what the store holds after each
// collection; between two, what execution stores is added as it is stored. `take` checks and
// counts in one synchronous step, so units finishing at once cannot pass the quota together.

interface Held {
  blobs: Map<string, number>;
  total: number;
}

/** A blob counted by `take` stays counted this long even when no store lists it yet (its write is under way). */
const TAKEN_MS = 60_000;

export class RequesterQuota {
  #held = new Map<string, Held>();
  /** When `take` counted each blob. */
  #takenAt = new Map<string, number>();

  constructor(readonly quotaBytes: number) {}

  /** Blobs `take` counted that a recount keeps (reset reads whether each is still stored). */
  get takenCount(): number {
    return this.#takenAt.size;
  }

  /** Bytes of blobs held for `requester`. */
  used(requester: string): number {
    return this.#held.get(requester)?.total ?? 0;
  }

  /** Why `requester` may have no more of my disk now, or undefined while it has room. */
  refusal(requester: string): string | undefined {
    const used = this.used(requester);
    if (used < this.quotaBytes) return undefined;
    return `quota: your blobs hold ${used} of your ${this.quotaBytes} bytes of my disk; wait until finished work is collected`;
  }

  /** Counts `cid` (`bytes`) for `requester` if it fits its quota (or is counted already); false when it does not. */
  take(requester: string, cid: string, bytes: number): boolean {
    let held = this.#held.get(requester);
    if (held?.blobs.has(cid)) return true;
    if (this.used(requester) + bytes > this.quotaBytes) return false;
    if (!held) this.#held.set(requester, (held = { blobs: new Map(), total: 0 }));
    held.blobs.set(cid, bytes);
    held.total += bytes;
    this.#takenAt.set(cid, Date.now());
    return true;
  }

  /**
   * Starts over from a fresh count (requester → cid → bytes), keeping what `take` counted of
   * blobs still stored or taken lately: one being written, or stored but not yet journaled (an
   * output before its result), is in no count but this one.
   */
  reset(
    counted: Map<string, Map<string, number>>,
    stored: { has(cid: string): boolean },
    collected: { has(cid: string): boolean },
    now = Date.now(),
  ): void {
    for (const [cid, at] of this.#takenAt)
      if (collected.has(cid) || (now - at > TAKEN_MS && !stored.has(cid))) this.#takenAt.delete(cid);
    for (const [peer, held] of this.#held) {
      const blobs = counted.get(peer) ?? new Map<string, number>();
      for (const [cid, bytes] of held.blobs) if (this.#takenAt.has(cid) && !blobs.has(cid)) blobs.set(cid, bytes);
      if (blobs.size > 0) counted.set(peer, blobs);
    }
    this.#held = new Map(
      [...counted].map(([peer, blobs]) => [peer, { blobs, total: [...blobs.values()].reduce((a, b) => a + b, 0) }]),
    );
  }

  /** Each requester's bytes held (for the storage view). */
  usage(): Map<string, number> {
    return new Map([...this.#held].map(([peer, held]) => [peer, held.total]));
  }
}

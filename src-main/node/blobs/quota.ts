// How many bytes of my disk each requester's work holds, as provider (its units' modules and my
// outputs), against its quota. Counted once at start from what the store holds of the work I hold
// (collector.ts); from then on a blob counts from when execution takes it (`take`, before it is
// stored) until the collector removes it (`release`), so that a collection with nothing to remove
// needs no recount. `take` checks and counts in one synchronous step, so units finishing at once
// cannot pass the quota together.

interface Held {
  blobs: Map<string, number>;
  total: number;
}

export class RequesterQuota {
  #held = new Map<string, Held>();

  constructor(readonly quotaBytes: number) {}

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
    return true;
  }

  /** Starts over from a count (requester → cid → bytes): the node's, at start. */
  reset(counted: ReadonlyMap<string, ReadonlyMap<string, number>>): void {
    this.#held = new Map(
      [...counted].map(([peer, blobs]) => [
        peer,
        { blobs: new Map(blobs), total: [...blobs.values()].reduce((a, b) => a + b, 0) },
      ]),
    );
  }

  /** Blobs removed from my disk: held for no one any more. */
  release(cids: Iterable<string>): void {
    for (const cid of cids)
      for (const held of this.#held.values()) {
        const bytes = held.blobs.get(cid);
        if (bytes === undefined) continue;
        held.blobs.delete(cid);
        held.total -= bytes;
      }
  }

  /** Each requester's bytes held (for the storage view). */
  usage(): Map<string, number> {
    return new Map([...this.#held].map(([peer, held]) => [peer, held.total]));
  }
}

// At most a number of blob fetches in flight to one peer; the rest wait their turn, in the order
// they came. A holder takes in BLOB_STREAM_LIMITS.maxInboundStreams at once and resets the streams
// past it: a requester verifying sixty 640-KB tiles at once lost most of those fetches, and decided
// their units again 5 s later.
export class FetchSlots {
  readonly #peers = new Map<string, { running: number; waiting: Array<() => void> }>();

  constructor(private readonly slots: number) {}

  async run<T>(peer: string, fetch: () => Promise<T>): Promise<T> {
    let busy = this.#peers.get(peer);
    if (!busy) this.#peers.set(peer, (busy = { running: 0, waiting: [] }));
    if (busy.running < this.slots) busy.running++;
    else await new Promise<void>((resolve) => busy.waiting.push(resolve));
    try {
      return await fetch();
    } finally {
      const next = busy.waiting.shift();
      if (next)
        next(); // the slot passes to it
      else if (--busy.running === 0) this.#peers.delete(peer);
    }
  }
}

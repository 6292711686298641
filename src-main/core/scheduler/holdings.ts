// Data locality on the requester's side (docs/PROTOCOL.md, "Data locality"): which providers hold
// which of my blobs, by my own record — a unit's input and files I gave a provider, an output it
// computed — so that a unit whose data a provider already holds goes there, and its bytes do not
// cross again. A hint, never a promise: a provider that dropped the blob fetches it as any other.
import type { WorkUnit } from '../schemas/index.js';

/** Blobs remembered at most: the oldest noted go first (a fan-out of 10,000 items over two steps fits). */
const MAX_BLOBS = 50_000;
/** Holders remembered of one blob: the latest. */
const MAX_HOLDERS = 4;

interface Held {
  bytes: number;
  peers: string[];
}

export class Holdings {
  /** By CID, in the order last noted (a Map keeps insertion order: the first is the oldest). */
  readonly #blobs = new Map<string, Held>();

  constructor(
    /** A blob this small or smaller is not noted: it rides inline with its acceptance, wherever it is held. */
    private readonly minBytes: number,
    private readonly maxBlobs = MAX_BLOBS,
  ) {}

  /** `peer` holds the blob `cid` of `bytes` bytes (it was given it, or made it). */
  note(peer: string, cid: string, bytes: number): void {
    if (bytes <= this.minBytes) return;
    const held = this.#blobs.get(cid);
    this.#blobs.delete(cid); // noted again: now the newest
    const peers = (held?.peers ?? []).filter((p) => p !== peer);
    peers.push(peer);
    this.#blobs.set(cid, { bytes, peers: peers.slice(-MAX_HOLDERS) });
    if (this.#blobs.size > this.maxBlobs) this.#blobs.delete(this.#blobs.keys().next().value!);
  }

  /** The blob's size, if it was noted. */
  bytesOf(cid: string): number | undefined {
    return this.#blobs.get(cid)?.bytes;
  }

  /**
   * The share, in [0, 1], of a unit's data (its input and its files) that `peer` holds, by bytes, of
   * what I noted; 0 when I noted none of it.
   */
  share(peer: string, unit: WorkUnit): number {
    let held = 0;
    let known = 0;
    for (const cid of [unit.input_cid, unit.required_dataset]) {
      const entry = cid === undefined ? undefined : this.#blobs.get(cid);
      if (!entry) continue;
      known += entry.bytes;
      if (entry.peers.includes(peer)) held += entry.bytes;
    }
    return known > 0 ? held / known : 0;
  }

  /** The peers I noted holding any of a unit's data (its input, its files). */
  holders(unit: WorkUnit): string[] {
    const peers = new Set<string>();
    for (const cid of [unit.input_cid, unit.required_dataset])
      for (const peer of (cid === undefined ? undefined : this.#blobs.get(cid))?.peers ?? []) peers.add(peer);
    return [...peers];
  }

  get size(): number {
    return this.#blobs.size;
  }
}

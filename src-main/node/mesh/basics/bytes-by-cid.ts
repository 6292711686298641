// Blobs held in memory by CID, at most a given number of bytes in all: the least recently put
// goes first when a new one would pass the cap.
export class BytesByCid {
  readonly #held = new Map<string, Uint8Array>();
  #bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(cid: string): Uint8Array | undefined {
    return this.#held.get(cid);
  }

  has(cid: string): boolean {
    return this.#held.has(cid);
  }

  /** Holds `bytes` as the most recent (one larger than the cap is not held). */
  put(cid: string, bytes: Uint8Array): void {
    this.delete(cid);
    if (bytes.byteLength > this.maxBytes) return;
    this.#held.set(cid, bytes);
    this.#bytes += bytes.byteLength;
    for (const oldest of this.#held.keys()) {
      if (this.#bytes <= this.maxBytes) break;
      this.delete(oldest);
    }
  }

  delete(cid: string): void {
    const held = this.#held.get(cid);
    if (!held) return;
    this.#held.delete(cid);
    this.#bytes -= held.byteLength;
  }
}

// Small blobs carried inside a message (inputs with their acceptances, outputs with their results):
// each up to MAX_INLINE_BLOB_BYTES, up to a budget of bytes for the whole message.
import { MAX_INLINE_BLOB_BYTES } from '../../../core/protocol/messages.js';
import type { Blobs } from './blobs.js';

export class InlineBudget {
  #left: number;
  /** The blob looked up last: `full` then `take` of one result ask the store once. */
  #last: { cid: string; bytes: Uint8Array | undefined } | undefined;

  constructor(
    private readonly blobs: Pick<Blobs, 'getSmall'>,
    /** The message's room for inline bytes. */
    total: number,
  ) {
    this.#left = total;
  }

  /** The blob as base64 when it is small, in my store, and the message still has room for it. */
  take(cid: string | undefined): string | undefined {
    const bytes = this.#small(cid);
    if (bytes === undefined || bytes.byteLength > this.#left) return undefined;
    this.#left -= bytes.byteLength;
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  }

  /** Whether the blob is small enough to ride inline, but this message has no room left for it. */
  full(cid: string | undefined): boolean {
    if (this.#left >= MAX_INLINE_BLOB_BYTES) return false; // room for any small blob: no lookup
    const bytes = this.#small(cid);
    return bytes !== undefined && bytes.byteLength > this.#left;
  }

  #small(cid: string | undefined): Uint8Array | undefined {
    if (cid === undefined) return undefined;
    if (this.#last?.cid !== cid) this.#last = { cid, bytes: this.blobs.getSmall(cid, MAX_INLINE_BLOB_BYTES) };
    return this.#last.bytes;
  }
}

// Small blobs carried inside a message (inputs with their acceptances, outputs with their results):
// each up to MAX_INLINE_BLOB_BYTES, up to a budget of bytes for the whole message.
import { MAX_INLINE_BLOB_BYTES } from '../../core/protocol/messages.js';
import type { Blobs } from './job-inputs.js';

export class InlineBudget {
  #left: number;

  constructor(
    private readonly blobs: Pick<Blobs, 'size' | 'get'>,
    /** The message's room for inline bytes. */
    total: number,
  ) {
    this.#left = total;
  }

  /** The blob as base64 when it is small, in my store, and the message still has room for it. */
  take(cid: string | undefined): string | undefined {
    const size = this.#smallSize(cid);
    if (size === undefined || size > this.#left) return undefined;
    const bytes = this.blobs.get(cid!);
    if (!bytes) return undefined;
    this.#left -= size;
    return Buffer.from(bytes).toString('base64');
  }

  /** Whether the blob is small enough to ride inline, but this message has no room left for it. */
  full(cid: string | undefined): boolean {
    if (this.#left >= MAX_INLINE_BLOB_BYTES) return false; // room for any small blob: no lookup
    const size = this.#smallSize(cid);
    return size !== undefined && size > this.#left;
  }

  #smallSize(cid: string | undefined): number | undefined {
    const size = cid === undefined ? undefined : this.blobs.size(cid);
    return size !== undefined && size <= MAX_INLINE_BLOB_BYTES ? size : undefined;
  }
}

// The sha256 of each unit of a job's input, taken as the input streams through to the store
// (job-split.ts): a job's units are known by their inputs' digests, 32 bytes a unit in one growing
// array, and an input that makes more units than a job may have is refused as soon as it does.
import { createHash, hash, type Hash } from 'node:crypto';
import { ApiError } from '../../api/errors.js';
import { SHA256_BYTES } from '../../../core/mesh/state/input-cids.js';
import { unitsOfInput } from '../../../core/mesh/rules/packs.js';
import { LIMITS } from '../../../core/schemas/index.js';

/** An input of unknown size, whose units passed the limit when `readBytes` of it were read. */
const tooManyUnitsSoFar = (chunkBytes: number, readBytes: number) =>
  new ApiError(
    'bad_request',
    `the input makes more than ${LIMITS.unitsPerJob} units of ${chunkBytes} bytes, a job's most (unitsPerJob): the node stopped reading it at ${readBytes} bytes; use chunks of at least its size ÷ ${LIMITS.unitsPerJob}`,
  );

/**
 * The sha256 of each `chunk`-byte unit of a stream (a pack, in a packed job), taken as the stream
 * passes through; `unitBytes`: a unit's input as the user counts units, for their limit.
 */
export class UnitDigests {
  #digests = new Uint8Array(1024 * SHA256_BYTES);
  #units = 0;
  #inputBytes = 0;
  /** The unit being filled across pieces of the stream, and how much of it has come. */
  #partial: Hash | undefined;
  #partialBytes = 0;

  constructor(
    private readonly chunk: number,
    private readonly unitBytes = chunk,
  ) {}

  async *through(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const piece of source) {
      this.#take(piece);
      yield piece;
    }
  }

  /** Every unit's digest, the last (shorter) one included. */
  end(): Uint8Array {
    if (this.#partial) this.#push(this.#partial.digest());
    this.#partial = undefined;
    return this.#digests.subarray(0, this.#units * SHA256_BYTES);
  }

  #take(piece: Uint8Array): void {
    this.#inputBytes += piece.byteLength;
    let at = 0;
    if (this.#partial) {
      at = Math.min(piece.byteLength, this.chunk - this.#partialBytes);
      this.#partial.update(piece.subarray(0, at));
      this.#partialBytes += at;
      if (this.#partialBytes < this.chunk) return;
      this.#push(this.#partial.digest());
      this.#partial = undefined;
    }
    // Whole units within the piece are hashed at once (most units, when they are small).
    for (; at + this.chunk <= piece.byteLength; at += this.chunk)
      this.#push(hash('sha256', piece.subarray(at, at + this.chunk), 'buffer'));
    if (at < piece.byteLength) {
      this.#partial = createHash('sha256').update(piece.subarray(at));
      this.#partialBytes = piece.byteLength - at;
    }
  }

  #push(digest: Uint8Array): void {
    const units = unitsOfInput(this.#inputBytes, this.unitBytes);
    if (units > LIMITS.unitsPerJob) throw tooManyUnitsSoFar(this.unitBytes, this.#inputBytes);
    if ((this.#units + 1) * SHA256_BYTES > this.#digests.byteLength) {
      const grown = new Uint8Array(this.#digests.byteLength * 2);
      grown.set(this.#digests);
      this.#digests = grown;
    }
    this.#digests.set(digest, this.#units * SHA256_BYTES);
    this.#units++;
  }
}

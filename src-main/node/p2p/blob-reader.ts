// The fetcher's side of a blob reply, fed the bytes as they arrive: a length-prefixed JSON header,
// then length-prefixed chunks. Chunk bytes are hashed and copied straight into the result, never
// buffered, so a transfer costs one copy and one hash per byte and a slow reader queues nothing.
// The result grows as bytes arrive (doubling, up to the announced size), never allocated at the
// size a peer announces: a peer that announces much and sends little costs what it sent.
import { createHash } from 'node:crypto';
import * as z from '../../core/schemas/zod.js';
import { Count, decodeJson } from '../../core/schemas/index.js';
import { BlobError } from './errors.js';

/** The largest chunk frame accepted (a peer may chunk differently from us). */
const MAX_CHUNK_BYTES = 4 * 1024 * 1024;
const MAX_HEADER_BYTES = 256;
/** Enough varint bytes for MAX_CHUNK_BYTES; a longer prefix is garbage. */
const MAX_PREFIX_BYTES = 4;
/** The buffer's first size; it doubles as bytes come. */
const FIRST_BUFFER_BYTES = 64 * 1024;

const BlobHeaderSchema = z.union([
  z.strictObject({ ok: z.literal(true), size: Count }),
  z.strictObject({ ok: z.literal(false), error: z.string().check(z.maxLength(64)) }),
]);

export class BlobReader {
  private readonly hash = createHash('sha256');
  private readonly headerParts: Uint8Array[] = [];
  private size: number | undefined; // what the header announced
  private blob = new Uint8Array(0); // grown as bytes arrive, up to `size`
  private filled = 0;
  private prefix = 0; // the length prefix being read, and how many of its bytes have arrived
  private prefixBytes = 0;
  private frameLeft = -1; // bytes of the current frame still to come; -1 while reading a prefix

  constructor(
    private readonly expectedDigest: Uint8Array,
    private readonly maxBytes: number,
  ) {}

  /** Takes the next bytes of the reply; throws BlobError as soon as the reply goes wrong. */
  push(bytes: Uint8Array): void {
    let at = 0;
    while (at < bytes.byteLength) {
      if (this.frameLeft < 0) {
        this.readPrefixByte(bytes[at++]!);
        continue;
      }
      const part = bytes.subarray(at, at + this.frameLeft);
      at += part.byteLength;
      this.frameLeft -= part.byteLength;
      if (this.size === undefined) {
        this.headerParts.push(part);
        if (this.frameLeft === 0) this.size = this.sizeFromHeader();
      } else {
        if (this.filled + part.byteLength > this.size) {
          throw new BlobError('protocol', `more bytes than the ${this.size} announced`);
        }
        this.hash.update(part);
        this.room(this.filled + part.byteLength, this.size);
        this.blob.set(part, this.filled);
        this.filled += part.byteLength;
      }
      if (this.frameLeft === 0) this.frameLeft = -1;
    }
  }

  /** The blob, checked against its CID, once the reply has ended; throws BlobError. */
  finish(): Uint8Array {
    if (this.size === undefined) throw new BlobError('protocol', 'the reply ended before its header');
    if (this.frameLeft >= 0 || this.prefixBytes > 0) throw new BlobError('protocol', 'the reply ended inside a frame');
    if (this.filled < this.size) throw new BlobError('protocol', `short read: ${this.filled} of ${this.size} bytes`);
    if (!Buffer.from(this.expectedDigest).equals(this.hash.digest()))
      throw new BlobError('hash_mismatch', 'the bytes do not hash to the CID');
    return this.blob; // grown to exactly `size`: it never grows past it
  }

  /** Room for `needed` bytes: the buffer doubles (from FIRST_BUFFER_BYTES), never past `size`. */
  private room(needed: number, size: number): void {
    if (needed <= this.blob.byteLength) return;
    let capacity = Math.max(this.blob.byteLength, FIRST_BUFFER_BYTES);
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(Math.min(capacity, size));
    grown.set(this.blob.subarray(0, this.filled));
    this.blob = grown;
  }

  /** One byte of an unsigned LEB128 length prefix. */
  private readPrefixByte(byte: number): void {
    this.prefix += (byte & 0x7f) * 2 ** (7 * this.prefixBytes);
    this.prefixBytes++;
    if (byte & 0x80) {
      if (this.prefixBytes >= MAX_PREFIX_BYTES) throw new BlobError('protocol', 'a length prefix too long to be one');
      return;
    }
    const limit = this.size === undefined ? MAX_HEADER_BYTES : MAX_CHUNK_BYTES;
    if (this.prefix > limit)
      throw new BlobError('protocol', `a frame of ${this.prefix} bytes, over the ${limit} allowed`);
    if (this.size === undefined && this.prefix === 0) throw new BlobError('protocol', 'an empty header');
    this.frameLeft = this.prefix;
    this.prefix = 0;
    this.prefixBytes = 0;
    if (this.frameLeft === 0) this.frameLeft = -1; // an empty chunk: nothing to read
  }

  /** The size a header announces; throws BlobError for a refusal, a bad header or a size over maxBytes. */
  private sizeFromHeader(): number {
    const text = Buffer.concat(this.headerParts).toString('utf8');
    const header = decodeJson(BlobHeaderSchema, text, MAX_HEADER_BYTES);
    if (!header.ok) throw new BlobError('protocol', `bad header: ${header.error.message}`);
    if (!header.value.ok) {
      const { error } = header.value;
      throw new BlobError(
        error === 'not_found' || error === 'forbidden' ? error : 'protocol',
        `the peer refused: ${error}`,
      );
    }
    if (header.value.size > this.maxBytes) {
      throw new BlobError('too_large', `${header.value.size} bytes, more than the ${this.maxBytes} allowed`);
    }
    return header.value.size;
  }
}

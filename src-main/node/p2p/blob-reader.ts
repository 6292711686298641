// The fetcher's side of a blob reply, fed the bytes as they arrive: a length-prefixed JSON header,
// then length-prefixed chunks. Chunk bytes are kept as they came (a large piece by reference, small
// ones gathered), then joined once at the end and the result hashed: one copy and one hash per byte,
// and the hash is of the very bytes returned (a piece kept by reference that its sender reused could
// not slip past it). Growing one buffer by doubling cost two more copies and a zero-fill per byte (13 % of a
// 100 MB fetch's CPU samples, before the collections those allocations drove). What is held is at
// most twice what was sent, never the size a peer announces: a peer that announces much and sends
// little costs what it sent.
import { createHash } from 'node:crypto';
import * as z from '../../core/schemas/zod.js';
import { Count, decodeJson } from '../../core/schemas/index.js';
import { BlobError } from './errors.js';

/** The largest chunk frame accepted (a peer may chunk differently from us). */
const MAX_CHUNK_BYTES = 4 * 1024 * 1024;
const MAX_HEADER_BYTES = 256;
/** Enough varint bytes for MAX_CHUNK_BYTES; a longer prefix is garbage. */
const MAX_PREFIX_BYTES = 4;
/**
 * A piece at least this long is kept by reference, when it is at least half of the memory it
 * views (Noise hands over 64 KiB frames, so a kept piece pins at most twice its bytes); shorter
 * pieces are copied into a gathering buffer, so a peer sending tiny frames makes few objects.
 */
const KEEP_PIECE_BYTES = 16 * 1024;
const GATHER_BYTES = 64 * 1024;

const BlobHeaderSchema = z.union([
  z.strictObject({ ok: z.literal(true), size: Count }),
  z.strictObject({ ok: z.literal(false), error: z.string().check(z.maxLength(64)) }),
]);

export class BlobReader {
  private readonly headerParts: Uint8Array[] = [];
  private size: number | undefined; // what the header announced
  private readonly pieces: Uint8Array[] = []; // the blob's bytes so far, in order
  private gather: Uint8Array | undefined; // where short pieces are copied, `gathered` bytes of it used
  private gathered = 0;
  private filled = 0;
  private prefix = 0; // the length prefix being read, and how many of its bytes have arrived
  private prefixBytes = 0;
  private frameLeft = -1; // bytes of the current frame still to come; -1 while reading a prefix

  constructor(
    private readonly expectedDigest: Uint8Array,
    private readonly maxBytes: number,
  ) {}

  /**
   * Takes the next bytes of the reply; throws BlobError as soon as the reply goes wrong. The bytes
   * may be kept until finish (not copied), so the caller hands them over: as a stream's reads do.
   */
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
        this.keep(part, this.size);
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
    this.endGather();
    // Every byte is written below, so the memory need not be zeroed first (a plain Uint8Array, as before).
    const blob = new Uint8Array(Buffer.allocUnsafeSlow(this.size).buffer, 0, this.size);
    let at = 0;
    for (const piece of this.pieces.splice(0)) {
      blob.set(piece, at);
      at += piece.byteLength;
    }
    if (!Buffer.from(this.expectedDigest).equals(createHash('sha256').update(blob).digest()))
      throw new BlobError('hash_mismatch', 'the bytes do not hash to the CID');
    return blob;
  }

  /** Keeps `piece` of the blob (whose announced size is `size`): by reference, or copied with others. */
  private keep(piece: Uint8Array, size: number): void {
    if (piece.byteLength >= KEEP_PIECE_BYTES && piece.byteLength * 2 >= piece.buffer.byteLength) {
      this.endGather();
      this.pieces.push(piece);
      return;
    }
    for (let at = 0; at < piece.byteLength;) {
      // never more than the blob has left to come: a small blob costs its size, not GATHER_BYTES
      this.gather ??= new Uint8Array(Math.min(GATHER_BYTES, size - this.filled - at));
      const taken = Math.min(piece.byteLength - at, this.gather.byteLength - this.gathered);
      this.gather.set(piece.subarray(at, at + taken), this.gathered);
      this.gathered += taken;
      at += taken;
      if (this.gathered === this.gather.byteLength) this.endGather();
    }
  }

  /** Puts what the gathering buffer holds among the pieces; the next short piece starts another. */
  private endGather(): void {
    if (this.gather !== undefined) this.pieces.push(this.gather.subarray(0, this.gathered));
    this.gather = undefined;
    this.gathered = 0;
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

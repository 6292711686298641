// Blobs (modules, inputs, outputs) as files named by their CID: `dir/<2 chars>/<cid>`. A blob is
// written to a temp file, flushed, then renamed under its CID, so a crash never leaves a partial
// blob where a reader would trust it; a file under a CID name is always the whole blob.
import { CodedError, describeError } from '../../core/errors.js';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { mkdir, open as openFile, rename, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { cidOfBytes, cidOfDigest, digestOfCid } from './cid.js';

export const DEFAULT_MAX_BLOB_BYTES = 256 * 1024 * 1024;
/** The size of the chunks `open()` yields. */
export const OPEN_CHUNK_BYTES = 256 * 1024;
const TEMP_DIR = 'tmp';
/** Longer than any CID the store names (59 characters); longer strings are not even parsed. */
const MAX_CID_CHARS = 128;

export type BlobStoreErrorCode =
  /** The bytes do not hash to the CID they were offered under. */
  | 'hash_mismatch'
  /** More bytes than the store's maxBlobBytes. */
  | 'too_large'
  /** Not a raw sha256 CIDv1 in its canonical base32 form. */
  | 'bad_cid'
  /** The file system failed (disk full, permissions...). */
  | 'io_failed';

export class BlobStoreError extends CodedError<BlobStoreErrorCode> {
  override readonly name = 'BlobStoreError';
}

export interface BlobStoreOptions {
  /** Largest blob accepted by put and putVerified; 256 MiB unless set. */
  maxBlobBytes?: number;
}

/** Unique temp names across every store of this process (the pid tells processes apart). */
let tempCounter = 0;

export class BlobStore {
  private readonly maxBlobBytes: number;
  private readonly tempDir: string;
  /** Shard directories known to exist. */
  private readonly shards = new Set<string>();

  /** Creates `dir` if needed and removes temp files that an earlier, crashed process left behind. */
  constructor(
    private readonly dir: string,
    options: BlobStoreOptions = {},
  ) {
    this.maxBlobBytes = options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES;
    this.tempDir = join(dir, TEMP_DIR);
    ioStep('cannot prepare the blob directory', () => {
      mkdirSync(this.tempDir, { recursive: true });
      for (const name of readdirSync(this.tempDir)) {
        if (!name.startsWith(`${process.pid}-`)) rmSync(join(this.tempDir, name), { force: true });
      }
    });
  }

  /**
   * Stores `bytes` and resolves their CID once they are on disk. Storing the same bytes again
   * changes nothing. The writing and flushing run off the event loop.
   */
  async put(bytes: Uint8Array): Promise<string> {
    this.checkSize(bytes);
    const cid = cidOfBytes(bytes);
    await this.write(this.pathOf(cid)!, bytes);
    return cid;
  }

  /** Stores bytes received as `cid` (from a peer), refusing them unless they hash to it. */
  async putVerified(cid: string, bytes: Uint8Array): Promise<void> {
    const path = this.pathOf(cid);
    if (path === undefined) throw new BlobStoreError('bad_cid', `not a raw sha256 CIDv1: ${clip(cid)}`);
    this.checkSize(bytes);
    const actual = cidOfBytes(bytes);
    if (actual !== cid) throw new BlobStoreError('hash_mismatch', `bytes hash to ${actual}, not ${cid}`);
    await this.write(path, bytes);
  }

  has(cid: string): boolean {
    const path = this.pathOf(cid);
    return path !== undefined && existsSync(path);
  }

  /** The blob's size in bytes, or undefined when the store does not hold it. */
  size(cid: string): number | undefined {
    const path = this.pathOf(cid);
    return path === undefined ? undefined : sizeOf(path);
  }

  get(cid: string): Uint8Array | undefined {
    const path = this.pathOf(cid);
    if (path === undefined) return undefined;
    const buffer = ioStep(`cannot read ${path}`, () => readMissingAsUndefined(path));
    // A plain Uint8Array: a Buffer's slice() shares memory where a Uint8Array's copies.
    return buffer && new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  /**
   * The blob as a stream of chunks of at most OPEN_CHUNK_BYTES, for blobs too large to hold or
   * send at once. The file is opened when iteration starts; each iteration reads it afresh.
   */
  open(cid: string): { size: number; chunks: AsyncIterable<Uint8Array> } | undefined {
    const path = this.pathOf(cid);
    const size = path === undefined ? undefined : sizeOf(path);
    if (path === undefined || size === undefined) return undefined;
    return { size, chunks: { [Symbol.asyncIterator]: () => readChunks(path) } };
  }

  /**
   * Stores a blob as it arrives, never holding it whole: written to a temp file and hashed on the
   * way, then named by its CID. More than `maxBytes` ends it with `too_large` (nothing is kept).
   */
  async putStream(source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<{ cid: string; bytes: number }> {
    const temp = join(this.tempDir, `${process.pid}-${tempCounter++}.tmp`);
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      const file = await openFile(temp, 'wx');
      try {
        for await (const chunk of source) {
          bytes += chunk.byteLength;
          if (bytes > maxBytes)
            throw new BlobStoreError('too_large', `more than ${maxBytes} bytes: the limit of a streamed blob`);
          hash.update(chunk);
          await file.write(chunk);
        }
        await file.sync();
      } finally {
        await file.close();
      }
      const cid = cidOfDigest(hash.digest());
      const path = this.pathOf(cid)!;
      await mkdir(dirname(path), { recursive: true });
      await rename(temp, path);
      await syncDirectory(dirname(path));
      return { cid, bytes };
    } catch (err) {
      await rm(temp, { force: true });
      // The file system's failures are the store's; the source's own (a refused input) go to the caller as they are.
      if (err instanceof Error && 'syscall' in err)
        throw new BlobStoreError('io_failed', `cannot store a streamed blob: ${describeError(err)}`);
      throw err;
    }
  }

  /** `length` bytes of a blob from `offset` (fewer at its end), or undefined when the store does not hold it. */
  readRange(cid: string, offset: number, length: number): Uint8Array | undefined {
    const path = this.pathOf(cid);
    if (path === undefined || !existsSync(path)) return undefined;
    return ioStep(`cannot read ${path}`, () => {
      const fd = openSync(path, 'r');
      try {
        const bytes = new Uint8Array(length);
        return bytes.subarray(0, readSync(fd, bytes, 0, length, offset));
      } finally {
        closeSync(fd);
      }
    });
  }

  /** Where `cid` lives, or undefined when it is not a canonical raw sha256 CID (never a path). */
  private pathOf(cid: string): string | undefined {
    if (typeof cid !== 'string' || cid.length > MAX_CID_CHARS) return undefined;
    const digest = digestOfCid(cid);
    // Only the canonical form: one file per blob, and a name of base32 letters and digits only.
    if (digest === undefined || cidOfDigest(digest) !== cid) return undefined;
    // The next-to-last two characters, as IPFS's flatfs shards: every CID starts alike, and the
    // last character carries only 3 bits of the digest.
    return join(this.dir, cid.slice(-3, -1), cid);
  }

  private checkSize(bytes: Uint8Array): void {
    if (bytes.byteLength > this.maxBlobBytes) {
      throw new BlobStoreError('too_large', `${bytes.byteLength} bytes exceeds the limit of ${this.maxBlobBytes}`);
    }
  }

  private async write(path: string, bytes: Uint8Array): Promise<void> {
    if (existsSync(path)) return; // same name, same bytes: content addressing makes put idempotent
    const temp = join(this.tempDir, `${process.pid}-${tempCounter++}.tmp`);
    const shard = dirname(path);
    try {
      if (!this.shards.has(shard)) {
        await mkdir(shard, { recursive: true });
        this.shards.add(shard);
      }
      const file = await openFile(temp, 'wx');
      try {
        await file.writeFile(bytes);
        await file.sync(); // on disk before it has its name, so a power cut cannot leave an empty blob
      } finally {
        await file.close();
      }
      await rename(temp, path);
    } catch (err) {
      await rm(temp, { force: true });
      throw new BlobStoreError('io_failed', `cannot write ${path}: ${describeError(err)}`);
    }
    await syncDirectory(shard);
  }
}

async function* readChunks(path: string): AsyncGenerator<Uint8Array> {
  const file = await openFile(path, 'r');
  try {
    for (;;) {
      // A fresh buffer per chunk: the consumer may keep chunks while we read the next.
      const chunk = new Uint8Array(OPEN_CHUNK_BYTES);
      const { bytesRead } = await file.read(chunk, 0, OPEN_CHUNK_BYTES, null);
      if (bytesRead === 0) return;
      yield bytesRead === OPEN_CHUNK_BYTES ? chunk : chunk.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

function sizeOf(path: string): number | undefined {
  return ioStep(`cannot stat ${path}`, () => statSync(path, { throwIfNoEntry: false })?.size);
}

function readMissingAsUndefined(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Makes a rename durable. Best effort: some platforms (Windows) cannot open a directory. */
async function syncDirectory(path: string): Promise<void> {
  try {
    const dir = await openFile(path, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // the blob is complete under its name either way; only its durability across a power cut is weaker
  }
}

/** Runs a file-system step, turning its failure into a BlobStoreError. */
function ioStep<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (err) {
    throw new BlobStoreError('io_failed', `${what}: ${describeError(err)}`);
  }
}

/** Quotes a caller's string in a message without quoting megabytes of it. */
function clip(text: unknown): string {
  const s = String(text);
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

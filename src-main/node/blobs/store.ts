// Blobs (modules, inputs, outputs) named by their CID. Up to SMALL_BLOB_BYTES they are rows of
// the node's database (small-blobs.ts) when the store is given one; larger ones are files
// (blob-files.ts). A row is always the whole blob, as a file under a CID name is: this store picks
// where each blob goes and reads it from there.
import { describeError } from '../../core/errors.js';
import { hash } from 'node:crypto';
import { cidOfSha256 } from '../../core/mesh/state/input-cids.js';
import { placeOf, type BlobPlace } from './place.js';
import type { Db } from '../journal/database.js';
import { SMALL_BLOB_BYTES, SmallBlobs, type SmallRow } from './small-blobs.js';
import { chunksOf, readChunks } from './files.js';
import { BlobFiles } from './blob-files.js';
import { BlobStoreError, ioStep } from './errors.js';

export const DEFAULT_MAX_BLOB_BYTES = 256 * 1024 * 1024;

export interface BlobStoreOptions {
  /** Largest blob accepted by put and putVerified; 256 MiB unless set. */
  maxBlobBytes?: number;
  /**
   * The node's database (migrated), as its path or the journal's connection: blobs up to
   * SMALL_BLOB_BYTES go there. Absent: every blob is a file.
   */
  database?: string | Db;
}

/** A blob the store holds: how big, and when it was last put (ms), which the collector's grace reads. */
export interface StoredBlob {
  cid: string;
  size: number;
  storedAt: number;
  place: 'row' | 'file';
}

/** Files written at once by putMany: each holds a file open. */
const PARALLEL_WRITES = 64;

export class BlobStore {
  private readonly maxBlobBytes: number;
  private readonly files: BlobFiles;
  private readonly small: SmallBlobs | undefined;
  /** Rows waiting for this turn's transaction, and its write (writeRows). */
  private pendingRows: SmallRow[] | undefined;
  private pendingWrite: Promise<void> | undefined;
  /** Calls of remove that removed something: blobs found held, with none removed since, are held still. */
  private removed = 0;

  /** Creates `dir` if needed and removes temp files that an earlier, crashed process left behind. */
  constructor(
    private readonly dir: string,
    options: BlobStoreOptions = {},
  ) {
    this.maxBlobBytes = options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES;
    this.files = new BlobFiles(dir);
    this.small =
      options.database === undefined
        ? undefined
        : ioStep('cannot open the blob table', () => new SmallBlobs(options.database!));
  }

  /**
   * Stores `bytes` and resolves their CID once they are on disk. Storing the same bytes again
   * changes nothing. The writing and flushing run off the event loop.
   */
  async put(bytes: Uint8Array): Promise<string> {
    return (await this.putMany([bytes]))[0]!;
  }

  /**
   * Stores many blobs (a job's chunks), their CIDs in order: the small ones in a few transactions,
   * the files a few at a time. All or some may be stored when it throws; none partly.
   */
  async putMany(blobs: readonly Uint8Array[]): Promise<string[]> {
    return this.putAll(blobs, false);
  }

  /**
   * putMany of those `blobs` the store does not hold already (a list of files given again): the
   * others are not written again, so their grace counts from when they were first put.
   */
  async putMissing(blobs: readonly Uint8Array[]): Promise<string[]> {
    return this.putAll(blobs, true);
  }

  private async putAll(blobs: readonly Uint8Array[], onlyMissing: boolean): Promise<string[]> {
    for (const bytes of blobs) this.checkSize(bytes);
    const cids: string[] = [];
    let rows: SmallRow[] = [];
    let files: { cid: string; bytes: Uint8Array }[] = [];
    for (const bytes of blobs) {
      const digest = hash('sha256', bytes, 'buffer');
      const cid = cidOfSha256(digest);
      cids.push(cid);
      if (this.small && bytes.byteLength <= SMALL_BLOB_BYTES) rows.push({ digest, bytes });
      else files.push({ cid, bytes });
    }
    if (onlyMissing) {
      const held = ioStep('cannot read the blob table', () => this.small?.hasAll(rows.map((row) => row.digest)));
      rows = rows.filter((_, i) => held?.[i] !== true);
      files = files.filter(({ cid }) => !this.files.has(this.pathOf(cid)!));
    }
    await this.writeRows(rows);
    for (let i = 0; i < files.length; i += PARALLEL_WRITES)
      await Promise.all(
        files.slice(i, i + PARALLEL_WRITES).map(({ cid, bytes }) => this.files.write(this.pathOf(cid)!, bytes)),
      );
    return cids;
  }

  /** Stores bytes received as `cid` (from a peer), refusing them unless they hash to it. */
  async putVerified(cid: string, bytes: Uint8Array): Promise<void> {
    const at = this.locate(cid);
    if (at === undefined) throw new BlobStoreError('bad_cid', `not a raw sha256 CIDv1: ${clip(cid)}`);
    this.checkSize(bytes);
    const digest = hash('sha256', bytes, 'buffer');
    const actual = cidOfSha256(digest);
    if (actual !== cid) throw new BlobStoreError('hash_mismatch', `bytes hash to ${actual}, not ${cid}`);
    if (this.small && bytes.byteLength <= SMALL_BLOB_BYTES) await this.writeRows([{ digest, bytes }]);
    else await this.files.write(at.path, bytes);
  }

  has(cid: string): boolean {
    const at = this.locate(cid);
    return at !== undefined && (this.smallRow(at.digest, (s, d) => s.has(d)) === true || this.files.has(at.path));
  }

  /** has() of each (with `sizes`: and is that many bytes), the rows asked in batches. */
  hasAll(cids: readonly string[], sizes?: readonly number[]): boolean[] {
    const at = cids.map((cid) => this.locate(cid));
    const placed = at.flatMap((place, i) => (place ? [i] : []));
    const inRows = this.small
      ? ioStep('cannot read the blob table', () =>
          this.small!.hasAll(
            placed.map((i) => at[i]!.digest),
            sizes && placed.map((i) => sizes[i]!),
          ),
        )
      : [];
    const found = cids.map(() => false);
    placed.forEach((i, row) => {
      // The file's path made only for a blob not a row (path is a getter).
      found[i] = inRows[row] === true || this.fileHolds(at[i]!.path, sizes?.[i]);
    });
    return found;
  }

  /**
   * hasAll, named for callers of a node's view of the store (mesh/context/blobs.ts), whose hasAll
   * also finds a unit's input inside its job's input: here every blob is the store's own.
   */
  hasAllStored(cids: readonly string[], sizes?: readonly number[]): boolean[] {
    return this.hasAll(cids, sizes);
  }

  private fileHolds(path: string, size: number | undefined): boolean {
    return size === undefined ? this.files.has(path) : this.files.size(path) === size;
  }

  /** The blob's size in bytes, or undefined when the store does not hold it. */
  size(cid: string): number | undefined {
    const at = this.locate(cid);
    return at === undefined ? undefined : (this.smallRow(at.digest, (s, d) => s.size(d)) ?? this.files.size(at.path));
  }

  get(cid: string): Uint8Array | undefined {
    const at = this.locate(cid);
    if (at === undefined) return undefined;
    const row = this.smallRow(at.digest, (s, d) => s.get(d));
    return row ?? this.files.read(at.path);
  }

  /** get() of each, the rows read in batches (a fan-out's files). */
  getMany(cids: readonly string[]): (Uint8Array | undefined)[] {
    const at = cids.map((cid) => this.locate(cid));
    const placed = at.flatMap((place, i) => (place ? [i] : []));
    const rows = this.small
      ? ioStep('cannot read the blob table', () => this.small!.getAll(placed.map((i) => at[i]!.digest)))
      : [];
    const found: (Uint8Array | undefined)[] = cids.map(() => undefined);
    placed.forEach((i, row) => (found[i] = rows[row] ?? this.files.read(at[i]!.path)));
    return found;
  }

  /**
   * The blob's bytes when the store holds it and it is at most `maxBytes`: a row is read in one
   * lookup (a message's small outputs, one a unit), a file only when it is small enough.
   */
  getSmall(cid: string, maxBytes: number): Uint8Array | undefined {
    const at = this.locate(cid);
    if (at === undefined) return undefined;
    const row = this.smallRow(at.digest, (s, d) => s.get(d));
    if (row) return row.byteLength <= maxBytes ? row : undefined;
    const size = this.files.size(at.path);
    return size !== undefined && size <= maxBytes ? this.get(cid) : undefined;
  }

  /**
   * The blob as a stream of chunks of at most OPEN_CHUNK_BYTES (files.ts), for blobs too large to
   * hold or send at once. The file is opened when iteration starts; each iteration reads it afresh.
   */
  open(cid: string): { size: number; chunks: AsyncIterable<Uint8Array> } | undefined {
    const at = this.locate(cid);
    if (at === undefined) return undefined;
    const row = this.smallRow(at.digest, (s, d) => s.get(d));
    if (row) return { size: row.byteLength, chunks: { [Symbol.asyncIterator]: () => chunksOf(row) } };
    const { path } = at;
    const size = this.files.size(path);
    if (size === undefined) return undefined;
    return { size, chunks: { [Symbol.asyncIterator]: () => readChunks(path) } };
  }

  /**
   * Stores a blob as it arrives, never holding it whole: written to a temp file and hashed on the
   * way, then named by its CID. More than `maxBytes` ends it with `too_large` (nothing is kept).
   */
  putStream(source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<{ cid: string; bytes: number }> {
    return this.files.writeStream(source, maxBytes);
  }

  /** `length` bytes of a blob from `offset` (fewer at its end), or undefined when the store does not hold it. */
  readRange(cid: string, offset: number, length: number): Uint8Array | undefined {
    const path = this.pathOf(cid);
    return path === undefined ? undefined : this.files.readRange(path, offset, length);
  }

  /**
   * Every blob the store holds (rows, then files): what the collector sweeps and the storage view
   * counts; with `putBefore` (ms), only those last put before it.
   */
  list(putBefore = Infinity): StoredBlob[] {
    const rows = (this.small?.entries(putBefore) ?? []).map(({ digest, size, storedAt }) => ({
      cid: cidOfSha256(digest),
      size,
      storedAt,
      place: 'row' as const,
    }));
    const files = this.files
      .list()
      .flatMap((file) => (file.storedAt < putBefore ? [{ ...file, place: 'file' as const }] : []));
    return [...rows, ...files];
  }

  /**
   * Deletes the blobs not put again since `before` (ms): a blob put (or fetched) again after the
   * caller decided it was unneeded is fresh and stays. Synchronous, so nothing can name a blob
   * between the check and the delete. What was deleted: the blobs and their bytes.
   */
  remove(blobs: readonly StoredBlob[], before: number): { removed: number; freed: number } {
    const rows: { digest: Uint8Array; size: number }[] = [];
    const done = { removed: 0, freed: 0 };
    for (const blob of blobs) {
      const at = this.locate(blob.cid);
      if (at === undefined) continue;
      if (blob.place === 'row') {
        rows.push({ digest: at.digest, size: blob.size });
        continue;
      }
      const freed = this.files.removeIfOlder(at.path, before);
      if (freed !== undefined) {
        done.removed++;
        done.freed += freed;
      }
    }
    if (this.small && rows.length > 0) {
      const gone = ioStep('cannot delete blob rows', () => this.small!.removeAll(rows, before));
      done.removed += gone.removed;
      done.freed += gone.freed;
    }
    if (done.removed > 0) this.removed++;
    return done;
  }

  /** How many calls of remove removed something since the store opened (blobs leave it only so). */
  removals(): number {
    return this.removed;
  }

  /** Closes the blob table's connection (files need nothing). */
  close(): void {
    this.small?.close();
  }

  /** `read` of the blob's row (by its sha256), when the store has a table. */
  private smallRow<T>(digest: Uint8Array, read: (small: SmallBlobs, digest: Uint8Array) => T): T | undefined {
    if (!this.small) return undefined;
    return ioStep('cannot read the blob table', () => read(this.small!, digest));
  }

  /**
   * Rows written in this turn of the event loop share a transaction: the outputs of a batch of
   * tiny units arrive one by one, and a commit each cost more than the rows themselves.
   */
  private writeRows(rows: SmallRow[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    if (!this.pendingRows) {
      const pending: SmallRow[] = [];
      this.pendingRows = pending;
      this.pendingWrite = new Promise((resolve) => setImmediate(resolve)).then(async () => {
        this.pendingRows = undefined; // rows put from now on go in the next transaction
        try {
          await this.small!.putAll(pending, Date.now());
        } catch (err) {
          throw new BlobStoreError('io_failed', `cannot write blob rows: ${describeError(err)}`);
        }
      });
    }
    this.pendingRows.push(...rows);
    return this.pendingWrite!;
  }

  /** Where `cid` lives, or undefined when it is not a canonical raw sha256 CID (never a path). */
  private pathOf(cid: string): string | undefined {
    return this.locate(cid)?.path;
  }

  /** The file `cid` would be and the sha256 its row is kept by, decoded once; undefined as pathOf. */
  private locate(cid: string): BlobPlace | undefined {
    return placeOf(this.dir, cid);
  }

  private checkSize(bytes: Uint8Array): void {
    if (bytes.byteLength > this.maxBlobBytes) {
      throw new BlobStoreError('too_large', `${bytes.byteLength} bytes exceeds the limit of ${this.maxBlobBytes}`);
    }
  }
}

/** Quotes a caller's string in a message without quoting megabytes of it. */
function clip(text: unknown): string {
  const s = String(text);
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

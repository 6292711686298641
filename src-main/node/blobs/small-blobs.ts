// Small blobs as rows of the node's database (table `small_blobs`, migration 6; in the order they
// are put since migration 21), not one file each: a 64-byte input as a file costs a 4 KiB block,
// an inode and two fsyncs; as a row it costs its bytes and a key, and a job's thousands of chunks
// go in a few transactions. A row is in the table only whole (a transaction), which is the
// guarantee a file's temp+rename gave. Rows share the journal's WAL, so a row written before the
// event that names it survives whatever that event survives (a power cut loses a suffix of the
// WAL, never a middle).
import { openDatabase, type Db } from '../journal/database.js';

/** Blobs up to this size are rows; larger ones files (bench/blobs.bench.ts measures both sides). */
export const SMALL_BLOB_BYTES = 16 * 1024;
/** Bytes of rows per transaction in putMany: a transaction holds the main thread while it runs. */
const BATCH_BYTES = 4 * 1024 * 1024;
const BATCH_ROWS = 2000;
/** Rows asked at once by hasAll and getAll. */
const HAS_BATCH = 4096;
/**
 * Rows written lately, kept in memory up to this many bytes: a small output is read back moments
 * after it is written (a provider inlines it in its results message), and a read of the table
 * cost ~20 µs a row, as much as the write.
 */
const RECENT_BYTES = 2 * 1024 * 1024;
/** What a kept row costs beyond its bytes (its key, record and arrays): 32-byte outputs kept 65,536 rows, ~20 MB of heap. */
const ROW_OVERHEAD = 256;

/** A row's key: the first 8 bytes of its sha256. */
function keyOf(digest: Uint8Array): bigint {
  return Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).readBigInt64BE(0);
}

export interface SmallRow {
  digest: Uint8Array;
  bytes: Uint8Array;
}

export class SmallBlobs {
  readonly #db: Db;
  readonly #insert: (row: SmallRow, at: number) => void;
  readonly #has: (digest: Uint8Array) => boolean;
  /** Of a JSON list of keys, each digest the 32 bytes at its place in `digests`: its place and its row's size or bytes (null: not under its key). */
  readonly #sizesKeyed: (keys: string, digests: Uint8Array) => [number, number | null][];
  readonly #bytesKeyed: (keys: string, digests: Uint8Array) => [number, Buffer | null][];
  readonly #size: (digest: Uint8Array) => number | undefined;
  readonly #get: (digest: Uint8Array) => Buffer | undefined;
  readonly #list;
  readonly #delete: (digest: Uint8Array, before: number) => boolean;
  readonly #insertAll: (rows: readonly SmallRow[], at: number) => void;
  /** Rows written lately by key, oldest first (Map order), RECENT_BYTES of them at most; a deleted row leaves. */
  readonly #recent = new Map<bigint, SmallRow>();
  #recentBytes = 0;
  /**
   * Whether small_blob_spill has a row: almost never (a shared 8-byte key), so a lookup that
   * misses (every file blob's: a module, a job's input) need not ask it. Rows are written only
   * here: the node opens one store, under its data dir's lock.
   */
  #spilled: boolean;

  /** Whether close() closes the connection: one opened here, not the journal's. */
  readonly #owned: boolean;

  /**
   * On the journal's connection (a node's: its commits and these share a page cache, where two
   * connections each dropped theirs at every commit of the other), or on a connection of its own
   * to `database` (a path: the journal's database, already migrated by Journal.open).
   */
  constructor(database: string | Db) {
    this.#owned = typeof database === 'string';
    this.#db = typeof database === 'string' ? openDatabase(database) : database;
    try {
      if (this.#db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'small_blobs'").get() === undefined)
        throw new Error(`${this.#db.name} has no small_blobs table: open the journal (which migrates it) first`);
      // A row's key is its digest's first 8 bytes (migration 12); a blob whose key another blob
      // has goes to small_blob_spill (about one chance in 2^64 a pair). A blob put again is fresh
      // again: the collector's grace counts from the last put.
      const insert = this.#db.prepare<[bigint, Uint8Array, number, Uint8Array]>(`
        INSERT INTO small_blobs (key, digest, stored_at, bytes) VALUES (?, ?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET stored_at = excluded.stored_at WHERE digest = excluded.digest`);
      const spill = this.#db.prepare<[Uint8Array, number, Uint8Array]>(`
        INSERT INTO small_blob_spill (digest, stored_at, bytes) VALUES (?, ?, ?)
        ON CONFLICT (digest) DO UPDATE SET stored_at = excluded.stored_at`);
      this.#spilled = this.#db.prepare('SELECT EXISTS (SELECT 1 FROM small_blob_spill)').pluck().get() === 1;
      this.#insert = (row: SmallRow, at: number) => {
        if (insert.run(keyOf(row.digest), row.digest, at, row.bytes).changes === 0) {
          spill.run(row.digest, at, row.bytes);
          this.#spilled = true;
        }
      };
      // A column of the blob's row: under its key with its digest, else spilled (typed at each use).
      const lookup = (column: string) => {
        const keyed = this.#db
          .prepare<[bigint, Uint8Array]>(`SELECT ${column} FROM small_blobs WHERE key = ? AND digest = ?`)
          .pluck();
        const spilled = this.#db
          .prepare<[Uint8Array]>(`SELECT ${column} FROM small_blob_spill WHERE digest = ?`)
          .pluck();
        return (digest: Uint8Array): unknown =>
          keyed.get(keyOf(digest), digest) ?? (this.#spilled ? spilled.get(digest) : undefined);
      };
      const has = lookup('1');
      // Each of a JSON list of keys, its digest the 32 bytes at its place in one blob of them all:
      // its place and its row's size (null: not under its key). A JSON list of [key, digest in hex]
      // read by ->> and unhex() took three times as long.
      const keyed = <T>(column: string) => {
        const query = this.#db
          .prepare<{ keys: string; digests: Uint8Array }, [number, T | null]>(
            `SELECT j.key, ${column} FROM json_each(:keys) AS j LEFT JOIN small_blobs AS s
               ON s.key = j.value AND s.digest = substr(:digests, j.key * 32 + 1, 32)`,
          )
          .raw();
        return (keys: string, digests: Uint8Array) => query.all({ keys, digests });
      };
      this.#sizesKeyed = keyed<number>('length(s.bytes)');
      this.#bytesKeyed = keyed<Buffer>('s.bytes');
      const size = lookup('length(bytes)');
      const get = lookup('bytes');
      this.#has = (digest) => this.#recentRow(digest) !== undefined || has(digest) !== undefined;
      this.#size = (digest) => this.#recentRow(digest)?.bytes.byteLength ?? (size(digest) as number | undefined);
      this.#get = (digest) => {
        const bytes = this.#recentRow(digest)?.bytes;
        return bytes ? Buffer.from(bytes) : (get(digest) as Buffer | undefined);
      };
      // Rows put before a time (all of them: Infinity), scanned in SQL: a collection with nothing old
      // enough to go reads none of 100,000 rows into JavaScript.
      this.#list = this.#db
        .prepare<[number, number], [Buffer, number, number]>(
          `SELECT digest, length(bytes), stored_at FROM small_blobs WHERE stored_at < ?
           UNION ALL SELECT digest, length(bytes), stored_at FROM small_blob_spill WHERE stored_at < ?`,
        )
        .raw();
      const remove = this.#db.prepare<[bigint, Uint8Array, number]>(
        'DELETE FROM small_blobs WHERE key = ? AND digest = ? AND stored_at < ?',
      );
      const removeSpilled = this.#db.prepare<[Uint8Array, number]>(
        'DELETE FROM small_blob_spill WHERE digest = ? AND stored_at < ?',
      );
      this.#delete = (digest: Uint8Array, before: number) => {
        const gone = remove.run(keyOf(digest), digest, before).changes + removeSpilled.run(digest, before).changes > 0;
        if (gone) this.#forget(digest);
        return gone;
      };
      this.#insertAll = this.#db.transaction((rows: readonly SmallRow[], at: number) => {
        for (const row of rows) this.#insert(row, at);
      });
    } catch (err) {
      if (this.#owned) this.#db.close();
      throw err;
    }
  }

  /**
   * Stores the rows in transactions of at most BATCH_BYTES, letting the event loop run between them,
   * and remembers the last of them: only as many as RECENT_BYTES keeps (copying 10,000 rows to
   * evict three quarters of them cost ~1.2 µs a row, a sixth of a put).
   */
  async putAll(rows: readonly SmallRow[], at: number): Promise<void> {
    let kept = rows.length;
    for (let bytes = 0; kept > 0 && bytes + rows[kept - 1]!.bytes.byteLength + ROW_OVERHEAD <= RECENT_BYTES; kept--)
      bytes += rows[kept - 1]!.bytes.byteLength + ROW_OVERHEAD;
    for (let start = 0; start < rows.length;) {
      let end = start;
      let bytes = 0;
      while (end < rows.length && end - start < BATCH_ROWS && (end === start || bytes < BATCH_BYTES))
        bytes += rows[end++]!.bytes.byteLength;
      const written = rows.slice(start, end);
      this.#insertAll(written, at);
      for (let i = Math.max(start, kept); i < end; i++) this.#remember(rows[i]!);
      start = end;
      if (start < rows.length) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  has(digest: Uint8Array): boolean {
    return this.#has(digest);
  }

  /**
   * Whether each row is here (with `sizes`, and is that many bytes), the table asked once a batch:
   * a lookup each cost ~7 µs a row on a node's database, a batch under half.
   */
  hasAll(digests: readonly Uint8Array[], sizes?: readonly number[]): boolean[] {
    const fits = (i: number, size: number | undefined) => size !== undefined && (!sizes || size === sizes[i]);
    const recent = digests.map((digest) => this.#recentRow(digest));
    const found = recent.map((row, i) => row !== undefined && fits(i, row.bytes.byteLength));
    this.#inBatches(digests, recent, this.#sizesKeyed, (i, size) => {
      // Not under its key (almost never): spilled, if anything is.
      found[i] =
        size !== null ? fits(i, size) : this.#spilled && this.#has(digests[i]!) && fits(i, this.#size(digests[i]!));
    });
    return found;
  }

  /** get() of each, the table asked once a batch (a fan-out's 10,000 files: ~17 ms, one by one ~45). */
  getAll(digests: readonly Uint8Array[]): (Uint8Array | undefined)[] {
    const recent = digests.map((digest) => this.#recentRow(digest));
    const found: (Uint8Array | undefined)[] = recent.map((row) => row && Uint8Array.from(row.bytes));
    this.#inBatches(digests, recent, this.#bytesKeyed, (i, bytes) => {
      if (bytes) found[i] = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      else if (this.#spilled) found[i] = this.get(digests[i]!); // not under its key: spilled, if anything is
    });
    return found;
  }

  /** Asks `query` of the digests not among the recent rows, HAS_BATCH at once, and gives each answer with its index. */
  #inBatches<T>(
    digests: readonly Uint8Array[],
    recent: readonly (SmallRow | undefined)[],
    query: (keys: string, digests: Uint8Array) => [number, T | null][],
    each: (i: number, value: T | null) => void,
  ): void {
    const asked = digests.flatMap((_, i) => (recent[i] ? [] : [i]));
    for (let at = 0; at < asked.length; at += HAS_BATCH) {
      const part = asked.slice(at, at + HAS_BATCH);
      const keys = `[${part.map((i) => keyOf(digests[i]!).toString()).join(',')}]`;
      for (const [place, value] of query(keys, Buffer.concat(part.map((i) => digests[i]!)))) each(part[place]!, value);
    }
  }

  size(digest: Uint8Array): number | undefined {
    return this.#size(digest);
  }

  get(digest: Uint8Array): Uint8Array | undefined {
    const buffer = this.#get(digest);
    return buffer && new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  /** Every row's digest, size and when it was last put (ms); with `putBefore`, only those put before it. */
  entries(putBefore = Infinity): { digest: Uint8Array; size: number; storedAt: number }[] {
    return this.#list.all(putBefore, putBefore).map(([digest, size, storedAt]) => ({ digest, size, storedAt }));
  }

  /** Deletes the rows not put again since `before` (ms), in one transaction: how many, and their bytes. */
  removeAll(rows: readonly { digest: Uint8Array; size: number }[], before: number): { removed: number; freed: number } {
    return this.#db.transaction(() => {
      const done = { removed: 0, freed: 0 };
      for (const row of rows)
        if (this.#delete(row.digest, before)) {
          done.removed++;
          done.freed += row.size;
        }
      return done;
    })();
  }

  close(): void {
    if (this.#owned) this.#db.close();
  }

  /** The row as written lately, if it is among the recent ones (its key's, with its digest). */
  #recentRow(digest: Uint8Array): SmallRow | undefined {
    const row = this.#recent.get(keyOf(digest));
    return row && Buffer.compare(row.digest, digest) === 0 ? row : undefined;
  }

  #remember(row: SmallRow): void {
    const key = keyOf(row.digest);
    const before = this.#recent.get(key);
    if (before) {
      this.#recent.delete(key);
      this.#recentBytes -= before.bytes.byteLength + ROW_OVERHEAD;
    }
    // A copy: the caller's bytes may be a view of a buffer it reuses.
    this.#recent.set(key, { digest: Uint8Array.from(row.digest), bytes: Uint8Array.from(row.bytes) });
    this.#recentBytes += row.bytes.byteLength + ROW_OVERHEAD;
    if (this.#recentBytes <= RECENT_BYTES) return;
    // Down to three quarters at once: a Map walked from its start steps over every entry deleted
    // there since it last rehashed, and one row evicted a put cost ~5 µs a row at 100,000 rows.
    for (const [oldest, { bytes }] of this.#recent) {
      if (this.#recentBytes <= (RECENT_BYTES * 3) / 4) break;
      this.#recent.delete(oldest);
      this.#recentBytes -= bytes.byteLength + ROW_OVERHEAD;
    }
  }

  #forget(digest: Uint8Array): void {
    const row = this.#recentRow(digest);
    if (!row) return;
    this.#recent.delete(keyOf(digest));
    this.#recentBytes -= row.bytes.byteLength + ROW_OVERHEAD;
  }
}

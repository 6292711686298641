// The blobs the store keeps as files, `dir/<2 chars>/<cid>`: those over SMALL_BLOB_BYTES, or every
// blob when the store has no database (small-blobs.ts keeps the rest as rows). A file is written
// to a temp file, flushed, then renamed under its CID, so a crash never leaves a partial blob
// where a reader would trust it: a file under a CID name is always the whole blob.
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { mkdir, open as openFile, rename, rm, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describeError } from '../../core/errors.js';
import { cidOfSha256 } from '../../core/mesh/state/input-cids.js';
import { BlobStoreError, ioStep } from './errors.js';
import { readMissingAsUndefined, syncDirectory } from './files.js';
import { placeOf } from './place.js';

const TEMP_DIR = 'tmp';

/** Unique temp names across every store of this process (the pid tells processes apart). */
let tempCounter = 0;

/** A blob file: its CID (its name), its size, and when it was last put (its mtime, ms). */
export interface BlobFile {
  cid: string;
  size: number;
  storedAt: number;
}

export class BlobFiles {
  readonly #tempDir: string;
  /** Shard directories known to exist. */
  readonly #shards = new Set<string>();

  /** Creates `dir` if needed and removes temp files that an earlier, crashed process left behind. */
  constructor(private readonly dir: string) {
    this.#tempDir = join(dir, TEMP_DIR);
    ioStep('cannot prepare the blob directory', () => {
      mkdirSync(this.#tempDir, { recursive: true });
      for (const name of readdirSync(this.#tempDir)) {
        if (!name.startsWith(`${process.pid}-`)) rmSync(join(this.#tempDir, name), { force: true });
      }
    });
  }

  has(path: string): boolean {
    return existsSync(path);
  }

  /** The file's size in bytes, or undefined when there is none. */
  size(path: string): number | undefined {
    return ioStep(`cannot stat ${path}`, () => statSync(path, { throwIfNoEntry: false })?.size);
  }

  /** The file's bytes, or undefined when there is none. */
  read(path: string): Uint8Array | undefined {
    const buffer = ioStep(`cannot read ${path}`, () => readMissingAsUndefined(path));
    // A plain Uint8Array: a Buffer's slice() shares memory where a Uint8Array's copies.
    return buffer && new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  /** `length` bytes of the file from `offset` (fewer at its end), or undefined when there is none. */
  readRange(path: string, offset: number, length: number): Uint8Array | undefined {
    if (!existsSync(path)) return undefined;
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

  /** Writes `bytes` as the file at `path` (their CID's), or, when it is there, makes it fresh again. */
  async write(path: string, bytes: Uint8Array): Promise<void> {
    if (existsSync(path)) {
      // Same name, same bytes: content addressing makes put idempotent. Fresh again for the collector.
      const now = new Date();
      await utimes(path, now, now).catch(() => undefined);
      return;
    }
    const temp = this.#tempPath();
    const shard = dirname(path);
    try {
      if (!this.#shards.has(shard)) {
        await mkdir(shard, { recursive: true });
        this.#shards.add(shard);
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

  /**
   * Writes a blob as it arrives, never holding it whole: to a temp file, hashed on the way, then
   * named by its CID. More than `maxBytes` ends it with `too_large` (nothing is kept).
   */
  async writeStream(source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<{ cid: string; bytes: number }> {
    const temp = this.#tempPath();
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
      const cid = cidOfSha256(hash.digest());
      const path = placeOf(this.dir, cid)!.path;
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

  /** Every blob file: named by its CID, in the shard its CID names (the temp dir and strangers are passed). */
  list(): BlobFile[] {
    return ioStep('cannot list the blob directory', () => {
      const files: BlobFile[] = [];
      for (const shard of readdirSync(this.dir, { withFileTypes: true })) {
        if (!shard.isDirectory() || shard.name.length !== 2) continue; // the temp dir, or not ours
        for (const name of readdirSync(join(this.dir, shard.name))) {
          const path = join(this.dir, shard.name, name);
          const stat = sizeAndTime(path);
          if (stat !== undefined && placeOf(this.dir, name)?.path === path)
            files.push({ cid: name, size: stat.size, storedAt: stat.mtimeMs });
        }
      }
      return files;
    });
  }

  /** Deletes the file unless it was put again since `before` (ms); the bytes freed, or undefined when it stays. */
  removeIfOlder(path: string, before: number): number | undefined {
    const stat = sizeAndTime(path);
    if (stat === undefined || stat.mtimeMs >= before) return undefined;
    ioStep(`cannot delete ${path}`, () => unlinkSync(path));
    return stat.size;
  }

  #tempPath(): string {
    return join(this.#tempDir, `${process.pid}-${tempCounter++}.tmp`);
  }
}

function sizeAndTime(path: string): { size: number; mtimeMs: number } | undefined {
  return ioStep(`cannot stat ${path}`, () => statSync(path, { throwIfNoEntry: false }));
}

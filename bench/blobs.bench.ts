// The blob store with small blobs as rows of the node's database against the store of one file
// per blob (the store without a database: what every node had before), same run, same machine:
// - blob_small_put_*: puts per second of tiny units' blobs (a 64-byte input and its 32-byte
//   sha256 output each), put as a job submit and a provider do (putMany of the inputs, then the
//   outputs one by one), and the bytes on disk per unit that they cost; and
//   blob_small_put_held_per_s, the same puts as rows into a store that already holds HELD_ROWS
//   (a node that has run jobs for a while: the collector keeps what is younger than its grace);
// - blob_threshold_*: disk bytes per blob and put+get time per blob at sizes around the
//   threshold, rows against files, which is how SMALL_BLOB_BYTES was chosen.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobStore } from '../src-main/node/blobs/index.js';
import { SmallBlobs } from '../src-main/node/blobs/small-blobs.js';
import { Journal } from '../src-main/node/journal/index.js';
import { openDatabase } from '../src-main/node/journal/database.js';
import { round, type Benchmark, type Figure } from './harness.js';

const UNITS = 5_000;
const HELD_ROWS = 100_000;
const THRESHOLD_BLOBS = 300;
const THRESHOLD_SIZES = [1024, 4096, 16 * 1024, 64 * 1024];

/** Bytes the file system gives everything under `dir` (blocks, not lengths: a 64-byte file takes a block). */
function diskBytes(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) bytes += statSync(join(entry.parentPath, entry.name)).blocks * 512;
  return bytes;
}

/** A fresh data dir with a migrated journal database; `store` is a file store unless `rows`. */
async function withStore<T>(rows: boolean, work: (store: BlobStore, dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-blob-bench-'));
  const database = join(dir, 'journal.sqlite');
  const opened = Journal.open(database);
  if (!opened.ok) throw new Error(opened.error.message);
  opened.journal.close();
  const store = new BlobStore(join(dir, 'blobs'), rows ? { database } : {});
  try {
    return await work(store, dir);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The data dir's disk bytes once the WAL is checkpointed into the database (what stays). */
function settledDiskBytes(dir: string): number {
  const db = openDatabase(join(dir, 'journal.sqlite'));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return diskBytes(dir);
}

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/**
 * Puts UNITS tiny units' inputs (one batch) and outputs (one by one), into a store holding `held`
 * blobs already: puts/s and disk bytes per unit.
 */
async function tinyUnits(rows: boolean, held = 0): Promise<{ perSecond: number; bytesPerUnit: number }> {
  return withStore(rows, async (store, dir) => {
    for (let put = 0; put < held; put += UNITS)
      await store.putMany(Array.from({ length: UNITS }, () => randomBytes(64)));
    const empty = settledDiskBytes(dir);
    const inputs = Array.from({ length: UNITS }, () => randomBytes(64));
    const outputs = Array.from({ length: UNITS }, () => randomBytes(32));
    const start = process.hrtime.bigint();
    await store.putMany(inputs);
    await Promise.all(outputs.map((output) => store.put(output)));
    const elapsed = seconds(start);
    return { perSecond: (2 * UNITS) / elapsed, bytesPerUnit: (settledDiskBytes(dir) - empty) / UNITS };
  });
}

/**
 * Disk bytes and put+get microseconds per blob of `size`, one put at a time: as rows (the table
 * itself, whatever SMALL_BLOB_BYTES says) or as files.
 */
async function atSize(rows: boolean, size: number): Promise<{ bytes: number; us: number }> {
  return withStore(false, async (store, dir) => {
    const table = rows ? new SmallBlobs(join(dir, 'journal.sqlite')) : undefined;
    const empty = settledDiskBytes(dir);
    const blobs = Array.from({ length: THRESHOLD_BLOBS }, () => randomBytes(size));
    const start = process.hrtime.bigint();
    for (const bytes of blobs) {
      if (!table) store.get(await store.put(bytes));
      else {
        const digest = createHash('sha256').update(bytes).digest();
        await table.putAll([{ digest, bytes }], Date.now());
        table.get(digest);
      }
    }
    const elapsed = seconds(start);
    table?.close();
    return { bytes: (settledDiskBytes(dir) - empty) / THRESHOLD_BLOBS, us: (elapsed * 1e6) / THRESHOLD_BLOBS };
  });
}

export const benchmarks: Benchmark[] = [
  {
    names: [
      'blob_small_put_per_s',
      'blob_small_put_ratio',
      'blob_small_put_held_per_s',
      'blob_disk_bytes_per_unit',
      'blob_threshold_',
    ],
    async run(): Promise<Figure[]> {
      const files = await tinyUnits(false);
      const table = await tinyUnits(true);
      const held = await tinyUnits(true, HELD_ROWS);
      const figures: Figure[] = [
        {
          name: 'blob_small_put_per_s',
          value: round(table.perSecond, 0),
          unit: 'puts/s',
          files: round(files.perSecond, 0),
        },
        { name: 'blob_small_put_ratio', value: round(table.perSecond / files.perSecond), unit: '× the file store' },
        {
          name: 'blob_small_put_held_per_s',
          value: round(held.perSecond, 0),
          unit: `puts/s as rows, ${HELD_ROWS} rows held`,
          empty_store: round(table.perSecond, 0),
          ratio_to_empty: round(held.perSecond / table.perSecond, 3),
        },
        {
          name: 'blob_disk_bytes_per_unit',
          value: round(table.bytesPerUnit, 0),
          unit: 'bytes (64 B input + 32 B output)',
          files: round(files.bytesPerUnit, 0),
          ratio: round(table.bytesPerUnit / files.bytesPerUnit, 3),
        },
      ];
      for (const size of THRESHOLD_SIZES) {
        const asFiles = await atSize(false, size);
        const asRows = await atSize(true, size);
        const ratio = (what: 'disk' | 'time', key: 'bytes' | 'us', unit: string, digits: number) => ({
          name: `blob_threshold_${size / 1024}k_${what}_ratio`,
          value: round(asRows[key] / asFiles[key], 3),
          unit: `rows ÷ files, ${unit} per blob`,
          rows: round(asRows[key], digits),
          files: round(asFiles[key], digits),
        });
        figures.push(ratio('disk', 'bytes', 'disk bytes', 0), ratio('time', 'us', 'put+get µs', 1));
      }
      return figures;
    },
  },
];

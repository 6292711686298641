// Small blobs keyed by the first 8 bytes of their sha256 (node/blobs/small-blobs.ts, migration 12):
// a blob whose key another blob already has is still stored, read, asked for and removed (small_blob_spill),
// and a database of rows in the old layout keeps every blob through the migration.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { SmallBlobs } from '../../src-main/node/blobs/small-blobs.js';
import { openDatabase } from '../../src-main/node/journal/database.js';
import { Journal } from '../../src-main/node/journal/index.js';
import { migrate } from '../../src-main/node/journal/migrations.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-small-keys-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;
const path = () => join(dir, `db-${++count}.sqlite`);

const digestOf = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();
/** Another digest with the same first 8 bytes: what a collision of keys looks like. */
const sameKey = (digest: Buffer) => Buffer.concat([digest.subarray(0, 8), Buffer.alloc(24, 0xee)]);

test('a blob whose key another blob has is stored, read and removed all the same', async () => {
  const database = path();
  const opened = Journal.open(database);
  assert.ok(opened.ok);
  opened.journal.close();
  const bytes = new TextEncoder().encode('the blob that comes second');
  const digest = digestOf(bytes);
  const other = { digest: sameKey(digest), bytes: new TextEncoder().encode('the blob that has the key') };
  const blobs = new SmallBlobs(database);
  await blobs.putAll([other], 1);
  await blobs.putAll([{ digest, bytes }], 2);

  assert.deepEqual(Buffer.from(blobs.get(digest)!), Buffer.from(bytes));
  assert.deepEqual(Buffer.from(blobs.get(other.digest)!), Buffer.from(other.bytes));
  assert.equal(blobs.size(digest), bytes.byteLength);
  assert.equal(blobs.entries().length, 2);
  const raw = new Database(database, { readonly: true });
  assert.equal(raw.prepare('SELECT COUNT(*) FROM small_blob_spill').pluck().get(), 1);
  raw.close();
  // Asked many at once, of a table read afresh (no row written lately kept): the spilled one too.
  const unheld = [sameKey(Buffer.alloc(32, 1)), digestOf(new TextEncoder().encode('never stored'))];
  const fresh = new SmallBlobs(database);
  assert.deepEqual(fresh.hasAll([digest, other.digest, sameKey(digest).fill(0xdd, 8), ...unheld]), [
    true,
    true,
    false,
    false,
    false,
  ]);
  assert.deepEqual(
    fresh.getAll([digest, other.digest, ...unheld]).map((row) => row && Buffer.from(row).toString()),
    ['the blob that comes second', 'the blob that has the key', undefined, undefined],
  );
  // With sizes: a row of another size is not the one asked for.
  assert.deepEqual(fresh.hasAll([digest, other.digest], [bytes.byteLength, other.bytes.byteLength + 1]), [true, false]);
  fresh.close();

  assert.deepEqual(blobs.removeAll([{ digest, size: bytes.byteLength }], 10), { removed: 1, freed: bytes.byteLength });
  assert.equal(blobs.has(digest), false);
  assert.equal(blobs.has(other.digest), true);
  blobs.close();
});

test('rows in the layout before migration 12 all read back after it, colliding keys too', () => {
  const database = path();
  const db = openDatabase(database);
  migrate(db, 11);
  const rows = ['one', 'two', 'three'].map((text) => ({
    bytes: Buffer.from(text),
    digest: digestOf(Buffer.from(text)),
  }));
  rows.push({ bytes: Buffer.from('four, same key as one'), digest: sameKey(rows[0]!.digest) });
  const insert = db.prepare('INSERT INTO small_blobs (digest, stored_at, bytes) VALUES (?, ?, ?)');
  for (const row of rows) insert.run(row.digest, 5, row.bytes);
  assert.ok(migrate(db).ok);
  db.close();

  const blobs = new SmallBlobs(database);
  for (const row of rows) assert.deepEqual(Buffer.from(blobs.get(row.digest)!), row.bytes);
  assert.equal(blobs.entries().length, rows.length);
  blobs.close();
});

test('a row just written reads back as written, whatever its writer or a reader does to their bytes after', async () => {
  const database = path();
  const opened = Journal.open(database);
  assert.ok(opened.ok);
  opened.journal.close();
  const bytes = Buffer.from('an output read back at once, for its results message');
  const written = Buffer.from(bytes);
  const digest = digestOf(bytes);
  const blobs = new SmallBlobs(database);
  await blobs.putAll([{ digest, bytes: written }], 1);
  written.fill(0); // the writer reuses its buffer
  const read = blobs.get(digest)!;
  assert.deepEqual(Buffer.from(read), bytes);
  read.fill(1); // a reader changes what it was given
  assert.deepEqual(Buffer.from(blobs.get(digest)!), bytes);
  assert.equal(blobs.size(digest), bytes.byteLength);
  assert.deepEqual(blobs.removeAll([{ digest, size: bytes.byteLength }], 10), { removed: 1, freed: bytes.byteLength });
  assert.equal(blobs.get(digest), undefined);
  assert.equal(blobs.size(digest), undefined);
  blobs.close();
});

test("on the journal's connection, rows are the journal's database's, and closing the blobs leaves the journal open", async () => {
  const database = path();
  const opened = Journal.open(database);
  assert.ok(opened.ok);
  const { journal } = opened;
  const bytes = Buffer.from('a row on the shared connection');
  const digest = digestOf(bytes);
  const blobs = new SmallBlobs(journal.connection);
  await blobs.putAll([{ digest, bytes }], 1);
  blobs.close();
  assert.equal(journal.connection.open, true, 'the journal owns the connection');
  assert.equal(journal.connection.prepare('SELECT COUNT(*) FROM small_blobs').pluck().get(), 1);
  journal.close();
  const again = new SmallBlobs(database); // its own connection, after the journal closed
  assert.deepEqual(Buffer.from(again.get(digest)!), bytes);
  again.close();
});

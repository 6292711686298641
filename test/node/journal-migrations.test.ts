import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import type { NodeEvent } from '../../src-main/core/schemas/index.js';
import { BlobStore } from '../../src-main/node/blobs/store.js';
import { cidOfBytes } from '../../src-main/node/blobs/cid.js';
import { Journal } from '../../src-main/node/journal/index.js';
import { openDatabase, type Db } from '../../src-main/node/journal/database.js';
import { LATEST_VERSION, migrate, schemaVersion, upgradeRebuilds } from '../../src-main/node/journal/migrations.js';
import { MIGRATIONS } from '../../src-main/node/journal/schema-history.js';
import { DERIVED_TABLES } from '../../src-main/node/journal/projections/index.js';
import { EventStore } from '../../src-main/node/journal/event-store.js';
import { realisticEvents } from './fixtures/journal-events.js';
import { openTempJournal, tempDbPath } from './fixtures/journal-temp.js';

function tables(db: Db): string[] {
  return db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[];
}

function schemaSql(db: Db): string[] {
  return db.prepare('SELECT sql FROM sqlite_schema ORDER BY name').pluck().all() as string[];
}

const events = realisticEvents('m', 400);

/** The journal's own tables: one row an event up to version 7, batches from version 8. */
const JOURNAL_TABLES = ['events', 'event_batches', 'event_ids', 'event_id_spill'];

/** Journals `bodies` the way a version without the journal class would have: rows only. */
function insertEventRows(db: Db, bodies: readonly NodeEvent[] | readonly object[] = events): void {
  db.transaction(() => {
    if (tables(db).includes('events')) {
      const insert = db.prepare('INSERT INTO events (event_id, type, at, body) VALUES (?, ?, ?, ?)');
      for (const body of bodies as NodeEvent[]) insert.run(body.event_id, body.type, body.at, JSON.stringify(body));
    } else {
      const batch = new EventStore(db).begin();
      for (const body of bodies as NodeEvent[]) batch.add(body.event_id, JSON.stringify(body));
      batch.commit();
    }
  })();
}

/** The journaled events' JSON, in order, from whichever tables hold them. */
function storedBodies(db: Db): string[] {
  if (tables(db).includes('events'))
    return db.prepare('SELECT body FROM events ORDER BY seq').pluck().all() as string[];
  return [...new EventStore(db).events()].map(({ event }) => JSON.stringify(event));
}

test('migrations are numbered 1, 2, 3... in order', () => {
  assert.deepEqual(
    MIGRATIONS.map((m) => m.version),
    MIGRATIONS.map((_, i) => i + 1),
  );
  assert.equal(LATEST_VERSION, MIGRATIONS.length);
});

test('a fresh database reaches the latest version with the journal and every derived table', () => {
  const db = openDatabase(tempDbPath());
  assert.deepEqual(migrate(db), { ok: true, from: 0, to: LATEST_VERSION });
  assert.equal(schemaVersion(db), LATEST_VERSION);
  assert.deepEqual(
    tables(db),
    [
      'event_batches',
      'event_ids',
      'event_id_spill',
      'small_blobs',
      'small_blob_spill',
      'state_snapshot',
      'unit_details',
      'compacted_needs',
      'kept_rejections',
      'workflows',
      'workflow_facts',
      'workflow_memo',
      'circles',
      'circle_entries',
      ...DERIVED_TABLES,
    ].sort(),
  );
  db.close();
});

test('running the migrations again is a no-op', () => {
  const db = openDatabase(tempDbPath());
  migrate(db);
  insertEventRows(db);
  const schema = schemaSql(db);
  assert.deepEqual(migrate(db), { ok: true, from: LATEST_VERSION, to: LATEST_VERSION });
  assert.deepEqual(schemaSql(db), schema);
  assert.equal(storedBodies(db).length, events.length);
  db.close();
});

for (const migration of MIGRATIONS) {
  test(`migration ${migration.version} (${migration.name}) upgrades a database at version ${migration.version - 1} and keeps its data`, () => {
    const db = openDatabase(tempDbPath());
    migrate(db, migration.version - 1);
    assert.equal(schemaVersion(db), migration.version - 1);
    const before = tables(db);
    const hasJournal = before.includes('events');
    if (hasJournal) insertEventRows(db);

    assert.deepEqual(migrate(db, migration.version), { ok: true, from: migration.version - 1, to: migration.version });
    assert.equal(schemaVersion(db), migration.version);
    const after = tables(db);
    // Only tables nothing reads were dropped (migration 7), and the journal's rows became batches
    // (migration 8): the events and what the node reads stay.
    const kept: readonly string[] = ['state_snapshot', ...DERIVED_TABLES];
    assert.ok(
      before.filter((name) => kept.includes(name)).every((name) => after.includes(name)),
      'the migration drops no table the node reads',
    );
    if (hasJournal) {
      assert.ok(after.some((name) => JOURNAL_TABLES.includes(name)));
      assert.deepEqual(
        storedBodies(db),
        events.map((e) => JSON.stringify(e)),
      );
    }
    db.close();
  });
}

test('opening a journal on an older database upgrades it and rebuilds the derived tables from its events', async () => {
  const oldPath = tempDbPath();
  const db = openDatabase(oldPath);
  migrate(db, 1); // only the journal: the derived tables came later
  insertEventRows(db);
  db.close();

  const upgraded = openTempJournal(oldPath);
  const live = openTempJournal();
  await Promise.all(events.map((event) => live.append(event)));
  assert.deepEqual(upgraded.snapshot(), live.snapshot());
  upgraded.close();
  live.close();
});

/**
 * Journals the fixture at schema `version` with `old` rewriting the events a later migration
 * changes (undefined: as today), opens it (upgrading it), and checks that it replays exactly as the
 * same events journalled today. Returns how many events `old` rewrote.
 */
async function replaysAsToday(version: number, old: (event: NodeEvent) => object | undefined): Promise<number> {
  const oldPath = tempDbPath();
  const db = openDatabase(oldPath);
  migrate(db, version);
  let rewritten = 0;
  const bodies = events.map((event) => {
    const body = old(event);
    if (body) rewritten++;
    return body ?? event;
  });
  insertEventRows(db, bodies);
  db.close();

  const upgraded = openTempJournal(oldPath);
  const live = openTempJournal();
  await Promise.all(events.map((event) => live.append(event)));
  assert.deepEqual(upgraded.snapshot(), live.snapshot());
  assert.deepEqual(
    [...upgraded.events()].map((e) => e.event_id),
    events.map((e) => e.event_id),
  );
  upgraded.close();
  live.close();
  return rewritten;
}

test('acceptances journalled as acceptance_id (before version 4) replay as assignment_id', async () => {
  const renamed = await replaysAsToday(3, (event) => {
    if (event.type !== 'offer.accepted') return undefined;
    const { assignment_id, ...rest } = event.acceptance;
    return { ...event, acceptance: { acceptance_id: assignment_id, ...rest } };
  });
  assert.ok(renamed > 10, 'the fixture has acceptances');
});

test("settles journalled with an empty verifiers list (before version 5) replay as today's settles", async () => {
  const settles = await replaysAsToday(4, (event) =>
    event.type === 'ledger.entry' && event.entry.kind === 'settle'
      ? { ...event, entry: { ...event.entry, verifiers: [] } }
      : undefined,
  );
  assert.ok(settles > 10, 'the fixture has settles');
});

test('migration 15 gives each job its held total: the amounts of its escrows still held', () => {
  const db = openDatabase(tempDbPath());
  migrate(db, 14);
  db.exec(`
    INSERT INTO ledger_jobs (job_id, committed) VALUES ('j0', 60), ('j1', 5), ('j2', 0);
    INSERT INTO ledger_escrows (assignment_id, job_id, unit_id, requester_no, worker_no, amount, status) VALUES
      ('a0', 'j0', 'u0', 1, 2, 10, 'held'), ('a1', 'j0', 'u1', 1, 2, 40, 'held'), ('a2', 'j0', 'u2', 1, 2, 10, 'paid'),
      ('a3', 'j1', 'u3', 1, 2, 5, 'refunded'), ('a4', 'j2', 'u4', 1, 2, 0, 'held');
  `);
  migrate(db, 15);
  assert.deepEqual(db.prepare('SELECT job_id, committed, held FROM ledger_jobs ORDER BY job_id').all(), [
    { job_id: 'j0', committed: 60, held: 50 },
    { job_id: 'j1', committed: 5, held: 0 },
    { job_id: 'j2', committed: 0, held: 0 },
  ]);
  db.close();
});

test('migration 21 keeps every small blob, its digest, bytes and put time, and a store opened on it reads and puts them', async () => {
  const path = tempDbPath();
  const db = openDatabase(path);
  migrate(db, 20);
  const rows = Array.from({ length: 50 }, (_, i) => {
    const bytes = Buffer.from(`blob ${i}`);
    const digest = createHash('sha256').update(bytes).digest();
    return { key: digest.readBigInt64BE(0), digest, stored_at: 1_000 + i, bytes };
  });
  const insert = db.prepare('INSERT INTO small_blobs (key, digest, stored_at, bytes) VALUES (?, ?, ?, ?)');
  for (const row of rows) insert.run(row.key, row.digest, row.stored_at, row.bytes);
  migrate(db, 21);
  const read = db.prepare('SELECT key, digest, stored_at, bytes FROM small_blobs ORDER BY key').safeIntegers().all();
  const byKey = (a: { key: bigint }, b: { key: bigint }) => (a.key < b.key ? -1 : 1);
  assert.deepEqual(
    read,
    rows.sort(byKey).map((row) => ({ ...row, stored_at: BigInt(row.stored_at) })),
  );
  // Found by the key's index, not by scanning the table.
  const plan = db.prepare('EXPLAIN QUERY PLAN SELECT bytes FROM small_blobs WHERE key = ?').all(1n) as {
    detail: string;
  }[];
  assert.match(plan.map((step) => step.detail).join(' '), /USING (COVERING )?INDEX/);
  db.close();
  const store = new BlobStore(`${path}-blobs`, { database: path });
  try {
    assert.deepEqual(Buffer.from(store.get(cidOfBytes(rows[0]!.bytes))!), rows[0]!.bytes);
    const cid = await store.put(Buffer.from('put after the migration'));
    assert.equal(Buffer.from(store.get(cid)!).toString(), 'put after the migration');
  } finally {
    store.close();
  }
});

test("a version 15 journal's ledger (a row per entry, keyed by its id's hash) replays into the escrow rows and ledger events of version 16", async () => {
  await replaysAsToday(15, () => undefined);
  const journal = openTempJournal();
  await Promise.all(events.map((event) => journal.append(event)));
  const { ledger_escrows: escrows, ledger_events: ledgerEvents } = journal.snapshot();
  assert.ok(escrows.length > 10 && escrows.every((row) => typeof row.opened_seq === 'number'));
  assert.ok(escrows.some((row) => row.status === 'paid' && typeof row.closed_seq === 'number'));
  assert.equal(ledgerEvents.length, events.filter((e) => e.type === 'ledger.entry').length);
  journal.close();
});

test('a database from a newer version is refused with a clear error and left untouched', () => {
  const path = tempDbPath();
  const db = openDatabase(path);
  db.pragma(`user_version = ${LATEST_VERSION + 1}`);
  db.close();

  const opened = Journal.open(path);
  assert.equal(opened.ok, false);
  if (!opened.ok) {
    assert.equal(opened.error.code, 'newer_schema');
    assert.match(
      opened.error.message,
      new RegExp(`version ${LATEST_VERSION + 1}, newer than this app knows \\(${LATEST_VERSION}\\)`),
    );
  }
  const after = openDatabase(path);
  assert.equal(schemaVersion(after), LATEST_VERSION + 1);
  assert.deepEqual(tables(after), []);
  after.close();
});

test('a file that is not a database is a typed error', () => {
  const path = tempDbPath();
  writeFileSync(path, 'not a database, just text that is long enough to have a header '.repeat(20));
  const opened = Journal.open(path);
  assert.equal(opened.ok, false);
  if (!opened.ok) assert.equal(opened.error.code, 'storage_failed');
});

test('an upgrade rebuilds the derived tables only past a migration that changed them', () => {
  const last = MIGRATIONS.at(-1)!;
  const changed = MIGRATIONS.findLast((m) => !m.keepsProjections)!;
  assert.equal(last.keepsProjections, true, 'the newest adds tables written from the state');
  assert.ok(changed.version < last.version - 1, 'as the one before it does');
  assert.equal(upgradeRebuilds(changed.version, last.version), false, 'so an upgrade past them alone replays nothing');
  assert.equal(upgradeRebuilds(changed.version - 1, last.version), true, 'one past the last that changed them does');
  assert.equal(upgradeRebuilds(0, last.version), false, 'a fresh database has nothing to rebuild');
});

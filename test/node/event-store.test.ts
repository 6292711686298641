import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { NodeEvent } from '../../src-main/core/schemas/index.js';
import { idKey } from '../../src-main/node/journal/event-store.js';
import { realisticEvents } from './fixtures/journal-events.js';
import { openTempJournal, tempDbPath } from './fixtures/journal-temp.js';

test('a group commit is one row: 600 events in batches of at most 250 read back whole, in order, with their seqs', async () => {
  const path = tempDbPath();
  const journal = openTempJournal(path, { maxBatch: 250 });
  const events = realisticEvents('b', 600);
  const outcomes = await Promise.all(events.map((event) => journal.append(event)));
  assert.deepEqual(
    outcomes.map((o) => (o.ok ? o.seq : o.error.code)),
    events.map((_, i) => i + 1),
  );
  assert.equal(journal.lastSeq(), 600);
  assert.deepEqual([...journal.events()], events);
  assert.deepEqual([...journal.events(417)], events.slice(417), 'reading from the middle of a batch');
  assert.deepEqual([...journal.events(600)], []);
  journal.close();

  const db = new Database(path, { readonly: true });
  const rows = db.prepare('SELECT count, length(body) AS bytes FROM event_batches').all() as {
    count: number;
    bytes: number;
  }[];
  db.close();
  assert.ok(rows.length >= 3 && rows.length <= 6, `${rows.length} batch rows`);
  assert.ok(rows.every((r) => r.count <= 250));
  // What a batch saves: the same events' JSON is several times larger than the stored rows.
  const json = events.reduce((sum, e) => sum + JSON.stringify(e).length, 0);
  const stored = rows.reduce((sum, r) => sum + r.bytes, 0);
  assert.ok(stored * 4 < json, `stored ${stored} bytes for ${json} bytes of JSON`);
});

test('a re-delivered event is a duplicate whether its batch is stored or still being written', async () => {
  const journal = openTempJournal(tempDbPath());
  const [a, b] = realisticEvents('d', 2) as [NodeEvent, NodeEvent];
  const first = await journal.appendAll([a, b, a]);
  assert.deepEqual(first, [
    { ok: true, seq: 1, duplicate: false },
    { ok: true, seq: 2, duplicate: false },
    { ok: true, seq: 1, duplicate: true },
  ]);
  assert.deepEqual(await journal.append(b), { ok: true, seq: 2, duplicate: true });
  assert.equal([...journal.events()].length, 2);
  journal.close();
});

test('two ids under one 64-bit key: the second is kept under its full id, and both dedupe', async () => {
  const path = tempDbPath();
  const journal = openTempJournal(path);
  const [a, b, c] = realisticEvents('k', 3) as [NodeEvent, NodeEvent, NodeEvent];
  assert.deepEqual(await journal.append(a), { ok: true, seq: 1, duplicate: false });
  // A collision, made by hand: b's key already names a's seq (sha256 will not make one for us).
  const raw = new Database(path);
  raw.prepare('INSERT INTO event_ids (id_key, seq) VALUES (?, 1)').run(idKey(b.event_id));
  raw.close();

  assert.deepEqual(await journal.append(b), { ok: true, seq: 2, duplicate: false }, 'b is not taken for a');
  assert.deepEqual(await journal.append(c), { ok: true, seq: 3, duplicate: false });
  assert.deepEqual(await journal.append(b), { ok: true, seq: 2, duplicate: true });
  assert.deepEqual(await journal.append(a), { ok: true, seq: 1, duplicate: true });
  journal.close();
  const check = new Database(path, { readonly: true });
  assert.deepEqual(check.prepare('SELECT event_id, seq FROM event_id_spill').all(), [{ event_id: b.event_id, seq: 2 }]);
  check.close();
});

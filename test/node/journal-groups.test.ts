// A logical step (the events one `record` journals together: an acceptance and its escrow, a
// verdict and its settlements) is one transaction however many events it holds, so a crash never
// leaves part of it. What a second connection sees committed is what a SIGKILL would leave.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { NodeEvent } from '../../src-main/core/schemas/index.js';
import { AT, WORKER } from './fixtures/journal-events.js';
import { openTempJournal, tempDbPath } from './fixtures/journal-temp.js';

const group = (tag: string, n: number): NodeEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    type: 'trust.set',
    event_id: `${tag}-${i}`,
    at: AT,
    peer_id: `${WORKER}-${tag}-${i}`,
    weight: 0.5,
  }));

test('a step of more events than one batch holds is still one transaction: no reader sees part of it', async () => {
  const path = tempDbPath();
  const journal = openTempJournal(path, { maxBatch: 250 });
  const reader = new Database(path, { readonly: true });
  const committed = reader.prepare('SELECT COALESCE(SUM(count), 0) FROM event_batches').pluck();
  const appended = journal.appendAll(group('big', 300));
  const seen = committed.get() as number; // whatever the append committed before returning
  const outcomes = await appended;
  assert.ok(seen === 0 || seen === 300, `a reader saw ${seen} of the step's 300 events`);
  assert.equal(committed.get(), 300);
  assert.ok(outcomes.every((o) => o.ok && !o.duplicate));
  reader.close();
  journal.close();
});

test('steps queued together fill a batch whole: a transaction never ends inside a step', async () => {
  const path = tempDbPath();
  const journal = openTempJournal(path, { maxBatch: 250 });
  const reader = new Database(path, { readonly: true });
  const committed = reader.prepare('SELECT COALESCE(SUM(count), 0) FROM event_batches').pluck();
  const seen: number[] = [];
  const steps = ['a', 'b', 'c', 'd'].map((tag) => {
    const step = journal.appendAll(group(tag, 100));
    seen.push(committed.get() as number);
    return step;
  });
  await Promise.all(steps);
  seen.push(committed.get() as number);
  for (const count of seen) assert.equal(count % 100, 0, `a reader saw ${count} events: part of a step`);
  assert.equal(seen.at(-1), 400);
  reader.close();
  journal.close();
});

test('a step that asks for FULL waits for the disk, alone or batched; the others do not', async () => {
  const journal = openTempJournal(tempDbPath());
  await journal.appendAll(group('normal', 3));
  assert.deepEqual(journal.commits, { normal: 1, full: 0 });
  // Queued in the same turn: one transaction, waited for because one of its steps asked.
  await Promise.all([journal.appendAll(group('x', 2)), journal.appendAll(group('y', 2), { full: true })]);
  assert.deepEqual(journal.commits, { normal: 1, full: 1 });
  await journal.appendAll(group('after', 1));
  assert.deepEqual(journal.commits, { normal: 2, full: 1 });
  journal.close();
});

test('a FULL step resolves once the WAL is synced, off the main thread; a later step never resolves before it', async (t) => {
  const journal = openTempJournal(tempDbPath());
  const syncs: string[] = [];
  const release: (() => void)[] = [];
  // The fsync, held until the test lets it return: the main thread goes on meanwhile.
  t.mock.method(fs, 'fdatasync', (fd: number, done: (err: Error | null) => void) => {
    syncs.push(fs.readlinkSync(`/proc/self/fd/${fd}`));
    release.push(() => done(null));
  });
  const resolved: string[] = [];
  const full = journal.appendAll(group('full', 2), { full: true }).then(() => resolved.push('full'));
  journal.flush(); // committed now, in a transaction of its own
  const normal = journal.appendAll(group('normal', 1)).then(() => resolved.push('normal'));
  journal.flush();
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(resolved, [], 'neither resolved while the WAL was not on disk');
  assert.equal(syncs.length, 1);
  assert.match(syncs[0]!, /-wal$/, 'the WAL is what is synced');
  release.shift()!();
  await Promise.all([full, normal]);
  assert.deepEqual(resolved, ['full', 'normal'], 'in the order committed');
  journal.close();
});

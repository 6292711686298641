import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { MeshState } from '../../src-main/core/mesh/state/state.js';
import type { NodeEvent } from '../../src-main/core/schemas/index.js';
import type { AppendOutcome, Journal } from '../../src-main/node/journal/index.js';
import { AT, jobOpening, PRICE, realisticEvents, REQUESTER, unitLife, WORKER } from './fixtures/journal-events.js';
import { openTempJournal, tempDbPath } from './fixtures/journal-temp.js';
import { EventStore } from '../../src-main/node/journal/event-store.js';

function appended(outcome: AppendOutcome): { seq: number; duplicate: boolean } {
  if (!outcome.ok) assert.fail(`append refused: ${outcome.error.code}: ${outcome.error.message}`);
  return outcome;
}

function appendAll(journal: Journal, events: readonly NodeEvent[]): number[] {
  return events.map((event) => appended(journal.appendNow(event)).seq);
}

/** Events of one job's opening and its unit 0, by type (the unit's two ledger entries by kind). */
function oneUnit(prefix = 't') {
  const [seen, trust, slot, job] = jobOpening(prefix, 0);
  const [created, offer, otherOffer, accepted, escrow, result, verified, receipt, settle] = unitLife(prefix, 0, 0);
  return {
    seen,
    trust,
    slot,
    job,
    created,
    offer,
    otherOffer,
    accepted,
    escrow,
    result,
    verified,
    receipt,
    settle,
  } as Record<string, NodeEvent>;
}

test('a unit goes from created to verified; its receipt fills in', () => {
  const journal = openTempJournal();
  const e = oneUnit();
  appendAll(journal, [e.job!, e.created!, e.offer!, e.otherOffer!]);
  let snap = journal.snapshot();
  assert.equal(snap.units[0]?.status, 'created');

  appendAll(journal, [e.accepted!, e.result!, e.verified!, e.receipt!]);
  snap = journal.snapshot();
  assert.deepEqual(
    snap.units.map((u) => [u.status, u.consensus_hash]),
    [['verified', 'hash-0']],
  );
  assert.deepEqual(journal.archive.receiptAuthors(), [WORKER]);
  assert.deepEqual(
    journal.archive.receiptsOf(WORKER).map(({ receipt: r }) => [r.kind, r.author, r.seq, r.prev]),
    [['execution', WORKER, 0, null]],
  );
  journal.close();
});

test('an escrow holds the price; a settle pays the worker its 90 %, and balances sum to zero', () => {
  const journal = openTempJournal();
  const e = oneUnit();
  appendAll(journal, [e.escrow!]);
  let snap = journal.snapshot();
  assert.deepEqual(
    snap.ledger_escrows.map((x) => x.status),
    ['held'],
  );
  assert.deepEqual(snap.ledger_jobs, [{ job_id: 't-job-0', committed: PRICE, held: PRICE }]);
  assert.deepEqual(snap.ledger_flows, []);
  assert.equal(journal.ledger.balance(WORKER), 0);
  assert.equal(journal.ledger.summary(REQUESTER).held, PRICE);

  appendAll(journal, [e.settle!]);
  snap = journal.snapshot();
  assert.equal(journal.ledger.summary(REQUESTER).held, 0, 'the settle closed the hold');
  assert.deepEqual(
    snap.ledger_escrows.map((x) => x.status),
    ['paid'],
  );
  assert.equal(journal.ledger.balance(REQUESTER), -PRICE * 0.9);
  assert.equal(journal.ledger.balance(WORKER), PRICE * 0.9);
  assert.equal(snap.ledger_flows.length, 1, 'one pair paid');
  assert.equal(snap.ledger_transfers.length, 1);
  assert.deepEqual(
    snap.ledger_events.map((row) => row.entries),
    [1, 1],
    'two ledger events of an entry each',
  );
  journal.close();
});

test("the node's own events go in unparsed and read back the same; a number JSON cannot write is refused and nothing of it is written", async () => {
  const journal = openTempJournal();
  const e = oneUnit();
  const step = [e.job!, e.escrow!];
  assert.deepEqual(
    (await journal.appendOwn(step)).map((o) => appended(o).seq),
    [1, 2],
  );
  assert.deepEqual([...journal.events()], step);
  assert.deepEqual(journal.snapshot().ledger_jobs, [{ job_id: 't-job-0', committed: PRICE, held: PRICE }]);

  // A NaN price (say, from arithmetic on a missing estimate) would read back from JSON as null.
  const escrow = e.escrow as Extract<NodeEvent, { type: 'ledger.entry' }>;
  const broken = { ...escrow, event_id: 'nan-escrow', entry: { ...escrow.entry, entry_id: 'nan', amount: Number.NaN } };
  const [refused, fine] = await journal.appendOwn([broken, e.settle!]);
  assert.equal(refused!.ok, false);
  if (!refused!.ok) {
    assert.equal(refused!.error.code, 'invalid_event');
    assert.match(refused!.error.message, /amount is NaN/);
  }
  assert.equal(appended(fine!).seq, 3, "the step's other events go on");
  assert.equal(journal.lastSeq(), 3);
  assert.equal(journal.snapshot().ledger_events.length, 2, 'the escrow and the settle; nothing of the NaN one');
  journal.close();
});

test('a refund releases the hold without moving credits', () => {
  const journal = openTempJournal();
  const e = oneUnit();
  appendAll(journal, [e.escrow!]);
  appended(
    journal.appendNow({
      type: 'ledger.entry',
      event_id: 'refund',
      at: AT,
      entry: {
        kind: 'refund',
        entry_id: 'refund/t-job-0/0-assignment',
        assignment_id: 't-job-0/0-assignment',
        reason: 'late',
        at: AT,
      },
    }),
  );
  const snap = journal.snapshot();
  assert.deepEqual(
    snap.ledger_escrows.map((x) => x.status),
    ['refunded'],
  );
  assert.deepEqual(snap.ledger_jobs, [{ job_id: 't-job-0', committed: 0, held: 0 }]);
  assert.deepEqual(snap.ledger_flows, []);
  assert.equal(journal.ledger.balance(WORKER), 0);
  journal.close();
});

test('appending an event_id again changes nothing and reports the seq it already has', async () => {
  const journal = openTempJournal();
  const e = oneUnit();
  const first = appended(journal.appendNow(e.escrow!));
  const before = journal.snapshot();
  assert.deepEqual(journal.appendNow(e.escrow!), { ok: true, seq: first.seq, duplicate: true });
  // The same id with other content is still the same event: nothing is written.
  assert.deepEqual(journal.appendNow({ ...e.trust!, event_id: e.escrow!.event_id }), {
    ok: true,
    seq: first.seq,
    duplicate: true,
  });
  // Twice in one group commit: the first is written, the second reports it.
  const [a, b] = await Promise.all([journal.append(e.created!), journal.append(e.created!)]);
  assert.deepEqual(b, { ok: true, seq: appended(a).seq, duplicate: true });
  assert.deepEqual({ ...journal.snapshot(), units: [] }, { ...before, units: [] });
  journal.close();
});

test('group commit: an append is visible to another connection once its promise resolves, not before', async () => {
  const path = tempDbPath();
  const journal = openTempJournal(path, { maxBatch: 10 });
  const reader = new Database(path, { readonly: true });
  const count = () => reader.prepare('SELECT COALESCE(SUM(count), 0) FROM event_batches').pluck().get() as number;
  const events = realisticEvents('g', 25);

  const firstFive = events.slice(0, 5).map((event) => journal.append(event));
  assert.equal(count(), 0, 'queued, not yet committed');
  const outcomes = await Promise.all(firstFive);
  assert.equal(count(), 5);
  assert.deepEqual(
    outcomes.map((o) => appended(o).seq),
    [1, 2, 3, 4, 5],
  );

  // Reaching maxBatch writes at once, in the caller's turn.
  const rest = events.slice(5).map((event) => journal.append(event));
  assert.equal(count(), 5 + 20, 'two full batches of 10 written synchronously');
  await Promise.all(rest);
  assert.equal(count(), 25);
  reader.close();
  journal.close();
});

test("events count by their size: a settlement's worth of ledger entries in one event is a transaction of its own", async () => {
  const journal = openTempJournal(tempDbPath());
  const batch = (n: number): NodeEvent => ({
    type: 'ledger.entries',
    event_id: `escrows-${n}`,
    at: AT,
    entries: Array.from({ length: 300 }, (_, i) => ({
      kind: 'escrow' as const,
      entry_id: `escrow/assignment-${n}-${i}`,
      assignment_id: `assignment-${n}-${i}`,
      job_id: 'job',
      unit_id: `unit-${n}-${i}`,
      requester: REQUESTER,
      worker: WORKER,
      amount: PRICE,
      job_budget: 1_000_000_000,
      at: AT,
    })),
  });
  const before = journal.commits.normal;
  const outcomes = await Promise.all([0, 1, 2, 3].map((n) => journal.append(batch(n))));
  assert.ok(
    outcomes.every((o) => o.ok && !o.narrowed),
    'every entry journaled',
  );
  // Counted one event each, all four went into one transaction: 1,200 entries planned and written in one task.
  assert.equal(journal.commits.normal - before, 4);
  journal.close();
});

test('once commits stop for a while, the WAL is checkpointed and truncated, and every event reads back', async () => {
  const path = tempDbPath();
  const journal = openTempJournal(path);
  const events = realisticEvents('q', 2_000);
  await Promise.all(events.map((event) => journal.append(event)));
  const walBytes = () => statSync(`${path}-wal`).size;
  assert.ok(walBytes() > 100_000, `the WAL holds the commits: ${walBytes()} bytes`);
  const deadline = Date.now() + 10_000;
  while (walBytes() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(walBytes(), 0, 'truncated once quiet');
  assert.equal([...journal.events()].length, events.length);
  // A snapshot of the state is a write too: its pages leave the WAL the same way.
  journal.snapshots.write(new MeshState(REQUESTER), journal.lastSeq(), AT);
  assert.ok(walBytes() > 0, 'the snapshot is in the WAL');
  const again = Date.now() + 10_000;
  while (walBytes() > 0 && Date.now() < again) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(walBytes(), 0, 'truncated once quiet after the snapshot');
  journal.close();
});

test('appendNow commits before it returns, after what was queued', async () => {
  const journal = openTempJournal();
  const [first, second] = realisticEvents('n', 2);
  const queued = journal.append(first!);
  assert.deepEqual(journal.appendNow(second!), { ok: true, seq: 2, duplicate: false });
  assert.deepEqual(await queued, { ok: true, seq: 1, duplicate: false });
  journal.close();
});

test('close writes what is queued; a closed journal refuses appends', async () => {
  const path = tempDbPath();
  const journal = openTempJournal(path);
  const [event] = realisticEvents('c', 1);
  const pending = journal.append(event!);
  journal.close();
  assert.deepEqual(await pending, { ok: true, seq: 1, duplicate: false });
  const late = await journal.append(event!);
  assert.equal(late.ok, false);
  if (!late.ok) assert.equal(late.error.code, 'closed');

  const reopened = openTempJournal(path);
  assert.deepEqual(reopened.appendNow(event!), { ok: true, seq: 1, duplicate: true });
  reopened.close();
});

test('rebuild replays the journal into the same derived tables, and reopening keeps them', async () => {
  const path = tempDbPath();
  const journal = openTempJournal(path);
  const events = realisticEvents('r', 3000);
  const outcomes = await Promise.all(events.map((event) => journal.append(event)));
  assert.ok(outcomes.every((o) => o.ok && !o.duplicate));
  const live = journal.snapshot();
  assert.equal(live.ledger_events.length, events.filter((e) => e.type === 'ledger.entry').length);

  assert.deepEqual(journal.rebuild(), { ok: true, events: 3000 });
  assert.deepEqual(journal.snapshot(), live);
  journal.close();

  const reopened = openTempJournal(path);
  assert.deepEqual(reopened.snapshot(), live);
  reopened.close();
});

test('a journaled ledger entry the rules refuse on replay fails the rebuild and changes nothing', () => {
  const path = tempDbPath();
  const journal = openTempJournal(path);
  const e = oneUnit();
  appendAll(journal, [e.escrow!, e.settle!]);
  const before = journal.snapshot();
  // Written behind the journal's back: a second settle of the same assignment.
  const raw = new Database(path);
  const settle = e.settle as Extract<NodeEvent, { type: 'ledger.entry' }>;
  const twice = { ...settle, event_id: 'twice' };
  const store = new EventStore(raw);
  raw.transaction(() => {
    const batch = store.begin();
    batch.add('twice', JSON.stringify(twice));
    batch.commit();
  })();
  raw.close();

  const rebuilt = journal.rebuild();
  assert.equal(rebuilt.ok, false);
  if (!rebuilt.ok) {
    assert.equal(rebuilt.error.code, 'replay_refused');
    assert.equal(rebuilt.error.ledger, 'duplicate_entry');
  }
  assert.deepEqual(journal.snapshot(), before);
  journal.close();
});

// A start from a snapshot gives exactly the state a fold of the whole journal gives: for a journal
// that touches every part of the state, cut anywhere, with compaction in it or not; a snapshot from
// other code is ignored; and a finished job's compaction makes the snapshot small.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { stateFromData, stateToData } from '../../src-main/core/mesh/state/state-codec.js';
import { MeshState } from '../../src-main/core/mesh/state/state.js';
import type { NodeEvent } from '../../src-main/core/schemas/index.js';
import type { Journal } from '../../src-main/node/journal/index.js';
import { loadState } from '../../src-main/node/mesh/state/state-keeper.js';
import { decodeSnapshot } from '../../src-main/node/journal/snapshot-decoding.js';
import { encodeSnapshot } from '../../src-main/node/journal/snapshot-encoding.js';
import { AT, REQUESTER, jobOpening, unitLife } from './fixtures/journal-events.js';
import { openTempJournal, tempDbPath } from './fixtures/journal-temp.js';
import { runAndKill } from './fixtures/kill-child.js';
import { richJournal } from './fixtures/rich-journal.js';

const ME = REQUESTER;

function fold(events: readonly NodeEvent[]): MeshState {
  const state = new MeshState(ME);
  for (const event of events) state.apply(event);
  return state;
}

/**
 * Equal states: every field deep-equal (prototypes included); the private parts too (the CheckBook's
 * records, the UnitTable's units), and the state's private indexes as its queries read them, for
 * every job, unit and assignment `events` name, and as `receipt.stored` reads them (both states
 * then hold every receipt of `events`).
 */
function assertSameState(actual: MeshState, expected: MeshState, label: string, events: readonly NodeEvent[]): void {
  assert.deepStrictEqual(actual, expected, label);
  assert.deepStrictEqual(actual.checks.toSnapshot(), expected.checks.toSnapshot(), `${label}: checks`);
  assert.deepStrictEqual(actual.units.toSnapshot(), expected.units.toSnapshot(), `${label}: units`);
  assert.deepStrictEqual([...actual.units.values()], [...expected.units.values()], `${label}: unit records`);
  const ids = {
    job: new Set<string>(),
    unit: new Set<string>(),
    assignment: new Set<string>(),
    requester: new Set<string>(),
  };
  for (const event of events)
    JSON.stringify(event, (key, value: unknown) => {
      const kind = key.replace(/(_id|_peer)$/, '');
      if (typeof value === 'string' && kind in ids) ids[kind as keyof typeof ids].add(value);
      return value;
    });
  const queries = (state: MeshState) => ({
    committed: [...ids.job].map((id) => state.committedTo(id)),
    verifications: [...ids.unit].map((id) => state.verificationOf(id)),
    executions: [...ids.assignment].map((id) => state.executionOf(id)),
    myAssignments: [...ids.requester].flatMap((peer) => [...ids.unit].map((id) => state.myAssignmentsOn(peer, id))),
  });
  assert.deepStrictEqual(queries(actual), queries(expected), `${label}: indexes`);
  // The index of stored receipts' CIDs: a receipt stored again is ignored by both, or added to both.
  for (const event of events)
    if (event.type === 'receipt.stored') {
      actual.apply(event);
      expected.apply(event);
    }
  assert.deepStrictEqual(actual.receipts, expected.receipts, `${label}: receipts stored again`);
}

async function append(journal: Journal, events: readonly NodeEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) await journal.appendAll(events.slice(i, i + 1000));
}

test('a state restored from its plain data at any cut, then folded on, equals the fold of the whole journal', () => {
  const { events, finishedJobs } = richJournal('cut');
  const compacted = [...events, ...finishedJobs.map((id) => compactedEvent(id))];
  for (const journal of [events, compacted]) {
    assert.ok(fold(journal).checks.isConvicted('peer-worker'), 'the journal convicts a provider');
    for (const cut of [0, 1, Math.floor(journal.length / 3), journal.length - 2, journal.length]) {
      const data = decodeSnapshot(encodeSnapshot(stateToData(fold(journal.slice(0, cut))))) as Record<string, unknown>;
      const restored = stateFromData(ME, data);
      for (const event of journal.slice(cut)) restored.apply(event);
      assertSameState(restored, fold(journal), `cut at ${cut} of ${journal.length}`, journal);
    }
  }
});

test('a field holding an instance of a class that does not say how to save itself is refused', () => {
  const state = new MeshState(ME);
  (state as unknown as Record<string, unknown>)['clock'] = new (class Clock {
    now = 1;
  })();
  assert.throws(() => stateToData(state), /state\.clock is an instance of a class/);
  const nested = new MeshState(ME);
  nested.peers.set('p', { addresses: [], lastSeen: AT, when: new Date(0) } as never);
  assert.throws(() => stateToData(nested), /state\.peers\[p\]\.when/);
});

test('a start loads the snapshot and folds only the events after it; the state equals a full fold', async () => {
  const { events, finishedJobs } = richJournal('start');
  const all = [...events, ...finishedJobs.map((id) => compactedEvent(id))];
  const journal = openTempJournal();
  const half = Math.floor(all.length / 2);
  await append(journal, all.slice(0, half));
  const first = loadState(journal, ME);
  assert.equal(first.snapshotSeq, null);
  assert.equal(first.miss, 'none');
  const at = journal.lastSeq();
  journal.snapshots.write(first.state, at, AT);
  await append(journal, all.slice(half));

  const second = loadState(journal, ME);
  assert.equal(second.snapshotSeq, at);
  assert.ok(second.folded > 0);
  assert.equal(second.folded, journal.lastSeq() - at);
  assertSameState(second.state, fold([...journal.events()]), 'snapshot + tail', all);
  journal.close();
});

/** A journal of a rich history, with its state's snapshot written at its last event. */
async function snapshotted(tag: string) {
  const path = tempDbPath();
  const journal = openTempJournal(path);
  const { events } = richJournal(tag);
  await append(journal, events);
  journal.snapshots.write(loadState(journal, ME).state, journal.lastSeq(), AT);
  return { path, journal, events };
}

test('a snapshot written by other code (another state format or fields), or of another node, is ignored', async () => {
  const { path, journal, events } = await snapshotted('other');
  assert.notEqual(loadState(journal, ME).snapshotSeq, null);
  assert.equal(loadState(journal, 'someone-else').miss, 'other_node');

  const db = new Database(path);
  db.prepare("UPDATE state_snapshot SET fingerprint = '0:jobs,units'").run();
  db.close();
  const loaded = loadState(journal, ME);
  assert.equal(loaded.snapshotSeq, null);
  assert.match(loaded.miss!, /^other_version/);
  assert.equal(loaded.folded, journal.lastSeq());
  assertSameState(loaded.state, fold([...journal.events()]), 'full fold', events);
  journal.close();
});

test('a snapshot whose body cannot be read is ignored, and the journal folded in full', async () => {
  const { path, journal, events } = await snapshotted('unreadable');
  const db = new Database(path);
  db.prepare('UPDATE state_snapshot SET body = substr(body, 1, length(body) / 2)').run();
  db.close();
  const loaded = loadState(journal, ME);
  assert.match(loaded.miss!, /^unreadable/);
  assertSameState(loaded.state, fold([...journal.events()]), 'full fold', events);
  journal.close();
});

test('a snapshot ahead of its journal (a journal restored from an older copy) is ignored', async () => {
  const journal = openTempJournal();
  const { events } = richJournal('ahead');
  await append(journal, events);
  journal.snapshots.write(fold(events), journal.lastSeq() + 5, AT);
  assert.equal(loadState(journal, ME).miss, 'ahead_of_journal');
  journal.close();
});

test('compacting a finished job of 5,000 units leaves a snapshot under 1/100 of the size, and the archive answers for it', async () => {
  const units = 5000;
  const events: NodeEvent[] = [...jobOpening('big', 0, { units })];
  for (let u = 0; u < units; u++) events.push(...unitLife('big', 0, u, { units }));
  const journal = openTempJournal();
  await append(journal, events);
  const whole = loadState(journal, ME).state;
  const jobId = 'big-job-0';
  assert.ok(whole.jobs.get(jobId)?.completedAt, 'the job is complete');
  const full = encodeSnapshot(stateToData(whole)).length;
  await append(journal, [compactedEvent(jobId, { verified: units, failed: 0, spent: units * 900 })]);
  const compacted = loadState(journal, ME).state;
  const small = encodeSnapshot(stateToData(compacted)).length;
  assert.ok(small * 100 < full, `snapshot ${small} bytes after compaction, ${full} before`);
  assert.equal([...compacted.units.values()].length, 0);
  assert.equal(compacted.assignments.size, 0);
  assert.deepEqual(compacted.jobs.get(jobId)?.summary, { verified: units, failed: 0, spent: units * 900 });
  // What the user keeps, from the journal's tables: every unit's output, and the receipt chains.
  assert.deepEqual(journal.archive.unit(jobId, `${jobId}/1234`), { status: 'verified', consensus_hash: 'hash-1234' });
  const journaled = [...journal.events()].flatMap((e) =>
    e.type === 'receipt.stored' && e.receipt.author === 'peer-worker' ? [e.cid] : [],
  );
  assert.ok(journaled.length > 0);
  assert.equal(
    whole.receipts.get('peer-worker'),
    undefined,
    "a provider's execution receipts: in the journal, not the state",
  );
  assert.deepEqual(
    journal.archive.receiptsOf('peer-worker').map((r) => r.cid),
    journaled,
  );
  journal.close();
});

function compactedEvent(jobId: string, summary = { verified: 1, failed: 0, spent: 1 }): NodeEvent {
  return { type: 'job.compacted', event_id: `compacted-${jobId}`, at: AT, job_id: jobId, summary };
}

const SNAPSHOT_WRITER = fileURLToPath(new URL('./fixtures/snapshot-writer.js', import.meta.url));

for (const [how, args, runs] of [
  ['', [], 6],
  [' by the snapshot thread', ['thread'], 4],
] as const)
  test(`SIGKILL while snapshots are written${how}, ${runs} times: the last snapshot written whole is loaded, and gives the full fold`, async () => {
    const path = tempDbPath();
    for (let run = 0; run < runs; run++) {
      const written = await runAndKill(SNAPSHOT_WRITER, [path, ...args], 20 + Math.floor(Math.random() * 300));
      const journal = openTempJournal(path);
      const loaded = loadState(journal, ME);
      assert.notEqual(loaded.snapshotSeq, null, `run ${run}: no snapshot loaded (${loaded.miss})`);
      // The snapshot is the last one the writer reported, or one written after it that the kill did not cut.
      assert.ok(loaded.snapshotSeq! >= Number(written.at(-1) ?? 0), `run ${run}`);
      const events = [...journal.events()];
      assertSameState(loaded.state, fold(events), `run ${run}`, events);
      journal.close();
    }
  });

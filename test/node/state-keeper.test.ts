// The state keeper's snapshots as a running node takes them: written once enough events were
// applied, by a thread of their own that folds the journal (the node keeps answering meanwhile),
// and a start then folds only what came after; one the thread saves after the node stopped never
// replaces the one the stop writes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stateToData } from '../../src-main/core/mesh/state/state-codec.js';
import { MeshState } from '../../src-main/core/mesh/state/state.js';
import type { NodeEvent } from '../../src-main/core/schemas/index.js';
import type { Journal } from '../../src-main/node/journal/index.js';
import { SnapshotThread } from '../../src-main/node/mesh/state/snapshot-thread.js';
import { jobSummary, unitDetailsOf } from '../../src-main/node/mesh/views/job-view.js';
import { loadState, StateKeeper } from '../../src-main/node/mesh/state/state-keeper.js';
import { REQUESTER, jobOpening, unitLife } from './fixtures/journal-events.js';
import { openTempJournal } from './fixtures/journal-temp.js';

const ME = REQUESTER;

/** A node's journal, state and keeper, snapshotting every `every` events (and every `everyMs`, when given). */
function keptNode(
  every: number,
  everyMs?: number,
): {
  journal: Journal;
  state: MeshState;
  keeper: StateKeeper;
  apply: (events: NodeEvent[]) => void;
} {
  const journal = openTempJournal();
  const state = new MeshState(ME);
  const keeper = new StateKeeper(
    journal,
    state,
    {
      record: async () => {},
      summarize: () => ({}) as never,
      unitDetails: () => [],
      now: () => Date.now(),
      log: () => {},
    },
    { snapshotEveryEvents: every, ...(everyMs === undefined ? {} : { snapshotEveryMs: everyMs }) },
  );
  // As journal-step.ts does: journaled, applied, then counted by the keeper.
  const apply = (events: NodeEvent[]) => {
    for (const event of events) {
      const outcome = journal.appendNow(event);
      if (!outcome.ok) throw new Error(outcome.error.message);
      state.apply(event);
      keeper.applied(outcome.seq);
    }
  };
  return { journal, state, keeper, apply };
}

const events = (units: number): NodeEvent[] => [
  ...jobOpening('keep', 0, { units }),
  ...Array.from({ length: units }, (_, unit) => unitLife('keep', 0, unit, { units })).flat(),
];

async function until(what: string, done: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 10_000; !done(); await new Promise((resolve) => setTimeout(resolve, 5)))
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
}

test('enough events applied: a snapshot is written in the background, and a start folds only what came after', async () => {
  const { journal, apply } = keptNode(200);
  const all = events(40);
  apply(all.slice(0, 250));
  await until('the snapshot', () => journal.snapshots.size() > 0);
  apply(all.slice(250));
  const loaded = loadState(journal, ME);
  assert.ok(loaded.snapshotSeq !== null && loaded.snapshotSeq >= 200, `snapshot at ${loaded.snapshotSeq}`);
  assert.equal(loaded.folded, journal.lastSeq() - loaded.snapshotSeq);
  journal.close();
});

test("a snapshot still being written when the node stops never replaces the stop's own", async () => {
  const { journal, keeper, apply } = keptNode(100);
  const all = events(40);
  apply(all.slice(0, 120)); // a background snapshot is due...
  await new Promise((resolve) => setImmediate(resolve)); // ...and starts, of seq 120
  apply(all.slice(120)); // more events before it is saved
  const last = journal.lastSeq();
  await keeper.stop(); // saves the whole state now
  assert.equal(loadState(journal, ME).snapshotSeq, last);
  await new Promise((resolve) => setTimeout(resolve, 500)); // the background one has finished by now
  assert.equal(loadState(journal, ME).snapshotSeq, last, 'still the snapshot of the stop');
  journal.close();
});

test('the snapshot thread folds the journal from the last snapshot up to the seq it is given: the state a full fold gives', async () => {
  const { journal, state, apply } = keptNode(1_000_000);
  const all = events(40);
  apply(all.slice(0, 100));
  journal.snapshots.write(state, journal.lastSeq(), new Date().toISOString());
  apply(all.slice(100));
  const upTo = journal.lastSeq() - 5;
  const thread = new SnapshotThread();
  try {
    const done = await thread.write(
      { dbPath: journal.path, me: ME, seq: upTo, at: new Date().toISOString() },
      journal.snapshots,
    );
    assert.equal(done.folded, upTo - 100);
    assert.ok(done.bytes > 0);
    const loaded = loadState(journal, ME);
    assert.equal(loaded.snapshotSeq, upTo);
    assert.deepStrictEqual(stateToData(loaded.state), stateToData(state));

    // A snapshot of an earlier seq than the one saved is not saved over it.
    const older = await thread.write(
      { dbPath: journal.path, me: ME, seq: 120, at: new Date().toISOString() },
      journal.snapshots,
    );
    assert.equal(older.bytes, 0);
    assert.equal(loadState(journal, ME).snapshotSeq, upTo);
  } finally {
    await thread.close();
    journal.close();
  }
});

test("the timer's snapshot waits for a tenth of the events a snapshot is due after: a big state is not written again for a few", async () => {
  const { journal, keeper, apply } = keptNode(2_000, 20);
  keeper.start();
  const all = events(40); // ~500 events: due after 2,000, the timer's after 200
  apply(all.slice(0, 150));
  await new Promise((resolve) => setTimeout(resolve, 300)); // the timer has fired ~15 times
  assert.equal(journal.snapshots.size(), 0, 'no snapshot for 150 events');
  apply(all.slice(150, 260));
  await until("the timer's snapshot", () => journal.snapshots.size() > 0);
  assert.ok(loadState(journal, ME).snapshotSeq! >= 260);
  await keeper.stop();
  journal.close();
});

test('a node stopped with nothing new since the snapshot it loaded does not write that state again; one event more, and it does', async () => {
  const { journal, keeper, apply } = keptNode(1_000_000);
  apply(events(20));
  await keeper.stop();
  let writes = 0;
  const write = journal.snapshots.write.bind(journal.snapshots);
  journal.snapshots.write = (...args) => (writes++, write(...args));
  const io = {
    record: async () => {},
    summarize: () => ({}) as never,
    unitDetails: () => [],
    now: () => Date.now(),
    log: () => {},
  };
  const started = () => {
    const loaded = loadState(journal, ME);
    assert.equal(loaded.folded, 0);
    return { state: loaded.state, keeper: new StateKeeper(journal, loaded.state, io, {}, loaded.snapshotSeq) };
  };

  await started().keeper.stop();
  assert.equal(writes, 0, 'the snapshot it loaded is the state it stops with');

  const { state, keeper: again } = started();
  const [event] = jobOpening('later', 1, { units: 1 });
  const outcome = journal.appendNow(event!);
  if (!outcome.ok) throw new Error(outcome.error.message);
  state.apply(event!);
  again.applied(outcome.seq);
  await again.stop();
  assert.equal(writes, 1);
  assert.equal(loadState(journal, ME).snapshotSeq, outcome.seq);
  journal.close();
});

test('two compactions asked at once make one pass: a finished job is compacted once', async () => {
  const journal = openTempJournal();
  const state = new MeshState(ME);
  const compacted: NodeEvent[] = [];
  const keeper = new StateKeeper(
    journal,
    state,
    {
      // As journal-step.ts does: journaled, then applied.
      record: async (news) => {
        for (const fresh of news) {
          const event = {
            ...fresh,
            event_id: `compaction-${compacted.length}`,
            at: new Date().toISOString(),
          };
          const outcome = journal.appendNow(event);
          if (!outcome.ok) throw new Error(outcome.error.message);
          state.apply(event);
          compacted.push(event);
        }
      },
      summarize: (record) => jobSummary(state, record),
      unitDetails: (record) => unitDetailsOf(state, record),
      now: () => Date.now(),
      log: () => {},
    },
    { retentionMs: 0 },
  );
  for (const event of events(20)) {
    journal.appendNow(event);
    state.apply(event);
  }
  assert.deepEqual(await Promise.all([keeper.compact(), keeper.compact()]), [1, 1]);
  assert.deepEqual(
    compacted.map((e) => e.type),
    ['job.compacted'],
  );
  assert.equal(await keeper.compact(), 0, 'nothing left to compact');
  // Nothing of its units is left in the state's maps.
  assert.deepEqual(
    [state.assignments.size, state.assignmentsByUnit.size, state.resultsByOutput.size, state.offersByUnit.size],
    [0, 0, 0, 0],
  );
  assert.equal(journal.archive.details('keep-job-0', 0)?.providers.length, 1, "its units' details kept");
  await keeper.stop();
  journal.close();
});

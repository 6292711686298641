// Kills a writing process with SIGKILL, many times, on one database: after each kill the
// database must be intact, every event the writer saw acknowledged must be there exactly once,
// and replaying the journal must give the derived tables the writer left.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { openDatabase } from '../../src-main/node/journal/database.js';
import { runAndKill } from './fixtures/kill-child.js';
import { openTempJournal, tempDbPath } from './fixtures/journal-temp.js';
import { EventStore } from '../../src-main/node/journal/event-store.js';

const WRITER = fileURLToPath(new URL('./fixtures/journal-crash-writer.js', import.meta.url));
const RUNS = 20;

test(`SIGKILL during group commits, ${RUNS} times: nothing acknowledged is lost or doubled, replay agrees`, async () => {
  const path = tempDbPath();
  let acknowledgedTotal = 0;
  for (let run = 0; run < RUNS; run++) {
    const delayMs = 10 + Math.floor(Math.random() * 240);
    const acknowledged = await runAndKill(WRITER, [path, `run${run}`], delayMs);
    assert.ok(acknowledged.length > 0, `run ${run}: the writer acknowledged nothing`);
    acknowledgedTotal += acknowledged.length;

    const db = openDatabase(path);
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok', `run ${run} (killed ${delayMs} ms in)`);
    const store = new EventStore(db);
    for (const id of acknowledged) assert.notEqual(store.seqOf(id), undefined, `run ${run}: event ${id} lost`);
    const ids = [...store.events()].map(({ event }) => event.event_id);
    assert.equal(new Set(ids).size, ids.length, `run ${run}: an event journaled twice`);
    db.close();

    const journal = openTempJournal(path);
    const live = journal.snapshot();
    // Every transfer counted once in its pair's total: none half-applied by the kill.
    const paid = (rows: Record<string, unknown>[]) => rows.reduce((sum, row) => sum + (row.amount as number), 0);
    assert.equal(paid(live.ledger_flows), paid(live.ledger_transfers), `run ${run}: pair totals against transfers`);
    assert.ok(journal.rebuild().ok);
    assert.deepEqual(journal.snapshot(), live, `run ${run}: replay differs from the live tables`);
    journal.close();
  }
  assert.ok(acknowledgedTotal >= RUNS * 50);
});

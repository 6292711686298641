// A batched job's verdicts as the journal keeps them for a compacted job (journal/projections/
// batched-verdicts.ts, read by archive.ts): each unit's verdict and output, a reopened unit
// undecided again, a decided-again unit's latest verdict; and a row is a fraction of the old one.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { cidOfSha256 } from '../../src-main/core/mesh/state/input-cids.js';
import type { NodeEvent } from '../../src-main/core/schemas/index.js';
import { AT } from './fixtures/journal-events.js';
import { openTempJournal, tempDbPath } from './fixtures/journal-temp.js';

const JOB = 'job-batched';
const output = (n: number) => cidOfSha256(createHash('sha256').update(`output ${n}`).digest());
const verdict = (index: number, outcome: 'verified' | 'rejected', hash: string | null, round = ''): NodeEvent => ({
  type: 'unit.verified',
  event_id: `verdict/${JOB}/${index}${round}`,
  at: AT,
  unit_id: `${JOB}/${index}`,
  verdict: outcome,
  consensus_hash: hash,
});

test("a batched job's verdicts read back: outputs by CID (or any hash), rejections, a reopened unit undecided, its new verdict", async () => {
  const journal = openTempJournal();
  const events: NodeEvent[] = [
    verdict(0, 'verified', output(0)),
    verdict(1, 'rejected', null),
    verdict(2, 'verified', 'not-a-cid-hash'),
    verdict(3, 'verified', output(3)),
    { type: 'unit.reopened', event_id: `reopen/${JOB}/3`, at: AT, unit_id: `${JOB}/3`, convicted: 'liar' },
    verdict(4, 'verified', output(4)),
    { type: 'unit.reopened', event_id: `reopen/${JOB}/4`, at: AT, unit_id: `${JOB}/4`, convicted: 'liar' },
    verdict(4, 'verified', output(40), '/1'),
  ];
  for (const event of events) assert.ok((await journal.append(event)).ok);
  const unit = (i: number) => journal.archive.unit(JOB, `${JOB}/${i}`);
  assert.deepEqual(unit(0), { status: 'verified', consensus_hash: output(0) });
  assert.deepEqual(unit(1), { status: 'rejected', consensus_hash: null });
  assert.deepEqual(unit(2), { status: 'verified', consensus_hash: 'not-a-cid-hash' });
  assert.equal(unit(3), undefined, 'reopened: not decided');
  assert.deepEqual(unit(4), { status: 'verified', consensus_hash: output(40) });
  assert.equal(unit(5), undefined);
  assert.equal(journal.archive.unit('another-job', `${JOB}/0`), undefined, 'asked under another job');
  assert.deepEqual(journal.archive.verifiedOutputs(JOB).sort(), [output(0), 'not-a-cid-hash', output(40)].sort());
  // The same after a rebuild from the events.
  const before = journal.snapshot();
  assert.ok(journal.rebuild().ok);
  assert.deepEqual(journal.snapshot(), before);
  journal.close();
});

test('a verified batched unit costs under 64 bytes of table', async () => {
  const path = tempDbPath();
  const journal = openTempJournal(path);
  const units = 20_000;
  for (let i = 0; i < units; i += 1000)
    await journal.appendAll(Array.from({ length: 1000 }, (_, k) => verdict(i + k, 'verified', output(i + k))));
  journal.close();
  const db = new Database(path, { readonly: true });
  const bytes = db
    .prepare(
      "SELECT SUM(pgsize) FROM dbstat WHERE name IN ('batched_verdicts', 'verdict_jobs', 'units', 'units_by_job')",
    )
    .pluck()
    .get() as number;
  db.close();
  assert.ok(bytes / units < 64, `${(bytes / units).toFixed(1)} bytes a unit`);
});

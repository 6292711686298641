// What a workflow's run does with what it was given and what its steps leave behind, over a real
// journal database: its first steps start from the input files' bytes as the run was given them
// (not read back from the store), which are let go once those steps have started; and the memo's
// rows of a step's outputs are written a moment after its end, yet every lookup finds them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setImmediate as turn, setTimeout as delay } from 'node:timers/promises';
import { Journal } from '../../src-main/node/journal/index.js';
import { WorkflowStore } from '../../src-main/node/journal/workflow-store.js';
import { NodeEvents } from '../../src-main/node/mesh/context/node-events.js';
import type { GivenFiles, PreparedStep, StepJobs } from '../../src-main/node/mesh/workflows/step-jobs.js';
import { WorkflowRunner } from '../../src-main/node/mesh/workflows/workflow-runner.js';
import { oneUnitStep } from './workflow-stand-ins.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-workflow-intake-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function openJournal(name: string): Journal {
  const opened = Journal.open(join(dir, name));
  if (!opened.ok) throw new Error(opened.error.message);
  return opened.journal;
}

const rows = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, cid: `bafkrei${from + i}`, bytes: from + i }));

test("a step's memo rows are found at once, written a moment later, and all written at a stop", async () => {
  const journal = openJournal('memo.sqlite');
  const store = new WorkflowStore(journal.connection);
  const written = () => journal.connection.prepare('SELECT COUNT(*) FROM workflow_memo').pluck().get() as number;
  try {
    store.remember(rows(5000));
    const found = store.memoAll(rows(5000).map(({ key }) => key));
    assert.equal(found.filter(Boolean).length, 5000, 'a lookup finds them before they are written');
    assert.deepEqual(found[4321], { cid: 'bafkrei4321', bytes: 4321 });
    assert.deepEqual(store.memo('k17'), { cid: 'bafkrei17', bytes: 17 });
    assert.equal(written(), 0, 'not written by the step that remembered them, nor by the lookups');

    store.remember(rows(5000, 5000));
    for (let i = 0; i < 100 && written() < 10_000; i++) await delay(20);
    assert.equal(written(), 10_000, 'written without a lookup, a batch a turn');
    assert.deepEqual(store.memo('k9999'), { cid: 'bafkrei9999', bytes: 9999 });
    assert.equal(store.memoAll(['k1', 'missing', 'k9998']).filter(Boolean).length, 2);

    store.remember(rows(10, 10_000));
    store.flush();
    assert.equal(written(), 10_010, 'a flush (a stop) writes what is left at once');
  } finally {
    journal.close();
  }
  // Remembered after its database closed (a test's journal, no stop): lost, as to a crash, and no throw.
  store.remember(rows(3, 20_000));
  await delay(400);
});

test("a run's first steps start from its input files as given; later steps read the store", async () => {
  const journal = openJournal('given.sqlite');
  const given: (GivenFiles | undefined)[] = [];
  const submitted = new Set<string>();
  const prepared = oneUnitStep;
  const output = { fields: { units: 1 }, files: [{ name: '0', cid: 'bafkreiout', bytes: 32 }] };
  const jobs = {
    prepare: (...args: Parameters<StepJobs['prepare']>) => {
      given.push(args[3].given);
      return prepared;
    },
    submit: async (_: PreparedStep, jobId: string) => void submitted.add(jobId),
    submitted: (jobId: string) => submitted.has(jobId),
    outcome: async () => ({ output }),
  } as unknown as StepJobs;
  const ctx = { log: () => {}, now: () => Date.now(), background: () => {}, events: new NodeEvents() };
  const runner = new WorkflowRunner(ctx, new WorkflowStore(journal.connection), jobs, async () => {});
  runner.start();
  try {
    const document = JSON.stringify({
      inputs: { data: { type: 'file' } },
      budget: 2,
      steps: [
        { id: 'first', uses: { library: 'hash', method: 'sha256' }, input: { $input: 'data' } },
        { id: 'then', uses: { library: 'hash', method: 'sha256' }, input: { $step: 'first', files: true } },
      ],
    });
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const { workflow_id } = runner.run(
      document,
      { data: { name: 'd', cid: 'bafkreidata', bytes: 4 } },
      false,
      new Map([['bafkreidata', bytes]]),
    );
    for (let i = 0; i < 50 && runner.view(workflow_id)?.plan.outcome === 'running'; i++) {
      await runner.settled(workflow_id);
      await turn();
    }
    assert.equal(runner.view(workflow_id)?.plan.outcome, 'completed');
    assert.equal(given[0]?.get('bafkreidata'), bytes, 'the first step had the bytes as given');
    assert.ok(given.length >= 2, 'the second step was prepared');
    assert.equal(given.at(-1), undefined, 'let go once the first steps started: the second reads the store');
  } finally {
    await runner.stop();
    journal.close();
  }
});

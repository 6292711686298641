// A workflow goes on when its step's job ends (the node's `job.ended`), not at the runner's next
// look (node/mesh/workflows/workflow-runner.ts, every 100 ms): the runner over a real journal
// database, its steps' jobs a stand-in that ends when the test says.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Journal } from '../../src-main/node/journal/index.js';
import { WorkflowStore } from '../../src-main/node/journal/workflow-store.js';
import { NodeEvents } from '../../src-main/node/mesh/context/node-events.js';
import type { PreparedStep, StepJobs } from '../../src-main/node/mesh/workflows/step-jobs.js';
import { WorkflowRunner } from '../../src-main/node/mesh/workflows/workflow-runner.js';
import { oneUnitStep } from './workflow-stand-ins.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-job-ended-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a step's job that ends moves its workflow on at once", async () => {
  const opened = Journal.open(join(dir, 'journal.sqlite'));
  if (!opened.ok) throw new Error(opened.error.message);
  const events = new NodeEvents();
  const submitted = new Set<string>();
  let ended = false;
  const prepared = oneUnitStep;
  const output = { fields: { units: 1 }, files: [{ name: '0', cid: 'bafkreib', bytes: 32 }] };
  const jobs = {
    prepare: () => prepared,
    submit: async (_prepared: PreparedStep, jobId: string) => void submitted.add(jobId),
    submitted: (jobId: string) => submitted.has(jobId),
    outcome: async () => (ended ? { output } : undefined),
  } as unknown as StepJobs;
  const background: Promise<unknown>[] = [];
  const ctx = {
    log: () => {},
    now: () => Date.now(),
    background: (_: string, work: Promise<unknown>) => void background.push(work),
    events,
  };
  const runner = new WorkflowRunner(ctx, new WorkflowStore(opened.journal.connection), jobs, async () => {});
  runner.start();
  try {
    const document = JSON.stringify({
      inputs: { data: { type: 'file' } },
      budget: 1,
      steps: [{ id: 'hash', uses: { library: 'hash', method: 'sha256' }, input: { $input: 'data' } }],
    });
    const { workflow_id } = runner.run(document, { data: { name: 'd', cid: 'bafkreia', bytes: 4 } }, false);
    await runner.settled(workflow_id);
    const jobId = [...submitted][0]!;
    assert.ok(jobId, 'the step submitted its job');
    assert.equal(runner.view(workflow_id)?.plan.outcome, 'running');
    ended = true;
    events.emit('job.ended', jobId);
    await runner.settled(workflow_id); // the advance the event started: no timer waited for
    assert.equal(runner.view(workflow_id)?.plan.outcome, 'completed');
  } finally {
    await runner.stop();
    opened.journal.close();
  }
});

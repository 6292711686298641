// The step memo (node/mesh/workflows/step-memo.ts) on two real nodes: a second run of a fan-out
// over the same items takes its outputs' list whole, asking the units' memo for none of them; a
// changed item, a changed method or an output the store no longer holds falls back to the units'
// memo, which runs only what it lacks.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, mock, test } from 'node:test';
import type { ApiHandlers } from '../../../src-main/core/api/contract.js';
import type { WorkflowView } from '../../../src-main/core/api/workflow-methods.js';
import { WorkflowStore } from '../../../src-main/node/journal/workflow-store.js';
import { meshOf, startNode, stopAll, waitFor, type TestNode } from './cluster.js';

const nodes: TestNode[] = [];
after(() => stopAll(nodes));
before(async () => {
  nodes.push(await startNode(), await startNode());
  await meshOf(nodes);
});

/** The units' memo as every node of this process asks it. */
const memoAll = mock.method(WorkflowStore.prototype, 'memoAll');
/** What the nodes journal of their workflows, and the kinds of fact journaled since the `from`th call. */
const appended = mock.method(WorkflowStore.prototype, 'append');
const factsSince = (from: number) =>
  appended.mock.calls.slice(from).flatMap(({ arguments: [, facts] }) => facts.map((fact) => fact.type));
/** Keys the units' memo was asked for so far. */
const unitLookups = () => memoAll.mock.calls.reduce((sum, { arguments: [keys] }) => sum + keys.length, 0);

const ITEMS = 12;
const items = Array.from({ length: ITEMS }, (_, i) => ({ name: `i${i}`, base64: randomBytes(64).toString('base64') }));
const fanOut = (method: string) =>
  JSON.stringify({
    inputs: { items: { type: 'files' } },
    budget: 1_000_000_000,
    steps: [{ id: 'each', uses: { library: 'hash', method }, for_each: { items: { $input: 'items' } } }],
  });
const sha256 = (base64: string) => createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex');

/** A run to its end: its one step's view, its outputs (hex, and their CIDs) and the unit lookups it made. */
async function run(
  api: ApiHandlers,
  given: typeof items,
  method = 'sha256',
  noCache = false,
): Promise<{ step: WorkflowView['steps'][number]; outputs: string[]; cids: string[]; lookups: number }> {
  const lookupsBefore = unitLookups();
  const { workflow_id } = await api['workflows.run']({
    document: fanOut(method),
    inputs: { items: { files: given } },
    no_cache: noCache,
  });
  const done = await waitFor(`workflow ${workflow_id} to end`, async () => {
    const { workflow } = await api['workflows.status']({ workflow_id });
    return workflow.outcome === 'running' ? undefined : workflow;
  });
  assert.equal(done.outcome, 'completed', JSON.stringify(done.steps));
  const { files } = await api['workflows.output']({ workflow_id, step: 'each', from: 0 });
  const outputs = files.map((file) => Buffer.from(file.base64!, 'base64').toString('hex'));
  const cids = files.map((file) => file.cid);
  return { step: done.steps[0]!, outputs, cids, lookups: unitLookups() - lookupsBefore };
}

test('a second run of a step over the same items takes its outputs from the step memo, no unit looked up', async () => {
  const a = nodes[0]!;
  const first = await run(a.api, items, 'sha256', true);
  assert.equal(first.step.cached, 0);
  assert.deepEqual(
    first.outputs,
    items.map(({ base64 }) => sha256(base64)),
  );
  const jobs = a.node.state.jobs.size;
  const journaled = appended.mock.calls.length;
  const again = await run(a.api, items);
  assert.equal(again.step.cached, ITEMS, 'every unit from the memo');
  // No started fact carrying the items and the memo's outputs again: the output, journaled once.
  assert.deepEqual(factsSince(journaled), ['step.done']);
  assert.equal(again.lookups, 0, 'the step memo had them: no unit key asked of the units memo');
  assert.equal(a.node.state.jobs.size, jobs, 'no job submitted');
  assert.deepEqual(again.outputs, first.outputs);
});

test('a changed item misses the step memo: the units memo has the others, and only its unit runs', async () => {
  const a = nodes[0]!;
  await run(a.api, items);
  const changed = items.map((item, i) => (i === 3 ? { ...item, base64: randomBytes(64).toString('base64') } : item));
  const again = await run(a.api, changed);
  assert.equal(again.step.cached, ITEMS - 1);
  assert.equal(again.lookups, ITEMS, 'each unit asked of the units memo');
  assert.deepEqual(
    again.outputs,
    changed.map(({ base64 }) => sha256(base64)),
  );
  const { job } = await a.api['jobs.status']({ job_id: again.step.job_id!, units: false });
  assert.equal(job.units_created, 1, 'one unit ran');
});

test('a changed method misses both memos: every unit runs again', async () => {
  const a = nodes[0]!;
  await run(a.api, items);
  const blake3 = await run(a.api, items, 'blake3');
  assert.equal(blake3.step.cached, 0);
  assert.equal(blake3.outputs.length, ITEMS);
  assert.ok(blake3.outputs.every((output, i) => output !== sha256(items[i]!.base64)));
  // Its own step memo now: a run of it again looks up no unit.
  assert.equal((await run(a.api, items, 'blake3')).lookups, 0);
});

test('an output the store no longer holds misses the step memo: its unit runs again, the others from the units memo', async () => {
  const a = nodes[0]!;
  const first = await run(a.api, items);
  const gone = first.outputs[5]!;
  const cid = first.cids[5]!;
  const { removed } = a.node.ctx.blobs.remove([{ cid, size: 32, storedAt: 0, place: 'row' }], Number.MAX_SAFE_INTEGER);
  assert.equal(removed, 1);
  const again = await run(a.api, items);
  assert.equal(again.step.cached, ITEMS - 1);
  assert.equal(again.lookups, ITEMS, 'each unit asked of the units memo');
  assert.equal(again.outputs[5], gone, 'run again, the same output');
  assert.deepEqual(again.outputs, first.outputs);
});

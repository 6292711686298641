// Workflows in the core (src-main/core/workflow): the document refused when too large or
// malformed, its graph refused on a cycle or a reference outside a step's ancestors (each message
// naming the step), conditions that fail closed, and the planner over journaled facts: chains,
// fan-outs and their cap, skips, retries only of what can succeed elsewhere, compensation, cancel.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeWorkflow, MAX_WORKFLOW_CHARS, type Workflow } from '../../src-main/core/workflow/document.js';
import {
  applyFact,
  foldFacts,
  jobIdOf,
  memoKeyOf,
  stepMemoKeyOf,
  WorkflowFactSchema,
  type WorkflowFact,
} from '../../src-main/core/workflow/facts.js';
import { checkGraph, type Graph } from '../../src-main/core/workflow/graph.js';
import { plan, type Plan } from '../../src-main/core/workflow/planner.js';
import { fileListJson, type StepOutput, type Value } from '../../src-main/core/workflow/references.js';
import { validate } from '../../src-main/core/schemas/index.js';

const LIB = { library: 'hash', method: 'sha256' };

function workflow(doc: unknown): Workflow {
  const decoded = decodeWorkflow(JSON.stringify(doc));
  assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
  return decoded.value;
}

function graphOf(doc: unknown): Graph {
  const checked = checkGraph(workflow(doc));
  assert.ok(checked.ok, checked.ok ? '' : checked.error);
  return checked.value;
}

function refusal(doc: unknown): string {
  const checked = checkGraph(workflow(doc));
  assert.ok(!checked.ok, 'the graph was accepted');
  return checked.error;
}

/** Plans, then journals each action as the node would, until the plan asks for nothing more. */
function settle(graph: Graph, inputs: Record<string, Value>, facts: WorkflowFact[]): Plan {
  for (;;) {
    const next = plan(graph, inputs, foldFacts(facts));
    if (next.actions.length === 0) return next;
    for (const action of next.actions) {
      if (action.kind === 'start')
        facts.push({
          type: 'step.started',
          step: action.step,
          attempt: action.attempt,
          job_id: jobIdOf('w1', action.step, action.attempt),
          params: action.params,
          input: [...action.input],
          cached: [],
        });
      else if (action.kind === 'condition')
        facts.push({ type: 'step.condition', step: action.step, outcome: action.outcome });
      else if (action.kind === 'skip') facts.push({ type: 'step.skipped', step: action.step, reason: action.reason });
      else facts.push({ type: 'step.failed', step: action.step, attempt: 0, reason: action.reason, retryable: false });
    }
  }
}

const stateOf = (p: Plan) => Object.fromEntries([...p.states].map(([id, { state }]) => [id, state]));
const file = (name: string, cid = `cid-${name}`) => ({ name, cid, bytes: 16 });
const output = (fields: StepOutput['fields'], files: StepOutput['files'] = []): StepOutput => ({ fields, files });

test('a document past its size, with a bad step id or an unknown kind of step is refused', () => {
  const big = decodeWorkflow(' '.repeat(MAX_WORKFLOW_CHARS + 1));
  assert.ok(!big.ok && big.error.code === 'too_large');
  const badId = decodeWorkflow(JSON.stringify({ budget: 10, steps: [{ id: 'Bad Id', uses: LIB }] }));
  assert.ok(!badId.ok && /step id/.test(badId.error.message));
  const badUses = decodeWorkflow(JSON.stringify({ budget: 10, steps: [{ id: 'a', uses: 'shell' }] }));
  assert.ok(!badUses.ok);
  const none = decodeWorkflow(JSON.stringify({ budget: 10, steps: [] }));
  assert.ok(!none.ok && /a step at least/.test(none.error.message));
});

test('a cycle of needs is refused at submit, naming the steps in it', () => {
  const message = refusal({
    budget: 10,
    steps: [
      { id: 'a', uses: LIB, needs: ['c'] },
      { id: 'b', uses: LIB, needs: ['a'] },
      { id: 'c', uses: LIB, needs: ['b'] },
    ],
  });
  assert.match(message, /step "a" is in a cycle of needs: a → c → b → a/);
  assert.match(refusal({ budget: 10, steps: [{ id: 'a', uses: LIB, needs: ['a'] }] }), /step "a" needs itself/);
  assert.match(
    refusal({ budget: 10, steps: [{ id: 'a', uses: LIB, needs: ['x'] }] }),
    /step "a" needs "x", which is no step/,
  );
});

test("a reference outside a step's ancestors, to an undeclared input, or $item in params is refused", () => {
  const sideways = refusal({
    budget: 10,
    steps: [
      { id: 'a', uses: LIB, needs: [] },
      { id: 'b', uses: LIB, needs: [], params: { seed: { $step: 'a', field: 'n' } } },
    ],
  });
  assert.match(sideways, /step "b": params refers to a\.n, and "a" is not among the steps it needs/);
  const later = refusal({
    budget: 10,
    steps: [
      { id: 'a', uses: LIB, when: { op: 'gt', args: [{ $step: 'b', field: 'n' }, 1] } },
      { id: 'b', uses: LIB },
    ],
  });
  assert.match(later, /step "a": when refers to b\.n/);
  assert.match(
    refusal({ budget: 10, steps: [{ id: 'a', uses: LIB, input: { $input: 'nope' } }] }),
    /input "nope", which the workflow's inputs do not declare/,
  );
  assert.match(
    refusal({
      budget: 10,
      inputs: { photos: { type: 'files' } },
      steps: [{ id: 'a', uses: LIB, for_each: { items: { $input: 'photos' } }, params: { x: { $item: 'name' } } }],
    }),
    /step "a": params uses \$item/,
  );
  assert.match(
    refusal({ budget: 10, steps: [{ id: 'a', uses: LIB, params: { x: { $bogus: 1 } } }] }),
    /is not a reference/,
  );
});

test('needs default to the step before: a chain runs one step at a time, each reading the last', () => {
  const graph = graphOf({
    budget: 10,
    inputs: { data: { type: 'file' } },
    steps: [
      { id: 'a', uses: LIB, input: { $input: 'data' }, chunk_bytes: 4 },
      { id: 'b', uses: LIB, input: { $step: 'a', file: 'out' }, params: { n: { $step: 'a', field: 'units' } } },
    ],
  });
  assert.deepEqual(graph.needs.get('b'), ['a']);
  const facts: WorkflowFact[] = [];
  const inputs = { data: file('data') };
  let now = settle(graph, inputs, facts);
  assert.deepEqual(stateOf(now), { a: 'running', b: 'waiting' });
  assert.equal(facts[0]?.type === 'step.started' && facts[0].job_id, 'wf.w1.a.1');
  facts.push({ type: 'step.done', step: 'a', output: output({ units: 3 }, [file('out', 'cid-out')]) });
  now = settle(graph, inputs, facts);
  assert.deepEqual(stateOf(now), { a: 'done', b: 'running' });
  const b = foldFacts(facts).steps.get('b')!;
  assert.deepEqual(b.params, { n: 3 });
  assert.deepEqual(b.input, [file('out', 'cid-out')]);
  facts.push({ type: 'step.done', step: 'b', output: output({}) });
  assert.equal(settle(graph, inputs, facts).outcome, 'completed');
});

test('a condition over a missing field or of mismatched types fails the step: it never reads as false', () => {
  const doc = (when: unknown) => ({
    budget: 10,
    steps: [
      { id: 'sim', uses: LIB },
      { id: 'next', uses: LIB, when, on_error: 'skip' },
    ],
  });
  const run = (when: unknown, fields: StepOutput['fields']) => {
    const facts: WorkflowFact[] = [{ type: 'step.done', step: 'sim', output: output(fields) }];
    const p = settle(graphOf(doc(when)), {}, facts);
    return { p, next: foldFacts(facts).steps.get('next')! };
  };
  const converged = { op: 'lt', args: [{ $step: 'sim', field: 'residual' }, 0.001] };
  const missing = run(converged, { steps: 4 });
  assert.equal(missing.next.failed?.reason, 'its condition failed: step "sim" has no field "residual"');
  assert.equal(missing.next.jobId, undefined, 'nothing started');
  assert.equal(missing.p.states.get('next')?.state, 'failed');
  const mismatched = run(converged, { residual: 'small' });
  assert.match(mismatched.next.failed!.reason, /lt expects a number, got "small"/);
  const notBoolean = run({ $step: 'sim', field: 'residual' }, { residual: 0 });
  assert.match(notBoolean.next.failed!.reason, /the condition is 0, not true or false/);
  const eqAcross = run({ op: 'eq', args: [{ $step: 'sim', field: 'residual' }, 'zero'] }, { residual: 0 });
  assert.match(eqAcross.next.failed!.reason, /eq expects a number/);
  const andNumber = run({ op: 'and', args: [true, { $step: 'sim', field: 'residual' }] }, { residual: 1 });
  assert.match(andNumber.next.failed!.reason, /and expects true or false, got 1/);
  assert.equal(run(converged, { residual: 0.0001 }).next.jobId, 'wf.w1.next.1', 'true: it runs');
  const no = run(converged, { residual: 0.5 });
  assert.equal(no.next.condition, false);
  assert.equal(no.p.states.get('next')?.state, 'skipped');
});

test("a skipped step's dependants are skipped unless they run after a skipped need", () => {
  const graph = graphOf({
    budget: 10,
    steps: [
      { id: 'a', uses: LIB },
      { id: 'b', uses: LIB, when: { op: 'gt', args: [{ $step: 'a', field: 'n' }, 5] } },
      { id: 'c', uses: LIB },
      { id: 'd', uses: LIB, needs: ['b'], after_skipped: 'run' },
    ],
  });
  const facts: WorkflowFact[] = [{ type: 'step.done', step: 'a', output: output({ n: 1 }) }];
  const p = settle(graph, {}, facts);
  assert.deepEqual(stateOf(p), { a: 'done', b: 'skipped', c: 'skipped', d: 'running' });
});

test("a fan-out takes one unit per item of an earlier step's files, within its cap", () => {
  const doc = (cap: number) => ({
    budget: 10,
    steps: [
      { id: 'render', uses: 'render' },
      {
        id: 'gray',
        uses: { library: 'image', method: 'grayscale' },
        for_each: { items: { $step: 'render', files: true }, max_items: cap },
      },
    ],
  });
  const frames = [file('0'), file('1'), file('2')];
  const done: WorkflowFact = { type: 'step.done', step: 'render', output: output({}, frames) };
  const facts = [done];
  settle(graphOf(doc(3)), {}, facts);
  assert.deepEqual(foldFacts(facts).steps.get('gray')!.input, frames);
  const over = [done];
  settle(graphOf(doc(2)), {}, over);
  assert.match(foldFacts(over).steps.get('gray')!.failed!.reason, /for_each has 3 items, over its cap of 2/);
});

test("a fan-out over what a WASI step's programs wrote ($step written); a file by its name, written or not", () => {
  const doc = {
    budget: 10,
    steps: [
      { id: 'run', uses: { module: { cid: 'bafy' }, abi: 'wasi' } },
      {
        id: 'sums',
        uses: { library: 'crypto', method: 'sha256' },
        for_each: { items: { $step: 'run', written: true } },
      },
      {
        id: 'one',
        uses: { library: 'crypto', method: 'sha256' },
        input: { $step: 'run', file: '0.files/summary.txt' },
        needs: ['run'],
      },
    ],
  };
  const written = [file('0.files/summary.txt'), file('0.stderr')];
  const done: WorkflowFact = {
    type: 'step.done',
    step: 'run',
    output: { ...output({}, [file('0')]), written },
  };
  const facts = [done];
  settle(graphOf(doc), {}, facts);
  const steps = foldFacts(facts).steps;
  assert.deepEqual(steps.get('sums')!.input, written);
  assert.deepEqual(steps.get('one')!.input, [written[0]]);
  // A step of an earlier version kept no written files: none to fan out over, which fails its fan-out.
  const old: WorkflowFact[] = [{ type: 'step.done', step: 'run', output: output({}, [file('0')]) }];
  settle(graphOf(doc), {}, old);
  assert.match(foldFacts(old).steps.get('sums')!.failed!.reason, /for_each has no items/);
});

test('retry runs again only what can succeed elsewhere, and at most its count', () => {
  const graph = graphOf({
    budget: 10,
    steps: [
      { id: 'a', uses: LIB, on_error: { retry: 2 } },
      { id: 'b', uses: LIB },
    ],
  });
  const facts: WorkflowFact[] = [];
  settle(graph, {}, facts);
  const lost = (attempt: number, retryable = true): WorkflowFact => ({
    type: 'step.failed',
    step: 'a',
    attempt,
    reason: retryable ? 'its provider was lost' : 'Trap',
    retryable,
  });
  facts.push(lost(1));
  settle(graph, {}, facts);
  assert.equal(foldFacts(facts).steps.get('a')!.jobId, 'wf.w1.a.2', 'a lost peer: attempt 2, a job id of its own');
  facts.push(lost(2));
  settle(graph, {}, facts);
  facts.push(lost(3));
  const spent = settle(graph, {}, facts);
  assert.deepEqual(stateOf(spent), { a: 'failed', b: 'not_run' });
  assert.match(spent.states.get('a')!.detail!, /its 2 retries spent/);
  assert.equal(spent.outcome, 'failed');
  const trap: WorkflowFact[] = [];
  settle(graph, {}, trap);
  trap.push(lost(1, false));
  const trapped = settle(graph, {}, trap);
  assert.equal(foldFacts(trap).steps.get('a')!.attempt, 1, 'a deterministic trap is not run again');
  assert.match(trapped.states.get('a')!.detail!, /not retried/);
});

test('a failure under abort stops new work; under compensate its compensation runs first; cancel starts nothing', () => {
  const graph = graphOf({
    budget: 10,
    steps: [
      { id: 'a', uses: LIB, needs: [] },
      { id: 'b', uses: LIB, needs: [], on_error: { compensate: 'undo' } },
      { id: 'c', uses: LIB, needs: ['a', 'b'] },
      { id: 'undo', uses: LIB, needs: ['a'], compensation: true },
    ],
  });
  const facts: WorkflowFact[] = [];
  assert.deepEqual(stateOf(settle(graph, {}, facts)), { a: 'running', b: 'running', c: 'waiting', undo: 'not_run' });
  facts.push({ type: 'step.failed', step: 'b', attempt: 1, reason: 'Trap', retryable: false });
  const running = settle(graph, {}, facts);
  assert.deepEqual(stateOf(running), { a: 'running', b: 'failed', c: 'not_run', undo: 'waiting' });
  facts.push({ type: 'step.done', step: 'a', output: output({}) });
  assert.equal(stateOf(settle(graph, {}, facts)).undo, 'running');
  facts.push({ type: 'step.done', step: 'undo', output: output({}) });
  assert.equal(settle(graph, {}, facts).outcome, 'failed');

  const cancelled: WorkflowFact[] = [];
  settle(graph, {}, cancelled);
  cancelled.push({ type: 'workflow.cancelled', reason: 'by its user' });
  cancelled.push({ type: 'step.done', step: 'a', output: output({}) });
  cancelled.push({ type: 'step.done', step: 'b', output: output({}) });
  const after = settle(graph, {}, cancelled);
  assert.deepEqual(stateOf(after), { a: 'done', b: 'done', c: 'cancelled', undo: 'not_run' });
  assert.equal(after.outcome, 'cancelled');
});

test('facts validate as journaled and fold the same; a job id and a memo key depend only on what they name', () => {
  const fact = {
    type: 'step.started',
    step: 'a',
    attempt: 1,
    job_id: jobIdOf('w1', 'a', 1),
    params: { x: 1 },
    input: [file('x')],
  };
  const decoded = validate(WorkflowFactSchema, fact);
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.value.type === 'step.started' && decoded.value.cached, [], 'no unit cached, by default');
  assert.ok(!validate(WorkflowFactSchema, { ...fact, attempt: 0 }).ok);
  const record = foldFacts([]);
  applyFact(record, decoded.value);
  assert.equal(record.steps.get('a')!.jobId, 'wf.w1.a.1');
  assert.equal(memoKeyOf('m', { b: 1, a: 2 }, 'c'), memoKeyOf('m', { a: 2, b: 1 }, 'c'));
  assert.notEqual(memoKeyOf('m', { a: 2 }, 'c'), memoKeyOf('m', { a: 3 }, 'c'));
  assert.notEqual(memoKeyOf('m', {}, 'c', 0), memoKeyOf('m', {}, 'c', 1), "a WASI unit's index is in its key");
  assert.notEqual(memoKeyOf('m', {}, 'c', 0), memoKeyOf('m', {}, 'c'));
});

test("a step's memo key holds its module, params, chunk size and items' list, and is never a unit's", () => {
  const key = stepMemoKeyOf('m', { a: 2 }, 64, 'list');
  assert.equal(key, stepMemoKeyOf('m', { a: 2 }, 64, 'list'));
  for (const other of [
    stepMemoKeyOf('n', { a: 2 }, 64, 'list'),
    stepMemoKeyOf('m', { a: 3 }, 64, 'list'),
    stepMemoKeyOf('m', { a: 2 }, 32, 'list'),
    stepMemoKeyOf('m', { a: 2 }, 64, 'other'),
    memoKeyOf('m', { a: 2 }, 'list'),
  ])
    assert.notEqual(key, other);
  // The list's bytes are its files' {name, cid, bytes}, in order, whatever else an item carries.
  const one = { name: 'x', cid: 'c', bytes: 1 };
  assert.equal(fileListJson([one]), fileListJson([{ bytes: 1, cid: 'c', name: 'x', extra: 1 } as typeof one]));
  assert.notEqual(fileListJson([one, { ...one, name: 'y' }]), fileListJson([{ ...one, name: 'y' }, one]));
});

test("a module step's module is a declared file input or a CID; a path is refused", () => {
  const step = (module: unknown) => ({ id: 'run', uses: { module, abi: 'wasi' } });
  const inputs = { program: { type: 'file' }, name: { type: 'string' } };
  graphOf({ budget: 1, inputs, steps: [step({ $input: 'program' })] });
  graphOf({ budget: 1, steps: [step({ cid: 'bafkreiabc' })] });
  assert.match(
    refusal({ budget: 1, inputs, steps: [step({ $input: 'missing' })] }),
    /step "run": its module is input "missing", which the workflow's inputs do not declare/,
  );
  assert.match(
    refusal({ budget: 1, inputs, steps: [step({ $input: 'name' })] }),
    /its module is input "name", which the workflow's inputs declare as string, not file/,
  );
  assert.ok(!decodeWorkflow(JSON.stringify({ budget: 1, steps: [step({ file: 'x.wasm' })] })).ok);
  assert.ok(!decodeWorkflow(JSON.stringify({ budget: 1, steps: [step({ $step: 'a', file: '0' })] })).ok);
});

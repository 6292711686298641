// The planner (docs/WORKFLOWS.md): given a checked workflow (graph.ts), its inputs and what its
// facts say (facts.ts), each step's state and what to do next. Pure: the node journals each action
// as a fact and plans again, until there is nothing left to do; a node that restarts plans from the
// same facts and so does the same.
import { evaluate } from './conditions.js';
import type { Step } from './document.js';
import type { StepRecord, WorkflowFact, WorkflowRecord } from './facts.js';
import type { Graph } from './graph.js';
import {
  filesOf,
  resolveParams,
  type FileValue,
  type Resolved,
  type Scalar,
  type Scope,
  type StepOutput,
  type Value,
} from './references.js';

type StartedFact = Extract<WorkflowFact, { type: 'step.started' }>;

type StepState =
  /** Waiting for a need to finish. */
  | 'waiting'
  | 'running'
  | 'done'
  | 'failed'
  | 'skipped'
  /** Never started: the workflow failed, or a compensation step nothing called for. */
  | 'not_run'
  | 'cancelled';

type Action =
  /** Journal a condition's outcome (false: the step is skipped). */
  | { kind: 'condition'; step: string; outcome: boolean }
  /** Journal the step started with these params and input (a fan-out's items), then start its job. */
  | {
      kind: 'start';
      step: string;
      attempt: number;
      params: StartedFact['params'];
      input: readonly (FileValue | Scalar)[];
    }
  | { kind: 'skip'; step: string; reason: string }
  /** Journal the step failed, for a reason no retry mends (a condition, a reference). */
  | { kind: 'fail'; step: string; reason: string };

type Outcome = 'running' | 'completed' | 'failed' | 'cancelled';

export interface Plan {
  states: Map<string, { state: StepState; detail?: string }>;
  actions: Action[];
  outcome: Outcome;
}

/** Each step's state and what to do next. */
export function plan(graph: Graph, inputs: Readonly<Record<string, Value>>, record: WorkflowRecord): Plan {
  const states = new Map<string, { state: StepState; detail?: string }>();
  const actions: Action[] = [];
  const outputs = new Map<string, StepOutput>();
  for (const [id, step] of record.steps) if (step.output) outputs.set(id, step.output);
  const scope: Scope = { inputs, outputs };
  const facts = (id: string): StepRecord => record.steps.get(id) ?? { attempt: 0 };
  // A failure that stops the workflow (under abort, a retry spent, a compensation), and the compensation it calls for.
  const stopping = new Set<string>();
  for (const id of graph.order) {
    const settled = settledState(graph.steps.get(id)!, facts(id));
    if (settled?.stops) stopping.add(id);
  }
  const compensations = new Set<string>();
  for (const id of stopping) {
    const onError = graph.steps.get(id)!.on_error;
    if (typeof onError === 'object' && 'compensate' in onError) compensations.add(onError.compensate);
  }
  const stopped = stopping.size > 0 || record.cancelled !== undefined;
  let running = false;
  for (const id of graph.order) {
    const step = graph.steps.get(id)!;
    const at = facts(id);
    const settled = settledState(step, at);
    if (settled) {
      const state = settled.retry && stopped ? 'failed' : settled.state;
      states.set(id, { state, ...(settled.detail !== undefined ? { detail: settled.detail } : {}) });
      if (settled.retry && !stopped) {
        actions.push(...startOrFail(step, at.attempt + 1, scope));
        running = true;
      }
      continue;
    }
    if (at.jobId !== undefined && !at.failed) {
      states.set(id, { state: 'running' });
      running = true;
      continue;
    }
    if (step.compensation && !compensations.has(id)) {
      states.set(id, { state: 'not_run' });
      continue;
    }
    if (record.cancelled !== undefined) {
      states.set(id, { state: 'cancelled' });
      continue;
    }
    if (stopped && !step.compensation) {
      states.set(id, { state: 'not_run' });
      continue;
    }
    const needs = graph.needs.get(id)!.map((need) => states.get(need)!);
    if (needs.some(({ state }) => state === 'waiting' || state === 'running')) {
      states.set(id, { state: 'waiting' });
      continue;
    }
    running = true;
    states.set(id, { state: 'waiting' });
    const skippedNeed = graph.needs.get(id)!.find((need) => states.get(need)!.state !== 'done' || !outputs.has(need));
    if (skippedNeed !== undefined && step.after_skipped === 'skip' && !step.compensation) {
      actions.push({ kind: 'skip', step: id, reason: `its need "${skippedNeed}" was skipped` });
      continue;
    }
    if (step.when !== undefined && at.condition === undefined) {
      const outcome = evaluate(step.when, scope);
      actions.push(
        outcome.ok
          ? { kind: 'condition', step: id, outcome: outcome.value }
          : { kind: 'fail', step: id, reason: `its condition failed: ${outcome.error}` },
      );
      continue;
    }
    actions.push(...startOrFail(step, 1, scope));
  }
  const outcome: Outcome = running
    ? 'running'
    : record.cancelled !== undefined
      ? 'cancelled'
      : stopping.size > 0
        ? 'failed'
        : 'completed';
  return { states, actions, outcome };
}

/** A step's state once it has an outcome, and whether it stops the workflow or is run again. */
function settledState(
  step: Step,
  at: StepRecord,
): { state: StepState; detail?: string; stops?: boolean; retry?: boolean } | undefined {
  if (at.output) return { state: 'done' };
  if (at.skipped !== undefined) return { state: 'skipped', detail: at.skipped };
  if (at.condition === false) return { state: 'skipped', detail: 'its condition was false' };
  if (!at.failed) return undefined;
  const { reason, retryable, attempt } = at.failed;
  const onError = step.on_error;
  if (onError === 'skip') return { state: 'failed', detail: `${reason} (skipped: on_error skip)` };
  if (typeof onError === 'object' && 'retry' in onError) {
    if (retryable && attempt <= onError.retry)
      return { state: 'running', detail: `retry ${attempt} of ${onError.retry}: ${reason}`, retry: true };
    const why = retryable
      ? `${reason} (its ${onError.retry} retries spent)`
      : `${reason} (not retried: it would fail again)`;
    return { state: 'failed', detail: why, stops: true };
  }
  return { state: 'failed', detail: reason, stops: true };
}

/** Start the step's attempt with its params and input resolved, or fail it, saying what did not resolve. */
function startOrFail(step: Step, attempt: number, scope: Scope): Action[] {
  const params = resolveParams(step.params, scope);
  if (!params.ok) return [{ kind: 'fail', step: step.id, reason: params.error }];
  const input = inputOf(step, scope);
  if (!input.ok) return [{ kind: 'fail', step: step.id, reason: input.error }];
  // JSON in, JSON out: the params were JSON, and what replaced their references is too.
  const json = params.value as StartedFact['params'];
  return [{ kind: 'start', step: step.id, attempt, params: json, input: input.value }];
}

/** What the step's job runs over: its input's files, or a fan-out's items within its cap. */
function inputOf(step: Step, scope: Scope): Resolved<readonly (FileValue | Scalar)[]> {
  if (step.for_each) {
    const items = filesOf(step.for_each.items, scope);
    if (!items.ok) return items;
    const { max_items: cap } = step.for_each;
    if (items.value.length > cap)
      return { ok: false, error: `for_each has ${items.value.length} items, over its cap of ${cap} (max_items)` };
    if (items.value.length === 0) return { ok: false, error: 'for_each has no items' };
    return items;
  }
  if (!step.input) return { ok: true, value: [] };
  return filesOf(step.input, scope);
}

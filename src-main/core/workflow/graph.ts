// A workflow's graph, checked at submit (docs/WORKFLOWS.md): ids unique, needs that name steps
// (by default the step before), no cycle, and every reference within a step's ancestors: a step
// reads only what has run before it. Each refusal names the step.
import type { Step, Workflow } from './document.js';
import { referencesOf } from './conditions.js';
import { describe, referencesIn, type Reference, type Resolved } from './references.js';

/** A checked workflow's graph: each step's needs and ancestors, and the steps in an order that runs needs first. */
export interface Graph {
  steps: ReadonlyMap<string, Step>;
  needs: ReadonlyMap<string, readonly string[]>;
  ancestors: ReadonlyMap<string, ReadonlySet<string>>;
  /** Every step after its needs (compensation steps included). */
  order: readonly string[];
}

/** The workflow's graph, or the first reason to refuse it. */
export function checkGraph(workflow: Workflow): Resolved<Graph> {
  const steps = new Map<string, Step>();
  for (const step of workflow.steps) {
    if (steps.has(step.id)) return fail(`step "${step.id}" appears twice: step ids are unique`);
    steps.set(step.id, step);
  }
  const needs = new Map<string, readonly string[]>();
  let before: string | undefined;
  for (const step of workflow.steps) {
    const named = step.needs ?? (step.compensation || before === undefined ? [] : [before]);
    for (const need of named) {
      const other = steps.get(need);
      if (!other) return fail(`step "${step.id}" needs "${need}", which is no step of this workflow`);
      if (need === step.id) return fail(`step "${step.id}" needs itself: a cycle`);
      if (other.compensation && !step.compensation)
        return fail(`step "${step.id}" needs "${need}", a compensation step, which runs only when a step fails`);
    }
    needs.set(step.id, named);
    if (!step.compensation) before = step.id;
  }
  const order = topological(workflow.steps, needs);
  if (!order.ok) return order;
  const ancestors = new Map<string, Set<string>>();
  for (const id of order.value) {
    const all = new Set<string>();
    for (const need of needs.get(id)!) {
      all.add(need);
      for (const further of ancestors.get(need)!) all.add(further);
    }
    ancestors.set(id, all);
  }
  for (const step of workflow.steps) {
    const refused = checkStep(step, workflow, steps, ancestors.get(step.id)!);
    if (refused !== undefined) return fail(refused);
  }
  return { ok: true, value: { steps, needs, ancestors, order: order.value } };
}

/** The steps with each after its needs, or the cycle that forbids it, named step by step. */
function topological(steps: readonly Step[], needs: ReadonlyMap<string, readonly string[]>): Resolved<string[]> {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(id)), id];
      return `step "${id}" is in a cycle of needs: ${cycle.join(' → ')}`;
    }
    state.set(id, 'visiting');
    path.push(id);
    for (const need of needs.get(id)!) {
      const cycle = visit(need);
      if (cycle !== undefined) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    order.push(id);
    return undefined;
  };
  for (const { id } of steps) {
    const cycle = visit(id);
    if (cycle !== undefined) return fail(cycle);
  }
  return { ok: true, value: order };
}

/** Why a step's references or error policy are refused, or undefined when they are sound. */
function checkStep(
  step: Step,
  workflow: Workflow,
  steps: ReadonlyMap<string, Step>,
  ancestors: ReadonlySet<string>,
): string | undefined {
  const inParams = referencesIn(step.params);
  if (!inParams.ok) return `step "${step.id}": params: ${inParams.error}`;
  const read: [where: string, refs: readonly Reference[]][] = [
    ['params', inParams.value],
    ['input', step.input ? [step.input] : []],
    ['for_each', step.for_each ? [step.for_each.items] : []],
    ['when', step.when === undefined ? [] : referencesOf(step.when)],
  ];
  for (const [where, refs] of read) {
    for (const ref of refs) {
      if ('$input' in ref && !Object.hasOwn(workflow.inputs, ref.$input))
        return `step "${step.id}": ${where} refers to input "${ref.$input}", which the workflow's inputs do not declare`;
      if ('$step' in ref && !ancestors.has(ref.$step))
        return `step "${step.id}": ${where} refers to ${describe(ref)}, and "${ref.$step}" is not among the steps it needs (directly or through them)`;
      if ('$item' in ref && (where !== 'input' || !step.for_each))
        return `step "${step.id}": ${where} uses $item, which only a for_each step's input may: a fan-out's units share their params`;
    }
  }
  if (typeof step.uses === 'object' && 'module' in step.uses && '$input' in step.uses.module) {
    const name = step.uses.module.$input;
    const type = Object.hasOwn(workflow.inputs, name) ? workflow.inputs[name]!.type : undefined;
    if (type !== 'file')
      return `step "${step.id}": its module is input "${name}", which the workflow's inputs ${type === undefined ? 'do not declare' : `declare as ${type}, not file`}`;
  }
  // A render's or a Blender scene's step renders one scene: its units are its frames (or their tiles).
  const scene = step.uses === 'render' || step.uses === 'blender' ? `a ${step.uses} step` : undefined;
  if (scene && step.input && '$item' in step.input)
    return `step "${step.id}": ${scene}'s input is its scene, one file: it takes no for_each`;
  if (scene && step.for_each) return `step "${step.id}": ${scene} takes no for_each: its units are its frames`;
  const { on_error: onError } = step;
  if (typeof onError === 'object' && 'compensate' in onError) {
    const target = steps.get(onError.compensate);
    if (!target?.compensation)
      return `step "${step.id}": on_error compensates with "${onError.compensate}", which is no step marked "compensation": true`;
    if (step.compensation) return `step "${step.id}": a compensation step compensates no further`;
  }
  return undefined;
}

const fail = <T>(error: string): Resolved<T> => ({ ok: false, error });

// A workflow's graph laid out for the Jobs page: its steps in columns by depth (a step one column
// after the deepest of its needs), each column in the document's order.
import type { WorkflowView } from '../../src-main/core/api/workflow-methods.js';

type StepView = WorkflowView['steps'][number];

/** The steps in columns: the first holds those that need nothing, each next one those whose needs are all to its left. */
export function columnsOf(view: WorkflowView): StepView[][] {
  const depth = new Map<string, number>();
  const depthOf = (step: StepView, seen: ReadonlySet<string>): number => {
    const known = depth.get(step.id);
    if (known !== undefined) return known;
    let deepest = -1;
    for (const need of step.needs) {
      const other = view.steps.find((s) => s.id === need);
      // A need the view lacks, or a cycle (the node refuses both at submit): the step starts a column.
      if (other && !seen.has(need)) deepest = Math.max(deepest, depthOf(other, new Set([...seen, step.id])));
    }
    depth.set(step.id, deepest + 1);
    return deepest + 1;
  };
  const columns: StepView[][] = [];
  for (const step of view.steps) (columns[depthOf(step, new Set())] ??= []).push(step);
  return columns.filter((column) => column !== undefined);
}

/** A step's counts in words: `12/30 verified, 3 from the memo`, or nothing before it has units. */
export function countsOf(step: StepView): string {
  if (step.units === null) return '';
  const failed = step.units_failed > 0 ? `, ${step.units_failed} failed` : '';
  const memo = step.cached > 0 ? `, ${step.cached} from the memo` : '';
  return `${step.units_verified + step.cached}/${step.units} done${memo}${failed}`;
}

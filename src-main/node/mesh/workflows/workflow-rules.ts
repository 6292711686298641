// The workflow runner's rules for what it is given and what it journals (workflow-runner.ts): a
// document checked, an input's value against its declared type, a step's share of the budget, the
// files a value names, and a step's failure as a fact.
import { checkGraph, type Graph } from '../../../core/workflow/graph.js';
import { decodeWorkflow, type Workflow } from '../../../core/workflow/document.js';
import type { WorkflowFact } from '../../../core/workflow/facts.js';
import type { FileValue, Value } from '../../../core/workflow/references.js';
import { ApiError } from '../../api/errors.js';

/** The document parsed and its graph checked, or ApiError `bad_request` saying why not. */
export function check(document: string): { workflow: Workflow; graph: Graph } {
  const decoded = decodeWorkflow(document);
  if (!decoded.ok) throw new ApiError('bad_request', `the workflow: ${decoded.error.message}`);
  const graph = checkGraph(decoded.value);
  if (!graph.ok) throw new ApiError('bad_request', graph.error);
  return { workflow: decoded.value, graph: graph.value };
}

/** A step's share of its workflow's budget: even across the steps that run unless one fails. */
export function shareOf(workflow: Workflow): number {
  const steps = workflow.steps.filter((step) => !step.compensation).length;
  return Math.max(1, Math.floor(workflow.budget / steps));
}

/** The files a workflow input's value names. */
export function filesIn(value: Value): FileValue[] {
  if (Array.isArray(value)) return value.filter((item): item is FileValue => typeof item === 'object');
  return typeof value === 'object' ? [value as FileValue] : [];
}

/** Whether an input's value is of its declared type. */
export function fits(type: string, value: Value): boolean {
  if (type === 'file') return typeof value === 'object' && !Array.isArray(value);
  if (type === 'files') return Array.isArray(value);
  return typeof value === type;
}

/** A step's failure: what the node refused (params, sizes) fails for good; an unavailable store or peer may mend. */
export function failure(step: string, attempt: number, err: unknown): WorkflowFact {
  const reason = err instanceof Error ? err.message : String(err);
  const retryable = err instanceof ApiError && err.code === 'unavailable';
  return { type: 'step.failed', step, attempt, reason: reason.slice(0, 1000), retryable };
}

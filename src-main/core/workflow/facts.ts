// What a workflow's requester journals of it (docs/WORKFLOWS.md, "Crash-safe"), and their fold:
// each step started (its resolved params, a fan-out's items, and the job it runs as, with an id
// derived from the workflow, the step and the attempt: written before the job starts), each
// condition's outcome, each step done, failed or skipped, and a cancel. The planner (planner.ts)
// reads the fold; nothing else decides what a workflow does next.
import * as z from '../schemas/zod.js';
import { canonicalJson, Count, Id, Params } from '../schemas/index.js';
import {
  FileValueSchema,
  StepIdSchema,
  StepOutputSchema,
  type FileValue,
  type Scalar,
  type StepOutput,
} from './references.js';

const Reason = z.string().check(z.maxLength(1000));
const ItemSchema = z.union([FileValueSchema, z.string().check(z.maxLength(4096)), z.number(), z.boolean()]);
const Attempt = z.int().check(z.minimum(1), z.maximum(64));

export const WorkflowFactSchema = z.union([
  z.strictObject({
    type: z.literal('step.started'),
    step: StepIdSchema,
    attempt: Attempt,
    job_id: Id,
    params: Params,
    /** The files the job's input is made of, in order: its input, or a fan-out's items (a unit each). */
    input: z.array(ItemSchema).check(z.maxLength(1_000_000)),
    /** Units whose output the memo had (memoKeyOf): not in the job, which runs the others, in order. */
    cached: z._default(
      z.array(z.strictObject({ unit: Count, cid: Id, bytes: Count })).check(z.maxLength(1_000_000)),
      [],
    ),
  }),
  z.strictObject({ type: z.literal('step.condition'), step: StepIdSchema, outcome: z.boolean() }),
  z.strictObject({ type: z.literal('step.done'), step: StepIdSchema, output: StepOutputSchema }),
  z.strictObject({
    type: z.literal('step.failed'),
    step: StepIdSchema,
    attempt: z.int().check(z.minimum(0), z.maximum(64)),
    reason: Reason,
    /** What failed could succeed elsewhere (a lost peer, a timeout), not a deterministic trap. */
    retryable: z.boolean(),
  }),
  z.strictObject({ type: z.literal('step.skipped'), step: StepIdSchema, reason: Reason }),
  z.strictObject({ type: z.literal('workflow.cancelled'), reason: Reason }),
]);
export type WorkflowFact = z.output<typeof WorkflowFactSchema>;

/** What the facts say of one step. */
export interface StepRecord {
  /** The last attempt started, 0 before any. */
  attempt: number;
  jobId?: string;
  params?: Extract<WorkflowFact, { type: 'step.started' }>['params'];
  input?: readonly (FileValue | Scalar)[];
  /** The units the memo had when the attempt started. */
  cached?: readonly { unit: number; cid: string; bytes: number }[];
  condition?: boolean;
  output?: StepOutput;
  /** The last attempt's failure. */
  failed?: { attempt: number; reason: string; retryable: boolean };
  skipped?: string;
}

export interface WorkflowRecord {
  steps: Map<string, StepRecord>;
  cancelled?: string;
}

/** The facts of one workflow, folded in order. */
export function foldFacts(facts: Iterable<WorkflowFact>): WorkflowRecord {
  const record: WorkflowRecord = { steps: new Map() };
  for (const fact of facts) applyFact(record, fact);
  return record;
}

export function applyFact(record: WorkflowRecord, fact: WorkflowFact): void {
  if (fact.type === 'workflow.cancelled') {
    record.cancelled ??= fact.reason;
    return;
  }
  let step = record.steps.get(fact.step);
  if (!step) record.steps.set(fact.step, (step = { attempt: 0 }));
  if (fact.type === 'step.started') {
    step.attempt = fact.attempt;
    step.jobId = fact.job_id;
    step.params = fact.params;
    step.input = fact.input;
    step.cached = fact.cached;
    delete step.failed;
  } else if (fact.type === 'step.condition') step.condition = fact.outcome;
  else if (fact.type === 'step.done') step.output = fact.output;
  else if (fact.type === 'step.failed')
    step.failed = { attempt: fact.attempt, reason: fact.reason, retryable: fact.retryable };
  else step.skipped = fact.reason;
}

/** A step's job id: the same for the same workflow, step and attempt, so a restart finds the job it started. */
export const jobIdOf = (workflowId: string, step: string, attempt: number): string =>
  `wf.${workflowId}.${step}.${attempt}`;

/** Whether a job is a workflow's step (its id made by jobIdOf). */
export const isStepJob = (jobId: string): boolean => jobId.startsWith('wf.');

/** The workflow whose step's job this is (its id made by jobIdOf), or undefined for any other job. */
export const workflowOfJob = (jobId: string): string | undefined =>
  isStepJob(jobId) ? jobId.split('.')[1] : undefined;

/**
 * What a unit's result depends on, as one string (the node hashes it): its module, its resolved
 * params and its input's CID; a WASI program's unit, its index in its job too (its args' `{index}`).
 * A unit whose key has a verified output is not run again.
 */
export const memoKeyOf = (
  moduleCid: string,
  params: Record<string, unknown>,
  inputCid: string,
  index?: number,
  /** A WASI step's memo keeps its units' whole outputs (stdout, files, exit), under keys of their own. */
  kept?: 'whole',
): string =>
  canonicalJson({
    module: moduleCid,
    params,
    input: inputCid,
    ...(index === undefined ? {} : { index }),
    ...(kept ? { kept } : {}),
  });

/**
 * What a whole step's outputs depend on, as one string (the node hashes it): what its units'
 * memoKeyOf hold but their inputs, and instead the size its input is cut at and the CID of its
 * items' list (references.ts fileListJson). A step whose key has its outputs' list is not split
 * into units at all (a fan-out's 10,000 keys, lookups and checks), its outputs only checked present.
 */
export const stepMemoKeyOf = (
  moduleCid: string,
  params: Record<string, unknown>,
  chunkBytes: number,
  itemsCid: string,
): string => canonicalJson({ module: moduleCid, params, chunk_bytes: chunkBytes, items: itemsCid });

/**
 * memoKeyOf for the units of one step: the same strings, each made by splicing a unit's input CID
 * (and index) into the step's one (its params walked once, not once a unit: a fan-out has 10,000).
 */
export function memoKeysOf(
  moduleCid: string,
  params: Record<string, unknown>,
  kept?: 'whole',
): (inputCid: string, index?: number) => string {
  const [inputMark, indexMark] = ['\u0000input\u0000', '\u0000index\u0000'];
  const [input, index] = [JSON.stringify(inputMark), JSON.stringify(indexMark)] as [string, string];
  const of = (withIndex: boolean) =>
    canonicalJson({
      module: moduleCid,
      params,
      input: inputMark,
      ...(withIndex ? { index: indexMark } : {}),
      ...(kept ? { kept } : {}),
    });
  const [before, after, ...more] = of(false).split(input);
  // Sorted, the index comes before the input, and both before the module and params.
  const [start, middle, end, ...further] = of(true).split(new RegExp(`${escape(index)}|${escape(input)}`));
  // The params hold a mark (NULs in a string): made whole each time instead.
  if (more.length > 0 || further.length > 0 || after === undefined || end === undefined)
    return (inputCid, i) => memoKeyOf(moduleCid, params, inputCid, i, kept);
  return (inputCid, i) =>
    i === undefined
      ? before! + JSON.stringify(inputCid) + after
      : start! + JSON.stringify(i) + middle! + JSON.stringify(inputCid) + end;
}

const escape = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

// The API's workflow methods (docs/WORKFLOWS.md), a part of its contract (contract.ts spreads them
// into API_METHODS): running a workflow document with its inputs, its graph as it stands, a step's
// output, cancelling it, and the list of mine.
import * as z from '../schemas/zod.js';
import { base64Of, boundedArray, Count, Id, idRecord, IsoTime, LIMITS, Name } from '../schemas/index.js';
import { Empty, method } from './shapes.js';

/** A workflow's document, as JSON text (core/workflow/document.ts checks it: MAX_WORKFLOW_CHARS). */
const MAX_DOCUMENT_CHARS = 256 * 1024;
/** A workflow's inline input files in all: bigger data travel as an earlier job's outputs. */
export const MAX_INPUT_FILES = 10_000;
const Base64 = base64Of(32 * 1024 * 1024);
const InputFile = z.strictObject({ name: Name, base64: Base64 });

/**
 * A workflow input's value: a file, a list of files (a folder's), or a number, string or boolean.
 * A list of files already in the node's store may be given by the CID of the list (`files_cid`):
 * the one a run given those files returned (`files_cids`), or a blob (`blobs.put`) holding a JSON
 * list of `{name, cid, bytes}`, MAX_INPUT_FILES at most; a rerun need not send its files again.
 */
const WorkflowInputSchema = z.union([
  z.strictObject({ file: InputFile }),
  z.strictObject({ files: boundedArray(InputFile, MAX_INPUT_FILES) }),
  z.strictObject({ files_cid: Id }),
  z.strictObject({ value: z.union([z.number(), z.string().check(z.maxLength(4096)), z.boolean()]) }),
]);

const StepViewSchema = z.strictObject({
  id: Id,
  /** What it runs, in words: `image/resize`, `module`, `render`. */
  uses: z.string().check(z.maxLength(LIMITS.nameChars)),
  needs: boundedArray(Id, 64),
  state: z.enum(['waiting', 'running', 'done', 'failed', 'skipped', 'not_run', 'cancelled']),
  /** Why it was skipped or failed, or which retry it is on. */
  detail: z.nullable(z.string().check(z.maxLength(2000))),
  job_id: z.nullable(Id),
  attempt: Count,
  /** Its units (a fan-out's items), those the memo had, and, while its job runs or once it ran, those verified and failed. */
  units: z.nullable(Count),
  cached: Count,
  units_verified: Count,
  units_failed: Count,
});

const WorkflowViewSchema = z.strictObject({
  workflow_id: Id,
  name: z.nullable(Name),
  outcome: z.enum(['running', 'completed', 'failed', 'cancelled']),
  submitted_at: IsoTime,
  steps: boundedArray(StepViewSchema, 64),
});

const OutputFileSchema = z.strictObject({ name: Name, cid: Id, bytes: Count, base64: z.optional(z.string()) });

export const WORKFLOW_METHODS = {
  /** Runs a workflow: its document and graph checked at once (a refusal names the step); `no_cache`: every unit runs, memo or not. */
  'workflows.run': method(
    z.strictObject({
      document: z.string().check(z.maxLength(MAX_DOCUMENT_CHARS)),
      inputs: z._default(idRecord(WorkflowInputSchema, 64), {}),
      no_cache: z._default(z.boolean(), false),
    }),
    z.strictObject({
      workflow_id: Id,
      steps: Count,
      /** Each `files` input's list, stored as a blob: its CID, to give as `files_cid` to a run on the same files. */
      files_cids: z.optional(idRecord(Id, 64)),
    }),
  ),
  'workflows.status': method(z.strictObject({ workflow_id: Id }), z.strictObject({ workflow: WorkflowViewSchema })),
  'workflows.list': method(
    Empty,
    z.strictObject({ workflows: boundedArray(WorkflowViewSchema, LIMITS.recordEntries) }),
  ),
  /**
   * A done step's output: its fields, and its files (with their bytes, up to about 16 MiB, from
   * `from`): its units' outputs, then what a WASI step's programs wrote (`<unit>.files/<path>`, `<unit>.stderr`).
   */
  'workflows.output': method(
    z.strictObject({ workflow_id: Id, step: Id, from: z._default(Count, 0) }),
    z.strictObject({
      fields: idRecord(z.union([z.number(), z.string(), z.boolean()]), 64),
      files: boundedArray(OutputFileSchema, LIMITS.unitsPerPage),
      next: z.nullable(Count),
    }),
  ),
  /** Stops new work: no step starts; running steps' jobs are cancelled, their running units end and are paid. */
  'workflows.cancel': method(z.strictObject({ workflow_id: Id }), z.strictObject({ workflow: WorkflowViewSchema })),
} as const;

export type WorkflowView = z.infer<typeof WorkflowViewSchema>;

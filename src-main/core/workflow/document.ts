// A workflow document (docs/WORKFLOWS.md): steps that feed each other, each a job. JSON, parsed
// with a size limit and validated field by field; a value in a step's params, input or items may be
// a reference (references.ts) to a workflow input, to an earlier step's output, or to the current
// item of a fan-out. Its graph is checked before anything runs (graph.ts): needs form no cycle, and a
// step refers only to its ancestors.
import * as z from '../schemas/zod.js';
import { boundedArray, Credits, decodeJson, Id, idRecord, Name, Params, type Decoded } from '../schemas/index.js';
import { ExpressionSchema } from './conditions.js';
import { ReferenceSchema, StepIdSchema } from './references.js';

/** A workflow document's most characters: a document is a plan, its data travel by reference. */
export const MAX_WORKFLOW_CHARS = 256 * 1024;
/** A workflow's most steps. */
const MAX_STEPS = 64;
/** The most items a fan-out may take, and what it takes when its step names no cap. */
const MAX_FOR_EACH_ITEMS = 100_000;
const DEFAULT_FOR_EACH_CAP = 1000;
/** The most retries a step may ask for. */
const MAX_RETRIES = 10;

/** What a step runs: a library method, a user's module (unit ABI or WASI), a render job or a Blender scene's. */
const LibraryUses = z.strictObject({ library: Id, method: Id });
const ModuleUses = z.strictObject({
  /**
   * A workflow input of type `file` (the node reads no path of the requester's) or the CID of a
   * blob the node holds. Its params: a custom module's units' params, or a WASI program's terms
   * (program, args, env, items: as `meshctl submit-job --wasi` gives them).
   */
  module: z.union([z.strictObject({ $input: Id }), z.strictObject({ cid: Id })]),
  abi: z.enum(['custom', 'wasi']),
});
const RenderUses = z.literal('render');
const BlenderUses = z.literal('blender');
const UsesSchema = z.union([LibraryUses, ModuleUses, RenderUses, BlenderUses]);

/** What a failed step does to its workflow. */
const OnErrorSchema = z.union([
  /** The workflow fails: nothing new starts (the default). */
  z.literal('abort'),
  /** The step counts as skipped: its dependants are skipped unless they run after a skipped need. */
  z.literal('skip'),
  /** Run again, at most this many times, when what failed can succeed elsewhere (a lost peer, a timeout). */
  z.strictObject({ retry: z.int().check(z.minimum(1), z.maximum(MAX_RETRIES)) }),
  /** Run this compensation step, then fail the workflow. */
  z.strictObject({ compensate: StepIdSchema }),
]);

const ForEachSchema = z.strictObject({
  /** A list input, a folder input, or an earlier step's files. */
  items: ReferenceSchema,
  max_items: z._default(z.int().check(z.minimum(1), z.maximum(MAX_FOR_EACH_ITEMS)), DEFAULT_FOR_EACH_CAP),
});

const StepSchema = z.strictObject({
  id: StepIdSchema,
  name: z.optional(Name),
  uses: UsesSchema,
  /** The job's params: JSON, any value of which may be a reference (a fan-out's units share them). */
  params: z._default(Params, {}),
  /** The bytes the job splits into units: a file reference (a fan-out's: its current item, by default). */
  input: z.optional(ReferenceSchema),
  /** The bytes of one unit's input (a job over an input); a fan-out's units are its items. */
  chunk_bytes: z.optional(z.int().check(z.minimum(1), z.maximum(16 * 1024 * 1024))),
  /** The steps it runs after; absent: the step before it (none for the first). */
  needs: z.optional(boundedArray(StepIdSchema, MAX_STEPS)),
  for_each: z.optional(ForEachSchema),
  when: z.optional(ExpressionSchema),
  on_error: z._default(OnErrorSchema, 'abort'),
  /** What it does when a need was skipped: skip too (the default), or run anyway. */
  after_skipped: z._default(z.enum(['skip', 'run']), 'skip'),
  /** A step that runs only when a failed step names it in `on_error.compensate`. */
  compensation: z._default(z.boolean(), false),
  /** The most this step's job may spend (its share of the workflow's budget, by default). */
  budget: z.optional(Credits),
  redundancy: z.optional(z.int().check(z.minimum(1), z.maximum(8))),
});

/** A workflow input's type: its value is given at run (`--input k=PATH`, `--input k=3`). */
const InputTypeSchema = z.enum(['file', 'files', 'number', 'string', 'boolean']);

const WorkflowSchema = z.strictObject({
  name: z.optional(Name),
  inputs: z._default(idRecord(z.strictObject({ type: InputTypeSchema }), 64), {}),
  /** What the whole workflow may spend, in millicredits: each step's job gets its share. */
  budget: Credits.check(z.minimum(1)),
  steps: boundedArray(StepSchema, MAX_STEPS).check(z.minLength(1, 'a workflow has a step at least')),
});

export type Workflow = z.output<typeof WorkflowSchema>;
export type Step = z.output<typeof StepSchema>;

/** A workflow from its JSON text: parsed within MAX_WORKFLOW_CHARS and validated; the graph is not yet checked (graph.ts). */
export function decodeWorkflow(text: string): Decoded<Workflow> {
  return decodeJson(WorkflowSchema, text, MAX_WORKFLOW_CHARS);
}

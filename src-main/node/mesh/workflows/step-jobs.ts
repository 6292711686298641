// A workflow step as a job (docs/WORKFLOWS.md): its input made of its files (a fan-out's items, a unit each), its units
// split as any job's; the step's memo key taken (step-memo.ts), and unless it has them all, each unit's
// (core/workflow/facts.ts memoKeyOf); the units the memo has are left out of the job, which runs the others through the
// same submit as `meshctl submit-job` (JobSubmits.submitStream) under the step's derived job id. Once the job ends, its
// verified outputs, with the memo's, are the step's output, each stored here and remembered, and their list.
import { hash } from 'node:crypto';
import type { SubmitJobTerms, SubmitRender } from '../../../core/api/contract.js';
import type { Step } from '../../../core/workflow/document.js';
import { memoKeysOf, type StepRecord } from '../../../core/workflow/facts.js';
import type { FileValue, Scalar, StepOutput, Value } from '../../../core/workflow/references.js';
import { PROGRAM_LIBRARIES } from '../../../core/library/methods.js';
import { tarOf } from '../../../core/library/tar.js';
import { ApiError } from '../../api/errors.js';
import { cidOfBytes } from '../../blobs/cid.js';
import type { WorkflowStore } from '../../journal/workflow-store.js';
import type { NodeContext } from '../context/node-context.js';
import type { JobSubmits } from '../jobs/job-submits.js';
import { jobView, type UnitSources } from '../views/job-view.js';
import { gatherOutputs, stderrKey } from './step-outputs.js';
import { renderOutcome, renderTerms } from './render-steps.js';
import { blenderOutcome, blenderStepJob, type BlenderStepJob } from './blender-steps.js';
import { StepMemo, type MemoOutput } from './step-memo.js';
import { framedUnits, isModuleStep, keptWasiOutput, moduleBytesOf, moduleCidOf, moduleTerms } from './module-steps.js';

/** A unit of a step: its place and its input (empty until it is read, as it runs). */
interface StepUnit {
  unit: number;
  bytes: Uint8Array;
}

/** What this piece needs of the node. */
export type StepJobsNeeds = Pick<NodeContext, 'blobs' | 'fetchBlob' | 'kinds' | 'log' | 'signal' | 'state'>;

/** A step's job as it started: its units, and which of them the memo had (a render step's: none). */
export type PreparedStep =
  | {
      kind: 'batch';
      spec: SubmitJobTerms;
      units: StepUnit[];
      /** A unit's memo key (made when asked: a step the step memo had asks for none). */
      keyOf: (unit: number) => string;
      cached: MemoOutput[];
      /** A WASI program's units (a user's or a library's): each one's whole output is memoized, its stdout the step's file. */
      wasi: boolean;
      /** The step memo's key, to keep its outputs' list under (absent: it had them, or a WASI step), and
       * the store's removals count when the memo's outputs were found held (none on a restart). */
      stepMemo?: { key: string; mark: number | undefined };
    }
  | { kind: 'render'; spec: SubmitRender; units: number; cached: [] }
  | { kind: 'blender'; job: BlenderStepJob; units: number; cached: [] };

type BatchStep = Extract<PreparedStep, { kind: 'batch' }>;

/** Files' bytes by CID as a workflow's run was given them (workflow-handlers.ts), hashed to those CIDs. */
export type GivenFiles = Pick<ReadonlyMap<string, Uint8Array>, 'get' | 'has'>;

/** A prepared step's units: a fan-out's items, a render step's frames' tiles as frames. */
export const unitsOf = (prepared: PreparedStep): number =>
  prepared.kind === 'batch' ? prepared.units.length : prepared.units;

export class StepJobs {
  readonly #memo: StepMemo;

  constructor(
    private readonly ctx: StepJobsNeeds,
    private readonly store: WorkflowStore,
    private readonly submits: Pick<JobSubmits, 'submitStream' | 'submitRender'>,
    private readonly sources: UnitSources,
  ) {
    this.#memo = new StepMemo(ctx.blobs, store);
  }

  /**
   * The step's job terms and units from its resolved params and input, and the units the memo has
   * (none with `noCache`; `journaled`: those its started fact says, once it has one). Throws
   * ApiError `bad_request` for what no retry mends (a method's params, input sizes).
   */
  prepare(
    step: Step,
    params: NonNullable<SubmitJobTerms['params']>,
    input: readonly (FileValue | Scalar)[],
    terms: {
      budget: number;
      noCache: boolean;
      inputs: Readonly<Record<string, Value>>;
      /** Files' bytes by CID as the run was given them (hashed to those CIDs): read from here, not the store. */
      given?: GivenFiles;
    },
    journaled?: readonly { unit: number; cid: string; bytes: number }[],
  ): PreparedStep {
    const fileOf = (item: FileValue | Scalar): Uint8Array => {
      if (typeof item !== 'object')
        throw new ApiError('bad_request', `step "${step.id}": its input ${JSON.stringify(item)} is not a file`);
      const bytes = terms.given?.get(item.cid) ?? this.ctx.blobs.get(item.cid);
      if (!bytes)
        throw new ApiError(
          'bad_request',
          `step "${step.id}": its input ${item.name} (${item.cid}) is not in this node's store`,
        );
      return bytes;
    };
    for (const item of input)
      if (typeof item !== 'object')
        throw new ApiError('bad_request', `step "${step.id}": its input ${JSON.stringify(item)} is not a file`);
    const given = input as readonly FileValue[];
    if (given.length === 0) throw new ApiError('bad_request', `step "${step.id}" has no input`);
    if (step.uses === 'render') {
      const spec = renderTerms(step, params, given.map(fileOf), terms.budget);
      return { kind: 'render', spec, units: spec.last_frame - spec.first_frame + 1, cached: [] };
    }
    if (step.uses === 'blender') {
      const job = blenderStepJob(step, params, input as FileValue[], given.map(fileOf), terms.budget);
      return { kind: 'blender', job, units: job.frames.length, cached: [] };
    }
    const job = {
      redundancy: step.redundancy ?? 1,
      budget: terms.budget,
      priority: 0.5,
      manual_accept: false,
      open_to_strangers: false,
    };
    let stepTerms: Omit<SubmitJobTerms, 'chunk_bytes'>;
    let itemsFramed: boolean;
    if (isModuleStep(step)) {
      const moduleCid = moduleCidOf(step, terms.inputs);
      moduleBytesOf(this.ctx.blobs, step, moduleCid); // there, and within a module's size
      const of = moduleTerms(step, moduleCid, params, this.ctx.blobs);
      stepTerms = { ...of, ...job };
      itemsFramed = of.wasi?.items === 'framed';
    } else {
      const { library, method } = step.uses as Extract<Step['uses'], { library: string }>;
      // The library's programs take each file whole, as `meshctl run` sends them: a framed item each.
      itemsFramed = Object.hasOwn(PROGRAM_LIBRARIES, library);
      const items = itemsFramed ? { items: 'framed' as const } : {};
      stepTerms = { name: `workflow step ${step.id}`, library, method, params, ...items, ...job };
    }
    // Units that are the files, whole, as their sizes say: known by the files' CIDs, and read only
    // when they run (a memo run reads none of them). Any other step's units are made of its files' bytes.
    const tar = takesOneTar(step);
    const size = given[0]!.bytes;
    const whole =
      !tar && !itemsFramed && given.every((file) => file.bytes === size) && (step.chunk_bytes ?? size) === size;
    let files: Uint8Array[] = whole ? [] : given.map(fileOf);
    if (tar) [input, files] = asOneTar(input, files);
    // A framed step's units are its files, whatever their sizes; any other's, chunks of its input.
    const framed = itemsFramed ? framedUnits(step, input, files) : undefined;
    const chunk = whole
      ? sameSize(step, [size])
      : (framed?.chunk ??
        step.chunk_bytes ??
        sameSize(
          step,
          files.map((f) => f.byteLength),
        ));
    const spec: SubmitJobTerms = { ...stepTerms, chunk_bytes: chunk };
    const pieces = whole ? [] : (framed?.units ?? chunksOf(concat(files), chunk));
    // Refuses a method's wrong params, a module that is no WebAssembly, as a submit would.
    const kind = this.ctx.kinds.planning(spec);
    if (!kind.planner.resolve)
      throw new ApiError(
        'bad_request',
        `step "${step.id}": a ${kind.spec.title}'s job cannot be a workflow's step yet`,
      );
    const resolved = kind.planner.resolve(spec, this.ctx.blobs);
    const module = cidOfBytes(resolved.module);
    // A program's units keep what they write and their stderr (its output whole), and go alone.
    const wasi = this.ctx.kinds.of(resolved.algorithmId)?.spec.outputs === 'program';
    // A user's WASI unit's index is part of its run (its args' {index}): its key holds it, and its job
    // runs every unit or none. The library's programs take their args from the method alone.
    const indexed = wasi && isModuleStep(step);
    // A user's program's files (wasi.files_base64: its mapped folders, or /input) are part of what
    // its units see, so of their key, by CID; keys of steps without files are as they were.
    const programFiles = indexed && 'files' in resolved ? resolved.files : undefined;
    const keyParams = programFiles ? { ...resolved.params, files_cid: cidOfBytes(programFiles) } : resolved.params;
    const keyOf = memoKeysOf(module, keyParams, wasi ? 'whole' : undefined);
    // A unit that is one of the files, whole, is known by that file's CID already (not hashed again).
    const fileUnits =
      whole ||
      (framed ? !isModuleStep(step) : pieces.length === files.length && files.every((f) => f.byteLength === chunk));
    const count = whole ? given.length : pieces.length;
    const unitKey = (unit: number): string => {
      // A library program's output is its file's alone (its args are the method's): the file is
      // its key, whatever its name (an earlier step's outputs are named by their place).
      const item = framed ? (isModuleStep(step) ? framed.items[unit]! : files[unit]!) : pieces[unit]!;
      const itemCid = fileUnits ? (input[unit] as FileValue).cid : cidOfBytes(item);
      return hash('sha256', keyOf(itemCid, indexed ? unit : undefined), 'hex');
    };
    const units: StepUnit[] = Array.from({ length: count }, (_, unit) => ({
      unit,
      bytes: whole ? EMPTY : pieces[unit]!,
    }));
    // A WASI unit's stderr is remembered under its own key beside its output: its step has no step memo.
    const stepKey = wasi ? undefined : this.#memo.keyOf(module, keyParams, chunk, input as readonly FileValue[]);
    const mark = journaled ? undefined : this.#memo.mark();
    const all = journaled || terms.noCache || stepKey === undefined ? undefined : this.#memo.outputs(stepKey, count);
    if (all) return { kind: 'batch', spec, units, keyOf: unitKey, cached: all, wasi };
    const keys = units.map(({ unit }) => unitKey(unit));
    // A memo hit whose output the store no longer has (collected since) runs again.
    const memo = journaled || terms.noCache ? [] : this.store.memoAll(keys);
    const known = units.flatMap(({ unit }) => {
      const hit = memo[unit];
      return hit ? [{ unit, ...hit }] : [];
    });
    const present = this.ctx.blobs.hasAll(known.map(({ cid }) => cid));
    const hits = known.filter((_, i) => present[i]);
    const cached = journaled ? [...journaled] : terms.noCache || (indexed && hits.length < units.length) ? [] : hits;
    if (whole) {
      // The files of the units the memo did not have are read now, at once: one not in the store fails the step here.
      const had = new Set(cached.map(({ unit }) => unit));
      const reading = units.filter(({ unit }) => !had.has(unit));
      const held = terms.given ?? new Map<string, Uint8Array>();
      const unheld = reading.flatMap(({ unit }) => (held.has(given[unit]!.cid) ? [] : [given[unit]!.cid]));
      const read = new Map(
        unheld.length > 0 ? this.ctx.blobs.getMany(unheld).map((bytes, i) => [unheld[i]!, bytes]) : [],
      );
      reading.forEach((at) => {
        const { cid } = given[at.unit]!;
        at.bytes = held.get(cid) ?? read.get(cid) ?? fileOf(given[at.unit]!); // fileOf throws, naming it
        if (at.bytes.byteLength !== size) throw new ApiError('bad_request', `step "${step.id}": ${sizeMismatch}`);
      });
    }
    const stepMemo = stepKey === undefined ? {} : { stepMemo: { key: stepKey, mark } };
    return { kind: 'batch', spec, units, keyOf: (unit) => keys[unit]!, cached, wasi, ...stepMemo };
  }

  /** Whether the job is in the state (submitted; a restart re-attaches to it). */
  submitted(jobId: string): boolean {
    return this.ctx.state.jobs.has(jobId);
  }

  /** Submits the job of the units the memo did not have, as `jobId`; none when it had them all. */
  async submit(prepared: PreparedStep, jobId: string): Promise<void> {
    if (prepared.kind === 'render') {
      await this.submits.submitRender(prepared.spec, jobId);
      return;
    }
    if (prepared.kind === 'blender') {
      const { spec, input } = prepared.job;
      await this.submits.submitStream(spec, once(input), input.byteLength, jobId);
      return;
    }
    const cached = new Set(prepared.cached.map(({ unit }) => unit));
    const missing = prepared.units.filter(({ unit }) => !cached.has(unit));
    if (missing.length === 0) return;
    const input = concat(missing.map(({ bytes }) => bytes));
    await this.submits.submitStream(prepared.spec, once(input), input.byteLength, jobId);
  }

  /**
   * The step's output once its job has ended: its units' verified outputs in order (the memo's
   * where it had them), or why it failed and whether a retry could mend it; undefined while it runs.
   */
  async outcome(
    at: StepRecord,
    prepared: PreparedStep,
  ): Promise<{ output: StepOutput } | { reason: string; retryable: boolean } | undefined> {
    if (prepared.kind === 'render') {
      const rendered = this.ctx.state.jobs.get(at.jobId!);
      return rendered && renderOutcome(this.ctx, rendered);
    }
    if (prepared.kind === 'blender') {
      const rendered = this.ctx.state.jobs.get(at.jobId!);
      return rendered && blenderOutcome(this.ctx, this.sources, rendered, prepared.job);
    }
    const cached = new Map(prepared.cached.map((hit) => [hit.unit, hit]));
    const ran = prepared.units.filter(({ unit }) => !cached.has(unit));
    const record = ran.length > 0 ? this.ctx.state.jobs.get(at.jobId!) : undefined;
    if (ran.length > 0 && !record) return undefined; // not submitted yet: the runner submits it
    const outputs = new Map<number, { cid: string; bytes: number }>();
    if (record) {
      const view = jobView(this.ctx.state, record);
      if (view.state === 'running' || view.state === 'paused') return undefined;
      if (view.state === 'cancelled')
        return {
          reason: `its job ${at.jobId} was cancelled${record.cancelReason ? `: ${record.cancelReason}` : ''}`,
          retryable: false,
        };
      const ended = await gatherOutputs(this.ctx, this.store, this.sources, record, view.units_created, {
        ...prepared,
        ran,
      });
      if (ended.failed) return ended.failed;
      for (const [unit, output] of ended.outputs) outputs.set(unit, output);
    }
    for (const [unit, { cid, bytes }] of cached) outputs.set(unit, { cid, bytes });
    if (prepared.wasi) return this.#wasiOutput(prepared, outputs, cached.size);
    const files = prepared.units.map(({ unit }) => ({ name: String(unit), ...outputs.get(unit)! }));
    if (prepared.stepMemo) await this.#memo.remember(prepared.stepMemo.key, files, prepared.stepMemo.mark);
    const bytes = files.reduce((sum, file) => sum + file.bytes, 0);
    return { output: { fields: { units: files.length, cached: cached.size, bytes }, files } };
  }

  /** A WASI step's output from its units' whole outputs (this run's or the memo's): their stdout, and what they wrote. */
  async #wasiOutput(
    prepared: BatchStep,
    outputs: ReadonlyMap<number, { cid: string }>,
    cached: number,
  ): Promise<{ output: StepOutput } | { reason: string; retryable: boolean }> {
    const files: FileValue[] = [];
    const written: FileValue[] = [];
    for (const { unit } of prepared.units) {
      const whole = this.ctx.blobs.get(outputs.get(unit)!.cid);
      const stderrCid = this.store.memo(stderrKey(prepared.keyOf(unit)))?.cid;
      const stderr = stderrCid === undefined ? undefined : this.ctx.blobs.get(stderrCid);
      if (!whole) return { reason: `unit ${unit}'s output is no longer in this node's store`, retryable: true };
      const kept = await keptWasiOutput(this.ctx.blobs, unit, whole, stderr);
      if ('reason' in kept) return kept;
      files.push(kept.stdout);
      written.push(...kept.written);
    }
    const bytes = files.reduce((sum, file) => sum + file.bytes, 0);
    const fields = { units: files.length, cached, bytes, written: written.length };
    return { output: { fields, files, ...(written.length > 0 ? { written } : {}) } };
  }
}

/** A unit's bytes until they are read (a unit the memo had is never read). */
const EMPTY = new Uint8Array(0);

const sizeMismatch = 'its files are not the size its input says (a file changed in the store?)';

/** Whether the step's method takes every file as one tar, its one unit (program.ts `takes`). */
function takesOneTar(step: Step): boolean {
  if (typeof step.uses !== 'object' || !('library' in step.uses)) return false;
  const { library, method } = step.uses;
  const lib = Object.hasOwn(PROGRAM_LIBRARIES, library) ? PROGRAM_LIBRARIES[library] : undefined;
  return lib !== undefined && Object.hasOwn(lib.methods, method) && lib.methods[method]!.takes === 'tar';
}

/**
 * The files as one tar, in the step's order (an earlier step's outputs are named by their place, so
 * each is named by its place again, zero-padded: the program takes them in the order of their names).
 */
function asOneTar(input: readonly (FileValue | Scalar)[], files: Uint8Array[]): [FileValue[], Uint8Array[]] {
  const suffix = (item: FileValue | Scalar) =>
    typeof item === 'object' ? (/\.[a-z0-9]{1,5}$/i.exec(item.name)?.[0] ?? '') : '';
  let tar: Uint8Array;
  try {
    tar = tarOf(files.map((bytes, i) => ({ name: `frame-${String(i).padStart(6, '0')}${suffix(input[i]!)}`, bytes })));
  } catch (err) {
    throw new ApiError('bad_request', `its files as one tar: ${err instanceof Error ? err.message : String(err)}`);
  }
  return [[{ name: 'frames.tar', cid: cidOfBytes(tar), bytes: tar.byteLength }], [tar]];
}

/** A job's units are its files when they are all the same size: each file a unit. */
function sameSize(step: Step, sizes: readonly number[]): number {
  const size = sizes[0]!;
  if (size === 0 || sizes.some((other) => other !== size))
    throw new ApiError(
      'bad_request',
      `step "${step.id}": its files are of different sizes (or empty), and a job's units are one size: give chunk_bytes`,
    );
  return size;
}

/** An input cut into units of `chunk` bytes (the last one shorter). */
function chunksOf(all: Uint8Array, chunk: number): Uint8Array[] {
  const units: Uint8Array[] = [];
  for (let at = 0; at < all.byteLength; at += chunk) units.push(all.subarray(at, at + chunk));
  return units;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.byteLength;
  }
  return all;
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

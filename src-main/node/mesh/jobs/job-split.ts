// A submitted job as the requester journals it: planned by its kind's planner (node/kinds: a user's
// module checked first as its units would be where they run, its first unit run here), the module
// stored as a blob, the input stored once
// as it arrives (one blob, never held whole) and split on the way into units of `chunk_bytes`,
// each unit known by its input's sha256 (unit-digests.ts). The units share everything else (a
// template), so a job of a million units is journaled as the template and an event per
// LIMITS.unitsPerBatch units.
import { randomBytes } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { MAX_STREAMED_INPUT_BYTES, type SubmitJobTerms } from '../../../core/api/contract.js';
import { SHA256_BYTES } from '../../../core/mesh/state/input-cids.js';
import { defaultUnitsPerPack, UNIT_RUN_SECONDS, unitsOfInput } from '../../../core/mesh/rules/packs.js';
import type { JobRecord } from '../../../core/mesh/state/records.js';
import { LIMITS, type Job, type JobInput, type UnitTemplate } from '../../../core/schemas/index.js';
import { ALGORITHM_VERSION } from '../../../core/protocol/algorithm-ids.js';
import { ApiError } from '../../api/errors.js';
import { BlobStoreError } from '../../blobs/errors.js';
import type { Executor } from '../../exec/index.js';
import type { KindPlanner, Kinds, Plan } from '../../kinds/seam.js';
import type { NewEvent, NodeContext } from '../context/node-context.js';
import type { Blobs } from '../context/blobs.js';
import { peekBytes } from '../basics/peek-bytes.js';
import { UnitDigests } from './unit-digests.js';

/** A job ready to journal: its units are the template and their inputs' sha256, in order. */
export interface SplitJob {
  job: Job;
  template: UnitTemplate;
  input: JobInput;
  /** 32 bytes a unit of the state (a pack, in a packed job). */
  digests: Uint8Array;
  /** The job's units as the user counts them. */
  units: number;
}

/**
 * What a job's units are, from its plan (its kind's planner): how many go in a pack (only a kind
 * whose units run alike in a pack is packed), and each unit's template apart from its job and module.
 * Estimates are a full chunk's: the last, shorter unit asks for no less than it needs.
 */
export function planUnits(kinds: Kinds, plan: Plan) {
  const { terms: spec, resolved, seconds: probed } = plan;
  const chunk = spec.chunk_bytes;
  const { algorithmId, params, secondsPerMiB, gpuBytes } = resolved;
  const secondsPerUnit = probed ?? UNIT_RUN_SECONDS + (chunk / 2 ** 20) * secondsPerMiB;
  const kind = kinds.of(algorithmId);
  const packable = kind?.runtime.packable ?? false;
  const perPack = packable
    ? (spec.units_per_pack ?? (plan.knownCost ? defaultUnitsPerPack(chunk, secondsPerUnit) : 1))
    : 1;
  if ((spec.units_per_pack ?? 1) > perPack)
    throw new ApiError(
      'bad_request',
      `a ${kind?.spec.title ?? algorithmId}'s units are not packed: units_per_pack is ${spec.units_per_pack}, and must be 1`,
    );
  const unit: Omit<UnitTemplate, 'job_id' | 'module_cid'> = {
    algorithm_id: algorithmId,
    algorithm_version: kind?.spec.version ?? ALGORITHM_VERSION,
    // A shader needs a GPU: GPU memory for its buffers, which only slots with a GPU offer.
    required_resources: {
      cpu_cores: 1,
      ram_gb: 0.0625,
      ...(gpuBytes > 0 ? { gpu_vram_gb: Math.max(1 / 1024, (gpuBytes + chunk) / 2 ** 30) } : {}),
    },
    estimated_duration_seconds: Math.max(0.001, secondsPerUnit * perPack),
    priority: spec.priority,
    verification_redundancy: spec.redundancy,
    ...(perPack > 1 ? { pack_chunk_bytes: chunk } : {}),
    params: params as UnitTemplate['params'],
    // The most a unit may cost, so a pack of them at most that many times it.
    ...(spec.max_price !== undefined ? { max_price: Math.min(Number.MAX_SAFE_INTEGER, spec.max_price * perPack) } : {}),
    verification: { kind: 'exact_hash' },
  };
  return { perPack, unit };
}

/** The units' chunk and input bytes from a job's input of `bytes`, as the terms' kind's planner makes them. */
export function unitInputOf(
  planner: KindPlanner,
  terms: SubmitJobTerms,
  bytes: number,
): { chunk: number; bytes: number } {
  return planner.unitInput?.(terms, bytes) ?? { chunk: terms.chunk_bytes, bytes };
}

/** An input of `inputBytes` in all, whose size was declared. */
const tooManyUnits = (units: number, chunkBytes: number, inputBytes: number) =>
  new ApiError(
    'bad_request',
    `the input makes ${units} units of ${chunkBytes} bytes; a job has at most ${LIMITS.unitsPerJob} units (unitsPerJob): use chunks of at least ${Math.ceil(inputBytes / LIMITS.unitsPerJob)} bytes`,
  );

/** Refuses an input of `bytes` past a job's limits: its size, or its units of `chunk` bytes. */
export function checkInputSize(bytes: number, chunk: number): void {
  if (bytes > MAX_STREAMED_INPUT_BYTES) throw inputTooLarge(bytes);
  if (Math.ceil(bytes / chunk) > LIMITS.unitsPerJob) throw tooManyUnits(Math.ceil(bytes / chunk), chunk, bytes);
}

/**
 * Splits `source` into units as it arrives: each unit's sha256 is taken on the way through to the
 * store. `declaredBytes` (a Content-Length) lets a job past a limit be refused before it is read.
 */
export async function splitJob(
  ctx: Pick<NodeContext, 'me' | 'blobs' | 'kinds'>,
  submitted: SubmitJobTerms,
  input: AsyncIterable<Uint8Array>,
  declaredBytes?: number,
  /**
   * Where a user's module is checked (module-check.ts) and runs its first unit to learn what a unit
   * costs: a job of a user's module is never split without one.
   */
  executor?: Executor,
  /** The job's id, when the caller derives it (a workflow's step: core/workflow/facts.ts jobIdOf); a random one otherwise. */
  jobId = `job-${randomBytes(8).toString('hex')}`,
): Promise<SplitJob> {
  const { planner } = ctx.kinds.planning(submitted);
  const { chunk } = unitInputOf(planner, submitted, 0);
  if (declaredBytes !== undefined) checkInputSize(unitInputOf(planner, submitted, declaredBytes).bytes, chunk);
  // The input's first bytes, for a kind that runs its first unit here to learn what a unit costs.
  const wanted = planner.headBytes(submitted);
  const first = wanted > 0 && executor ? await peekBytes(input, wanted) : undefined;
  const plan = await planner.plan(submitted, {
    blobs: ctx.blobs,
    ...(executor ? { executor } : {}),
    ...(first ? { head: first.head } : {}),
  });
  const spec = plan.terms;
  const { algorithmId, module, files } = plan.resolved;
  const source = plan.through ? plan.through(first?.stream ?? input) : (first?.stream ?? input);
  const { perPack, unit } = planUnits(ctx.kinds, plan);
  const packBytes = chunk * perPack;
  const digests = new UnitDigests(packBytes, chunk);
  let stored: { cid: string; bytes: number };
  let moduleCid: string;
  let filesCid: string | undefined;
  try {
    moduleCid = await ctx.blobs.put(module);
    filesCid = files && (await ctx.blobs.put(files));
    stored = await ctx.blobs.putStream(digests.through(source), MAX_STREAMED_INPUT_BYTES);
  } catch (err) {
    if (err instanceof BlobStoreError && err.code === 'too_large') throw inputTooLarge();
    if (err instanceof BlobStoreError)
      throw new ApiError('unavailable', `cannot store the job's input: ${err.message}`);
    throw err;
  }
  const all = digests.end();
  const count = all.byteLength / SHA256_BYTES;
  if (count === 0) throw new ApiError('bad_request', 'the input is empty');
  const units = unitsOfInput(stored.bytes, chunk);
  const template: UnitTemplate = {
    ...unit,
    job_id: jobId,
    module_cid: moduleCid,
    // A WASI job's files: one blob every unit names, fetched and kept once per provider.
    ...(filesCid !== undefined ? { required_dataset: filesCid } : {}),
    ...(submitted.circle !== undefined ? { circle: submitted.circle } : {}),
  };
  const job: Job = {
    job_id: jobId,
    requester: ctx.me,
    name: spec.name ?? `${plan.resolved.label ?? algorithmId} × ${units}`,
    unit_count: count,
    ...(perPack > 1 ? { units_per_pack: perPack } : {}),
    redundancy: spec.redundancy,
    budget: spec.budget,
    algorithm_id: algorithmId,
    manual_accept: spec.manual_accept,
    open_to_strangers: spec.open_to_strangers,
    ...(spec.deadline !== undefined ? { deadline: spec.deadline } : {}),
    // The kind's own fields, once the input has passed through (a tiled Blender job's grid).
    ...plan.jobFields?.(),
  };
  return {
    job,
    template,
    input: { cid: stored.cid, bytes: stored.bytes, chunk_bytes: packBytes },
    digests: all,
    units,
  };
}

/**
 * The `units.created` events of a job's units from unit `first` on (`digests`: theirs),
 * LIMITS.unitsPerBatch an event, each made when it is reached: a million units' base64 made at
 * once would hold the main thread ~150 ms.
 */
export function* unitBatches(jobId: string, digests: Uint8Array, first = 0): Generator<NewEvent> {
  const perBatch = LIMITS.unitsPerBatch * SHA256_BYTES;
  for (let at = 0; at < digests.byteLength; at += perBatch) {
    const index = first + at / SHA256_BYTES;
    yield {
      type: 'units.created',
      event_id: `units/${jobId}/${index}`,
      job_id: jobId,
      first: index,
      input_digests: Buffer.from(
        digests.buffer,
        digests.byteOffset + at,
        Math.min(perBatch, digests.byteLength - at),
      ).toString('base64'),
    };
  }
}

/** Each event a journal step of its own (a batch of units each). */
export function* oneAStep(events: Iterable<NewEvent>): Generator<NewEvent[]> {
  for (const event of events) yield [event];
}

/**
 * The batches of the units a crash left unjournaled of a batched job (it has `created` of
 * `unit_count`), read again from its stored input; undefined when the store no longer has it whole.
 */
export async function missingUnits(
  blobs: Pick<Blobs, 'open'>,
  record: JobRecord,
): Promise<Iterable<NewEvent> | undefined> {
  const opened = record.input && blobs.open(record.input.cid);
  if (!opened) return undefined;
  const digests = new UnitDigests(record.input!.chunk_bytes);
  for await (const piece of digests.through(opened.chunks)) void piece; // hashed on the way through
  const all = digests.end();
  if (all.byteLength !== record.job.unit_count * SHA256_BYTES) return undefined;
  return unitBatches(record.job.job_id, all.subarray(record.created * SHA256_BYTES), record.created);
}

/** `bytes`: the input's declared size, when known (a stream is cut off at the limit). */
function inputTooLarge(bytes?: number): ApiError {
  const size = bytes === undefined ? `more than ${MAX_STREAMED_INPUT_BYTES}` : String(bytes);
  return new ApiError(
    'bad_request',
    `the input is ${size} bytes; a job's input is at most ${MAX_STREAMED_INPUT_BYTES} bytes (MAX_STREAMED_INPUT_BYTES)`,
  );
}

/** Bytes of a whole input hashed on one turn of the event loop: ~1,000 units of 64 B, a few ms. */
const PIECE_BYTES = 64 * 1024;

/**
 * A whole input (jobs.submit's base64) as a stream of pieces, a turn of the event loop apart: as
 * one piece, a 100,000-unit input's digests would be taken in one task of ~440 ms.
 */
export async function* inPieces(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.byteLength; at += PIECE_BYTES) {
    if (at > 0) await nextTurn();
    yield bytes.subarray(at, at + PIECE_BYTES);
  }
}

// A submitted job as the requester journals it: a user's module checked first as its units would
// be where they run (module-check.ts), the module stored as a blob, the input stored once
// as it arrives (one blob, never held whole) and split on the way into units of `chunk_bytes`,
// each unit known by its input's sha256 (unit-digests.ts). The units share everything else (a
// template), so a job of a million units is journaled as the template and an event per
// LIMITS.unitsPerBatch units.
import { randomBytes } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { MAX_MODULE_BYTES, MAX_STREAMED_INPUT_BYTES, type SubmitJobTerms } from '../../../core/api/contract.js';
import { ShaderSpecSchema } from '../../../core/gpu/index.js';
import { SHA256_BYTES } from '../../../core/mesh/state/input-cids.js';
import { defaultUnitsPerPack, PACK_BELOW_SECONDS, unitsOfInput } from '../../../core/mesh/rules/packs.js';
import type { JobRecord } from '../../../core/mesh/state/records.js';
import { LIMITS, validate, type Job, type JobInput, type UnitTemplate } from '../../../core/schemas/index.js';
import { ApiError } from '../../api/errors.js';
import { BlobStoreError } from '../../blobs/errors.js';
import type { Executor } from '../../exec/index.js';
import { REFERENCE_FUEL_PER_SECOND } from '../../hardware/calibrate.js';
import { resolveLibrary } from '../units/algorithms.js';
import {
  ALGORITHM_VERSION,
  CUSTOM_WASM,
  SHADER_ALGORITHM,
  WASI_PROGRAM,
} from '../../../core/protocol/algorithm-ids.js';
import type { NewEvent, NodeContext } from '../context/node-context.js';
import type { Blobs } from '../context/blobs.js';
import { refuseUnrunnableModule } from './module-check.js';
import { probeWasiSeconds, refusePackedWasi, wasiJob } from './wasi-jobs.js';
import { asRun, blenderJob, tileInputs, unitInput, type FramesSeen } from './blender-jobs.js';
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

/** A job's module as its terms resolve it (resolveModule). */
export type ResolvedModule = ReturnType<typeof resolveModule>;

/**
 * The user's module the terms give: inline (wasm_base64), or by its CID from my store (module_cid,
 * put there first with blobs.put), at most MAX_MODULE_BYTES; undefined for a kernel, a shader or a scene.
 */
function userModule(spec: SubmitJobTerms, blobs: Pick<Blobs, 'get'> | undefined): Uint8Array | undefined {
  if (spec.wasm_base64 !== undefined) return new Uint8Array(Buffer.from(spec.wasm_base64, 'base64'));
  if (spec.module_cid === undefined) return undefined;
  const module = blobs?.get(spec.module_cid);
  if (!module)
    throw new ApiError('bad_request', `module_cid: no blob ${spec.module_cid} here: put the module first (blobs.put)`);
  if (module.byteLength > MAX_MODULE_BYTES)
    throw new ApiError('bad_request', `module_cid: ${module.byteLength} bytes, over a module's ${MAX_MODULE_BYTES}`);
  return module;
}

/** What the job's terms make of its module, before any input is read; `blobs`, where a module_cid is looked up. */
export function resolveModule(spec: SubmitJobTerms, blobs?: Pick<Blobs, 'get'>) {
  if (spec.blender) throw new Error('a Blender job is resolved by its preflight (blender-jobs.ts), not here');
  let params: Record<string, unknown> = spec.params ?? {};
  if (spec.wgsl_code !== undefined) {
    // The shader travels as the unit's module (by CID), like a WASM module; its params are checked now.
    const shader = validate(ShaderSpecSchema, { ...params, wgsl_code: spec.wgsl_code });
    if (!shader.ok) throw new ApiError('bad_request', `params.${shader.error.message}`);
    const { wgsl_code: code, ...rest } = shader.value;
    params = rest;
    const module = new TextEncoder().encode(code);
    return {
      algorithmId: SHADER_ALGORITHM,
      module,
      params,
      secondsPerMiB: 1,
      gpuBytes: rest.buffer_size,
    };
  }
  const module = userModule(spec, blobs);
  if (module) {
    if (!WebAssembly.validate(module as Uint8Array<ArrayBuffer>))
      throw new ApiError('bad_request', 'the module is not valid WebAssembly');
    if (spec.wasi) return { ...wasiJob(spec.wasi), module, secondsPerMiB: 1, gpuBytes: 0 };
    return { algorithmId: CUSTOM_WASM, module, params, secondsPerMiB: 1, gpuBytes: 0 };
  }
  const files = spec.files_base64 === undefined ? undefined : new Uint8Array(Buffer.from(spec.files_base64, 'base64'));
  const resolved = resolveLibrary(spec.library!, spec.method!, params, spec.chunk_bytes, spec.items, files);
  if (typeof resolved === 'string') throw new ApiError('bad_request', resolved);
  return { ...resolved, gpuBytes: 0 };
}

/**
 * What a job's units are, from its terms and its module (`probed`: what its first unit cost here,
 * for a user's module): how many go in a pack, and each unit's template apart from its job and
 * module. Estimates are a full chunk's: the last, shorter unit asks for no less than it needs.
 */
export function planUnits(spec: SubmitJobTerms, resolved: ResolvedModule, probed: number | undefined) {
  const chunk = spec.chunk_bytes;
  const { algorithmId, params, secondsPerMiB, gpuBytes } = resolved;
  const secondsPerUnit = probed ?? UNIT_RUN_SECONDS + (chunk / 2 ** 20) * secondsPerMiB;
  const knownCost = spec.library !== undefined || probed !== undefined;
  // A WASI unit's index is part of its run (its seed, its args' {index}): its units go alone.
  const perPack =
    algorithmId === WASI_PROGRAM
      ? 1
      : (spec.units_per_pack ?? (knownCost ? defaultUnitsPerPack(chunk, secondsPerUnit) : 1));
  if (perPack > 1 && gpuBytes > 0)
    throw new ApiError('bad_request', `a shader's units are not packed: units_per_pack is ${perPack}, and must be 1`);
  const unit: Omit<UnitTemplate, 'job_id' | 'module_cid'> = {
    algorithm_id: algorithmId,
    algorithm_version: ALGORITHM_VERSION,
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

/**
 * What a unit's run costs whatever its input: a sandbox of its own, its input in and output out
 * (~50 µs: the local pool runs ~40,000 tiny units a second on 2 workers, the baseline of
 * `npm run bench -- mesh_tiny`).
 * Counted apart from bytes: an estimate from bytes alone puts a pack of 256 hash units at 0.3 ms, so a
 * provider's pipeline of "2 s of work" would hold a whole 300,000-unit job, and a provider that came
 * a few seconds later would get none.
 */
export const UNIT_RUN_SECONDS = 50e-6;

/**
 * What a unit of a user's module costs on the reference machine, from a run of it here (its fuel),
 * when it is a tiny one: undefined when it runs past PACK_BELOW_SECONDS or fails (its units then
 * go alone, and fail, if they do, in the mesh as they would anyway).
 */
export async function probeUnitSeconds(
  executor: Executor,
  module: Uint8Array,
  input: Uint8Array,
  params: Record<string, unknown>,
): Promise<number | undefined> {
  try {
    const limits = { fuel: Math.round(PACK_BELOW_SECONDS * REFERENCE_FUEL_PER_SECOND) };
    const { fuel } = await executor.run({ module, input, params, limits });
    return UNIT_RUN_SECONDS + fuel / REFERENCE_FUEL_PER_SECOND;
  } catch {
    return undefined;
  }
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
  ctx: Pick<NodeContext, 'me' | 'blobs' | 'blender'>,
  submitted: SubmitJobTerms,
  input: AsyncIterable<Uint8Array>,
  declaredBytes?: number,
  /**
   * Where a user's module is checked (module-check.ts) and runs its first unit to learn what a unit
   * costs (probeUnitSeconds): a job of a user's module is never split without one.
   */
  executor?: Executor,
  /** The job's id, when the caller derives it (a workflow's step: core/workflow/facts.ts jobIdOf); a random one otherwise. */
  jobId = `job-${randomBytes(8).toString('hex')}`,
): Promise<SplitJob> {
  // A tiled Blender job's input, its frames, becomes its tile units' (blender-jobs.ts tileInputs).
  const grid = submitted.blender?.tiles;
  const chunk = unitInput(submitted, 0).chunk;
  if (declaredBytes !== undefined) checkInputSize(unitInput(submitted, declaredBytes).bytes, chunk);
  const blender = submitted.blender && (await blenderJob(ctx, submitted.blender)); // preflighted by my Blender
  const spec = asRun(submitted, blender);
  const framesSeen: FramesSeen = { count: 0 };
  const resolved = blender ? blender.resolved : resolveModule(spec, ctx.blobs);
  const wasi = resolved.algorithmId === WASI_PROGRAM;
  const files = 'files' in resolved ? resolved.files : undefined;
  if (resolved.algorithmId === CUSTOM_WASM || wasi) {
    if (!executor) throw new Error("a user's module is checked before its job is split: splitJob needs the executor");
    await refuseUnrunnableModule(executor, resolved.module, wasi ? 'wasi' : 'abi');
  }
  if (wasi) refusePackedWasi(spec.units_per_pack);
  let source = grid ? tileInputs(input, grid, framesSeen) : input;
  // Units are costed by my kernels' cost per byte, a user's module's first unit run here, a frame's size.
  let probed = blender ? blender.seconds : undefined;
  if (spec.units_per_pack === undefined && resolved.algorithmId === CUSTOM_WASM && executor) {
    // A byte past the first unit: an input of one unit has nothing to pack, and is not run here.
    const first = await peekBytes(input, chunk + 1);
    source = first.stream;
    if (first.head.byteLength > chunk)
      probed = await probeUnitSeconds(executor, resolved.module, first.head.subarray(0, chunk), resolved.params);
  } else if (wasi && executor) {
    // A program's first unit, run here, says how long its units take: their estimate, which sizes
    // providers' pipelines and the deadlines of their assignments.
    const first = await peekBytes(input, chunk);
    source = first.stream;
    const params = resolved.params as UnitTemplate['params'];
    const seconds = await probeWasiSeconds(executor, resolved.module, params, files, first.head);
    probed = seconds === undefined ? undefined : UNIT_RUN_SECONDS + seconds;
  }
  const { algorithmId, module } = resolved;
  const { perPack, unit } = planUnits(spec, resolved, probed);
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
  };
  const job: Job = {
    job_id: jobId,
    requester: ctx.me,
    name:
      spec.name ??
      `${'label' in resolved && typeof resolved.label === 'string' ? resolved.label : algorithmId} × ${units}`,
    unit_count: count,
    ...(perPack > 1 ? { units_per_pack: perPack } : {}),
    redundancy: spec.redundancy,
    budget: spec.budget,
    algorithm_id: algorithmId,
    manual_accept: spec.manual_accept,
    open_to_strangers: spec.open_to_strangers,
    ...(spec.deadline !== undefined ? { deadline: spec.deadline } : {}),
    ...(blender?.checkedBy === 'agreement' ? { blender_agreement: true as const } : {}),
    ...(blender?.composite ? { blender_composite: true as const } : {}),
    ...(grid
      ? {
          blender_tiles: {
            ...grid,
            first_frame: framesSeen.first ?? 0,
            width: blender!.resolved.params.width,
            height: blender!.resolved.params.height,
          },
        }
      : {}),
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

// A submitted job as the requester journals it: the module and each chunk of the input stored as
// blobs, one unit per chunk, every unit naming its algorithm, resources, estimate and redundancy.
import { randomBytes } from 'node:crypto';
import type { SubmitJob } from '../../core/api/contract.js';
import { ShaderSpecSchema } from '../../core/gpu/index.js';
import { describeError } from '../../core/errors.js';
import { LIMITS, validate, type Job, type WorkUnit } from '../../core/schemas/index.js';
import { ApiError } from '../api/errors.js';
import { resolveLibrary } from './algorithms.js';
import { ALGORITHM_VERSION, CUSTOM_WASM, SHADER_ALGORITHM } from '../../core/protocol/algorithm-ids.js';
import type { NodeContext } from './context.js';

/** A job's units are journaled and tracked one by one: this many at most (LIMITS.unitsPerRequest). */
const MAX_UNITS_PER_JOB = LIMITS.unitsPerRequest;

/** Stores `blobs`, their CIDs in order; a storage failure is the user's to see, with its reason. */
async function storeAll(ctx: Pick<NodeContext, 'blobs'>, blobs: readonly Uint8Array[]): Promise<string[]> {
  try {
    return await ctx.blobs.putMany(blobs); // small chunks: a few transactions, not a file each
  } catch (err) {
    throw new ApiError('unavailable', `cannot store the job's module and input: ${describeError(err)}`);
  }
}

export async function splitJob(
  ctx: Pick<NodeContext, 'me' | 'blobs'>,
  spec: SubmitJob,
): Promise<{ job: Job; units: WorkUnit[] }> {
  let algorithmId = CUSTOM_WASM;
  let module: Uint8Array;
  let params: Record<string, unknown> = spec.params ?? {};
  let secondsPerMiB = 1;
  let gpuBytes = 0;
  if (spec.wgsl_code !== undefined) {
    // The shader travels as the unit's module (by CID), like a WASM module; its params are checked now.
    const shader = validate(ShaderSpecSchema, { ...params, wgsl_code: spec.wgsl_code });
    if (!shader.ok) throw new ApiError('bad_request', `params.${shader.error.message}`);
    const { wgsl_code: code, ...rest } = shader.value;
    algorithmId = SHADER_ALGORITHM;
    module = new TextEncoder().encode(code);
    params = rest;
    gpuBytes = rest.buffer_size;
  } else if (spec.wasm_base64 !== undefined) {
    module = new Uint8Array(Buffer.from(spec.wasm_base64, 'base64'));
    if (!WebAssembly.validate(module as Uint8Array<ArrayBuffer>))
      throw new ApiError('bad_request', 'the module is not valid WebAssembly');
  } else {
    const resolved = resolveLibrary(spec.library!, spec.method!, params);
    if (typeof resolved === 'string') throw new ApiError('bad_request', resolved);
    ({ algorithmId, module, params, secondsPerMiB } = resolved);
  }
  const input = Buffer.from(spec.input_base64, 'base64');
  if (input.length === 0) throw new ApiError('bad_request', 'the input is empty');
  const count = Math.ceil(input.length / spec.chunk_bytes);
  if (count > MAX_UNITS_PER_JOB)
    throw new ApiError(
      'bad_request',
      `the input makes ${count} units of ${spec.chunk_bytes} bytes; a job has at most ${MAX_UNITS_PER_JOB} units: use chunks of at least ${Math.ceil(input.length / MAX_UNITS_PER_JOB)} bytes`,
    );
  const chunks = Array.from({ length: count }, (_, i) =>
    input.subarray(i * spec.chunk_bytes, (i + 1) * spec.chunk_bytes),
  );
  // Every blob on disk before the job is journaled: a unit never names an input that is not there.
  const [moduleCid, ...inputCids] = await storeAll(ctx, [module, ...chunks]);
  const jobId = `job-${randomBytes(8).toString('hex')}`;
  const units: WorkUnit[] = [];
  for (const [i, chunk] of chunks.entries()) {
    units.push({
      unit_id: `${jobId}/${i}`,
      job_id: jobId,
      algorithm_id: algorithmId,
      algorithm_version: ALGORITHM_VERSION,
      // A shader needs a GPU: GPU memory for its buffers, which only slots with a GPU offer.
      required_resources: {
        cpu_cores: 1,
        ram_gb: 0.0625,
        ...(gpuBytes > 0 ? { gpu_vram_gb: Math.max(1 / 1024, (gpuBytes + chunk.length) / 2 ** 30) } : {}),
      },
      estimated_duration_seconds: Math.max(0.001, (chunk.length / 2 ** 20) * secondsPerMiB),
      priority: spec.priority,
      verification_redundancy: spec.redundancy,
      module_cid: moduleCid,
      input_cid: inputCids[i]!,
      params: params as WorkUnit['params'],
      ...(spec.max_price !== undefined ? { max_price: spec.max_price } : {}),
      verification: { kind: 'exact_hash' },
    });
  }
  const job: Job = {
    job_id: jobId,
    requester: ctx.me,
    name: spec.name ?? `${algorithmId} × ${count}`,
    unit_count: count,
    redundancy: spec.redundancy,
    budget: spec.budget,
    algorithm_id: algorithmId,
    manual_accept: spec.manual_accept,
    open_to_strangers: spec.open_to_strangers,
    ...(spec.deadline !== undefined ? { deadline: spec.deadline } : {}),
  };
  return { job, units };
}

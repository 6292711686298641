// Where a unit runs: a user's shader on the GPU; a render tile on the GPU when its job allows it
// (its verification is by comparator) and this node has one ready, falling back to the CPU if the
// GPU fails for a reason of its own (a hang, a lost device) unless the job requires a GPU;
// everything else on the CPU's WASM workers.
import { ShaderSpecSchema } from '../../core/gpu/index.js';
import type { TileParams } from '../../core/render/index.js';
import { validate, type WorkUnit } from '../../core/schemas/index.js';
import { DEFAULT_LIMITS, wasiRunOf, type Executor } from '../exec/index.js';
import { RENDER_ALGORITHM, SHADER_ALGORITHM, WASI_PROGRAM } from '../../core/protocol/algorithm-ids.js';
import { GpuError } from './gpu-executor.js';
import type { GpuService } from './gpu-service.js';

export interface RanUnit {
  output: Uint8Array;
  /** Fuel, for metered (CPU) units. */
  fuel?: number;
  wallMs: number;
  device?: 'gpu';
  /** A WASI program's stderr as its host kept it: a diagnostic beside the output, not compared. */
  stderr?: Uint8Array;
}

/** Whether a unit must have a GPU: shaders, and render tiles of jobs that require one. */
function needsGpu(unit: WorkUnit): boolean {
  return unit.algorithm_id === SHADER_ALGORITHM || (unit.required_resources.gpu_vram_gb ?? 0) > 0;
}

/** A unit to run, its module and input in hand, and what it may run on. */
export interface UnitRun {
  unit: WorkUnit;
  module: Uint8Array;
  input: Uint8Array;
  /** A WASI unit's files (its `required_dataset`'s blob), mounted at /input. */
  files?: Uint8Array;
  signal: AbortSignal;
  cpu: Executor;
  gpu: GpuService | undefined;
}

/** Runs the unit where it belongs; rejects with an ExecError (CPU) or a GpuError (GPU). */
export async function runUnit({ unit, module, input, files, signal, cpu, gpu }: UnitRun): Promise<RanUnit> {
  const executor = gpu?.executor && !gpu.executor.broken ? gpu.executor : undefined;
  const options = { timeoutMs: DEFAULT_LIMITS.timeoutMs, signal };
  if (unit.algorithm_id === SHADER_ALGORITHM) {
    if (!executor) throw new GpuError('no_adapter', 'this node has no GPU ready');
    if (!gpu?.acceptsShaderUnits)
      throw new GpuError('no_adapter', 'this node does not take shader units (meshctl node start --shader-units)');
    // The WGSL source is the unit's module; the params say how to run it.
    const spec = validate(ShaderSpecSchema, { ...unit.params, wgsl_code: new TextDecoder().decode(module) });
    if (!spec.ok) throw new GpuError('bad_params', spec.error.message);
    return { ...(await executor.runShader(spec.value, input, options)), device: 'gpu' };
  }
  if (
    unit.algorithm_id === RENDER_ALGORITHM &&
    unit.verification?.kind === 'comparator' &&
    executor &&
    unit.input_cid
  ) {
    try {
      return {
        ...(await executor.renderTile(unit.input_cid, input, unit.params as unknown as TileParams, options)),
        device: 'gpu',
      };
    } catch (err) {
      if (!(err instanceof GpuError) || needsGpu(unit) || signal.aborted) throw err;
      // The GPU failed: on its own account (a hang, a lost device), the tile still gets rendered,
      // on the CPU; for the unit's fault (bad params or scene), the CPU reports it as every worker does.
    }
  }
  if (needsGpu(unit)) throw new GpuError('no_adapter', 'this node has no GPU ready');
  // A WASI program: its argv, seed and stdin follow from the unit alone (exec/wasi/job-unit.ts).
  if (unit.algorithm_id === WASI_PROGRAM) return cpu.run({ module, ...wasiRunOf(unit, input, files), signal });
  return cpu.run({ module, input, params: unit.params ?? {}, signal });
}

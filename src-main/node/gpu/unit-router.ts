// Units the GPU runs: a user's shader, always there; a render tile there when its job allows it
// (its verification is by comparator) and this node has a GPU ready, falling back to the CPU if
// the GPU fails for a reason of its own (a hang, a lost device) unless the job requires a GPU.
// Their kinds (node/kinds/shader, node/kinds/render) call these.
import { ShaderSpecSchema } from '../../core/gpu/index.js';
import type { TileParams } from '../../core/render/index.js';
import { validate, type WorkUnit } from '../../core/schemas/index.js';
import { DEFAULT_LIMITS, type Executor } from '../exec/index.js';
import { GpuError } from './gpu-executor.js';
import type { GpuService } from './gpu-service.js';

/** A unit to run, its module and input in hand, and what it may run on. */
export interface GpuUnitRun {
  unit: WorkUnit;
  module: Uint8Array;
  input: Uint8Array;
  signal: AbortSignal;
  cpu: Executor;
  gpu: GpuService | undefined;
}

interface Ran {
  output: Uint8Array;
  wallMs: number;
  fuel?: number;
  device?: 'gpu';
}

const readyExecutor = (gpu: GpuService | undefined) =>
  gpu?.executor && !gpu.executor.broken ? gpu.executor : undefined;

/** A user's WGSL shader (the unit's module is its source), on this node's GPU; rejects with a GpuError. */
export async function runShaderUnit({ unit, module, input, signal, gpu }: GpuUnitRun): Promise<Ran> {
  const executor = readyExecutor(gpu);
  if (!executor) throw new GpuError('no_adapter', 'this node has no GPU ready');
  if (!gpu?.acceptsShaderUnits)
    throw new GpuError('no_adapter', 'this node does not take shader units (meshctl node start --shader-units)');
  // The WGSL source is the unit's module; the params say how to run it.
  const spec = validate(ShaderSpecSchema, { ...unit.params, wgsl_code: new TextDecoder().decode(module) });
  if (!spec.ok) throw new GpuError('bad_params', spec.error.message);
  const options = { timeoutMs: DEFAULT_LIMITS.timeoutMs, signal };
  return { ...(await executor.runShader(spec.value, input, options)), device: 'gpu' };
}

/** A render tile: on the GPU where its job allows and one is ready, else on the CPU's workers. */
export async function runRenderTile({ unit, module, input, signal, cpu, gpu }: GpuUnitRun): Promise<Ran> {
  const executor = readyExecutor(gpu);
  const needsGpu = (unit.required_resources.gpu_vram_gb ?? 0) > 0;
  if (unit.verification?.kind === 'comparator' && executor && unit.input_cid) {
    try {
      const options = { timeoutMs: DEFAULT_LIMITS.timeoutMs, signal };
      return {
        ...(await executor.renderTile(unit.input_cid, input, unit.params as unknown as TileParams, options)),
        device: 'gpu',
      };
    } catch (err) {
      if (!(err instanceof GpuError) || needsGpu || signal.aborted) throw err;
      // The GPU failed: on its own account (a hang, a lost device), the tile still gets rendered,
      // on the CPU; for the unit's fault (bad params or scene), the CPU reports it as every worker does.
    }
  }
  if (needsGpu) throw new GpuError('no_adapter', 'this node has no GPU ready');
  return cpu.run({ module, input, params: unit.params ?? {}, signal });
}

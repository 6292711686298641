// The node's GPU units, end to end: find a runner (the desktop app's hidden window, or a headless
// Chromium), probe its adapter, calibrate, and say in status what came of it. GPU slots are
// offered only once this is `ready`. `auto` takes a hardware adapter only: WebGPU on the CPU
// (SwiftShader) is slower than our WASM kernel, so a machine without a GPU keeps GPU units off and
// says why; `on` takes a software adapter too (tests, and measuring the runner itself).
import { describeError } from '../../core/errors.js';
import { GPU_OFF, type GpuStatus } from '../../core/gpu/index.js';
import { tileParams } from '../../core/render/index.js';
import type { HardwareInfo } from '../../core/schemas/index.js';
import { cidOfBytes } from '../blobs/cid.js';
import type { Executor } from '../exec/index.js';
import { loadKernel } from '../exec/kernels.js';
import { CALIBRATION_FRAME, calibrationScene, REFERENCE_FUEL_PER_SECOND } from '../hardware/calibrate.js';
import type { RunnerChannel } from './channel.js';
import { GpuExecutor } from './gpu-executor.js';

export const GPU_MODES = ['auto', 'on', 'off'] as const;
export type GpuSetting = (typeof GPU_MODES)[number];

export interface GpuOptions {
  mode: GpuSetting;
  /** A Chromium to run the headless runner in; else the usual places are searched. */
  chromium?: string;
  /** Run that Chromium without its sandbox: only by the user's explicit choice (--gpu-unsandboxed). */
  unsandboxed?: boolean;
  /** Take peers' own WGSL shaders (shader/execute_shader) as well as render tiles: off unless the user opts in. */
  shaderUnits?: boolean;
  /** The desktop app's own runner (a hidden window); the headless node uses Chromium. */
  openRunner?: () => Promise<RunnerChannel>;
}

/** The calibration tile: 64×64 pixels of the CPU calibration's frame, at its spp. */
const CALIBRATION_TILE = { x: 32, y: 32, w: 64, h: 64 };
const CALIBRATION_MS = 500;
/** Generous: the first unit compiles the pipelines, which on a software adapter takes seconds. */
const CALIBRATION_UNIT_TIMEOUT_MS = 60_000;
const GIB = 2 ** 30;

export class GpuService {
  #status: GpuStatus;
  executor: GpuExecutor | undefined;
  #stopped = false;

  constructor(private readonly options: GpuOptions) {
    this.#status = options.mode === 'off' ? GPU_OFF : { ...GPU_OFF, state: 'starting', reason: null };
  }

  /** What the status page shows; a runner that could not be restarted turns GPU units off. */
  get status(): GpuStatus {
    const broken = this.executor?.broken;
    return broken ? { ...this.#status, state: 'off', reason: `GPU units are off: ${broken}` } : this.#status;
  }

  /** Opens the runner and calibrates; resolves with the status (never throws: failures are the reason). */
  async start(hardware: HardwareInfo | null, cpu: Executor): Promise<GpuStatus> {
    if (this.options.mode === 'off') return this.status;
    const acceptSoftware = this.options.mode === 'on';
    let channel: RunnerChannel;
    try {
      if (this.options.openRunner) channel = await this.options.openRunner();
      else {
        // Loaded only here: Playwright is a large import that a node without GPU units never needs.
        const { ChromiumRunner, findChromium } = await import('./chromium-runner.js');
        const found = findChromium(this.options.chromium);
        if ('reason' in found) return this.#off(`GPU units are off: ${found.reason}`);
        channel = await ChromiumRunner.start(found.path, { unsandboxed: this.options.unsandboxed === true });
      }
    } catch (err) {
      return this.#off(`GPU units are off: the GPU runner did not start (${describeError(err)})`);
    }
    try {
      const executor = await GpuExecutor.open(channel);
      if (executor.adapter.is_fallback && !acceptSoftware) {
        await executor.close();
        return this.#off(
          'GPU units are off: WebGPU found only a software adapter (no GPU, or no driver for it); set GPU units to "on" (meshctl node start --gpu on, or MESH_GPU=on) to use it anyway',
        );
      }
      if (this.#stopped) {
        await executor.close();
        return this.status;
      }
      this.executor = executor;
      const vram = hardware?.gpus.reduce((sum, gpu) => sum + (gpu.vram_gb ?? 0), 0) ?? 0;
      const samplesPerSecond = await calibrateGpu(executor);
      const referenceSamplesPerSecond = await referenceSamplesPerSecondOf(cpu);
      this.#status = {
        state: 'ready',
        reason: null,
        runner: executor.runner,
        adapter: executor.adapter,
        limits: executor.limits,
        vram_gb: vram > 0 ? vram : null,
        samples_per_second: samplesPerSecond,
        performance_score: Math.min(1, samplesPerSecond / referenceSamplesPerSecond),
      };
    } catch (err) {
      await channel.close().catch(() => undefined);
      this.executor = undefined;
      return this.#off(`GPU units are off: ${describeError(err)}`);
    }
    return this.status;
  }

  /** GPU memory a slot offers: the probe's VRAM, or (not reported: shared memory, a software adapter) the adapter's largest buffer. */
  get slotVramGb(): number | undefined {
    const status = this.status;
    if (status.state !== 'ready') return undefined;
    return status.vram_gb ?? (status.limits?.max_buffer_size ?? 0) / GIB;
  }

  /** Whether this node offers for, and runs, peers' shader units: opted in, with the GPU ready. */
  get acceptsShaderUnits(): boolean {
    return this.options.shaderUnits === true && this.status.state === 'ready';
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const executor = this.executor;
    this.executor = undefined;
    await executor?.close();
  }

  #off(reason: string): GpuStatus {
    this.#status = { ...GPU_OFF, reason };
    return this.#status;
  }
}

/** Render samples (paths) per second of the calibration tile on the GPU, after one warm-up unit. */
async function calibrateGpu(executor: GpuExecutor): Promise<number> {
  const scene = calibrationScene();
  const key = cidOfBytes(scene);
  const { width, height, spp, seed } = CALIBRATION_FRAME;
  const params = tileParams(0, width, height, CALIBRATION_TILE, spp, seed);
  const options = { timeoutMs: CALIBRATION_UNIT_TIMEOUT_MS };
  await executor.renderTile(key, scene, params, options);
  let samples = 0;
  let ms = 0;
  do {
    const run = await executor.renderTile(key, scene, params, options);
    samples += CALIBRATION_TILE.w * CALIBRATION_TILE.h * spp;
    ms += run.wallMs;
  } while (ms < CALIBRATION_MS);
  return samples / (ms / 1000);
}

/**
 * Samples per second of the reference core (REFERENCE_FUEL_PER_SECOND) on the same tile: the WASM
 * kernel's fuel per sample there is the same on every machine, so one 1-spp run measures it.
 */
async function referenceSamplesPerSecondOf(cpu: Executor): Promise<number> {
  const { width, height, seed } = CALIBRATION_FRAME;
  const run = await cpu.run({
    module: loadKernel('render'),
    input: calibrationScene(),
    params: { ...tileParams(0, width, height, CALIBRATION_TILE, 1, seed) },
  });
  const fuelPerSample = run.fuel / (CALIBRATION_TILE.w * CALIBRATION_TILE.h);
  return REFERENCE_FUEL_PER_SECOND / fuelPerSample;
}

// Render units on the GPU (the WebGPU runner page in headless Chromium) against the WASM kernel on
// ONE worker, on the same tile of the sample scene: 64×64 of a 256×144 frame at 16 spp. Target:
// a real GPU renders >= 10× the samples per second of one WASM worker. Without a GPU the adapter
// at hand is SwiftShader (WebGPU on the CPU): the figures then measure the runner, not a GPU.
// Chromium picks the adapter as a node's runner does (a GPU when it has one); MESH_CHROMIUM names
// the browser. Both sides are timed as the node sees them (the page round trip, the worker hop),
// in alternating rounds, so load from elsewhere slows both sides of a ratio alike.
import { tileParams } from '../src-main/core/render/index.js';
import type { AdapterInfo } from '../src-main/core/gpu/index.js';
import { Executor } from '../src-main/node/exec/index.js';
import { loadKernel } from '../src-main/node/exec/kernels.js';
import { ChromiumRunner, findChromium } from '../src-main/node/gpu/chromium-runner.js';
import { GpuExecutor } from '../src-main/node/gpu/gpu-executor.js';
import { sampleSceneBlob } from '../test/node/fixtures/sample-scene.js';
import { median, medianMs, round, type Benchmark, type Figure } from './harness.js';

// The tile in the middle of the frame, where the spheres are: the costliest kind.
const TILE = tileParams(0, 256, 144, { x: 96, y: 40, w: 64, h: 64 }, 16, 7);
const SAMPLES_PER_TILE = TILE.w * TILE.h * TILE.spp;
const TILE_LABEL = `${TILE.w}x${TILE.h} of ${TILE.width}x${TILE.height} at ${TILE.spp} spp`;
const SCENE_KEY = 'bench-sample-0';
const WARMUP = 2;
const ROUNDS = 7;
/** Far above a SwiftShader tile (about 0.2 s here): a unit past it means a broken runner. */
const UNIT_TIMEOUT_MS = 60_000;
const TARGET_X = 10;

interface Round {
  gpuMs: number;
  /** What the page itself timed around the unit (upload, passes, readback; no Playwright hop). */
  pageGpuMs: number;
  wasmMs: number;
}

interface Measured extends Round {
  adapter: AdapterInfo;
  /** Median of the rounds' WASM / GPU time ratios. */
  ratio: number;
}

/** Chromium with the runner page open, or why there is none. */
async function openGpu(): Promise<{ gpu: GpuExecutor } | { unavailable: string }> {
  const chromium = findChromium(process.env['MESH_CHROMIUM']);
  if ('reason' in chromium) return { unavailable: chromium.reason };
  let runner: ChromiumRunner | undefined;
  try {
    runner = await ChromiumRunner.start(chromium.path);
    return { gpu: await GpuExecutor.open(runner) };
  } catch (err) {
    await runner?.close();
    return { unavailable: `the GPU runner did not open: ${String(err)}` };
  }
}

async function measure(gpu: GpuExecutor): Promise<Measured> {
  const scene = sampleSceneBlob();
  const wasm = Executor.start({ workers: 1 });
  const kernel = loadKernel('render');
  let pageGpuMs = 0;
  const onGpu = async () => {
    pageGpuMs = (await gpu.renderTile(SCENE_KEY, scene, TILE, { timeoutMs: UNIT_TIMEOUT_MS })).gpuMs;
  };
  const onWasm = () => wasm.run({ module: kernel, input: scene, params: { ...TILE } });
  try {
    // The first GPU unit sends the scene and compiles the pipelines; V8 tiers the kernel up.
    for (let i = 0; i < WARMUP; i++) {
      await onGpu();
      await onWasm();
    }
    const rounds: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const gpuMs = await medianMs(onGpu, 1, 0);
      rounds.push({ gpuMs, pageGpuMs, wasmMs: await medianMs(onWasm, 1, 0) });
    }
    return {
      adapter: gpu.adapter,
      gpuMs: median(rounds.map((r) => r.gpuMs)),
      pageGpuMs: median(rounds.map((r) => r.pageGpuMs)),
      wasmMs: median(rounds.map((r) => r.wasmMs)),
      ratio: median(rounds.map((r) => r.wasmMs / r.gpuMs)),
    };
  } finally {
    await wasm.close();
  }
}

function figures(m: Measured): Figure[] {
  const adapter = {
    vendor: m.adapter.vendor,
    architecture: m.adapter.architecture,
    is_fallback: m.adapter.is_fallback,
  };
  const samplesPerS = (ms: number) => Math.round(SAMPLES_PER_TILE / (ms / 1000));
  return [
    {
      name: 'gpu_vs_wasm_tile_x',
      value: round(m.ratio),
      unit: 'x',
      gpu_ms: round(m.gpuMs),
      gpu_in_page_ms: round(m.pageGpuMs),
      wasm_one_worker_ms: round(m.wasmMs),
      adapter,
      tile: TILE_LABEL,
    },
    {
      name: 'gpu_samples_per_s',
      value: samplesPerS(m.gpuMs),
      unit: 'samples/s',
      wasm_one_worker_samples_per_s: samplesPerS(m.wasmMs),
      ratio_x: round(m.ratio),
      // Without the Playwright hop: on a real GPU a tile this small may be mostly round trip.
      gpu_in_page_samples_per_s: samplesPerS(m.pageGpuMs),
      target: `>= ${TARGET_X}x one WASM worker, on a real GPU`,
      // On the software adapter the ratio is only what was measured: the target is for a GPU.
      ...(m.adapter.is_fallback
        ? { note: 'software adapter (WebGPU on the CPU): the target applies to a real GPU' }
        : { target_met: m.ratio >= TARGET_X }),
      adapter,
      tile: TILE_LABEL,
    },
  ];
}

/** Both figures with no value (NaN prints as null) and the reason. */
const unavailable = (reason: string): Figure[] => [
  { name: 'gpu_vs_wasm_tile_x', value: Number.NaN, unit: 'x', unavailable: reason },
  { name: 'gpu_samples_per_s', value: Number.NaN, unit: 'samples/s', unavailable: reason },
];

export const benchmarks: Benchmark[] = [
  {
    names: ['gpu_vs_wasm_tile_x', 'gpu_samples_per_s'],
    async run() {
      const opened = await openGpu();
      if ('unavailable' in opened) return unavailable(opened.unavailable);
      try {
        return figures(await measure(opened.gpu));
      } finally {
        await opened.gpu.close();
      }
    },
  },
];

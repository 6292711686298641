// The GPU runner page: one WebGPU device, and the units the node sends it (probe, a render tile,
// a user's compute shader), one at a time. It runs in headless Chromium driven by Playwright
// (window.meshGpu.handle) or in the desktop app's hidden window, where the preload hands it a
// MessagePort. Either way each request is validated here and answered with one reply
// (src-main/core/gpu/protocol.ts). The node enforces time limits: a hung unit gets the page reloaded.
import { describeError } from '../src-main/core/errors.js';
import type { AdapterInfo, AdapterLimits } from '../src-main/core/gpu/adapter.js';
import { RunnerRequestSchema, type RunnerReply, type RunnerRequest } from '../src-main/core/gpu/protocol.js';
import { checkShader } from '../src-main/core/gpu/shader.js';
import { validate } from '../src-main/core/schemas/decode.js';
import { checkTileParams, packSceneForGpu, type GpuScene } from '../src-main/core/render/index.js';
import { GpuUnitError } from './errors.js';
import { TileRenderer } from './render-tile.js';
import { runShader } from './shader-unit.js';

/** Scenes kept uploaded: the tiles of a job come in runs of the same scene. */
const SCENES_KEPT = 4;

interface Gpu {
  device: GPUDevice;
  adapter: AdapterInfo;
  limits: AdapterLimits;
  renderer: TileRenderer;
}

let lost: string | undefined;
const scenes = new Map<string, GpuScene>();

async function openDevice(): Promise<Gpu | GpuUnitError> {
  if (!navigator.gpu) return new GpuUnitError('no_adapter', 'this browser has no WebGPU (navigator.gpu is missing)');
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return new GpuUnitError('no_adapter', 'WebGPU found no adapter');
  const l = adapter.limits;
  // Ask for the adapter's own limits, not WebGPU's defaults, so big scenes and buffers fit.
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxBufferSize: l.maxBufferSize,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
    },
  });
  device.lost.then(
    (info) => {
      lost = `the GPU device was lost (${info.reason}): ${info.message}`;
    },
    (err: unknown) => {
      lost = `the GPU device was lost: ${err instanceof Error ? err.message : String(err)}`;
    },
  );
  const info = adapter.info;
  return {
    device,
    adapter: {
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      is_fallback: info.isFallbackAdapter ?? false,
    },
    limits: {
      max_buffer_size: l.maxBufferSize,
      max_storage_buffer_binding_size: l.maxStorageBufferBindingSize,
      max_compute_workgroups_per_dimension: l.maxComputeWorkgroupsPerDimension,
      max_compute_invocations_per_workgroup: l.maxComputeInvocationsPerWorkgroup,
      max_compute_workgroup_size_x: l.maxComputeWorkgroupSizeX,
      max_compute_workgroup_size_y: l.maxComputeWorkgroupSizeY,
      max_compute_workgroup_size_z: l.maxComputeWorkgroupSizeZ,
    },
    renderer: new TileRenderer(device),
  };
}

const gpu = openDevice().catch(
  (err: unknown) => new GpuUnitError('no_adapter', `the WebGPU device could not be opened: ${describeError(err)}`),
);

async function run(request: RunnerRequest, g: Gpu): Promise<RunnerReply> {
  const { id } = request;
  if (request.op === 'probe') return { id, ok: true, adapter: g.adapter, limits: g.limits };
  const started = performance.now();
  let output: Uint8Array;
  if (request.op === 'render') {
    const params = checkTileParams(request.params);
    if (!params.ok) throw new GpuUnitError('bad_params', params.error);
    let scene = scenes.get(request.scene_key);
    if (request.scene) {
      const packed = packSceneForGpu(request.scene);
      if (!packed.ok) throw new GpuUnitError('bad_input', packed.error);
      scene = packed.value;
      scenes.delete(request.scene_key);
      scenes.set(request.scene_key, scene);
      if (scenes.size > SCENES_KEPT) scenes.delete(scenes.keys().next().value!);
    }
    if (!scene) return { id, ok: false, need_scene: true };
    output = await g.renderer.render(scene, request.scene_key, params.value);
  } else {
    const problem = checkShader(request.spec, request.input.byteLength, g.limits);
    if (problem) throw new GpuUnitError(problem.code, problem.message);
    output = await runShader(g.device, request.spec, request.input);
  }
  // A device lost mid-unit may still resolve its promises with zeros: never report those.
  if (lost) throw new GpuUnitError('device_lost', lost);
  return { id, ok: true, output, gpu_ms: performance.now() - started };
}

/** Answers one request; never throws. */
async function handle(message: unknown): Promise<RunnerReply> {
  const parsed = validate(RunnerRequestSchema, message);
  const id = typeof (message as { id?: unknown })?.id === 'number' ? (message as { id: number }).id : 0;
  if (!parsed.ok) return { id, ok: false, error: { code: 'bad_params', message: parsed.error.message.slice(0, 512) } };
  const g = await gpu;
  if (g instanceof GpuUnitError) return { id, ok: false, error: { code: g.code, message: g.message } };
  if (lost) return { id, ok: false, error: { code: 'device_lost', message: lost } };
  try {
    return await run(parsed.value, g);
  } catch (err) {
    const failure =
      err instanceof GpuUnitError
        ? { code: err.code, message: err.message }
        : { code: 'runner_failed' as const, message: describeError(err) };
    return {
      id,
      ok: false,
      error: { code: lost ? 'device_lost' : failure.code, message: failure.message.slice(0, 512) },
    };
  }
}

// Units run one at a time, in order: the node sends one at a time, and this keeps it so.
let queue: Promise<unknown> = Promise.resolve();
function enqueue(message: unknown): Promise<RunnerReply> {
  const reply = queue.then(() => handle(message));
  queue = reply;
  return reply;
}

declare global {
  interface Window {
    meshGpu?: { handle(message: unknown): Promise<RunnerReply> };
  }
}

// Headless: Playwright calls this. Desktop: the preload posts a MessagePort to this window.
window.meshGpu = { handle: enqueue };
window.addEventListener('message', (event) => {
  if (event.source !== window || event.data !== 'mesh-gpu-port' || !event.ports[0]) return;
  const port = event.ports[0];
  port.addEventListener('message', (m) => {
    enqueue(m.data)
      .then((reply) => port.postMessage(reply))
      .catch((err: unknown) => console.error('mesh GPU runner: a reply could not be posted', err));
  });
  port.start();
});
document.body.dataset['ready'] = 'true';

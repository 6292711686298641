// Renders a tile of a scene with the WGSL path tracer (render.wgsl) on a WebGPU device: the GPU
// twin of the WASM render kernel, taking the same params and the scene packed by packSceneForGpu.
//
// A tile's samples are split into passes of at most PATHS_PER_PASS paths (fewer samples per pass,
// or a band of rows, for big tiles), each its own submission awaited before the next: real GPUs
// kill a dispatch that runs for more than about 2 s. The passes add into an f32 buffer that also
// carries each pixel's random stream, so the result does not depend on how the work was split;
// one last pass tonemaps it to RGBA8.
import source from './render.wgsl';
import { checkTileParams, type GpuScene } from '../src-main/core/render/scene-gpu.js';
import type { TileParams } from '../src-main/core/render/tiles.js';
import { GpuUnitError, withErrorScopes } from './errors.js';

/** Paths per submission: a few tens of ms on a desktop GPU even for a 200,000-triangle scene. */
const PATHS_PER_PASS = 1 << 18;
/** Scenes whose buffers stay uploaded; the least recently used goes first. */
const MAX_CACHED_SCENES = 4;
const TILE_PASS_BYTES = 64;
/** Per pixel between passes: radiance sum (vec3f) and random state (u32). */
const PIXEL_BYTES = 16;
/** records, triangles, nodes, pixels, rgba (render.wgsl's bindings 2..6). */
const STORAGE_BUFFERS = 5;
const TRACE_WORKGROUP = 8;
const TONEMAP_WORKGROUP = 256;

interface Pipelines {
  layout: GPUBindGroupLayout;
  trace: GPUComputePipeline;
  tonemap: GPUComputePipeline;
}

interface SceneBuffers {
  constants: GPUBuffer;
  records: GPUBuffer;
  triangles: GPUBuffer;
  nodes: GPUBuffer;
}

/** Compiled once per device, however many renderers it has. */
const pipelinesByDevice = new WeakMap<GPUDevice, Promise<Pipelines>>();

function pipelinesFor(device: GPUDevice): Promise<Pipelines> {
  let pipelines = pipelinesByDevice.get(device);
  if (!pipelines) {
    pipelines = createPipelines(device);
    pipelinesByDevice.set(device, pipelines);
  }
  return pipelines;
}

async function createPipelines(device: GPUDevice): Promise<Pipelines> {
  const uniform = (binding: number): GPUBindGroupLayoutEntry => ({
    binding,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type: 'uniform' },
  });
  const storage = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({
    binding,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type },
  });
  const layout = device.createBindGroupLayout({
    entries: [
      uniform(0),
      uniform(1),
      storage(2, 'read-only-storage'),
      storage(3, 'read-only-storage'),
      storage(4, 'read-only-storage'),
      storage(5, 'storage'),
      storage(6, 'storage'),
    ],
  });
  const module = device.createShaderModule({ code: source });
  const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
  // The async forms reject with the compiler's message instead of failing silently.
  const [trace, tonemap] = await Promise.all([
    device.createComputePipelineAsync({ layout: pipelineLayout, compute: { module, entryPoint: 'trace' } }),
    device.createComputePipelineAsync({ layout: pipelineLayout, compute: { module, entryPoint: 'tonemap' } }),
  ]);
  return { layout, trace, tonemap };
}

export class TileRenderer {
  /** Uploaded scenes by key, least recently used first (a Map keeps insertion order). */
  private readonly scenes = new Map<string, SceneBuffers>();
  /** Renders run one after another: passes of two tiles never interleave. */
  private queue: Promise<unknown> = Promise.resolve();
  private destroyed = false;

  constructor(private readonly device: GPUDevice) {
    const limit = device.limits.maxStorageBuffersPerShaderStage;
    if (limit < STORAGE_BUFFERS)
      throw new Error(`the tracer needs ${STORAGE_BUFFERS} storage buffers per shader stage; this GPU allows ${limit}`);
  }

  /** Renders one tile (RGBA8, w*h*4 bytes, row by row from its top-left). sceneKey: a stable id of
   *  the scene (its content id) so its buffers are uploaded once and reused. */
  render(scene: GpuScene, sceneKey: string, params: TileParams): Promise<Uint8Array> {
    const result = this.queue.then(() => this.renderNow(scene, sceneKey, params));
    this.queue = result.catch(() => undefined);
    return result;
  }

  destroy(): void {
    this.destroyed = true;
    for (const buffers of this.scenes.values()) destroyAll(Object.values(buffers));
    this.scenes.clear();
  }

  private async renderNow(scene: GpuScene, sceneKey: string, params: TileParams): Promise<Uint8Array> {
    if (this.destroyed) throw new Error('the tile renderer was destroyed');
    const checked = checkTileParams(params);
    if (!checked.ok) throw new GpuUnitError('bad_params', checked.error);
    const { w, h, spp } = checked.value;
    const pixels = w * h;
    this.checkFits(`a ${w}×${h} tile`, pixels * PIXEL_BYTES);

    const { device } = this;
    const pipelines = await pipelinesFor(device);
    // A validation error here is the tracer's own fault, not the unit's: not a deterministic failure.
    return withErrorScopes(device, 'runner_failed', async () => {
      const sceneBuffers = this.sceneBuffers(scene, sceneKey);
      const tilePass = device.createBuffer({
        size: TILE_PASS_BYTES,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
      const pixelBuffer = device.createBuffer({ size: pixels * PIXEL_BYTES, usage: GPUBufferUsage.STORAGE });
      const rgba = device.createBuffer({ size: pixels * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
      const readback = device.createBuffer({
        size: pixels * 4,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      try {
        const bindGroup = device.createBindGroup({
          layout: pipelines.layout,
          entries: [
            tilePass,
            sceneBuffers.constants,
            sceneBuffers.records,
            sceneBuffers.triangles,
            sceneBuffers.nodes,
            pixelBuffer,
            rgba,
          ].map((buffer, binding) => ({ binding, resource: { buffer } })),
        });
        const writePass = (sampleStart: number, sampleEnd: number, rowStart: number, rowEnd: number) => {
          const p = checked.value;
          const fields = [
            p.frame,
            p.width,
            p.height,
            p.seed,
            p.x,
            p.y,
            p.w,
            p.h,
            p.spp,
            sampleStart,
            sampleEnd,
            rowStart,
            rowEnd,
            0,
            0,
            0,
          ];
          device.queue.writeBuffer(tilePass, 0, new Uint32Array(fields));
        };
        const submit = (
          pipeline: GPUComputePipeline,
          x: number,
          y: number,
          after?: (encoder: GPUCommandEncoder) => void,
        ) => {
          const encoder = device.createCommandEncoder();
          const pass = encoder.beginComputePass();
          pass.setPipeline(pipeline);
          pass.setBindGroup(0, bindGroup);
          pass.dispatchWorkgroups(x, y);
          pass.end();
          after?.(encoder);
          device.queue.submit([encoder.finish()]);
        };

        const samplesPerPass = Math.max(1, Math.min(spp, Math.floor(PATHS_PER_PASS / pixels)));
        const rowsPerPass = pixels > PATHS_PER_PASS ? Math.max(1, Math.floor(PATHS_PER_PASS / w)) : h;
        for (let sample = 0; sample < spp; sample += samplesPerPass) {
          for (let row = 0; row < h; row += rowsPerPass) {
            const rows = Math.min(rowsPerPass, h - row);
            writePass(sample, Math.min(spp, sample + samplesPerPass), row, row + rows);
            submit(pipelines.trace, Math.ceil(w / TRACE_WORKGROUP), Math.ceil(rows / TRACE_WORKGROUP));
            await device.queue.onSubmittedWorkDone();
          }
        }
        // The tonemap reads only w, h and spp, which the last pass's uniforms still hold.
        submit(pipelines.tonemap, Math.ceil(pixels / TONEMAP_WORKGROUP), 1, (encoder) =>
          encoder.copyBufferToBuffer(rgba, 0, readback, 0, pixels * 4),
        );
        await readback.mapAsync(GPUMapMode.READ);
        return new Uint8Array(readback.getMappedRange().slice(0));
      } finally {
        destroyAll([tilePass, pixelBuffer, rgba, readback]);
      }
    });
  }

  /** The scene's buffers, uploaded on first use; the least recently used scene is dropped past the cap. */
  private sceneBuffers(scene: GpuScene, key: string): SceneBuffers {
    const cached = this.scenes.get(key);
    if (cached) {
      this.scenes.delete(key);
      this.scenes.set(key, cached);
      return cached;
    }
    for (const [name, data] of [
      ['records', scene.records],
      ['triangles', scene.triangles],
      ['nodes', scene.nodes],
    ] as const) {
      this.checkFits(`the scene's ${name}`, data.byteLength);
    }
    const upload = (data: ArrayBuffer, usage: number) => {
      const buffer = this.device.createBuffer({ size: data.byteLength, usage: usage | GPUBufferUsage.COPY_DST });
      this.device.queue.writeBuffer(buffer, 0, data);
      return buffer;
    };
    const buffers: SceneBuffers = {
      constants: upload(scene.constants, GPUBufferUsage.UNIFORM),
      records: upload(scene.records, GPUBufferUsage.STORAGE),
      triangles: upload(scene.triangles, GPUBufferUsage.STORAGE),
      nodes: upload(scene.nodes, GPUBufferUsage.STORAGE),
    };
    this.scenes.set(key, buffers);
    for (const [oldKey, old] of this.scenes) {
      if (this.scenes.size <= MAX_CACHED_SCENES) break;
      destroyAll(Object.values(old));
      this.scenes.delete(oldKey);
    }
    return buffers;
  }

  /** Throws when a buffer of `bytes` is more than the device can bind. */
  private checkFits(what: string, bytes: number): void {
    const limit = Math.min(this.device.limits.maxStorageBufferBindingSize, this.device.limits.maxBufferSize);
    if (bytes > limit)
      throw new GpuUnitError(
        'limit',
        `${what} needs a ${bytes}-byte GPU buffer; this GPU binds at most ${limit} bytes`,
      );
  }
}

function destroyAll(buffers: GPUBuffer[]): void {
  for (const buffer of buffers) buffer.destroy();
}

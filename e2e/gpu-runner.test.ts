// The GPU runner for real: headless Chromium with WebGPU on the CPU (SwiftShader), the runner page
// served from 127.0.0.1, units sent over Playwright. A GPU tile is checked against the WASM
// kernel's render of the same tile; user shaders run; a shader whose loop may never end is refused
// before it runs; a shader past its time limit, an oversized buffer and an over-cap dispatch each
// end with a typed error after which the next unit runs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  boxDownsample,
  psnr,
  RENDER_TOLERANCE_DB,
  SPOT_CHECK,
  spotCheckPasses,
  tileParams,
  tilesAgree,
  compileSceneJson,
  type TileParams,
} from '../src-main/core/render/index.js';
import type { ShaderSpec } from '../src-main/core/gpu/index.js';
import { Executor } from '../src-main/node/exec/index.js';
import { loadKernel } from '../src-main/node/exec/kernels.js';
import { ChromiumRunner, findChromium } from '../src-main/node/gpu/chromium-runner.js';
import { GpuError, GpuExecutor } from '../src-main/node/gpu/gpu-executor.js';
import { readFileSync } from 'node:fs';

const SAMPLE = JSON.parse(readFileSync(new URL('../../assets/scenes/sample.json', import.meta.url), 'utf8')) as unknown;

let gpu: GpuExecutor;
let cpu: Executor;
let scene: Uint8Array;

before(async () => {
  const chromium = findChromium(process.env['MESH_CHROMIUM']);
  assert.ok('path' in chromium, `these tests need Chromium: ${'reason' in chromium ? chromium.reason : ''}`);
  gpu = await GpuExecutor.open(await ChromiumRunner.start(chromium.path));
  cpu = Executor.start({ workers: 1 });
  const compiled = compileSceneJson(SAMPLE, 3);
  assert.ok(compiled.ok);
  scene = compiled.value;
});

after(async () => {
  await gpu?.close();
  await cpu?.close();
});

const FRAME = { width: 160, height: 90 };
const tile = (x: number, y: number, spp: number, seed = 7): TileParams =>
  tileParams(3, FRAME.width, FRAME.height, { x, y, w: 32, h: 32 }, spp, seed);

async function cpuTile(params: TileParams): Promise<Uint8Array> {
  return (await cpu.run({ module: loadKernel('render'), input: scene, params: { ...params } })).output;
}

test('the probe reports the adapter and its limits', () => {
  assert.equal(typeof gpu.adapter.is_fallback, 'boolean');
  assert.ok(gpu.adapter.vendor.length > 0 || gpu.adapter.description.length > 0);
  assert.ok(gpu.limits.max_storage_buffer_binding_size >= 128 << 20);
  assert.ok(gpu.limits.max_compute_workgroups_per_dimension >= 65_535);
});

test('a GPU tile agrees with the CPU render of the same tile within the tolerance, and passes its spot-check', async () => {
  for (const [x, y] of [
    [64, 32],
    [0, 0],
    [128, 58],
  ] as const) {
    const params = { ...tile(x, y, 8), w: Math.min(32, FRAME.width - x), h: Math.min(32, FRAME.height - y) };
    const onGpu = (await gpu.renderTile('sample-3', scene, params, { timeoutMs: 60_000 })).output;
    const onCpu = await cpuTile(params);
    assert.equal(onGpu.length, params.w * params.h * 4);
    assert.ok(
      tilesAgree(onGpu, onCpu, RENDER_TOLERANCE_DB),
      `tile ${x},${y}: PSNR ${psnr(onGpu, onCpu).toFixed(1)} dB < ${RENDER_TOLERANCE_DB}`,
    );
    const lowSpp = await cpuTile({ ...params, spp: SPOT_CHECK.spp });
    assert.ok(spotCheckPasses(onGpu, lowSpp, params.w, params.h), `tile ${x},${y} failed its spot-check`);
  }
});

test('garbage in place of a GPU tile fails both the comparator and the spot-check', async () => {
  const params = tile(64, 32, 8);
  const honest = (await gpu.renderTile('sample-3', scene, params, { timeoutMs: 60_000 })).output;
  const lowSpp = await cpuTile({ ...params, spp: SPOT_CHECK.spp });
  const noise = Uint8Array.from({ length: honest.length }, (_, i) => (i % 4 === 3 ? 255 : (i * 2654435761) >>> 24));
  const black = Uint8Array.from({ length: honest.length }, (_, i) => (i % 4 === 3 ? 255 : 0));
  const elsewhere = (await gpu.renderTile('sample-3', scene, tile(0, 0, 8), { timeoutMs: 60_000 })).output;
  const otherSeed = (await gpu.renderTile('sample-3', scene, tile(64, 32, 8, 99), { timeoutMs: 60_000 })).output;
  for (const [name, fake] of Object.entries({ noise, black, elsewhere })) {
    assert.equal(tilesAgree(fake, honest, RENDER_TOLERANCE_DB), false, `${name} agreed with the honest tile`);
    assert.equal(
      spotCheckPasses(fake, lowSpp, 32, 32),
      false,
      `${name} passed the spot-check (${psnr(boxDownsample(fake, 32, 32, SPOT_CHECK.factor).rgba, boxDownsample(lowSpp, 32, 32, SPOT_CHECK.factor).rgba).toFixed(1)} dB)`,
    );
  }
  // Another seed is an honest render of a different unit: it must not pass as this one.
  assert.equal(tilesAgree(otherSeed, honest, RENDER_TOLERANCE_DB), false);
});

test('bad tile params and a corrupt scene are refused with typed errors, and the next tile renders', async () => {
  await assert.rejects(
    gpu.renderTile('sample-3', scene, { ...tile(0, 0, 4), spp: 0 }, { timeoutMs: 10_000 }),
    (err: GpuError) => err.code === 'bad_params',
  );
  const corrupt = scene.slice();
  corrupt[0] = 0;
  await assert.rejects(
    gpu.renderTile('corrupt', corrupt, tile(0, 0, 4), { timeoutMs: 10_000 }),
    (err: GpuError) => err.code === 'bad_input' && /magic/.test(err.message),
  );
  assert.equal(
    (await gpu.renderTile('sample-3', scene, tile(0, 0, 1), { timeoutMs: 60_000 })).output.length,
    32 * 32 * 4,
  );
});

const DOUBLE: ShaderSpec = {
  wgsl_code: `
@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read_write> output: array<u32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < arrayLength(&input)) { output[id.x] = input[id.x] * 2u; }
}`,
  entry_point: 'main',
  workgroup_size: [64, 1, 1],
  workgroups: [2, 1, 1],
  buffer_size: 512,
};

const words = (bytes: Uint8Array) => Array.from(new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));

async function expectDoubling(): Promise<void> {
  const input = new Uint8Array(Uint32Array.from({ length: 128 }, (_, i) => i + 1).buffer);
  const out = await gpu.runShader(DOUBLE, input, { timeoutMs: 10_000 });
  assert.deepEqual(
    words(out.output),
    Array.from({ length: 128 }, (_, i) => (i + 1) * 2),
  );
}

test('a user shader runs: its output buffer is the unit output', async () => {
  await expectDoubling();
});

test('a shader whose loop may never end is refused before it runs: bad_params, naming the line', async () => {
  const restarts = gpu.restarts;
  const forever: ShaderSpec = {
    ...DOUBLE,
    // The loop's exit depends on input the compiler cannot see, and never comes.
    wgsl_code: DOUBLE.wgsl_code.replace(
      'if (id.x < arrayLength(&input)) { output[id.x] = input[id.x] * 2u; }',
      'var x = input[0]; loop { x = x * 1664525u + 1013904223u; if (x == input[1]) { break; } } output[id.x] = x;',
    ),
  };
  await assert.rejects(
    gpu.runShader(forever, new Uint8Array(8), { timeoutMs: 10_000 }),
    (err: GpuError) => err.code === 'bad_params' && /line 6: `loop`/.test(err.message),
  );
  assert.equal(gpu.restarts, restarts);
});

test('a shader that runs past its time limit times out with a typed error; the runner restarts and the next unit runs', async () => {
  const slow: ShaderSpec = {
    ...DOUBLE,
    // Bounded, but at the dispatch's cap: 2^20 steps in each of 2^16 invocations, 2^36 in all.
    wgsl_code: DOUBLE.wgsl_code.replace(
      'if (id.x < arrayLength(&input)) { output[id.x] = input[id.x] * 2u; }',
      'var x = input[0]; for (var i = 0u; i < 1048576u; i++) { x = x * 1664525u + 1013904223u; } output[id.x % 128u] = x;',
    ),
    workgroups: [1024, 1, 1],
  };
  const restarts = gpu.restarts;
  const started = performance.now();
  await assert.rejects(
    gpu.runShader(slow, new Uint8Array(8), { timeoutMs: 1_500 }),
    (err: GpuError) => err.code === 'timeout',
  );
  assert.ok(performance.now() - started < 20_000);
  assert.equal(gpu.restarts, restarts + 1);
  await expectDoubling();
});

test('an oversized buffer and a dispatch over the cap are refused as limit errors before they run', async () => {
  await assert.rejects(
    gpu.runShader({ ...DOUBLE, buffer_size: 256 << 20 }, new Uint8Array(), { timeoutMs: 10_000 }),
    (err: GpuError) => err.code === 'limit' && /buffer_size/.test(err.message),
  );
  await assert.rejects(
    gpu.runShader({ ...DOUBLE, workgroups: [65_535, 65_535, 1] }, new Uint8Array(), { timeoutMs: 10_000 }),
    (err: GpuError) => err.code === 'limit' && /invocations/.test(err.message),
  );
  await assert.rejects(
    gpu.runShader({ ...DOUBLE, workgroups: [70_000, 1, 1] }, new Uint8Array(), { timeoutMs: 10_000 }),
    (err: GpuError) => err.code === 'limit',
  );
  await expectDoubling();
});

test('a shader that does not compile, or whose workgroup size is not the declared one, is refused', async () => {
  await assert.rejects(
    gpu.runShader({ ...DOUBLE, wgsl_code: DOUBLE.wgsl_code.replace('* 2u', '* nonsense') }, new Uint8Array(), {
      timeoutMs: 10_000,
    }),
    (err: GpuError) => err.code === 'shader_compile',
  );
  await assert.rejects(
    gpu.runShader({ ...DOUBLE, workgroup_size: [32, 1, 1] }, new Uint8Array(), { timeoutMs: 10_000 }),
    (err: GpuError) => err.code === 'bad_params',
  );
  await expectDoubling();
});

// Peers' own WGSL shaders are opt-in per node (issue 19): a node whose GPU is ready but which has
// not opted in lists no shader algorithm for its slots, so it never offers for one, and refuses
// to run one handed to it anyway; once opted in, it does both, but a shader whose loops may not
// end is refused before the GPU sees it, by the provider and at submission. The runner is a stand-in channel
// (the real page is tested in e2e/); the calibration's CPU side is the real WASM executor.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { SHADER_ALGORITHM } from '../../../src-main/core/protocol/algorithm-ids.js';
import type { RunnerRequest } from '../../../src-main/core/gpu/index.js';
import type { WorkUnit } from '../../../src-main/core/schemas/index.js';
import { Executor } from '../../../src-main/node/exec/index.js';
import { ApiError } from '../../../src-main/node/api/errors.js';
import type { GpuError } from '../../../src-main/node/gpu/gpu-executor.js';
import { GpuService } from '../../../src-main/node/gpu/gpu-service.js';
import { nodeKinds } from '../../../src-main/node/kinds/built-in.js';
import { startNode } from '../mesh/cluster.js';
import { ADAPTER, LIMITS } from './fake-adapter.js';

const cpu = Executor.start({ workers: 1 });
after(() => cpu.close());

/** A ready GPU service on a stand-in runner that counts the shaders it is sent. */
async function readyGpu(shaderUnits: boolean): Promise<{ gpu: GpuService; shadersRun: () => number }> {
  let shaders = 0;
  const channel = {
    kind: 'chromium' as const,
    async send(request: RunnerRequest) {
      if (request.op === 'probe') return { id: request.id, ok: true, adapter: ADAPTER, limits: LIMITS };
      if (request.op === 'render')
        return {
          id: request.id,
          ok: true,
          output: new Uint8Array(request.params.w! * request.params.h! * 4),
          gpu_ms: 5,
        };
      shaders++;
      return { id: request.id, ok: true, output: new Uint8Array(request.spec.buffer_size), gpu_ms: 1 };
    },
    async restart() {},
    async close() {},
  };
  const gpu = new GpuService({ mode: 'on', shaderUnits, openRunner: async () => channel });
  const status = await gpu.start(null, cpu);
  assert.equal(status.state, 'ready', status.reason ?? '');
  return { gpu, shadersRun: () => shaders };
}

const WGSL =
  '@group(0) @binding(1) var<storage, read_write> out: array<u32>;\n@compute @workgroup_size(1) fn main() { out[0] = 1u; }';
const shaderUnit = {
  algorithm_id: SHADER_ALGORITHM,
  params: { entry_point: 'main', workgroup_size: [1, 1, 1], workgroups: [1, 1, 1], buffer_size: 4 },
  required_resources: { cpu_cores: 1, ram_gb: 0.01 },
} as unknown as WorkUnit;
const kinds = nodeKinds(() => undefined);
/** The algorithms a node offers, as its slots list them. */
const offered = (shaders: boolean) =>
  kinds.offers({ shaders, blender: undefined, renderScore: 1 }).map((a) => a.algorithm_id);
const run = (gpu: GpuService, code = WGSL) =>
  kinds.of(SHADER_ALGORITHM)!.runtime.run({
    unit: shaderUnit,
    module: new TextEncoder().encode(code),
    input: new Uint8Array(0),
    signal: new AbortController().signal,
    cpu,
    gpu,
  });

test('a node with its GPU ready but not opted in neither lists shader units nor runs one', async () => {
  const { gpu, shadersRun } = await readyGpu(false);
  try {
    assert.equal(gpu.acceptsShaderUnits, false);
    assert.ok(!offered(gpu.acceptsShaderUnits).includes(SHADER_ALGORITHM));
    await assert.rejects(run(gpu), /does not take shader units/);
    assert.equal(shadersRun(), 0, 'the shader reached the GPU');
  } finally {
    await gpu.stop();
  }
});

test('a node opted in lists shader units and runs them', async () => {
  const { gpu, shadersRun } = await readyGpu(true);
  try {
    assert.equal(gpu.acceptsShaderUnits, true);
    assert.ok(offered(gpu.acceptsShaderUnits).includes(SHADER_ALGORITHM));
    const ran = await run(gpu);
    assert.equal(ran.output.length, 4);
    assert.equal(shadersRun(), 1);
  } finally {
    await gpu.stop();
  }
});

test('an opted-in node refuses a shader whose loop may not end, as bad_params, before the GPU sees it', async () => {
  const { gpu, shadersRun } = await readyGpu(true);
  try {
    const spin = WGSL.replace('out[0] = 1u;', 'loop { out[0] += 1u; }');
    const ran = run(gpu, spin);
    await assert.rejects(ran, (err: GpuError) => err.code === 'bad_params' && /line 2: `loop`/.test(err.message));
    assert.equal(shadersRun(), 0, 'the shader reached the GPU');
  } finally {
    await gpu.stop();
  }
});

test('a shader whose loop may not end is refused at submit with the line; no job is made', async () => {
  const { node, api } = await startNode();
  try {
    const submit = api['jobs.submit']({
      wgsl_code: WGSL.replace('out[0] = 1u;', '\nwhile (true) { }'),
      params: { workgroup_size: [1, 1, 1], workgroups: [1, 1, 1], buffer_size: 4 },
      input_base64: Buffer.alloc(4).toString('base64'),
      chunk_bytes: 4,
      redundancy: 1,
      budget: 10,
      priority: 0.5,
      manual_accept: false,
      open_to_strangers: false,
    });
    await assert.rejects(
      submit,
      (err: unknown) =>
        err instanceof ApiError && err.code === 'bad_request' && /wgsl_code: line 3: `while`/.test(err.message),
    );
    assert.equal((await api['jobs.list']({})).jobs.length, 0);
  } finally {
    await node.stop();
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { GPU_OFF, type GpuStatus } from '../../src-main/core/gpu/index.js';
import { adapterName, countTileDevices, formatTileDevices, summarizeGpu } from '../../src-renderer/gpu/gpu-format.js';

const h100 = { vendor: 'nvidia', architecture: 'hopper', device: '', description: '', is_fallback: false };
const swiftShader = {
  vendor: 'google',
  architecture: 'swiftshader',
  device: '',
  description: 'SwiftShader Device (Subzero)',
  is_fallback: true,
};
const limits = {
  max_buffer_size: 2 ** 31,
  max_storage_buffer_binding_size: 2 ** 31,
  max_compute_workgroups_per_dimension: 65_535,
  max_compute_invocations_per_workgroup: 1024,
  max_compute_workgroup_size_x: 1024,
  max_compute_workgroup_size_y: 1024,
  max_compute_workgroup_size_z: 64,
};
const ready: GpuStatus = {
  state: 'ready',
  reason: null,
  runner: 'chromium',
  adapter: h100,
  limits,
  vram_gb: 79.6,
  samples_per_second: 1_234_567,
  performance_score: 0.8456,
};

test('a ready GPU reads as its adapter, its VRAM, its speed and its score', () => {
  assert.deepEqual(summarizeGpu(ready), {
    state: 'ready',
    adapter: 'NVIDIA hopper',
    software: false,
    figures: '79.6 GB VRAM · 1.2 M samples/s · score 0.85',
  });
  // VRAM the driver does not report is left out, not shown as 0.
  const noVram = summarizeGpu({ ...ready, vram_gb: null });
  assert.equal(noVram.state === 'ready' ? noVram.figures : '', '1.2 M samples/s · score 0.85');
});

test('a software adapter is flagged, and named by its description', () => {
  assert.deepEqual(
    summarizeGpu({ ...ready, adapter: swiftShader, vram_gb: null, samples_per_second: 950, performance_score: 0.01 }),
    {
      state: 'ready',
      adapter: 'SwiftShader Device (Subzero)',
      software: true,
      figures: '950 samples/s · score 0.01',
    },
  );
});

test("a starting GPU says so, and an off GPU gives the node's reason word for word", () => {
  assert.deepEqual(summarizeGpu({ ...GPU_OFF, state: 'starting', reason: null }), {
    state: 'starting',
    text: 'starting…',
  });
  const reason =
    'GPU units are off: WebGPU found only a software adapter (no GPU, or no driver for it); start with --gpu on to use it anyway';
  assert.deepEqual(summarizeGpu({ ...GPU_OFF, reason }), { state: 'off', reason });
  assert.deepEqual(summarizeGpu(GPU_OFF), { state: 'off', reason: GPU_OFF.reason });
  assert.deepEqual(summarizeGpu({ ...GPU_OFF, reason: null }), { state: 'off', reason: 'GPU units are off' });
});

test('an adapter is named by what the driver gives, never as an empty string', () => {
  assert.equal(adapterName({ ...h100, description: 'NVIDIA GeForce RTX 4090' }), 'NVIDIA GeForce RTX 4090');
  assert.equal(adapterName({ ...h100, vendor: 'amd', architecture: 'rdna-3' }), 'AMD rdna-3');
  assert.equal(adapterName({ ...h100, vendor: 'someco', architecture: '', device: '0x1234' }), 'someco 0x1234');
  assert.equal(adapterName({ ...h100, vendor: '', architecture: '' }), 'an unnamed adapter');
  assert.equal(adapterName(null), 'an unnamed adapter');
  const text = fc.string({ maxLength: 8 });
  fc.assert(
    fc.property(text, text, text, text, (vendor, architecture, device, description) => {
      assert.notEqual(adapterName({ vendor, architecture, device, description, is_fallback: false }).trim(), '');
    }),
  );
});

test('tiles on a GPU are counted among the verified tiles only', () => {
  const units = [
    { status: 'verified', device: 'gpu' },
    { status: 'verified', device: 'cpu' },
    { status: 'verified', device: 'gpu' },
    { status: 'failed', device: null },
    { status: 'open', device: null },
  ] as const;
  assert.deepEqual(countTileDevices(units), { verified: 3, gpu: 2 });
  assert.equal(formatTileDevices(countTileDevices(units)), '2 of 3 tiles on a GPU');
  assert.equal(formatTileDevices({ verified: 1, gpu: 0 }), '0 of 1 tile on a GPU');
  assert.equal(formatTileDevices(countTileDevices([{ status: 'cancelled', device: null }])), null);
});

// A user's WGSL shader spec is checked before any GPU sees it: the workgroup size the code declares,
// and our caps and the adapter's limits on buffers and dispatches.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkShader,
  declaredWorkgroupSize,
  SHADER_LIMITS,
  ShaderSpecSchema,
  type AdapterLimits,
} from '../../src-main/core/gpu/index.js';

const LIMITS: AdapterLimits = {
  max_buffer_size: 1 << 30,
  max_storage_buffer_binding_size: 128 << 20,
  max_compute_workgroups_per_dimension: 65_535,
  max_compute_invocations_per_workgroup: 256,
  max_compute_workgroup_size_x: 256,
  max_compute_workgroup_size_y: 256,
  max_compute_workgroup_size_z: 64,
};
const CODE =
  '@group(0) @binding(1) var<storage, read_write> o: array<u32>;\n@compute @workgroup_size(64, 2)\nfn main(@builtin(global_invocation_id) g: vec3u) { o[g.x] = 1u; }';
const spec = ShaderSpecSchema.parse({
  wgsl_code: CODE,
  workgroup_size: [64, 2, 1],
  workgroups: [4, 1, 1],
  buffer_size: 1024,
});

test('the declared workgroup size is read from the entry point, literals only', () => {
  assert.deepEqual(declaredWorkgroupSize(CODE, 'main'), [64, 2, 1]);
  assert.deepEqual(declaredWorkgroupSize('@workgroup_size(8u) @compute fn go() {}', 'go'), [8, 1, 1]);
  assert.match(String(declaredWorkgroupSize(CODE, 'other')), /no function "other"/);
  assert.match(
    String(declaredWorkgroupSize('override n: u32 = 4; @compute @workgroup_size(n) fn main() {}', 'main')),
    /integer literals/,
  );
  assert.match(String(declaredWorkgroupSize('@fragment fn main() {}', 'main')), /not a @compute entry point/);
});

test('a spec within the caps passes; the entry point must be an identifier; buffer sizes are whole words', () => {
  assert.equal(checkShader(spec, 0, LIMITS), null);
  assert.equal(ShaderSpecSchema.safeParse({ ...spec, entry_point: 'main() {} fn x' }).success, false);
  assert.equal(ShaderSpecSchema.safeParse({ ...spec, buffer_size: 1022 }).success, false);
  assert.equal(
    ShaderSpecSchema.safeParse({ ...spec, wgsl_code: 'x'.repeat(SHADER_LIMITS.codeChars + 1) }).success,
    false,
  );
});

test('over a cap or an adapter limit: a limit problem naming it; a size the code does not declare: bad params', () => {
  assert.deepEqual(checkShader({ ...spec, workgroup_size: [32, 2, 1] }, 0, LIMITS)?.code, 'bad_params');
  const limits = [
    checkShader({ ...spec, buffer_size: SHADER_LIMITS.bufferBytes + 4 }, 0, LIMITS),
    checkShader(spec, SHADER_LIMITS.inputBytes + 1, LIMITS),
    checkShader({ ...spec, workgroups: [65_536, 1, 1] }, 0, LIMITS),
    checkShader({ ...spec, workgroups: [65_535, 65_535, 1] }, 0, LIMITS),
    checkShader({ ...spec, buffer_size: 1 << 20 }, 0, { ...LIMITS, max_storage_buffer_binding_size: 1 << 16 }),
  ];
  for (const problem of limits) assert.equal(problem?.code, 'limit', JSON.stringify(problem));
  assert.match(limits[3]!.message, /invocations; the cap is/);
  const wide = '@compute @workgroup_size(512) fn main() {}';
  assert.equal(checkShader({ ...spec, wgsl_code: wide, workgroup_size: [512, 1, 1] }, 0, LIMITS)?.code, 'limit');
});

// The GPU tracer's input: packSceneForGpu refuses every blob the WASM kernel refuses, with the
// kernel's message, and otherwise carries every record over to f32 in the documented layout;
// checkTileParams applies the kernel's param rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  checkTileParams,
  compileSceneJson,
  packSceneForGpu,
  readBlobHeader,
  STRIDE,
  type GpuScene,
  type SceneInput,
  type TileParams,
} from '../../../src-main/core/render/index.js';

const sampleJson: unknown = JSON.parse(
  readFileSync(new URL('../../../../assets/scenes/sample.json', import.meta.url), 'utf8'),
);
const compiled = compileSceneJson(sampleJson, 0);
assert.ok(compiled.ok);
const blob = compiled.value;
const header = readBlobHeader(blob)!;
const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
const f64 = (at: number) => view.getFloat64(at, true);
const f64s = (at: number, n: number) => Array.from({ length: n }, (_, i) => f64(at + i * 8));
const f32s = (values: number[]) => values.map(Math.fround);

function packed(input: Uint8Array): GpuScene {
  const result = packSceneForGpu(input);
  assert.ok(result.ok, result.ok ? '' : result.error);
  return result.value;
}

/** Record `index` (8 floats) of a packed buffer. */
function floats(buffer: ArrayBuffer, index: number, perRecord = 8): number[] {
  return Array.from(new Float32Array(buffer, index * perRecord * 4, perRecord));
}

test('the sample scene packs with every count and record carried over to f32', () => {
  const gpu = packed(blob);
  const { counts, offsets } = header;
  assert.deepEqual(gpu.counts, counts);
  assert.equal(gpu.maxDepth, 8);
  assert.deepEqual(counts, { materials: 6, spheres: 4, planes: 1, triangles: 6, nodes: 3, keyframes: 2 });

  const constants = new Float32Array(gpu.constants);
  assert.deepEqual(
    Array.from(constants.subarray(0, 8)),
    f32s([0, 1, 0, Math.tan((38 * Math.PI) / 360), 0.05, 9, Math.cos(6 * (Math.PI / 180)), 0]),
  );
  assert.deepEqual(Array.from(constants.subarray(8, 11)), f32s([0.75, 0.78, 0.82]));
  assert.deepEqual(Array.from(constants.subarray(20, 23)), f32s([3, 2.8, 2.4]));
  assert.deepEqual(Array.from(new Uint32Array(gpu.constants, 96, 8)), [4, 1, 3, 2, 8, 6, 10, 11]);

  // Materials in sorted name order: chrome, floor, glass, gold, lamp, red.
  const material = (i: number) => f32s(f64s(offsets.materials + i * STRIDE.materials, 5));
  for (let i = 0; i < counts.materials; i++) assert.deepEqual(floats(gpu.records, i), [...material(i), 0, 0, 0]);
  assert.deepEqual(
    floats(gpu.records, 4).slice(0, 4),
    f32s([3, 8, 6.8, 4.8]),
    'the lamp is emissive, colour × strength',
  );
  for (let i = 0; i < counts.spheres; i++) {
    const [x, y, z, radius, mat] = f64s(offsets.spheres + i * STRIDE.spheres, 5);
    assert.deepEqual(floats(gpu.records, 6 + i), f32s([x!, y!, z!, radius!, mat!, 0, 0, 0]));
  }
  const plane = f64s(offsets.planes, 7);
  assert.deepEqual(
    floats(gpu.records, 10),
    f32s([plane[0]!, plane[1]!, plane[2]!, plane[6]!, plane[3]!, plane[4]!, plane[5]!, 0]),
  );
  assert.deepEqual(floats(gpu.records, 12), f32s([23, 1.5, 2.6, 8.5, 0, 1, 0, 0]), 'the second camera keyframe');

  for (let i = 0; i < counts.triangles; i++) {
    const t = f64s(offsets.triangles + i * STRIDE.triangles, 13);
    const expected = [...t.slice(0, 3), t[12]!, ...t.slice(3, 6), 0, ...t.slice(6, 9), 0, ...t.slice(9, 12), 0];
    assert.deepEqual(floats(gpu.triangles, i, 16), f32s(expected));
  }
  const nodeInts = new Uint32Array(gpu.nodes);
  for (let n = 0; n < counts.nodes; n++) {
    const at = offsets.nodes + n * STRIDE.nodes;
    assert.deepEqual(
      [nodeInts[n * 8 + 3], nodeInts[n * 8 + 7]],
      [view.getUint32(at + 48, true), view.getUint32(at + 52, true)],
      `node ${n} first, count`,
    );
  }
});

test('every f32 triangle lies inside its f32 leaf box, whatever the coordinates', () => {
  // Subnormal-sized coordinates included: f32 rounds them by a whole step (seed 806076900).
  const coordinate = fc.oneof(
    fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    fc.double({ min: -1e-40, max: 1e-40, noNaN: true }),
  );
  const vertex = fc.tuple(coordinate, coordinate, coordinate);
  fc.assert(
    fc.property(fc.array(fc.tuple(vertex, vertex, vertex), { minLength: 1, maxLength: 40 }), (triangles) => {
      const scene: SceneInput = {
        camera: { position: [0, 1, 5], look_at: [0, 1, 0], fov: 40 },
        materials: { grey: { type: 'diffuse', albedo: [0.5, 0.5, 0.5] } },
        spheres: [],
        planes: [],
        meshes: [
          {
            vertices: triangles.flat(),
            faces: triangles.map((_, i) => [3 * i, 3 * i + 1, 3 * i + 2]),
            material: 'grey',
          },
        ],
        sky: { horizon: [1, 1, 1], zenith: [1, 1, 1] },
      };
      const result = compileSceneJson(scene, 0);
      assert.ok(result.ok);
      const gpu = packed(result.value);
      const nodeFloats = new Float32Array(gpu.nodes);
      const nodeInts = new Uint32Array(gpu.nodes);
      for (let n = 0; n < gpu.counts.nodes; n++) {
        const [first, count] = [nodeInts[n * 8 + 3]!, nodeInts[n * 8 + 7]!];
        for (let t = first; t < first + count; t++) {
          const [v0, e1, e2] = [0, 1, 2].map((k) => floats(gpu.triangles, t, 16).slice(k * 4, k * 4 + 3)) as [
            number[],
            number[],
            number[],
          ];
          // The corners the shader effectively tests: v0, v0 + edge1, v0 + edge2 (exact in f64).
          for (const corner of [v0, v0.map((c, a) => c + e1[a]!), v0.map((c, a) => c + e2[a]!)]) {
            for (let axis = 0; axis < 3; axis++) {
              assert.ok(
                nodeFloats[n * 8 + axis]! <= corner[axis]! && corner[axis]! <= nodeFloats[n * 8 + 4 + axis]!,
                `triangle ${t} outside node ${n} on axis ${axis}`,
              );
            }
          }
        }
      }
    }),
    { numRuns: 60 },
  );
});

test('a scene without triangles still gets one (empty) record per buffer, as WebGPU needs', () => {
  const result = compileSceneJson(
    {
      camera: { position: [0, 1, 5], look_at: [0, 0, 0], fov: 40 },
      materials: {},
      spheres: [],
      planes: [],
      meshes: [],
      sky: { horizon: [1, 1, 1], zenith: [0, 0, 1] },
    },
    0,
  );
  assert.ok(result.ok);
  const gpu = packed(result.value);
  assert.equal(gpu.counts.triangles, 0);
  assert.equal(gpu.triangles.byteLength, 64);
  assert.equal(gpu.nodes.byteLength, 32);
  assert.equal(gpu.records.byteLength, 32, 'only the keyframe');
});

test("a corrupt blob is refused with the WASM kernel's message", () => {
  const patched = (at: number, value: number, kind: 'u32' | 'f64', copy = blob.slice()) => {
    const v = new DataView(copy.buffer);
    if (kind === 'u32') v.setUint32(at, value, true);
    else v.setFloat64(at, value, true);
    return copy;
  };
  const { offsets } = header;
  const cases: [Uint8Array, string][] = [
    [new Uint8Array(0), 'scene blob shorter than its header'],
    [patched(0, 0x12345678, 'u32'), 'not a scene blob (bad magic)'],
    [patched(4, 2, 'u32'), 'scene blob version 2 is not supported (this kernel reads 1)'],
    [blob.subarray(0, blob.length - 8), 'scene blob length does not match its header'],
    [patched(28, 1_000_000, 'u32'), 'scene blob section 3 has too many records'],
    [patched(44, blob.length - 8, 'u32'), 'scene blob section 1 lies outside the blob'],
    [patched(40, 100, 'u32'), 'scene blob section 0 lies outside the blob'],
    [patched(216, 0, 'f64'), 'scene blob max depth out of range'],
    [patched(216, Number.NaN, 'f64'), 'scene blob max depth out of range'],
    [patched(88, 180, 'f64'), 'scene blob field of view out of range'],
    [patched(36, 0, 'u32'), 'scene blob has no camera keyframe'],
    [patched(offsets.materials + STRIDE.materials, 4, 'f64'), 'scene blob material 1 has an unknown kind'],
    [patched(offsets.spheres + 32, 99, 'f64'), 'scene blob sphere 0 names no material'],
    [patched(offsets.spheres + STRIDE.spheres + 32, 1.5, 'f64'), 'scene blob sphere 1 names no material'],
    [patched(offsets.planes + 48, -1, 'f64'), 'scene blob plane 0 names no material'],
    [patched(offsets.triangles + 2 * STRIDE.triangles + 96, 6, 'f64'), 'scene blob triangle 2 names no material'],
    [patched(32, 0, 'u32'), 'scene blob has triangles but no BVH'],
    [
      patched(offsets.nodes + 52, 0, 'u32', patched(offsets.nodes + 48, 0, 'u32')),
      'scene blob BVH node 0 points outside the tree',
    ],
    [patched(offsets.nodes + 52, 7, 'u32'), 'scene blob BVH node 0 points outside the tree'],
  ];
  for (const [input, message] of cases) assert.deepEqual(packSceneForGpu(input), { ok: false, error: message });
});

test('a BVH whose inner node points back at or before itself is refused', () => {
  // A mesh big enough for inner nodes; then node 1 (the root's first child) is pointed at the root.
  const grid = Array.from(
    { length: 64 },
    (_, i) =>
      [
        [i, 0, 0],
        [i + 1, 0, 0],
        [i, 1, 0],
      ] as [number, number, number][],
  );
  const scene: SceneInput = {
    camera: { position: [0, 1, 5], look_at: [0, 1, 0], fov: 40 },
    materials: { grey: { type: 'diffuse', albedo: [0.5, 0.5, 0.5] } },
    spheres: [],
    planes: [],
    meshes: [{ vertices: grid.flat(), faces: grid.map((_, i) => [3 * i, 3 * i + 1, 3 * i + 2]), material: 'grey' }],
    sky: { horizon: [1, 1, 1], zenith: [1, 1, 1] },
  };
  const result = compileSceneJson(scene, 0);
  assert.ok(result.ok);
  const bvh = result.value.slice();
  const nodes = readBlobHeader(bvh)!.offsets.nodes;
  const v = new DataView(bvh.buffer);
  assert.equal(v.getUint32(nodes + 52, true), 0, 'the root is an inner node');
  const child = v.getUint32(nodes + 48, true);
  assert.ok(packSceneForGpu(bvh).ok);
  v.setUint32(nodes + child * STRIDE.nodes + 48, child, true);
  v.setUint32(nodes + child * STRIDE.nodes + 52, 0, true);
  assert.deepEqual(packSceneForGpu(bvh), { ok: false, error: `scene blob BVH node ${child} points outside the tree` });
});

const good: TileParams = { frame: 3, width: 160, height: 90, x: 32, y: 64, w: 32, h: 26, spp: 16, seed: 4294967295 };

test('good tile params pass through as the kernel reads them', () => {
  assert.deepEqual(checkTileParams(good), { ok: true, value: good });
  assert.deepEqual(checkTileParams({ ...good, extra: 'ignored' }), { ok: true, value: good });
  assert.deepEqual(checkTileParams({ ...good, seed: 0, frame: 1_000_000, spp: 4096 }), {
    ok: true,
    value: { ...good, seed: 0, frame: 1_000_000, spp: 4096 },
  });
});

test("bad tile params are refused with the kernel's messages", () => {
  const cases: [unknown, string][] = [
    [null, 'params are not a JSON object'],
    [[1, 2], 'params are not a JSON object'],
    ['{}', 'params are not a JSON object'],
    [{ ...good, width: 8193, w: 8 }, 'width and height must be whole numbers in 1..8192'],
    [{ ...good, height: 0 }, 'width and height must be whole numbers in 1..8192'],
    [{ ...good, width: '160' }, 'width and height must be whole numbers in 1..8192'],
    [{ ...good, x: 140 }, 'the tile (x, y, w, h) must lie inside the frame'],
    [{ ...good, y: -1 }, 'the tile (x, y, w, h) must lie inside the frame'],
    [{ ...good, w: 0 }, 'the tile (x, y, w, h) must lie inside the frame'],
    [{ ...good, h: 2.5 }, 'the tile (x, y, w, h) must lie inside the frame'],
    [
      { frame: 0, width: 4096, height: 4096, x: 0, y: 0, w: 4096, h: 1025, spp: 1, seed: 0 },
      'the tile has more than 4194304 pixels',
    ],
    [{ ...good, spp: 0 }, 'spp must be a whole number in 1..4096'],
    [{ ...good, spp: 4097 }, 'spp must be a whole number in 1..4096'],
    [{ ...good, frame: 1.5 }, 'frame must be a whole number in 0..1000000'],
    [{ ...good, frame: 1_000_001 }, 'frame must be a whole number in 0..1000000'],
    [{ ...good, seed: -1 }, 'seed must be a u32'],
    [{ ...good, seed: 2 ** 32 }, 'seed must be a u32'],
    [{ ...good, seed: 0.5 }, 'seed must be a u32'],
    [{ ...good, seed: undefined }, 'seed must be a u32'],
  ];
  for (const [params, message] of cases)
    assert.deepEqual(checkTileParams(params), { ok: false, error: message }, JSON.stringify(params));
});

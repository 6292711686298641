import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  buildBvh,
  BVH_MAX_DEPTH,
  compileScene,
  compileSceneJson,
  parseScene,
  readBlobHeader,
  splitFrame,
  stitchTiles,
  STRIDE,
  type SceneInput,
} from '../../src-main/core/render/index.js';
import { TRIANGLE_VERTICES } from './render/triangle.js';

function scene(overrides: Partial<SceneInput> = {}): SceneInput {
  return {
    camera: { position: [0, 1, 5], look_at: [0, 1, 0], fov: 40 },
    materials: {
      grey: { type: 'diffuse', albedo: [0.5, 0.5, 0.5] },
      lamp: { type: 'emissive', color: [1, 1, 1], strength: 4 },
    },
    spheres: [{ center: [0, 1, 0], radius: 1, material: 'grey' }],
    planes: [{ point: [0, 0, 0], normal: [0, 1, 0], material: 'grey' }],
    meshes: [
      {
        vertices: [
          [0, 0, 0],
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
        faces: [
          [0, 1, 2],
          [0, 2, 3],
          [0, 3, 1],
          [1, 2, 3],
        ],
        material: 'lamp',
      },
    ],
    sky: { horizon: [0.8, 0.8, 0.8], zenith: [0.3, 0.5, 0.9] },
    ...overrides,
  };
}

function refusal(value: unknown): string {
  const result = parseScene(value);
  assert.equal(result.ok, false, 'the scene should be refused');
  return result.ok ? '' : result.error.message;
}

test('a valid scene parses with its defaults filled in', () => {
  const result = parseScene(scene());
  assert.ok(result.ok);
  assert.deepEqual(result.value.camera.up, [0, 1, 0]);
  assert.equal(result.value.max_depth, 8);
});

test('the schema refuses bad scenes and names the offending field', () => {
  assert.match(
    refusal(scene({ spheres: [{ center: [0, 0, 0], radius: 1, material: 'chrome' }] })),
    /^spheres\.0\.material: unknown material "chrome"/,
  );
  assert.match(
    refusal(scene({ planes: [{ point: [0, 0, 0], normal: [0, 1, 0], material: 'nope' }] })),
    /^planes\.0\.material/,
  );
  assert.match(
    refusal(
      scene({
        meshes: [
          {
            vertices: TRIANGLE_VERTICES,
            faces: [[0, 1, 3]],
            material: 'grey',
          },
        ],
      }),
    ),
    /^meshes\.0\.faces\.0: vertex index out of range/,
  );
  assert.match(
    refusal(scene({ spheres: [{ center: [0, 0, 0], radius: -1, material: 'grey' }] })),
    /^spheres\.0\.radius/,
  );
  assert.match(
    refusal(scene({ spheres: [{ center: [0, Number.NaN, 0], radius: 1, material: 'grey' }] })),
    /^spheres\.0\.center\.1/,
  );
  assert.match(refusal({ ...scene(), lights: [] }), /lights/);
  assert.match(
    refusal(scene({ materials: { grey: { type: 'plastic', albedo: [1, 1, 1] } } as never })),
    /^materials\.grey\.type: expected one of diffuse, metal, glass, emissive, got "plastic"$/,
  );
  assert.match(
    refusal(scene({ materials: { grey: { albedo: [1, 1, 1] } } as never })),
    /^materials\.grey\.type: expected one of diffuse, metal, glass, emissive, got none$/,
  );
  assert.match(
    refusal(scene({ materials: { grey: { type: 'diffuse', albedo: [1.5, 0, 0] } } })),
    /^materials\.grey\.albedo\.0/,
  );
  assert.match(refusal(scene({ max_depth: 0 })), /^max_depth/);
  const camera: SceneInput['camera'] = { position: [0, 1, 5], look_at: [0, 1, 0], fov: 40 };
  assert.match(
    refusal(scene({ camera: { ...camera, look_at: [0, 1, 5] } })),
    /^camera: position and look_at must differ/,
  );
  assert.match(refusal(scene({ camera: { ...camera, up: [0, 0, 1] } })), /^camera: up must not be parallel/);
  assert.match(refusal(scene({ camera: { ...camera, fov: 180 } })), /^camera\.fov/);
  const keys = [
    { frame: 5, position: [0, 1, 5], look_at: [0, 0, 0] },
    { frame: 5, position: [1, 1, 5], look_at: [0, 0, 0] },
  ] as SceneInput['camera']['animation'];
  assert.match(
    refusal(scene({ camera: { ...camera, animation: keys } })),
    /^camera\.animation\.1\.frame: keyframes must be in strictly increasing/,
  );
});

test('the schema bounds every collection before it parses the items', () => {
  const spheres = Array.from({ length: 4097 }, () => ({ center: [0, 0, 0], radius: 1, material: 'grey' }));
  assert.match(refusal(scene({ spheres } as never)), /^spheres: at most 4096 items/);
});

test('compileSceneJson returns the validation error instead of a blob', () => {
  const result = compileSceneJson(scene({ max_depth: 100 }), 0);
  assert.equal(result.ok, false);
});

test('the blob header counts and places every section inside the blob', () => {
  const compiled = compileSceneJson(scene(), 0);
  assert.ok(compiled.ok);
  const header = readBlobHeader(compiled.value);
  assert.ok(header);
  assert.deepEqual(header.counts, { materials: 2, spheres: 1, planes: 1, triangles: 4, nodes: 1, keyframes: 1 });
  for (const [section, count] of Object.entries(header.counts)) {
    const end = header.offsets[section as keyof typeof STRIDE] + count * STRIDE[section as keyof typeof STRIDE];
    assert.ok(end <= compiled.value.length, `${section} ends inside the blob`);
  }
  assert.equal(
    readBlobHeader(compiled.value.subarray(0, compiled.value.length - 1)),
    null,
    'a truncated blob has no header',
  );
});

const vec = fc.tuple(
  fc.double({ min: -50, max: 50, noNaN: true }),
  fc.double({ min: -50, max: 50, noNaN: true }),
  fc.double({ min: -50, max: 50, noNaN: true }),
);

test('the same scene always compiles to the same bytes, whatever the order of its materials', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(vec, vec, vec), { minLength: 1, maxLength: 60 }), (triangles) => {
      const vertices = triangles.flat();
      const faces = triangles.map((_, i) => [i * 3, i * 3 + 1, i * 3 + 2] as [number, number, number]);
      const input = scene({ meshes: [{ vertices, faces, material: 'grey' }] });
      const reordered = { ...input, materials: { lamp: input.materials.lamp!, grey: input.materials.grey! } };
      const a = compileSceneJson(input, 0);
      const b = compileSceneJson(JSON.parse(JSON.stringify(reordered)), 0);
      assert.ok(a.ok && b.ok);
      assert.deepEqual(a.value, b.value);
    }),
    { numRuns: 50 },
  );
});

function depthOf(first: Uint32Array, count: Uint32Array, node: number): number {
  return count[node]! > 0
    ? 1
    : 1 + Math.max(depthOf(first, count, first[node]!), depthOf(first, count, first[node]! + 1));
}

test('the BVH holds every triangle exactly once, inside the boxes of its leaf and every ancestor', () => {
  const box = fc
    .tuple(vec, vec)
    .map(([a, b]) => [...a.map((c, i) => Math.min(c, b[i]!)), ...a.map((c, i) => Math.max(c, b[i]!))]);
  fc.assert(
    fc.property(fc.array(box, { minLength: 1, maxLength: 300 }), (list) => {
      const boxes = Float64Array.from(list.flat());
      const bvh = buildBvh(boxes);
      assert.deepEqual(
        [...bvh.order].sort((a, b) => a - b),
        list.map((_, i) => i),
        'order is a permutation',
      );
      const contains = (node: number, b: ArrayLike<number>) =>
        [0, 1, 2].every((a) => bvh.bounds[node * 6 + a]! <= b[a]! && b[a + 3]! <= bvh.bounds[node * 6 + 3 + a]!);
      const check = (node: number) => {
        if (bvh.count[node]! > 0) {
          for (let k = bvh.first[node]!; k < bvh.first[node]! + bvh.count[node]!; k++) {
            const t = bvh.order[k]!;
            assert.ok(contains(node, boxes.subarray(t * 6, t * 6 + 6)), `leaf ${node} contains triangle ${t}`);
          }
          return;
        }
        const left = bvh.first[node]!;
        assert.ok(left > node && left + 1 < bvh.nodeCount, 'children come after their parent');
        for (const child of [left, left + 1]) {
          assert.ok(
            contains(node, bvh.bounds.subarray(child * 6, child * 6 + 6)),
            `node ${node} contains child ${child}`,
          );
          check(child);
        }
      };
      check(0);
      const leafTotal = [...bvh.count].reduce((s, c) => s + c, 0);
      assert.equal(leafTotal, list.length, 'leaves hold every triangle once');
      assert.ok(depthOf(bvh.first, bvh.count, 0) <= BVH_MAX_DEPTH + 1);
    }),
    { numRuns: 60 },
  );
});

test('a large mesh compiles with every triangle in the blob', () => {
  const n = 5_000;
  const vertices: [number, number, number][] = [];
  for (let i = 0; i < n; i++)
    vertices.push(
      [i % 100, Math.floor(i / 100), 0],
      [(i % 100) + 1, Math.floor(i / 100), 0],
      [i % 100, Math.floor(i / 100) + 1, 0.5],
    );
  const faces = Array.from({ length: n }, (_, i) => [i * 3, i * 3 + 1, i * 3 + 2] as [number, number, number]);
  const parsed = parseScene(scene({ meshes: [{ vertices, faces, material: 'grey' }] }));
  assert.ok(parsed.ok);
  const header = readBlobHeader(compileScene(parsed.value, 0));
  assert.equal(header?.counts.triangles, n);
  assert.ok(header.counts.nodes >= n / 4, 'the tree has leaves of a few triangles');
});

test('tiles cover the frame exactly once, in row order', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 300 }),
      fc.integer({ min: 1, max: 300 }),
      fc.integer({ min: 1, max: 128 }),
      (width, height, size) => {
        const tiles = splitFrame(width, height, size);
        assert.ok(tiles.ok);
        const covered = new Uint8Array(width * height);
        for (const { x, y, w, h } of tiles.value)
          for (let r = y; r < y + h; r++) for (let c = x; c < x + w; c++) covered[r * width + c]!++;
        assert.ok(covered.every((n) => n === 1));
        const starts = tiles.value.map((t) => t.y * width + t.x);
        assert.deepEqual(
          starts,
          [...starts].sort((a, b) => a - b),
        );
      },
    ),
  );
  assert.equal(splitFrame(0, 10, 16).ok, false);
  assert.equal(splitFrame(10, 10, 0).ok, false);
  assert.equal(splitFrame(8193, 10, 16).ok, false);
});

test('stitching puts every tile pixel at its place in the frame, and refuses a tile that does not fit', () => {
  const [width, height] = [37, 21];
  const tiles = splitFrame(width, height, 8);
  assert.ok(tiles.ok);
  // Each tile pixel carries its own frame coordinates, so a misplaced copy shows.
  const outputs = tiles.value.map((tile) => {
    const rgba = new Uint8Array(tile.w * tile.h * 4);
    for (let r = 0; r < tile.h; r++)
      for (let c = 0; c < tile.w; c++) rgba.set([tile.x + c, tile.y + r, 7, 255], (r * tile.w + c) * 4);
    return { tile, rgba };
  });
  const frame = stitchTiles(width, height, outputs);
  assert.ok(frame.ok);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      assert.deepEqual([...frame.value.subarray((y * width + x) * 4, (y * width + x) * 4 + 4)], [x, y, 7, 255]);
  const short = outputs.map((o, i) => (i === 3 ? { ...o, rgba: o.rgba.subarray(4) } : o));
  assert.match((stitchTiles(width, height, short) as { error: string }).error, /^tile 3 has/);
  const outside = [{ tile: { x: 32, y: 0, w: 8, h: 8 }, rgba: new Uint8Array(256) }];
  assert.match((stitchTiles(width, height, outside) as { error: string }).error, /not inside/);
});

// Per-object motion: keys interpolate like the camera's and hold outside their range, the schema
// refuses bad keys by path, and the compiler bakes the offsets into the blob of each frame — a scene
// where nothing moves compiles to the same bytes for every frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  compileScene,
  compileSceneJson,
  framesShareBlob,
  motionOffset,
  parseScene,
  parseSceneFile,
  readBlobHeader,
  STRIDE,
  type MotionKey,
  type Scene,
  type SceneInput,
} from '../../../src-main/core/render/index.js';
import { TRIANGLE_VERTICES } from './triangle.js';

function scene(overrides: Partial<SceneInput> = {}): SceneInput {
  return {
    camera: { position: [0, 1, 5], look_at: [0, 1, 0], fov: 40 },
    materials: { grey: { type: 'diffuse', albedo: [0.5, 0.5, 0.5] } },
    spheres: [{ center: [0, 1, 0], radius: 1, material: 'grey' }],
    planes: [{ point: [0, 0, 0], normal: [0, 1, 0], material: 'grey' }],
    meshes: [
      {
        vertices: TRIANGLE_VERTICES,
        faces: [[0, 1, 2]],
        material: 'grey',
        translate: [2, 0, 0],
      },
    ],
    sky: { horizon: [0.8, 0.8, 0.8], zenith: [0.3, 0.5, 0.9] },
    ...overrides,
  };
}

function parsed(input: SceneInput): Scene {
  const result = parseScene(input);
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  return result.value;
}

/** Sphere `i`'s center in a blob. */
function sphereCenter(blob: Uint8Array, i: number): number[] {
  const header = readBlobHeader(blob)!;
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  return [0, 1, 2].map((axis) => view.getFloat64(header.offsets.spheres + i * STRIDE.spheres + axis * 8, true));
}

const coordinate = fc.integer({ min: -1000, max: 1000 }).map((n) => n / 8); // exact in binary: sums compare exactly
const translate = fc.tuple(coordinate, coordinate, coordinate);
const keys = fc
  .uniqueArray(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 8 })
  .chain((frames) =>
    fc.tuple(
      ...frames.sort((a, b) => a - b).map((frame) => translate.map((t): MotionKey => ({ frame, translate: t }))),
    ),
  );

test('motion passes through every key, holds the end keys outside them, and is linear in between', () => {
  fc.assert(
    fc.property(keys, (motion) => {
      for (const key of motion) assert.deepEqual(motionOffset(motion, key.frame), key.translate);
      const first = motion[0]!;
      const last = motion[motion.length - 1]!;
      assert.deepEqual(motionOffset(motion, first.frame - 3), motionOffset(motion, first.frame));
      assert.deepEqual(motionOffset(motion, last.frame + 1000), motionOffset(motion, last.frame));
      for (const [i, key] of motion.slice(1).entries()) {
        const before = motion[i]!;
        const middle = motionOffset(motion, (before.frame + key.frame) / 2);
        middle.forEach((c, axis) =>
          assert.ok(Math.abs(c - (before.translate[axis]! + key.translate[axis]!) / 2) < 1e-9),
        );
      }
    }),
  );
});

test('a frame between two keys is interpolated like the camera: a quarter of the way, a quarter of the offset', () => {
  const motion: MotionKey[] = [
    { frame: 4, translate: [0, 0, 0] },
    { frame: 8, translate: [4, -8, 2] },
  ];
  assert.deepEqual(motionOffset(motion, 5), [1, -2, 0.5]);
  assert.deepEqual(motionOffset(motion, 0), [0, 0, 0]);
  assert.deepEqual(motionOffset(motion, 99), [4, -8, 2]);
});

test('the schema refuses motion keys out of order, malformed or too many, naming the path', () => {
  const refusal = (input: unknown) => {
    const result = parseScene(input);
    assert.equal(result.ok, false, 'the scene should be refused');
    return result.ok ? '' : result.error.message;
  };
  const twoKeys: MotionKey[] = [
    { frame: 3, translate: [0, 0, 0] },
    { frame: 3, translate: [1, 0, 0] },
  ];
  assert.match(
    refusal(scene({ spheres: [{ center: [0, 1, 0], radius: 1, material: 'grey', motion: twoKeys }] })),
    /^spheres\.0\.motion\.1\.frame: keyframes must be in strictly increasing/,
  );
  assert.match(
    refusal(scene({ planes: [{ point: [0, 0, 0], normal: [0, 1, 0], material: 'grey', motion: twoKeys }] })),
    /^planes\.0\.motion\.1\.frame/,
  );
  const mesh = scene().meshes![0]!;
  assert.match(refusal(scene({ meshes: [{ ...mesh, motion: twoKeys }] })), /^meshes\.0\.motion\.1\.frame/);
  assert.match(
    refusal(scene({ meshes: [{ ...mesh, motion: [{ frame: 0, translate: [0, 0] }] }] } as never)),
    /^meshes\.0\.motion\.0\.translate/,
  );
  assert.match(
    refusal(scene({ meshes: [{ ...mesh, motion: [{ frame: -1, translate: [0, 0, 0] }] }] })),
    /^meshes\.0\.motion\.0\.frame/,
  );
  assert.match(
    refusal(scene({ meshes: [{ ...mesh, motion: [{ frame: 0, translate: [0, 0, 0], rotate: [0, 0, 0] }] }] } as never)),
    /^meshes\.0\.motion\.0: .*rotate/,
  );
  const many = Array.from({ length: 1025 }, (_, frame) => ({
    frame,
    translate: [0, 0, 0] as [number, number, number],
  }));
  assert.match(
    refusal(scene({ spheres: [{ center: [0, 1, 0], radius: 1, material: 'grey', motion: many }] })),
    /^spheres\.0\.motion: at most 1024 items/,
  );
});

test('a scene where nothing moves compiles to the same bytes for frames 0 and 7 (one blob for the job)', () => {
  const still = parsed(
    scene({
      spheres: [
        {
          center: [0, 1, 0],
          radius: 1,
          material: 'grey',
          motion: [
            { frame: 0, translate: [1, 0, 0] },
            { frame: 9, translate: [1, 0, 0] },
          ],
        },
      ],
    }),
  );
  for (const input of [parsed(scene()), still]) {
    assert.equal(framesShareBlob(input), true);
    assert.deepEqual(compileScene(input, 7), compileScene(input, 0));
  }
  // The camera's animation lives in the blob and is interpolated by the kernel: no recompile either.
  const camera = parsed(
    scene({
      camera: {
        position: [0, 1, 5],
        look_at: [0, 1, 0],
        fov: 40,
        animation: [
          { frame: 0, position: [0, 1, 5], look_at: [0, 1, 0] },
          { frame: 7, position: [2, 1, 5], look_at: [0, 1, 0] },
        ],
      },
    }),
  );
  assert.equal(framesShareBlob(camera), true);
  assert.deepEqual(compileScene(camera, 7), compileScene(camera, 0));
});

test('a moving sphere sits at its center plus the offset of each frame, and only it changes', () => {
  const motion: MotionKey[] = [
    { frame: 0, translate: [0, 0, 0] },
    { frame: 4, translate: [4, 2, 0] },
  ];
  const input = parsed(
    scene({
      spheres: [
        { center: [0, 1, 0], radius: 1, material: 'grey' },
        { center: [-3, 1, 0], radius: 0.5, material: 'grey', motion },
      ],
    }),
  );
  assert.equal(framesShareBlob(input), false);
  const [frame0, frame1, frame7, frame9] = [0, 1, 7, 9].map((frame) => compileScene(input, frame)) as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ];
  assert.notDeepEqual(frame1, frame0);
  assert.deepEqual(sphereCenter(frame0, 1), [-3, 1, 0]);
  assert.deepEqual(sphereCenter(frame1, 1), [-2, 1.5, 0]);
  assert.deepEqual(sphereCenter(frame7, 1), [1, 3, 0], 'after the last key the sphere stays put');
  assert.deepEqual(frame9, frame7);
  assert.deepEqual(sphereCenter(frame7, 0), sphereCenter(frame0, 0), 'the still sphere does not move');
});

test('a moving mesh and plane move in the blob; compileSceneJson compiles the frame it is given', () => {
  const base = scene();
  const motion = [
    { frame: 0, translate: [0, 0, 0] },
    { frame: 10, translate: [0, 10, 0] },
  ] as MotionKey[];
  const meshMoves = { ...base, meshes: [{ ...base.meshes![0]!, motion }] };
  const a = compileSceneJson(meshMoves, 0);
  const b = compileSceneJson(meshMoves, 5);
  assert.ok(a.ok && b.ok);
  const header = readBlobHeader(b.value)!;
  const v0y = (blob: Uint8Array) =>
    new DataView(blob.buffer, blob.byteOffset).getFloat64(header.offsets.triangles + 8, true);
  assert.equal(v0y(b.value) - v0y(a.value), 5);
  const planeMoves = { ...base, planes: [{ ...base.planes![0]!, motion }] };
  const c = compileSceneJson(planeMoves, 0);
  const d = compileSceneJson(planeMoves, 10);
  assert.ok(c.ok && d.ok);
  assert.notDeepEqual(c.value, d.value);
});

test('a mesh may name an OBJ file in a scene file only; the scene a job carries is inline', () => {
  const objMesh = {
    obj: 'models/knot.obj',
    material: 'grey',
    translate: [0, 1, 0],
    motion: [{ frame: 0, translate: [0, 0, 0] }],
  };
  const file = parseSceneFile(scene({ meshes: [objMesh] as never }));
  assert.ok(file.ok, file.ok ? '' : file.error.message);
  assert.deepEqual(file.value.meshes[0], { ...objMesh, scale: 1 });
  const job = parseScene(scene({ meshes: [objMesh] as never }));
  assert.match(job.ok ? '' : job.error.message, /^meshes\.0\.obj: OBJ files are read where the scene file is/);

  const fileRefusal = (meshes: unknown[]) => {
    const result = parseSceneFile(scene({ meshes } as never));
    return result.ok ? '' : result.error.message;
  };
  assert.match(fileRefusal([{ ...objMesh, material: 'chrome' }]), /^meshes\.0\.material: unknown material "chrome"/);
  assert.match(fileRefusal([{ ...objMesh, vertices: [] }]), /^meshes\.0: .*vertices/);
  assert.match(fileRefusal([{ ...objMesh, obj: '' }]), /^meshes\.0\.obj/);
  assert.match(
    fileRefusal([
      scene().meshes![0]!,
      {
        ...objMesh,
        motion: [
          { frame: 2, translate: [0, 0, 0] },
          { frame: 1, translate: [0, 0, 0] },
        ],
      },
    ]),
    /^meshes\.1\.motion\.1\.frame/,
  );
});

// Compiles a validated scene into the binary blob the render kernel reads as its unit input
// (layout in docs/SCENE.md). Everything the kernel would otherwise recompute per ray is done
// here once: material names become indices, normals are normalised, meshes are transformed,
// triangles are stored as (v0, edge1, edge2, normal) in BVH leaf order. Deterministic: the same
// scene always gives the same bytes (materials are numbered in sorted name order). Objects with
// motion are placed where they are in the frame compiled for (motion.ts); the camera's keyframes
// go into the blob as they are, since the kernel interpolates them per frame itself.
import { parseScene, type Material, type Scene } from './scene.js';
import { buildBvh } from './bvh.js';
import { placeAt } from './motion.js';
import type { Decoded } from '../schemas/index.js';

export const BLOB_MAGIC = 0x4e43534d; // "MSCN" as little-endian bytes
export const BLOB_VERSION = 1;
/** 16 u32 (magic, version, byte length, reserved, 6 counts, 6 offsets) then 20 f64 scene constants. */
export const HEADER_BYTES = 224;

/** Bytes per record of each section, in section order. */
export const STRIDE = { materials: 40, spheres: 40, planes: 56, triangles: 104, nodes: 56, keyframes: 56 } as const;
export type Section = keyof typeof STRIDE;
const SECTIONS = Object.keys(STRIDE) as Section[];

const MATERIAL_KIND = { diffuse: 0, metal: 1, glass: 2, emissive: 3 } as const;

export interface BlobHeader {
  byteLength: number;
  counts: Record<Section, number>;
  offsets: Record<Section, number>;
}

/**
 * The blob for a validated scene at `frame` (any number; a frame outside the motion keys holds the
 * nearest key). Without motion (framesShareBlob) every frame gives the same bytes.
 */
export function compileScene(scene: Scene, frame: number): Uint8Array {
  const materialNames = Object.keys(scene.materials).sort();
  const materialIndex = new Map(materialNames.map((name, i) => [name, i]));
  const mat = (name: string) => materialIndex.get(name)!;
  const triangles = meshTriangles(scene, frame, mat);
  const bvh = buildBvh(triangles.boxes);
  const keyframes = scene.camera.animation?.length
    ? scene.camera.animation
    : [{ frame: 0, position: scene.camera.position, look_at: scene.camera.look_at }];

  const counts: Record<Section, number> = {
    materials: materialNames.length,
    spheres: scene.spheres.length,
    planes: scene.planes.length,
    triangles: triangles.count,
    nodes: bvh.nodeCount,
    keyframes: keyframes.length,
  };
  const offsets = {} as Record<Section, number>;
  let end = HEADER_BYTES;
  for (const section of SECTIONS) {
    offsets[section] = end;
    end += counts[section] * STRIDE[section];
  }
  const blob = new Uint8Array(end);
  const view = new DataView(blob.buffer);
  const u32 = (at: number, value: number) => view.setUint32(at, value, true);
  const f64s = (at: number, values: readonly number[]) =>
    values.forEach((v, i) => view.setFloat64(at + i * 8, v, true));

  u32(0, BLOB_MAGIC);
  u32(4, BLOB_VERSION);
  u32(8, end);
  SECTIONS.forEach((section, i) => {
    u32(16 + i * 4, counts[section]);
    u32(40 + i * 4, offsets[section]);
  });
  const { camera, sky } = scene;
  const sun = sky.sun_direction ? normalize(sky.sun_direction) : [0, 1, 0];
  const sunColor = sky.sun_direction ? sky.sun_color : [0, 0, 0];
  f64s(64, [
    ...camera.up,
    camera.fov,
    camera.aperture,
    camera.focus_distance ?? 0,
    ...sky.horizon,
    ...sky.zenith,
    ...sun,
    ...sunColor,
  ]);
  f64s(208, [Math.cos((sky.sun_size / 2) * (Math.PI / 180)), scene.max_depth]);

  materialNames.forEach((name, i) =>
    f64s(offsets.materials + i * STRIDE.materials, materialRecord(scene.materials[name]!)),
  );
  scene.spheres.forEach((s, i) =>
    f64s(offsets.spheres + i * STRIDE.spheres, [...placeAt(s.center, s.motion, frame), s.radius, mat(s.material)]),
  );
  scene.planes.forEach((p, i) =>
    f64s(offsets.planes + i * STRIDE.planes, [
      ...placeAt(p.point, p.motion, frame),
      ...normalize(p.normal),
      mat(p.material),
    ]),
  );
  bvh.order.forEach((t, i) =>
    blob.set(
      triangles.records.subarray(t * STRIDE.triangles, (t + 1) * STRIDE.triangles),
      offsets.triangles + i * STRIDE.triangles,
    ),
  );
  for (let n = 0; n < bvh.nodeCount; n++) {
    const at = offsets.nodes + n * STRIDE.nodes;
    f64s(at, Array.from(bvh.bounds.subarray(n * 6, n * 6 + 6)));
    u32(at + 48, bvh.first[n]!);
    u32(at + 52, bvh.count[n]!);
  }
  keyframes.forEach((k, i) => f64s(offsets.keyframes + i * STRIDE.keyframes, [k.frame, ...k.position, ...k.look_at]));
  return blob;
}

/** Validates a parsed JSON scene and compiles it for `frame`; the error names the offending path. */
export function compileSceneJson(value: unknown, frame: number): Decoded<Uint8Array> {
  const scene = parseScene(value);
  return scene.ok ? { ok: true, value: compileScene(scene.value, frame) } : scene;
}

/** Reads a blob's header, or null when the magic, version or length do not match. */
export function readBlobHeader(blob: Uint8Array): BlobHeader | null {
  if (blob.length < HEADER_BYTES) return null;
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const u32 = (at: number) => view.getUint32(at, true);
  if (u32(0) !== BLOB_MAGIC || u32(4) !== BLOB_VERSION || u32(8) !== blob.length) return null;
  const counts = {} as Record<Section, number>;
  const offsets = {} as Record<Section, number>;
  SECTIONS.forEach((section, i) => {
    counts[section] = u32(16 + i * 4);
    offsets[section] = u32(40 + i * 4);
  });
  return { byteLength: blob.length, counts, offsets };
}

/** type, r, g, b, parameter (metal: roughness; glass: ior); emissive colour is premultiplied by strength. */
// oxlint-disable-next-line typescript/consistent-return -- the switch covers every material type (TypeScript checks it): no path ends without a return
function materialRecord(m: Material): number[] {
  switch (m.type) {
    case 'diffuse':
      return [MATERIAL_KIND.diffuse, ...m.albedo, 0];
    case 'metal':
      return [MATERIAL_KIND.metal, ...m.albedo, m.roughness];
    case 'glass':
      return [MATERIAL_KIND.glass, ...m.tint, m.ior];
    case 'emissive':
      return [MATERIAL_KIND.emissive, ...m.color.map((c) => c * m.strength), 0];
  }
}

/** Every mesh triangle in world space at `frame`: its record bytes (v0, e1, e2, unit normal, material) and its box. */
function meshTriangles(scene: Scene, frame: number, mat: (name: string) => number) {
  const count = scene.meshes.reduce((sum, mesh) => sum + mesh.faces.length, 0);
  const records = new Uint8Array(count * STRIDE.triangles);
  const view = new DataView(records.buffer);
  const boxes = new Float64Array(count * 6);
  let t = 0;
  for (const mesh of scene.meshes) {
    const scale = typeof mesh.scale === 'number' ? [mesh.scale, mesh.scale, mesh.scale] : mesh.scale;
    const translate = placeAt(mesh.translate, mesh.motion, frame);
    const world = mesh.vertices.map((v) => v.map((c, a) => c * scale[a]! + translate[a]!));
    for (const face of mesh.faces) {
      const [a, b, c] = face.map((i) => world[i]!) as [number[], number[], number[]];
      const e1 = sub(b, a);
      const e2 = sub(c, a);
      const values = [...a, ...e1, ...e2, ...normalize(cross(e1, e2)), mat(mesh.material)];
      values.forEach((v, i) => view.setFloat64(t * STRIDE.triangles + i * 8, v, true));
      for (let axis = 0; axis < 3; axis++) {
        boxes[t * 6 + axis] = Math.min(a[axis]!, b[axis]!, c[axis]!);
        boxes[t * 6 + 3 + axis] = Math.max(a[axis]!, b[axis]!, c[axis]!);
      }
      t++;
    }
  }
  return { count, records, boxes };
}

const sub = (a: readonly number[], b: readonly number[]) => [a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!];
const cross = (a: readonly number[], b: readonly number[]) => [
  a[1]! * b[2]! - a[2]! * b[1]!,
  a[2]! * b[0]! - a[0]! * b[2]!,
  a[0]! * b[1]! - a[1]! * b[0]!,
];

/** Unit vector; a zero vector (a degenerate triangle, which the kernel never hits) stays zero. */
function normalize(v: readonly number[]): number[] {
  const len = Math.sqrt(v[0]! * v[0]! + v[1]! * v[1]! + v[2]! * v[2]!);
  return len > 0 ? v.map((c) => c / len) : [0, 0, 0];
}

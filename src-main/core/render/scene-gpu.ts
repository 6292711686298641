// The scene blob and tile params as the WGSL path tracer (src-gpu/render.wgsl) takes them. The blob
// is checked exactly as the WASM kernel's openScene checks it (wasm/render/blob.ts, same messages),
// so a blob either kernel refuses, both refuse; then its f64 records are converted to f32 buffers
// (WGSL has no f64), laid out for WGSL's alignment rules.
//
// GPU layout (little-endian, every number f32 unless marked u32):
//
// `constants` — 128 bytes, the uniform block `SceneConstants` of render.wgsl (8 × vec4):
//   0   up xyz, tan(fov / 2) (computed here in f64, as the kernel does)
//   16  aperture, focus_distance (0 = default), cosine of the sun's angular radius, 0
//   32  horizon rgb, 0          48  zenith rgb, 0
//   64  sun direction xyz, 0    80  sun colour rgb, 0
//   96  u32: sphere count, plane count, BVH node count, keyframe count
//   112 u32: max_depth, then the first record (index in `records`) of spheres, planes, keyframes
//       (materials start at record 0)
//
// `records` — materials, spheres, planes and camera keyframes, in that order, 32 bytes each
//   (two vec4; one storage buffer instead of four keeps the shader's bindings few):
//   material  kind, r, g, b  |  parameter (roughness / ior), 0, 0, 0
//   sphere    center xyz, radius  |  material index, 0, 0, 0
//   plane     point xyz, material index  |  unit normal xyz, 0
//   keyframe  frame, position xyz  |  look_at xyz, 0
//
// `triangles` — 64 bytes each (four vec4), in the blob's (BVH leaf) order:
//   v0 xyz, material index  |  edge1 xyz, 0  |  edge2 xyz, 0  |  unit normal xyz, 0
//
// `nodes` — 32 bytes each (two vec4): box min xyz, u32 first  |  box max xyz, u32 count.
//   Boxes are widened a little before rounding to f32, so every f32 triangle lies inside its box.
//
// A section without records still gets one zeroed record: WebGPU refuses empty bindings.
import { BLOB_MAGIC, BLOB_VERSION, HEADER_BYTES, STRIDE, type Section } from './scene-binary.js';
import type { TileParams, TileResult } from './tiles.js';

export interface GpuScene {
  /** The uniform block `SceneConstants` (128 bytes). */
  constants: ArrayBuffer;
  /** Materials, spheres, planes, keyframes: 32-byte records. */
  records: ArrayBuffer;
  /** 64 bytes per triangle. */
  triangles: ArrayBuffer;
  /** 32 bytes per BVH node. */
  nodes: ArrayBuffer;
  /** Record counts as the blob holds them. */
  counts: Record<Section, number>;
  maxDepth: number;
}

const CONSTANTS_BYTES = 128;
/** 4-byte lanes per record, triangle and node (see the layout above). */
const RECORD_LANES = 8;
const TRIANGLE_LANES = 16;
const NODE_LANES = 8;

/** Section order in the blob's header, with the kernel's most records per section. */
const SECTIONS: readonly Section[] = ['materials', 'spheres', 'planes', 'triangles', 'nodes', 'keyframes'];
const MAX_COUNTS: Record<Section, number> = {
  materials: 256,
  spheres: 4096,
  planes: 4096,
  triangles: 200_000,
  nodes: 400_000,
  keyframes: 4096,
};
const MATERIAL_KINDS = 4;

/** Checks the blob as the WASM kernel does and converts it into the tracer's buffers. */
export function packSceneForGpu(blob: Uint8Array): TileResult<GpuScene> {
  const opened = openBlob(blob);
  if (typeof opened === 'string') return { ok: false, error: opened };
  return { ok: true, value: pack(opened) };
}

interface OpenBlob {
  view: DataView;
  counts: Record<Section, number>;
  offsets: Record<Section, number>;
  maxDepth: number;
}

/** wasm/render/blob.ts openScene, check for check: the blob's parts, or the kernel's message. */
function openBlob(blob: Uint8Array): OpenBlob | string {
  if (blob.length < HEADER_BYTES) return 'scene blob shorter than its header';
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const u32 = (at: number) => view.getUint32(at, true);
  const f64 = (at: number) => view.getFloat64(at, true);
  if (u32(0) !== BLOB_MAGIC) return 'not a scene blob (bad magic)';
  if (u32(4) !== BLOB_VERSION) return `scene blob version ${u32(4)} is not supported (this kernel reads 1)`;
  if (u32(8) !== blob.length) return 'scene blob length does not match its header';
  const counts = {} as Record<Section, number>;
  const offsets = {} as Record<Section, number>;
  for (const [i, section] of SECTIONS.entries()) {
    counts[section] = u32(16 + i * 4);
    offsets[section] = u32(40 + i * 4);
    if (counts[section] > MAX_COUNTS[section]) return `scene blob section ${i} has too many records`;
    if (offsets[section] < HEADER_BYTES || offsets[section] + counts[section] * STRIDE[section] > blob.length)
      return `scene blob section ${i} lies outside the blob`;
  }
  const depth = f64(216);
  if (!(depth >= 1 && depth <= 64)) return 'scene blob max depth out of range';
  const fov = f64(88);
  if (!(fov > 0 && fov < 180)) return 'scene blob field of view out of range';
  if (counts.keyframes < 1) return 'scene blob has no camera keyframe';
  const record = (section: Section, i: number, at: number) => f64(offsets[section] + i * STRIDE[section] + at);
  const isIndex = (value: number, count: number) => value >= 0 && value < count && value === Math.floor(value);
  const checks: [Section, string, number, number, string][] = [
    ['materials', 'material', 0, MATERIAL_KINDS, 'has an unknown kind'],
    ['spheres', 'sphere', 32, counts.materials, 'names no material'],
    ['planes', 'plane', 48, counts.materials, 'names no material'],
    ['triangles', 'triangle', 96, counts.materials, 'names no material'],
  ];
  for (const [section, name, at, limit, problem] of checks) {
    for (let i = 0; i < counts[section]; i++) {
      if (!isIndex(record(section, i, at), limit)) return `scene blob ${name} ${i} ${problem}`;
    }
  }
  if (counts.triangles > 0 && counts.nodes < 1) return 'scene blob has triangles but no BVH';
  for (let i = 0; i < counts.nodes; i++) {
    const first = u32(offsets.nodes + i * STRIDE.nodes + 48);
    const count = u32(offsets.nodes + i * STRIDE.nodes + 52);
    // Children after their parent: traversal always moves forward, so it cannot loop.
    const ok = count === 0 ? first > i && first + 1 < counts.nodes : first + count <= counts.triangles;
    if (!ok) return `scene blob BVH node ${i} points outside the tree`;
  }
  // The kernel truncates the depth to a whole number.
  return { view, counts, offsets, maxDepth: Math.trunc(depth) };
}

function pack({ view, counts, offsets, maxDepth }: OpenBlob): GpuScene {
  const f64 = (at: number) => view.getFloat64(at, true);
  const f64s = (at: number, n: number) => Array.from({ length: n }, (_, i) => f64(at + i * 8));
  const at = (section: Section, i: number) => offsets[section] + i * STRIDE[section];

  const firstSphere = counts.materials;
  const firstPlane = firstSphere + counts.spheres;
  const firstKeyframe = firstPlane + counts.planes;
  const records = new Float32Array(Math.max(1, firstKeyframe + counts.keyframes) * RECORD_LANES);
  const putRecord = (index: number, values: readonly number[]) => records.set(values, index * RECORD_LANES);
  for (let i = 0; i < counts.materials; i++) {
    const [kind, r, g, b, parameter] = f64s(at('materials', i), 5);
    putRecord(i, [kind!, r!, g!, b!, parameter!, 0, 0, 0]);
  }
  for (let i = 0; i < counts.spheres; i++) {
    const [x, y, z, radius, material] = f64s(at('spheres', i), 5);
    putRecord(firstSphere + i, [x!, y!, z!, radius!, material!, 0, 0, 0]);
  }
  for (let i = 0; i < counts.planes; i++) {
    const [x, y, z, nx, ny, nz, material] = f64s(at('planes', i), 7);
    putRecord(firstPlane + i, [x!, y!, z!, material!, nx!, ny!, nz!, 0]);
  }
  for (let i = 0; i < counts.keyframes; i++) {
    const [frame, px, py, pz, lx, ly, lz] = f64s(at('keyframes', i), 7);
    putRecord(firstKeyframe + i, [frame!, px!, py!, pz!, lx!, ly!, lz!, 0]);
  }

  const triangles = new Float32Array(Math.max(1, counts.triangles) * TRIANGLE_LANES);
  for (let i = 0; i < counts.triangles; i++) {
    const v = f64s(at('triangles', i), 13);
    // v0 + material, edge1, edge2, normal: each vec4's fourth lane is padding except the first.
    triangles.set(
      [v[0]!, v[1]!, v[2]!, v[12]!, v[3]!, v[4]!, v[5]!, 0, v[6]!, v[7]!, v[8]!, 0, v[9]!, v[10]!, v[11]!, 0],
      i * TRIANGLE_LANES,
    );
  }

  const nodes = new ArrayBuffer(Math.max(1, counts.nodes) * NODE_LANES * 4);
  const nodeFloats = new Float32Array(nodes);
  const nodeInts = new Uint32Array(nodes);
  for (let i = 0; i < counts.nodes; i++) {
    const box = f64s(at('nodes', i), 6);
    for (let axis = 0; axis < 3; axis++) {
      const [low, high] = widen(box[axis]!, box[3 + axis]!);
      nodeFloats[i * NODE_LANES + axis] = low;
      nodeFloats[i * NODE_LANES + 4 + axis] = high;
    }
    nodeInts[i * NODE_LANES + 3] = view.getUint32(at('nodes', i) + 48, true);
    nodeInts[i * NODE_LANES + 7] = view.getUint32(at('nodes', i) + 52, true);
  }

  const constants = new ArrayBuffer(CONSTANTS_BYTES);
  const constantFloats = new Float32Array(constants);
  // Blob offsets: up 64, fov 88, aperture 96, focus 104, horizon 112, zenith 136, sun 160, sun colour 184, cos 208.
  constantFloats.set([...f64s(64, 3), Math.tan(f64(88) * (Math.PI / 360)), f64(96), f64(104), f64(208), 0]);
  constantFloats.set(f64s(112, 3), 8);
  constantFloats.set(f64s(136, 3), 12);
  constantFloats.set(f64s(160, 3), 16);
  constantFloats.set(f64s(184, 3), 20);
  new Uint32Array(constants).set(
    [counts.spheres, counts.planes, counts.nodes, counts.keyframes, maxDepth, firstSphere, firstPlane, firstKeyframe],
    24,
  );

  return { constants, records: records.buffer, triangles: triangles.buffer, nodes, counts: { ...counts }, maxDepth };
}

/**
 * A box side pushed outwards by 2^-20 of the box's magnitude on that axis before rounding to f32:
 * more than the f32 rounding of the box (half an ulp) plus the f32 rounding of a triangle's v0
 * and edges, so the f32 triangle the shader tests still lies inside its f32 box. At least 8 of
 * f32's smallest steps (2^-149): near zero, rounding errs by a step whatever the magnitude.
 */
function widen(min: number, max: number): [number, number] {
  const pad = Math.max(Math.max(Math.abs(min), Math.abs(max)) * 2 ** -20, 2 ** -146);
  return [Math.fround(min - pad), Math.fround(max + pad)];
}

const MAX_SIDE = 8192;
const MAX_SPP = 4096;
const MAX_FRAME = 1_000_000;
const MAX_TILE_PIXELS = 4_194_304;

/** The WASM kernel's param rules (wasm/render/index.ts), with its messages. */
export function checkTileParams(params: unknown): TileResult<TileParams> {
  if (typeof params !== 'object' || params === null || Array.isArray(params))
    return { ok: false, error: 'params are not a JSON object' };
  const fields = params as Record<string, unknown>;
  // Like the kernel's Params.int: a whole number in i32 range, else the fallback.
  const int = (key: string, fallback: number) => {
    const value = fields[key];
    return typeof value === 'number' && Number.isInteger(value) && value >= -2147483648 && value <= 2147483647
      ? value
      : fallback;
  };
  const width = int('width', 0),
    height = int('height', 0);
  const x = int('x', -1),
    y = int('y', -1);
  const w = int('w', 0),
    h = int('h', 0);
  const spp = int('spp', 0),
    frame = int('frame', -1);
  const seed = typeof fields.seed === 'number' ? fields.seed : -1;
  if (width < 1 || width > MAX_SIDE || height < 1 || height > MAX_SIDE)
    return { ok: false, error: 'width and height must be whole numbers in 1..8192' };
  if (x < 0 || y < 0 || w < 1 || h < 1 || x > width - w || y > height - h)
    return { ok: false, error: 'the tile (x, y, w, h) must lie inside the frame' };
  if (w * h > MAX_TILE_PIXELS) return { ok: false, error: 'the tile has more than 4194304 pixels' };
  if (spp < 1 || spp > MAX_SPP) return { ok: false, error: 'spp must be a whole number in 1..4096' };
  if (frame < 0 || frame > MAX_FRAME) return { ok: false, error: 'frame must be a whole number in 0..1000000' };
  if (!(seed >= 0 && seed <= 4294967295 && seed === Math.floor(seed)))
    return { ok: false, error: 'seed must be a u32' };
  return { ok: true, value: { frame, width, height, x, y, w, h, spp, seed } };
}

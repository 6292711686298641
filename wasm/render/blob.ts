// The scene blob (docs/SCENE.md, written by src-main/core/render/scene-binary.ts): checked once
// against the input's length, then read in place with load<f64>. After `openScene` succeeds every
// record index the renderer follows (material, BVH child, leaf range) is known to be in range, so
// the render loop never reads outside the input.

export const HEADER_BYTES: u32 = 224;
export const MATERIAL_STRIDE: usize = 40;
export const SPHERE_STRIDE: usize = 40;
export const PLANE_STRIDE: usize = 56;
export const TRIANGLE_STRIDE: usize = 104;
export const NODE_STRIDE: usize = 56;
export const KEYFRAME_STRIDE: usize = 56;

export const KIND_DIFFUSE = 0;
export const KIND_METAL = 1;
export const KIND_GLASS = 2;
export const KIND_EMISSIVE = 3;

const MAGIC: u32 = 0x4e43534d;
const VERSION: u32 = 1;
const MAX_COUNTS: StaticArray<u32> = [256, 4096, 4096, 200000, 400000, 4096];
const STRIDES: StaticArray<u32> = [40, 40, 56, 104, 56, 56];

/** Where the scene starts; the record sections below are absolute addresses into it. */
export let base: usize = 0;
export let materials: usize = 0;
export let spheres: usize = 0;
export let planes: usize = 0;
export let triangles: usize = 0;
export let nodes: usize = 0;
export let keyframes: usize = 0;
export let materialCount: i32 = 0;
export let sphereCount: i32 = 0;
export let planeCount: i32 = 0;
export let triangleCount: i32 = 0;
export let nodeCount: i32 = 0;
export let keyframeCount: i32 = 0;
export let maxDepth: i32 = 0;

/** The f64 scene constant at `offset` in the header (up, fov, sky …, see docs/SCENE.md). */
@inline
export function constant(offset: usize): f64 {
  return load<f64>(base + offset);
}

/** Checks the blob and points the section globals at it; returns an error message or null. */
export function openScene(ptr: usize, len: i32): string | null {
  if (len < <i32>HEADER_BYTES) return "scene blob shorter than its header";
  base = ptr;
  if (load<u32>(ptr) != MAGIC) return "not a scene blob (bad magic)";
  if (load<u32>(ptr, 4) != VERSION) return "scene blob version " + load<u32>(ptr, 4).toString() + " is not supported (this kernel reads 1)";
  if (load<u32>(ptr, 8) != <u32>len) return "scene blob length does not match its header";
  for (let i = 0; i < 6; i++) {
    const count = load<u32>(ptr + 16 + <usize>i * 4);
    const offset = load<u32>(ptr + 40 + <usize>i * 4);
    if (count > MAX_COUNTS[i]) return "scene blob section " + i.toString() + " has too many records";
    if (offset < HEADER_BYTES || <u64>offset + <u64>count * <u64>STRIDES[i] > <u64>len) return "scene blob section " + i.toString() + " lies outside the blob";
  }
  materialCount = load<i32>(ptr, 16);
  sphereCount = load<i32>(ptr, 20);
  planeCount = load<i32>(ptr, 24);
  triangleCount = load<i32>(ptr, 28);
  nodeCount = load<i32>(ptr, 32);
  keyframeCount = load<i32>(ptr, 36);
  materials = ptr + load<u32>(ptr, 40);
  spheres = ptr + load<u32>(ptr, 44);
  planes = ptr + load<u32>(ptr, 48);
  triangles = ptr + load<u32>(ptr, 52);
  nodes = ptr + load<u32>(ptr, 56);
  keyframes = ptr + load<u32>(ptr, 60);
  const depth = constant(216);
  if (!(depth >= 1 && depth <= 64)) return "scene blob max depth out of range";
  maxDepth = <i32>depth;
  const fov = constant(88);
  if (!(fov > 0 && fov < 180)) return "scene blob field of view out of range";
  if (keyframeCount < 1) return "scene blob has no camera keyframe";
  return checkRecords();
}

function isIndex(value: f64, count: i32): bool {
  return value >= 0 && value < <f64>count && value == Math.floor(value);
}

function checkRecords(): string | null {
  for (let i = 0; i < materialCount; i++) {
    if (!isIndex(load<f64>(materials + <usize>i * MATERIAL_STRIDE), 4)) return "scene blob material " + i.toString() + " has an unknown kind";
  }
  for (let i = 0; i < sphereCount; i++) {
    if (!isIndex(load<f64>(spheres + <usize>i * SPHERE_STRIDE, 32), materialCount)) return "scene blob sphere " + i.toString() + " names no material";
  }
  for (let i = 0; i < planeCount; i++) {
    if (!isIndex(load<f64>(planes + <usize>i * PLANE_STRIDE, 48), materialCount)) return "scene blob plane " + i.toString() + " names no material";
  }
  for (let i = 0; i < triangleCount; i++) {
    if (!isIndex(load<f64>(triangles + <usize>i * TRIANGLE_STRIDE, 96), materialCount)) return "scene blob triangle " + i.toString() + " names no material";
  }
  if (triangleCount > 0 && nodeCount < 1) return "scene blob has triangles but no BVH";
  for (let i = 0; i < nodeCount; i++) {
    const node = nodes + <usize>i * NODE_STRIDE;
    const first = load<u32>(node, 48);
    const count = load<u32>(node, 52);
    // Children after their parent: traversal always moves forward, so it cannot loop.
    const ok = count == 0 ? first > <u32>i && <u64>first + 1 < <u64>nodeCount : <u64>first + <u64>count <= <u64>triangleCount;
    if (!ok) return "scene blob BVH node " + i.toString() + " points outside the tree";
  }
  return null;
}

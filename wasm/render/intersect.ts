// Closest hit of a ray against every sphere and plane and, through the BVH, every triangle.
// The hit is left in the module's globals (no allocation per ray). The ray direction must be a
// unit vector. Kept step for step the same as bench/native/render.c.
import { spheres, planes, triangles, nodes, sphereCount, planeCount, nodeCount, SPHERE_STRIDE, PLANE_STRIDE, TRIANGLE_STRIDE, NODE_STRIDE } from "./blob";

/** Hits nearer than this are the surface the ray left from (self-intersection). */
const T_MIN: f64 = 1e-4;
const STACK_SIZE = 64;
const KIND_SPHERE = 0;
const KIND_PLANE = 1;
const KIND_TRIANGLE = 2;

export let hitT: f64 = 0;
export let hitNx: f64 = 0;
export let hitNy: f64 = 0;
export let hitNz: f64 = 0;
export let hitMaterial: i32 = 0;

let hitKind: i32 = 0;
let hitIndex: i32 = 0;
/** The traversal stack (node index, entry distance bits), allocated once. */
const stackNodes = new StaticArray<i32>(STACK_SIZE);
const stackDist = new StaticArray<i64>(STACK_SIZE);

const T_MIN_BITS: i64 = reinterpret<i64>(T_MIN);
/** enterBox's answer for a box the ray misses: above every distance's bit pattern. */
const MISS: i64 = i64.MAX_VALUE;
@inline function imin(a: i64, b: i64): i64 { return a < b ? a : b; }
@inline function imax(a: i64, b: i64): i64 { return a > b ? a : b; }

/**
 * Entry distance of the ray into node `node`'s box as its bit pattern (see below), or MISS when
 * it misses or enters beyond `limit`. `nearX/Y/Z` are the byte offsets of the box's min or max
 * coordinate, whichever the ray meets first (chosen once per ray from the direction's signs), so
 * no axis needs a min/max.
 *
 * The max of the entry distances and the min of the exit distances are taken on the doubles' bit
 * patterns as signed i64: V8 compiles f64 min/max and selects to branches, which mispredict
 * here, but i64 selects to cmov. The patterns of non-negative doubles order like the doubles, and
 * a negative double's pattern is below every non-negative one; since T_MIN and `limit` are
 * positive, a negative entry can never be the max and a negative exit (a box behind the ray)
 * always wins the min and fails the test, so the result is exact.
 */
@inline
function enterBox(node: usize, ox: f64, oy: f64, oz: f64, ix: f64, iy: f64, iz: f64, nearX: usize, nearY: usize, nearZ: usize, limit: f64): i64 {
  // The far coordinate is the other corner's: x at 0/24, y at 8/32, z at 16/40.
  const xNear = reinterpret<i64>((load<f64>(node + nearX) - ox) * ix);
  const xFar = reinterpret<i64>((load<f64>(node + (24 - nearX)) - ox) * ix);
  const yNear = reinterpret<i64>((load<f64>(node + nearY) - oy) * iy);
  const yFar = reinterpret<i64>((load<f64>(node + (40 - nearY)) - oy) * iy);
  const zNear = reinterpret<i64>((load<f64>(node + nearZ) - oz) * iz);
  const zFar = reinterpret<i64>((load<f64>(node + (56 - nearZ)) - oz) * iz);
  const near = imax(imax(xNear, yNear), imax(zNear, T_MIN_BITS));
  const far = imin(imin(xFar, yFar), imin(zFar, reinterpret<i64>(limit)));
  return near <= far ? near : MISS;
}

/** Möller–Trumbore against triangle `t`: its distance when it is hit nearer than `best`, else `best`. */
@inline
function hitTriangle(triangleBase: usize, t: i32, ox: f64, oy: f64, oz: f64, dx: f64, dy: f64, dz: f64, best: f64): f64 {
  const tri = triangleBase + <usize>t * TRIANGLE_STRIDE;
  const e1x = load<f64>(tri, 24), e1y = load<f64>(tri, 32), e1z = load<f64>(tri, 40);
  const e2x = load<f64>(tri, 48), e2y = load<f64>(tri, 56), e2z = load<f64>(tri, 64);
  const px = dy * e2z - dz * e2y, py = dz * e2x - dx * e2z, pz = dx * e2y - dy * e2x;
  const det = e1x * px + e1y * py + e1z * pz;
  if (Math.abs(det) < 1e-12) return best;
  const inv = 1.0 / det;
  const tx = ox - load<f64>(tri), ty = oy - load<f64>(tri, 8), tz = oz - load<f64>(tri, 16);
  const u = (tx * px + ty * py + tz * pz) * inv;
  if (u < 0 || u > 1) return best;
  const qx = ty * e1z - tz * e1y, qy = tz * e1x - tx * e1z, qz = tx * e1y - ty * e1x;
  const v = (dx * qx + dy * qy + dz * qz) * inv;
  if (v < 0 || u + v > 1) return best;
  const d = (e2x * qx + e2y * qy + e2z * qz) * inv;
  if (d > T_MIN && d < best) {
    hitKind = KIND_TRIANGLE;
    hitIndex = t;
    return d;
  }
  return best;
}

/**
 * Walks the BVH nearest child first, skipping subtrees that start beyond the nearest hit so far;
 * returns the new nearest distance. The distance lives in a local, not the global, so it stays in
 * a register through the loop.
 */
function traverse(ox: f64, oy: f64, oz: f64, dx: f64, dy: f64, dz: f64, nearest: f64): f64 {
  const ix = 1.0 / dx, iy = 1.0 / dy, iz = 1.0 / dz;
  // Offsets of the min (x 0, y 8, z 16) or max (x 24, y 32, z 40) coordinate the ray meets first.
  const nearX: usize = ix >= 0 ? 0 : 24, nearY: usize = iy >= 0 ? 8 : 32, nearZ: usize = iz >= 0 ? 16 : 40;
  // Section addresses in locals: globals are reloaded from memory at every use.
  const nodeBase = nodes, triangleBase = triangles;
  let best = nearest;
  let node = 0;
  let sp = 0;
  if (enterBox(nodeBase, ox, oy, oz, ix, iy, iz, nearX, nearY, nearZ, best) == MISS) return best;
  while (true) {
    const at = nodeBase + <usize>node * NODE_STRIDE;
    const first = load<i32>(at, 48);
    const count = load<i32>(at, 52);
    if (count > 0) {
      for (let t = first; t < first + count; t++) best = hitTriangle(triangleBase, t, ox, oy, oz, dx, dy, dz, best);
    } else {
      // Entry distances compared as bit patterns, with selects (cmov), not branches.
      const left = enterBox(nodeBase + <usize>first * NODE_STRIDE, ox, oy, oz, ix, iy, iz, nearX, nearY, nearZ, best);
      const right = enterBox(nodeBase + <usize>(first + 1) * NODE_STRIDE, ox, oy, oz, ix, iy, iz, nearX, nearY, nearZ, best);
      const rightFirst = right < left;
      const near = select<i32>(first + 1, first, rightFirst);
      const far = select<i32>(first, first + 1, rightFirst);
      const dNear = select<i64>(right, left, rightFirst);
      const dFar = select<i64>(left, right, rightFirst);
      if (dNear != MISS) {
        if (dFar != MISS && sp < STACK_SIZE) {
          unchecked(stackNodes[sp] = far);
          unchecked(stackDist[sp] = dFar);
          sp++;
        }
        node = near;
        continue;
      }
    }
    // Pop the next subtree that may still hold a nearer hit.
    while (true) {
      if (sp == 0) return best;
      sp--;
      if (unchecked(stackDist[sp]) < reinterpret<i64>(best)) break;
    }
    node = unchecked(stackNodes[sp]);
  }
}

/** Finds the nearest hit beyond T_MIN; on success hitT, hitN* (outward, unit) and hitMaterial are set. */
@inline
export function closestHit(ox: f64, oy: f64, oz: f64, dx: f64, dy: f64, dz: f64): bool {
  let best = Infinity;
  hitKind = -1;
  // Globals in locals, so V8 does not reload them at every iteration.
  const sphereBase = spheres, sphereEnd = sphereCount, planeBase = planes, planeEnd = planeCount;
  for (let i = 0; i < sphereEnd; i++) {
    const s = sphereBase + <usize>i * SPHERE_STRIDE;
    const cx = ox - load<f64>(s), cy = oy - load<f64>(s, 8), cz = oz - load<f64>(s, 16);
    const r = load<f64>(s, 24);
    const b = cx * dx + cy * dy + cz * dz;
    const disc = b * b - (cx * cx + cy * cy + cz * cz - r * r);
    if (disc <= 0) continue;
    const root = Math.sqrt(disc);
    let t = -b - root;
    if (t <= T_MIN) t = -b + root;
    if (t > T_MIN && t < best) {
      best = t;
      hitKind = KIND_SPHERE;
      hitIndex = i;
    }
  }
  for (let i = 0; i < planeEnd; i++) {
    const p = planeBase + <usize>i * PLANE_STRIDE;
    const nx = load<f64>(p, 24), ny = load<f64>(p, 32), nz = load<f64>(p, 40);
    const denom = dx * nx + dy * ny + dz * nz;
    if (Math.abs(denom) < 1e-12) continue;
    const t = ((load<f64>(p) - ox) * nx + (load<f64>(p, 8) - oy) * ny + (load<f64>(p, 16) - oz) * nz) / denom;
    if (t > T_MIN && t < best) {
      best = t;
      hitKind = KIND_PLANE;
      hitIndex = i;
    }
  }
  if (nodeCount > 0) best = traverse(ox, oy, oz, dx, dy, dz, best);
  if (hitKind < 0) return false;
  hitT = best;
  if (hitKind == KIND_SPHERE) {
    const s = spheres + <usize>hitIndex * SPHERE_STRIDE;
    const inv = 1.0 / load<f64>(s, 24);
    hitNx = (ox + hitT * dx - load<f64>(s)) * inv;
    hitNy = (oy + hitT * dy - load<f64>(s, 8)) * inv;
    hitNz = (oz + hitT * dz - load<f64>(s, 16)) * inv;
    hitMaterial = <i32>load<f64>(s, 32);
  } else {
    const record = hitKind == KIND_PLANE ? planes + <usize>hitIndex * PLANE_STRIDE + 24 : triangles + <usize>hitIndex * TRIANGLE_STRIDE + 72;
    hitNx = load<f64>(record);
    hitNy = load<f64>(record, 8);
    hitNz = load<f64>(record, 16);
    hitMaterial = <i32>load<f64>(record, 24);
  }
  return true;
}

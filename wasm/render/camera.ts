// The camera of one frame: keyframes interpolated linearly (frames outside the keys hold the end
// keys), then a thin-lens camera looking from `position` at `look_at`. Primary rays are jittered
// inside their pixel by the pixel's own random stream.
import { constant, keyframes, keyframeCount, KEYFRAME_STRIDE } from "./blob";
import { diskPoint, diskX, diskY, nextState, toUnit } from "./rng";

let posX: f64 = 0, posY: f64 = 0, posZ: f64 = 0;
// Unit basis: u right, v up, w backwards (from look_at towards the camera).
let uX: f64 = 0, uY: f64 = 0, uZ: f64 = 0;
let vX: f64 = 0, vY: f64 = 0, vZ: f64 = 0;
let wX: f64 = 0, wY: f64 = 0, wZ: f64 = 0;
let halfWidth: f64 = 0, halfHeight: f64 = 0, focus: f64 = 0, lensRadius: f64 = 0;
let invWidth: f64 = 0, invHeight: f64 = 0;

export let rayOx: f64 = 0, rayOy: f64 = 0, rayOz: f64 = 0;
export let rayDx: f64 = 0, rayDy: f64 = 0, rayDz: f64 = 0;

/** Keyframe `k`'s field at byte `offset` (0 frame, 8.. position, 32.. look_at). */
@inline
function key(k: i32, offset: usize): f64 {
  return load<f64>(keyframes + <usize>k * KEYFRAME_STRIDE + offset);
}

/** Sets the camera for `frame` of a width×height image. */
export function setupCamera(frame: f64, width: i32, height: i32): void {
  let k = 0;
  while (k + 1 < keyframeCount && key(k + 1, 0) <= frame) k++;
  // Between key k and k+1 when frame is past key k and a next key exists; else key k held.
  const a = k + 1 < keyframeCount && frame > key(k, 0) ? (frame - key(k, 0)) / (key(k + 1, 0) - key(k, 0)) : 0.0;
  const next = k + 1 < keyframeCount ? k + 1 : k;
  posX = key(k, 8) + (key(next, 8) - key(k, 8)) * a;
  posY = key(k, 16) + (key(next, 16) - key(k, 16)) * a;
  posZ = key(k, 24) + (key(next, 24) - key(k, 24)) * a;
  const lookX = key(k, 32) + (key(next, 32) - key(k, 32)) * a;
  const lookY = key(k, 40) + (key(next, 40) - key(k, 40)) * a;
  const lookZ = key(k, 48) + (key(next, 48) - key(k, 48)) * a;

  wX = posX - lookX; wY = posY - lookY; wZ = posZ - lookZ;
  const distance = Math.sqrt(wX * wX + wY * wY + wZ * wZ);
  wX /= distance; wY /= distance; wZ /= distance;
  const upX = constant(64), upY = constant(72), upZ = constant(80);
  uX = upY * wZ - upZ * wY; uY = upZ * wX - upX * wZ; uZ = upX * wY - upY * wX;
  const uLen = Math.sqrt(uX * uX + uY * uY + uZ * uZ);
  uX /= uLen; uY /= uLen; uZ /= uLen;
  vX = wY * uZ - wZ * uY; vY = wZ * uX - wX * uZ; vZ = wX * uY - wY * uX;

  halfHeight = Math.tan(constant(88) * (Math.PI / 360.0));
  halfWidth = halfHeight * <f64>width / <f64>height;
  const focusDistance = constant(104);
  focus = focusDistance > 0 ? focusDistance : distance;
  lensRadius = constant(96) * 0.5;
  invWidth = 1.0 / <f64>width;
  invHeight = 1.0 / <f64>height;
}

/**
 * The primary ray through a random point of pixel (px, py), row 0 at the top, into ray*; draws
 * from the random stream at `state` and returns the state after.
 */
@inline
export function primaryRay(px: i32, py: i32, state: u32): u32 {
  let rng = nextState(state);
  const s = ((<f64>px + toUnit(rng)) * invWidth * 2.0 - 1.0) * halfWidth * focus;
  rng = nextState(rng);
  const t = (1.0 - (<f64>py + toUnit(rng)) * invHeight * 2.0) * halfHeight * focus;
  let ox = posX, oy = posY, oz = posZ;
  if (lensRadius > 0) {
    // A uniform point of the lens disk.
    rng = diskPoint(rng);
    const lx = diskX * lensRadius, ly = diskY * lensRadius;
    ox += lx * uX + ly * vX; oy += lx * uY + ly * vY; oz += lx * uZ + ly * vZ;
  }
  let dx = posX + s * uX + t * vX - focus * wX - ox;
  let dy = posY + s * uY + t * vY - focus * wY - oy;
  let dz = posZ + s * uZ + t * vZ - focus * wZ - oz;
  const inv = 1.0 / Math.sqrt(dx * dx + dy * dy + dz * dz);
  rayOx = ox; rayOy = oy; rayOz = oz;
  rayDx = dx * inv; rayDy = dy * inv; rayDz = dz * inv;
  return rng;
}

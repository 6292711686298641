// Per-object motion, baked into the blob at compile time: the kernel knows nothing of it, so one
// blob holds the objects where they are in one frame. Keys interpolate exactly like the camera's
// keyframes in the kernel (wasm/render/camera.ts): linearly between the two keys around the
// frame, holding the first key before it and the last key after it.
import type { MotionKey, Scene } from './scene.js';

type Vec3 = readonly [number, number, number];

/** The translate of `keys` at `frame`. `keys` must hold at least one key, frames strictly increasing. */
export function motionOffset(keys: readonly MotionKey[], frame: number): [number, number, number] {
  let k = 0;
  while (k + 1 < keys.length && keys[k + 1]!.frame <= frame) k++;
  const key = keys[k]!;
  const next = keys[k + 1];
  // Between key k and the next when the frame is past key k and there is a next key; else key k held.
  const a = next !== undefined && frame > key.frame ? (frame - key.frame) / (next.frame - key.frame) : 0;
  const to = next?.translate ?? key.translate;
  return [0, 1, 2].map((axis) => key.translate[axis]! + (to[axis]! - key.translate[axis]!) * a) as [
    number,
    number,
    number,
  ];
}

/**
 * Where a point of an object is at `frame`: `base` plus its motion's offset. An object without
 * motion keeps `base` itself (not `base + 0`, which would turn a -0 into 0 and change the bytes
 * of a scene that does not move).
 */
export function placeAt(base: Vec3, motion: readonly MotionKey[] | undefined, frame: number): Vec3 {
  if (motion === undefined || motion.length === 0) return base;
  const offset = motionOffset(motion, frame);
  return [base[0] + offset[0], base[1] + offset[1], base[2] + offset[2]];
}

/**
 * True when every frame of the scene compiles to the same blob: no object moves (it has no motion,
 * or all its keys hold the same translate). A job can then compile once and share one blob (one
 * CID) across its frames; the camera's animation lives in the blob and needs no recompile.
 */
export function framesShareBlob(scene: Scene): boolean {
  const objects = [...scene.spheres, ...scene.planes, ...scene.meshes];
  return objects.every(
    ({ motion }) =>
      motion === undefined || motion.every((key) => key.translate.every((c, axis) => c === motion[0]!.translate[axis])),
  );
}

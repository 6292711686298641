// The render kernel: path-traces ONE tile of one frame of a scene (docs/SCENE.md).
// Params: {frame, width, height, x, y, w, h, spp, seed}; input: the scene blob compiled by
// src-main/core/render/scene-binary.ts; output: the tile as RGBA8, row by row from its top left.
// Every pixel's random stream is seeded from (seed, frame, x, y) only, so tiles stitched together
// are byte-identical to one tile covering the whole frame.
export { mesh_abi_version, mesh_alloc, mesh_output_ptr, mesh_output_len } from "../abi/unit";
import { allocOutput, fail, STATUS_BAD_PARAMS, STATUS_BAD_INPUT } from "../abi/unit";
import { Params } from "../abi/params";
import { openScene } from "./blob";
import { setupCamera, primaryRay, rayOx, rayOy, rayOz, rayDx, rayDy, rayDz } from "./camera";
import { tracePath, pathR, pathG, pathB } from "./shade";
import { pixelState } from "./rng";

const MAX_SIDE = 8192;
const MAX_SPP = 4096;
const MAX_FRAME = 1000000;
/** 16 MiB of output: with a 200,000-triangle scene that still fits the 64 MiB memory. */
const MAX_TILE_PIXELS = 4194304;

export function mesh_run(paramsPtr: usize, paramsLen: i32, inputPtr: usize, inputLen: i32): i32 {
  const params = Params.read(paramsPtr, paramsLen);
  if (!params.valid) return fail(STATUS_BAD_PARAMS, "params are not a JSON object");
  const width = params.int("width", 0), height = params.int("height", 0);
  const x = params.int("x", -1), y = params.int("y", -1);
  const w = params.int("w", 0), h = params.int("h", 0);
  const spp = params.int("spp", 0), frame = params.int("frame", -1);
  const seed = params.num("seed", -1);
  if (width < 1 || width > MAX_SIDE || height < 1 || height > MAX_SIDE) return fail(STATUS_BAD_PARAMS, "width and height must be whole numbers in 1..8192");
  if (x < 0 || y < 0 || w < 1 || h < 1 || x > width - w || y > height - h) return fail(STATUS_BAD_PARAMS, "the tile (x, y, w, h) must lie inside the frame");
  if (<i64>w * <i64>h > MAX_TILE_PIXELS) return fail(STATUS_BAD_PARAMS, "the tile has more than 4194304 pixels");
  if (spp < 1 || spp > MAX_SPP) return fail(STATUS_BAD_PARAMS, "spp must be a whole number in 1..4096");
  if (frame < 0 || frame > MAX_FRAME) return fail(STATUS_BAD_PARAMS, "frame must be a whole number in 0..1000000");
  if (!(seed >= 0 && seed <= 4294967295.0 && seed == Math.floor(seed))) return fail(STATUS_BAD_PARAMS, "seed must be a u32");

  const problem = openScene(inputPtr, inputLen);
  if (problem !== null) return fail(STATUS_BAD_INPUT, problem);

  setupCamera(<f64>frame, width, height);
  const out = allocOutput(w * h * 4);
  for (let row = 0; row < h; row++) {
    for (let col = 0; col < w; col++) {
      renderPixel(out + (<usize>(row * w + col) << 2), x + col, y + row, spp, <u32>seed, <u32>frame);
    }
  }
  return 0;
}

/** Averages `spp` paths through pixel (px, py) and stores it tonemapped as RGBA8 at `at`. */
function renderPixel(at: usize, px: i32, py: i32, spp: i32, seed: u32, frame: u32): void {
  let rng = pixelState(seed, frame, <u32>px, <u32>py);
  let r: f64 = 0, g: f64 = 0, b: f64 = 0;
  for (let s = 0; s < spp; s++) {
    rng = primaryRay(px, py, rng);
    rng = tracePath(rayOx, rayOy, rayOz, rayDx, rayDy, rayDz, rng);
    // A NaN path (degenerate geometry) would poison the pixel: it counts as black instead.
    if (pathR == pathR && pathG == pathG && pathB == pathB) {
      r += pathR; g += pathG; b += pathB;
    }
  }
  const scale = 1.0 / <f64>spp;
  store<u8>(at, toByte(r * scale));
  store<u8>(at, toByte(g * scale), 1);
  store<u8>(at, toByte(b * scale), 2);
  store<u8>(at, 255, 3);
}

/** ACES filmic curve (Narkowicz's fit), sRGB transfer function, then round half up to 0..255. */
function toByte(linear: f64): u8 {
  const x = linear > 0 ? linear : 0.0;
  let v = (x * (2.51 * x + 0.03)) / (x * (2.43 * x + 0.59) + 0.14);
  v = v < 1.0 ? v : 1.0;
  v = v <= 0.0031308 ? v * 12.92 : 1.055 * Math.pow(v, 1.0 / 2.4) - 0.055;
  return <u8>Math.floor(v * 255.0 + 0.5);
}

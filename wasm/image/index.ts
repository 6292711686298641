// The `image` kernel: resize, Gaussian blur and grayscale on RGBA8 pixels (docs/KERNELS.md).
export { mesh_abi_version, mesh_alloc, mesh_output_ptr, mesh_output_len } from "../abi/unit";
import { allocOutput, fail, STATUS_BAD_INPUT, STATUS_BAD_PARAMS, STATUS_OK } from "../abi/unit";
import { Params } from "../abi/params";
import { blurTaps, blurWindow, FILTER_BILINEAR, FILTER_LANCZOS3, resizeTaps, resizeWindow } from "./taps";
import { separable, toByte } from "./convolve";

const MAX_SIDE: i32 = 16384;
const MAX_SIGMA: f64 = 100;
// A unit's whole memory (1024 pages, the build's --maximumMemory).
const MEMORY_LIMIT: u64 = 1024 << 16;
// Room kept for the tap tables and small allocations: at most ~3 MiB per axis (a blur of σ = 100
// folds 601 weights for each of 600 edge samples), far less for a resize.
const TABLE_RESERVE: u64 = 8 << 20;

export function mesh_run(paramsPtr: usize, paramsLen: i32, inputPtr: usize, inputLen: i32): i32 {
  const params = Params.read(paramsPtr, paramsLen);
  if (!params.valid) return fail(STATUS_BAD_PARAMS, "params must be a JSON object");
  const width = params.int("width", 0);
  const height = params.int("height", 0);
  if (!isSide(width) || !isSide(height)) return fail(STATUS_BAD_PARAMS, '"width" and "height" must be integers in 1..16384');

  const op = params.str("op", "");
  if (op == "resize") {
    const outWidth = params.int("out_width", 0);
    const outHeight = params.int("out_height", 0);
    if (!isSide(outWidth) || !isSide(outHeight)) return fail(STATUS_BAD_PARAMS, '"out_width" and "out_height" must be integers in 1..16384');
    const filterName = params.str("filter", "");
    if (filterName != "lanczos3" && filterName != "bilinear") return fail(STATUS_BAD_PARAMS, '"filter" must be "lanczos3" or "bilinear"');
    const filter = filterName == "lanczos3" ? FILTER_LANCZOS3 : FILTER_BILINEAR;
    const ringRows = min(resizeWindow(height, outHeight, filter), height);
    const refusal = checkInput(inputLen, width, height, separableBytes(outWidth, outHeight, ringRows));
    if (refusal != STATUS_OK) return refusal;
    const dst = allocOutput(outWidth * outHeight * 4);
    separable(inputPtr, width, resizeTaps(width, outWidth, filter), resizeTaps(height, outHeight, filter), ringRows, dst);
  } else if (op == "blur") {
    const sigma = params.num("sigma", 0);
    if (!(sigma > 0 && sigma <= MAX_SIGMA)) return fail(STATUS_BAD_PARAMS, '"sigma" must be a number in (0, 100]');
    const ringRows = min(blurWindow(sigma), height);
    const refusal = checkInput(inputLen, width, height, separableBytes(width, height, ringRows));
    if (refusal != STATUS_OK) return refusal;
    const dst = allocOutput(width * height * 4);
    separable(inputPtr, width, blurTaps(width, sigma), blurTaps(height, sigma), ringRows, dst);
  } else if (op == "grayscale") {
    const refusal = checkInput(inputLen, width, height, pixelBytes(width, height));
    if (refusal != STATUS_OK) return refusal;
    grayscale(inputPtr, width * height, allocOutput(width * height * 4));
  } else {
    return fail(STATUS_BAD_PARAMS, 'unknown "op" "' + op + '": expected "resize", "blur" or "grayscale"');
  }
  return STATUS_OK;
}

function isSide(value: i32): bool {
  return value >= 1 && value <= MAX_SIDE;
}

function pixelBytes(width: i32, height: i32): u64 {
  return (<u64>width * <u64>height) << 2;
}

/** What a separable op allocates: its output, its ring of f32 rows, one row of f64 sums, its tap tables. */
function separableBytes(outWidth: i32, outHeight: i32, ringRows: i32): u64 {
  return pixelBytes(outWidth, outHeight) + (pixelBytes(outWidth, ringRows) << 2) + (<u64>outWidth << 5) + TABLE_RESERVE;
}

/** Refuses an input that is not width × height RGBA8, or an op that would not fit in memory. */
function checkInput(inputLen: i32, width: i32, height: i32, needBytes: u64): i32 {
  if (<u64>inputLen != pixelBytes(width, height)) {
    return fail(STATUS_BAD_INPUT, "input must be width × height × 4 bytes of RGBA8 (" + pixelBytes(width, height).toString() + "), got " + inputLen.toString());
  }
  // The bump allocator's next address is where free memory starts.
  const used = <u64>heap.alloc(1);
  if (used + needBytes > MEMORY_LIMIT) {
    return fail(STATUS_BAD_PARAMS, "this op needs " + (needBytes >> 20).toString() + " MiB beyond its input; a unit has 64 MiB in all");
  }
  return STATUS_OK;
}

/** Luma Y = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601) into R, G and B; alpha kept. */
function grayscale(input: usize, pixels: i32, out: usize): void {
  for (let i: usize = 0; i < <usize>pixels; i++) {
    const p = input + (i << 2);
    const q = out + (i << 2);
    const luma = toByte(0.299 * <f64>load<u8>(p, 0) + 0.587 * <f64>load<u8>(p, 1) + 0.114 * <f64>load<u8>(p, 2));
    store<u8>(q, luma, 0);
    store<u8>(q, luma, 1);
    store<u8>(q, luma, 2);
    store<u8>(q, load<u8>(p, 3), 3);
  }
}

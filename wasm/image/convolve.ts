// A separable filter over RGBA8 pixels: a horizontal pass (u8 source rows → f32 rows of the new
// width), then a vertical pass (f32 rows → u8 rows of the new height). Sums are f64.
//
// The horizontal rows live in a ring of `ringRows` rows rather than a whole intermediate image:
// each output row reads a window of consecutive source rows, and the windows only move down, so a
// row is computed once, when the first window reaches it, and overwritten once all windows have
// passed it. The ring is f32 to halve its memory against f64 (a unit has 64 MiB in all).
// Channels are filtered independently: alpha is not premultiplied.
import { Taps } from "./taps";

/**
 * Filters `src` (srcWidth × any height, RGBA8) with `columns` across and `rows` down into `dst`
 * (columns.length × rows.length, RGBA8). `ringRows` must be at least the most source rows any
 * output row reads.
 */
export function separable(src: usize, srcWidth: i32, columns: Taps, rows: Taps, ringRows: i32, dst: usize): void {
  const values = <usize>columns.first.length << 2;
  const rowBytes = values << 2;
  const ring = heap.alloc(<usize>ringRows * rowBytes);
  const sums = heap.alloc(values << 3);
  const outHeight = rows.first.length;
  let nextRow = 0;
  let out = dst;
  for (let y = 0; y < outHeight; y++) {
    const first = unchecked(rows.first[y]);
    const count = unchecked(rows.count[y]);
    for (; nextRow < first + count; nextRow++) {
      horizontalRow(src + (<usize>nextRow * <usize>srcWidth << 2), columns, ring + <usize>(nextRow % ringRows) * rowBytes);
    }
    for (let i: usize = 0; i < values; i++) store<f64>(sums + (i << 3), 0);
    const offset = unchecked(rows.offset[y]);
    for (let k = 0; k < count; k++) {
      const weight = unchecked(rows.weights[offset + k]);
      const row = ring + <usize>((first + k) % ringRows) * rowBytes;
      for (let i: usize = 0; i < values; i++) {
        const at = sums + (i << 3);
        store<f64>(at, load<f64>(at) + weight * <f64>load<f32>(row + (i << 2)));
      }
    }
    for (let i: usize = 0; i < values; i++) store<u8>(out + i, toByte(load<f64>(sums + (i << 3))));
    out += values;
  }
}

/** One source row of RGBA8 through `columns` into one row of f32 RGBA at `out`. */
function horizontalRow(src: usize, columns: Taps, out: usize): void {
  const weights = changetype<usize>(columns.weights);
  const outWidth = columns.first.length;
  for (let x = 0; x < outWidth; x++) {
    let p = src + (<usize>unchecked(columns.first[x]) << 2);
    let w = weights + (<usize>unchecked(columns.offset[x]) << 3);
    const end = w + (<usize>unchecked(columns.count[x]) << 3);
    let r: f64 = 0, g: f64 = 0, b: f64 = 0, a: f64 = 0;
    for (; w < end; w += 8, p += 4) {
      const weight = load<f64>(w);
      r += weight * <f64>load<u8>(p, 0);
      g += weight * <f64>load<u8>(p, 1);
      b += weight * <f64>load<u8>(p, 2);
      a += weight * <f64>load<u8>(p, 3);
    }
    store<f32>(out, <f32>r, 0);
    store<f32>(out, <f32>g, 4);
    store<f32>(out, <f32>b, 8);
    store<f32>(out, <f32>a, 12);
    out += 16;
  }
}

/** The one rounding rule for every op: round half up, then clamp to 0..255. */
// @ts-ignore: decorator
@inline export function toByte(value: f64): u8 {
  return value <= 0 ? 0 : value >= 255 ? 255 : <u8>Math.floor(value + 0.5);
}

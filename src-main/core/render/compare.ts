// Image comparison for render tiles whose bytes may legitimately differ (the GPU tracer works in
// f32, the WASM kernel in f64): PSNR over the colour channels, and box downsampling to compare
// images after their per-pixel noise is averaged out.

/** Peak signal-to-noise ratio in dB of two RGBA8 images over R, G and B (alpha ignored); Infinity when they agree. */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new RangeError(`images differ in size: ${a.length} and ${b.length} bytes`);
  if (a.length % 4 !== 0) throw new RangeError(`${a.length} bytes is not a whole number of RGBA8 pixels`);
  let squares = 0;
  for (let i = 0; i < a.length; i += 4) {
    for (let channel = 0; channel < 3; channel++) squares += (a[i + channel]! - b[i + channel]!) ** 2;
  }
  if (squares === 0) return Infinity;
  const meanSquare = squares / ((a.length / 4) * 3);
  return 10 * Math.log10((255 * 255) / meanSquare);
}

/**
 * The image shrunk by `factor`: each output pixel is the rounded mean of a factor×factor block
 * (every channel, alpha too); blocks on the right and bottom edges are partial and average what
 * they hold.
 */
export function boxDownsample(
  rgba: Uint8Array,
  w: number,
  h: number,
  factor: number,
): { rgba: Uint8Array; w: number; h: number } {
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1)
    throw new RangeError(`image size ${w}×${h} must be whole numbers of at least 1`);
  if (rgba.length !== w * h * 4)
    throw new RangeError(`a ${w}×${h} RGBA8 image has ${w * h * 4} bytes, not ${rgba.length}`);
  if (!Number.isInteger(factor) || factor < 1)
    throw new RangeError(`factor ${factor} must be a whole number of at least 1`);
  const outW = Math.ceil(w / factor);
  const outH = Math.ceil(h / factor);
  const out = new Uint8Array(outW * outH * 4);
  for (let by = 0; by < outH; by++) {
    for (let bx = 0; bx < outW; bx++) {
      const sums = [0, 0, 0, 0];
      let count = 0;
      for (let y = by * factor; y < Math.min(h, (by + 1) * factor); y++) {
        for (let x = bx * factor; x < Math.min(w, (bx + 1) * factor); x++) {
          for (let channel = 0; channel < 4; channel++) sums[channel]! += rgba[(y * w + x) * 4 + channel]!;
          count++;
        }
      }
      for (let channel = 0; channel < 4; channel++)
        out[(by * outW + bx) * 4 + channel] = Math.round(sums[channel]! / count);
    }
  }
  return { rgba: out, w: outW, h: outH };
}

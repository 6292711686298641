// EXR frames (docs/BLENDER.md, "EXR frames"): what a Blender job asks for when it wants OpenEXR,
// the most such a frame may weigh, and the one fixed transform that maps its float pixels to 8-bit
// for the verification rule (compare.ts) and for the preview the app shows. The decoding itself is
// Blender's, in its sandbox (node/blender/exr.ts): an EXR from another peer is hostile input.
import type { Rgba } from './tiles.js';

/** OpenEXR's magic number, little-endian, the first four bytes of every EXR file. */
const EXR_MAGIC = [0x76, 0x2f, 0x31, 0x01];
/** Room for the header: its attributes and the metadata Blender writes (camera, date, frame…). */
const HEADER_BYTES = 64 * 1024;

/** Whether `bytes` begin as an OpenEXR file does (0x762f3101). */
export function isExr(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && EXR_MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * The most an EXR frame of width × height may weigh: four channels of `channelBytes` each (2, half
 * float; 4, a render before the compositor: full float) stored raw (OpenEXR keeps a block raw when
 * its codec would make it larger), a block of 16 scanlines (ZIP) needing an offset (8 bytes) and a
 * block header (8 bytes) each, so at most 16 bytes a scanline, and the header.
 */
export function exrFrameCap(width: number, height: number, channelBytes: 2 | 4 = 2): number {
  return width * height * 4 * channelBytes + height * 16 + HEADER_BYTES;
}

/** sRGB's encoding of a linear value in [0, 1]. */
function srgb(linear: number): number {
  return linear <= 0.0031308 ? 12.92 * linear : 1.055 * linear ** (1 / 2.4) - 0.055;
}

const clamp = (x: number): number => (x > 1 ? 1 : x > 0 ? x : 0); // NaN → 0
/** Values past 1 kept apart (x / (1 + x)): a render before the compositor holds the highlights a glare reads. */
const compress = (x: number): number => (x === Infinity ? 1 : x > 0 ? x / (1 + x) : 0); // NaN → 0

/**
 * An EXR's float RGBA pixels (as Blender hands them: rows from the bottom up) as 8-bit RGBA, rows
 * from the top: each colour channel clamped to [0, 1] (`display`; `hdr`: first mapped by x / (1 + x),
 * so that values past 1 still differ), sRGB-encoded and rounded to 0–255; alpha clamped and
 * rounded. The same transform for a provider's frame and the requester's crop.
 */
export function exrTo8Bit(
  pixels: Float32Array,
  width: number,
  height: number,
  range: 'display' | 'hdr' = 'display',
): Rgba {
  const colour = range === 'hdr' ? compress : clamp;
  if (pixels.length !== width * height * 4)
    throw new RangeError(`${pixels.length} floats are not the RGBA pixels of ${width}×${height}`);
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const from = (height - 1 - y) * width * 4;
    const to = y * width * 4;
    for (let i = 0; i < width * 4; i += 4) {
      for (let c = 0; c < 3; c++) data[to + i + c] = Math.round(srgb(colour(pixels[from + i + c]!)) * 255);
      data[to + i + 3] = Math.round(clamp(pixels[from + i + 3]!) * 255);
    }
  }
  return { width, height, data };
}

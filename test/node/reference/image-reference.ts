// A reference for the `image` kernel, written straight from the definitions in docs/KERNELS.md:
// float64 throughout, every tap summed explicitly, nothing shared with the kernel. The kernel
// must match it within ±1 per channel (it keeps its intermediate in f32 and precomputes its taps).

export interface RgbaImage {
  width: number;
  height: number;
  /** RGBA8, row-major. */
  pixels: Uint8Array;
}

export type ResizeFilter = 'lanczos3' | 'bilinear';

/** One axis of a separable filter: output i = Σ_j weight(i, j) · source[clamp(j)] / Σ_j weight(i, j), j in lo(i)..hi(i). */
interface AxisFilter {
  outLength: number;
  window(i: number): { lo: number; hi: number };
  weight(i: number, j: number): number;
}

export function referenceResize(
  image: RgbaImage,
  outWidth: number,
  outHeight: number,
  filter: ResizeFilter,
): Uint8Array {
  return separable(image, resizeAxis(image.width, outWidth, filter), resizeAxis(image.height, outHeight, filter));
}

export function referenceBlur(image: RgbaImage, sigma: number): Uint8Array {
  return separable(image, blurAxis(image.width, sigma), blurAxis(image.height, sigma));
}

/** Y = 0.299 R + 0.587 G + 0.114 B in R, G and B; alpha kept. */
export function referenceGrayscale(image: RgbaImage): Uint8Array {
  const out = new Uint8Array(image.pixels.length);
  for (let p = 0; p < image.pixels.length; p += 4) {
    const [r, g, b, a] = [0, 1, 2, 3].map((c) => image.pixels[p + c]!) as [number, number, number, number];
    const luma = toByte(0.299 * r + 0.587 * g + 0.114 * b);
    out.set([luma, luma, luma, a], p);
  }
  return out;
}

function lanczos3(x: number): number {
  const sinc = (t: number) => (t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t));
  return Math.abs(x) < 3 ? sinc(x) * sinc(x / 3) : 0;
}

function triangle(x: number): number {
  return Math.max(0, 1 - Math.abs(x));
}

/** Output i is centred on (i + 0.5) · src/dst; the filter is stretched by src/dst when downscaling. */
function resizeAxis(srcLength: number, outLength: number, filter: ResizeFilter): AxisFilter {
  const scale = srcLength / outLength;
  const stretch = Math.max(1, scale);
  const kernel = filter === 'lanczos3' ? lanczos3 : triangle;
  const support = (filter === 'lanczos3' ? 3 : 1) * stretch;
  const center = (i: number) => (i + 0.5) * scale;
  return {
    outLength,
    // Generously wide: taps outside the support weigh exactly 0.
    window: (i) => ({ lo: Math.floor(center(i) - support) - 2, hi: Math.ceil(center(i) + support) + 2 }),
    weight: (i, j) => kernel((j + 0.5 - center(i)) / stretch),
  };
}

function blurAxis(length: number, sigma: number): AxisFilter {
  const radius = Math.ceil(3 * sigma);
  return {
    outLength: length,
    window: (i) => ({ lo: i - radius, hi: i + radius }),
    weight: (i, j) => Math.exp(-((j - i) ** 2) / (2 * sigma * sigma)),
  };
}

function separable(image: RgbaImage, columns: AxisFilter, rows: AxisFilter): Uint8Array {
  const source = (x: number, y: number, c: number) => image.pixels[(y * image.width + x) * 4 + c]!;
  const outWidth = columns.outLength;
  const mid = new Float64Array(outWidth * image.height * 4);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < outWidth; x++) {
      for (let c = 0; c < 4; c++)
        mid[(y * outWidth + x) * 4 + c] = applyAxis(columns, x, image.width, (j) => source(j, y, c));
    }
  }
  const out = new Uint8Array(outWidth * rows.outLength * 4);
  for (let y = 0; y < rows.outLength; y++) {
    for (let x = 0; x < outWidth; x++) {
      for (let c = 0; c < 4; c++)
        out[(y * outWidth + x) * 4 + c] = toByte(
          applyAxis(rows, y, image.height, (j) => mid[(j * outWidth + x) * 4 + c]!),
        );
    }
  }
  return out;
}

/** Output sample i of one axis, reading source samples with clamped edges. */
function applyAxis(axis: AxisFilter, i: number, srcLength: number, sample: (j: number) => number): number {
  const { lo, hi } = axis.window(i);
  let weighted = 0;
  let total = 0;
  for (let j = lo; j <= hi; j++) {
    const w = axis.weight(i, j);
    weighted += w * sample(Math.min(srcLength - 1, Math.max(0, j)));
    total += w;
  }
  return weighted / total;
}

/** Round half up, then clamp to 0..255. */
function toByte(value: number): number {
  return Math.min(255, Math.max(0, Math.floor(value + 0.5)));
}

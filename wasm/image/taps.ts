// Tap tables: for each output sample of one axis, which source samples it mixes and with what
// weights. Resize and blur differ only in how they build these; the passes in convolve.ts apply them.
//
// Edges are clamped: a tap that falls before the first or after the last source sample reads that
// edge sample instead, so its weight is folded onto the edge tap. Every output's weights are
// normalised to sum to 1, which keeps a constant image constant.

export const FILTER_LANCZOS3: i32 = 0;
export const FILTER_BILINEAR: i32 = 1;

export class Taps {
  /** Per output sample: its first source sample, how many it reads, where its weights start. */
  readonly first: StaticArray<i32>;
  readonly count: StaticArray<i32>;
  readonly offset: StaticArray<i32>;
  readonly weights: StaticArray<f64>;
  private used: i32 = 0;

  constructor(outputs: i32, weightCapacity: i32) {
    this.first = new StaticArray<i32>(outputs);
    this.count = new StaticArray<i32>(outputs);
    this.offset = new StaticArray<i32>(outputs);
    this.weights = new StaticArray<f64>(weightCapacity);
  }

  /** Points output `i` at `count` weights already stored at `offset`, starting at source `first`. */
  share(i: i32, first: i32, count: i32, offset: i32): void {
    unchecked((this.first[i] = first));
    unchecked((this.count[i] = count));
    unchecked((this.offset[i] = offset));
  }

  /**
   * Stores output `i`'s taps from `n` raw weights at `raw` for source positions lo .. lo+n-1 of a
   * source `len` samples long: folds positions outside it onto the edges and normalises.
   * Returns where the weights start.
   */
  addFolded(i: i32, raw: StaticArray<f64>, lo: i32, n: i32, len: i32): i32 {
    const first = clampIndex(lo, len);
    const count = clampIndex(lo + n - 1, len) - first + 1;
    const offset = this.used;
    for (let k = 0; k < count; k++) unchecked((this.weights[offset + k] = 0));
    let sum: f64 = 0;
    for (let k = 0; k < n; k++) {
      const w = unchecked(raw[k]);
      const at = offset + clampIndex(lo + k, len) - first;
      unchecked((this.weights[at] += w));
      sum += w;
    }
    for (let k = 0; k < count; k++) unchecked((this.weights[offset + k] /= sum));
    this.used += count;
    this.share(i, first, count, offset);
    return offset;
  }
}

/**
 * Taps for resizing `srcLen` samples to `dstLen`: output i is centred on source position
 * (i + 0.5) · srcLen/dstLen, and when downscaling the filter is widened by srcLen/dstLen so
 * every source sample contributes (support = radius · max(1, srcLen/dstLen)).
 */
export function resizeTaps(srcLen: i32, dstLen: i32, filter: i32): Taps {
  const scale = <f64>srcLen / <f64>dstLen;
  const filterScale = max<f64>(1, scale);
  const support = resizeSupport(srcLen, dstLen, filter);
  const window = resizeWindow(srcLen, dstLen, filter);
  const taps = new Taps(dstLen, dstLen * window);
  const raw = new StaticArray<f64>(window);
  for (let i = 0; i < dstLen; i++) {
    const center = (<f64>i + 0.5) * scale;
    // Source sample j sits at j + 0.5; these are the j within the support of the centre.
    const lo = <i32>Math.ceil(center - support - 0.5);
    const hi = <i32>Math.floor(center + support - 0.5);
    for (let j = lo; j <= hi; j++) unchecked((raw[j - lo] = filterWeight(filter, (<f64>j + 0.5 - center) / filterScale)));
    taps.addFolded(i, raw, lo, hi - lo + 1, srcLen);
  }
  return taps;
}

/** The most source samples one output of a resize reads (before edges are clamped). */
export function resizeWindow(srcLen: i32, dstLen: i32, filter: i32): i32 {
  // At most floor(2·support) + 1 samples fit in the support; one more absorbs rounding in lo/hi.
  return <i32>Math.floor(2 * resizeSupport(srcLen, dstLen, filter)) + 2;
}

function resizeSupport(srcLen: i32, dstLen: i32, filter: i32): f64 {
  return filterRadius(filter) * max<f64>(1, <f64>srcLen / <f64>dstLen);
}

/** The number of source samples one output of a blur reads (before edges are clamped). */
export function blurWindow(sigma: f64): i32 {
  return 2 * blurRadius(sigma) + 1;
}

function blurRadius(sigma: f64): i32 {
  return <i32>Math.ceil(3 * sigma);
}

/** Gaussian taps for `len` samples: weights exp(-k²/2σ²) for offsets k in -r..r, r = ceil(3σ). */
export function blurTaps(len: i32, sigma: f64): Taps {
  const radius = blurRadius(sigma);
  const window = blurWindow(sigma);
  const raw = new StaticArray<f64>(window);
  for (let k = -radius; k <= radius; k++) unchecked((raw[k + radius] = Math.exp(-<f64>(k * k) / (2 * sigma * sigma))));
  // Only outputs within `radius` of an edge need their own folded weights; the rest share one set.
  const edgeOutputs = min(len, 2 * radius);
  const taps = new Taps(len, window * (edgeOutputs + 1));
  let shared = -1;
  for (let i = 0; i < len; i++) {
    const lo = i - radius;
    const inside = lo >= 0 && i + radius < len;
    if (inside && shared >= 0) taps.share(i, lo, window, shared);
    else {
      const offset = taps.addFolded(i, raw, lo, window, len);
      if (inside) shared = offset;
    }
  }
  return taps;
}

function filterRadius(filter: i32): f64 {
  return filter == FILTER_LANCZOS3 ? 3 : 1;
}

/** The filter's value at distance x (in filter units); exactly 0 outside its radius. */
function filterWeight(filter: i32, x: f64): f64 {
  const ax = Math.abs(x);
  if (filter == FILTER_BILINEAR) return ax < 1 ? 1 - ax : 0;
  if (ax == 0) return 1;
  if (ax >= 3) return 0;
  // sinc(x) · sinc(x/3), with sinc(x) = sin(πx)/(πx).
  const px = Math.PI * x;
  return (3 * Math.sin(px) * Math.sin(px / 3)) / (px * px);
}

// @ts-ignore: decorator
@inline function clampIndex(i: i32, len: i32): i32 {
  return i < 0 ? 0 : i >= len ? len - 1 : i;
}

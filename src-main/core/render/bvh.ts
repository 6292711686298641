// A bounding volume hierarchy over triangles, built with binned SAH (surface area heuristic) and
// flattened depth-first so the kernel walks it with a fixed-size stack. Deterministic: the same
// boxes in the same order give the same tree (ties keep the lowest axis and bin, partitions are
// stable), because the scene compiler must turn one scene into one blob, byte for byte.

/** Flattened nodes: an inner node's children are `first` and `first + 1`; a leaf holds triangles `order[first .. first + count)`. */
export interface Bvh {
  /** minX, minY, minZ, maxX, maxY, maxZ per node. */
  bounds: Float64Array;
  /** Left child index (inner node) or first triangle slot in `order` (leaf). */
  first: Uint32Array;
  /** 0 for an inner node, the number of triangles for a leaf. */
  count: Uint32Array;
  nodeCount: number;
  /** Triangle indices in leaf order: the compiler stores triangles in this order. */
  order: Uint32Array;
}

const BINS = 16;
const MAX_LEAF = 4;
/** The kernel's traversal stack holds 64 entries; a tree this deep needs at most this many. */
export const BVH_MAX_DEPTH = 48;
/** Cost of one traversal step relative to one triangle test, in the SAH. */
const TRAVERSAL_COST = 1;

/** Builds a BVH over `boxes` (6 numbers per triangle: min xyz, max xyz). */
export function buildBvh(boxes: Float64Array): Bvh {
  const n = boxes.length / 6;
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const maxNodes = Math.max(1, 2 * n - 1);
  const tree: Bvh = {
    bounds: new Float64Array(maxNodes * 6),
    first: new Uint32Array(maxNodes),
    count: new Uint32Array(maxNodes),
    nodeCount: 0,
    order,
  };
  if (n === 0) return tree;
  const centroids = new Float64Array(n * 3);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < 3; a++) centroids[i * 3 + a] = (boxes[i * 6 + a]! + boxes[i * 6 + 3 + a]!) / 2;
  tree.nodeCount = 1;
  split(tree, boxes, centroids, 0, 0, n, 0);
  return {
    ...tree,
    bounds: tree.bounds.slice(0, tree.nodeCount * 6),
    first: tree.first.slice(0, tree.nodeCount),
    count: tree.count.slice(0, tree.nodeCount),
  };
}

function split(
  tree: Bvh,
  boxes: Float64Array,
  centroids: Float64Array,
  node: number,
  start: number,
  end: number,
  depth: number,
): void {
  const { order } = tree;
  const box = emptyBox();
  const centroidBox = emptyBox();
  for (let k = start; k < end; k++) {
    const t = order[k]!;
    growBox(box, boxes, t * 6, t * 6 + 3);
    growBox(centroidBox, centroids, t * 3, t * 3);
  }
  tree.bounds.set(box, node * 6);
  const count = end - start;
  const best =
    count > MAX_LEAF && depth < BVH_MAX_DEPTH
      ? bestSplit(tree, boxes, centroids, centroidBox, area(box), start, end)
      : null;
  if (best === null || (best.cost >= count && count <= 16)) {
    makeLeaf(tree, node, start, count);
    return;
  }
  // Stable partition: triangles left of the split keep their order, then the rest keep theirs.
  const left: number[] = [];
  const right: number[] = [];
  for (let k = start; k < end; k++) {
    const t = order[k]!;
    (binOf(centroids[t * 3 + best.axis]!, centroidBox, best.axis) < best.bin ? left : right).push(t);
  }
  const mid = start + left.length;
  order.set(left, start);
  order.set(right, start + left.length);
  const leftChild = tree.nodeCount;
  tree.nodeCount += 2;
  tree.first[node] = leftChild;
  tree.count[node] = 0;
  split(tree, boxes, centroids, leftChild, start, mid, depth + 1);
  split(tree, boxes, centroids, leftChild + 1, mid, end, depth + 1);
}

function makeLeaf(tree: Bvh, node: number, start: number, count: number): void {
  tree.first[node] = start;
  tree.count[node] = count;
}

/** The cheapest split over 16 centroid bins on each axis (both sides non-empty), or null when all centroids coincide. */
function bestSplit(
  tree: Bvh,
  boxes: Float64Array,
  centroids: Float64Array,
  centroidBox: Float64Array,
  nodeArea: number,
  start: number,
  end: number,
) {
  let best: { axis: number; bin: number; cost: number } | null = null;
  for (let axis = 0; axis < 3; axis++) {
    if (!(centroidBox[axis + 3]! > centroidBox[axis]!)) continue;
    const binBoxes = Array.from({ length: BINS }, emptyBox);
    const binCounts = new Array<number>(BINS).fill(0);
    for (let k = start; k < end; k++) {
      const t = tree.order[k]!;
      const bin = binOf(centroids[t * 3 + axis]!, centroidBox, axis);
      binCounts[bin]!++;
      growBox(binBoxes[bin]!, boxes, t * 6, t * 6 + 3);
    }
    // Sweep from the right to know the area and count right of each boundary, then from the left.
    const rightArea = new Array<number>(BINS).fill(0);
    const rightCount = new Array<number>(BINS).fill(0);
    const acc = emptyBox();
    let accCount = 0;
    for (let b = BINS - 1; b > 0; b--) {
      growBox(acc, binBoxes[b]!, 0, 3);
      accCount += binCounts[b]!;
      rightArea[b] = area(acc);
      rightCount[b] = accCount;
    }
    const leftBox = emptyBox();
    let leftCount = 0;
    for (let b = 1; b < BINS; b++) {
      growBox(leftBox, binBoxes[b - 1]!, 0, 3);
      leftCount += binCounts[b - 1]!;
      if (leftCount === 0 || rightCount[b] === 0) continue;
      const cost =
        TRAVERSAL_COST + (leftCount * area(leftBox) + rightCount[b]! * rightArea[b]!) / Math.max(nodeArea, 1e-300);
      if (best === null || cost < best.cost) best = { axis, bin: b, cost };
    }
  }
  return best;
}

function binOf(centroid: number, centroidBox: Float64Array, axis: number): number {
  const lo = centroidBox[axis]!;
  const bin = Math.floor(((centroid - lo) / (centroidBox[axis + 3]! - lo)) * BINS);
  return Math.min(BINS - 1, Math.max(0, bin));
}

function emptyBox(): Float64Array {
  return Float64Array.of(Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity);
}

/** Grows `box` to hold the points `source[lo..lo+3)` (min corner) and `source[hi..hi+3)` (max corner). */
function growBox(box: Float64Array, source: Float64Array, lo: number, hi: number): void {
  for (let a = 0; a < 3; a++) {
    box[a] = Math.min(box[a]!, source[lo + a]!);
    box[a + 3] = Math.max(box[a + 3]!, source[hi + a]!);
  }
}

function area(box: Float64Array): number {
  const dx = box[3]! - box[0]!;
  const dy = box[4]! - box[1]!;
  const dz = box[5]! - box[2]!;
  return dx < 0 ? 0 : 2 * (dx * dy + dy * dz + dz * dx);
}

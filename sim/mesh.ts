// The population of the scale simulator (sim/scale.ts): who each peer is (a pure provider, a
// contributor that provides and submits a job, or a free-rider that submits a job and never
// provides), how many cores it offers, and the trust graph. Trust is a sparse random graph of
// friendships, each known to both ends with a weight per direction in (0, 1]: a requester's work
// reaches only peers it trusts that trust it back (docs/PROTOCOL.md, "Publish"), so a one-way edge
// would carry nothing. Per directed edge p → q it keeps what p knows of q: p's weight for q, q's
// balance with p (mutual credit, millicredits) and p's record of q's results (core/trust).
import type { Reputation } from '../src-main/core/trust/index.js';

export const CONTRIBUTOR = 1;
export const FREE_RIDER = 2;

/** Cores a providing peer offers, and how likely each is: laptops to workstations. */
const CORES = [1, 2, 4, 8, 16];
const CORE_ODDS = [0.1, 0.25, 0.35, 0.2, 0.1];

export interface MeshShape {
  peers: number;
  /** Peers with a job; the first `freeRiders` of them (in a seeded shuffle) never provide. */
  requesters: number;
  freeRiders: number;
  /** Each peer picks a friend count in [min, max] and draws half of it; the other half comes from others' picks. */
  degree: readonly [number, number];
}

export class Mesh {
  /** 0 for a pure provider, else CONTRIBUTOR or FREE_RIDER. */
  readonly role: Uint8Array;
  /** 0 for a free-rider. */
  readonly cores: Int32Array;
  /** The peers with a job, in order; a requester's job is its position here. */
  readonly requesters: Int32Array;
  /** Per peer: its position in `requesters`, or -1. */
  readonly jobOf: Int32Array;
  /** Friends of peer p: neighbour[offset[p] .. offset[p + 1]), ascending. Directed edge e = p → neighbour[e]. */
  readonly offset: Int32Array;
  readonly neighbour: Int32Array;
  readonly weight: Float64Array;
  /** Per directed edge p → q: q's balance with p (what p paid q minus what q paid p), and what q's escrows with p hold. */
  readonly balance: Float64Array;
  readonly held: Float64Array;
  /** Per directed edge p → q: p's record of q's results; undefined until q computed something for p. */
  readonly reputation: Array<Reputation | undefined>;
  /** Per peer: its friends that have a job (the requesters it may serve). */
  readonly friendRequesters: number[][];
  readonly names: string[];

  constructor(shape: MeshShape, random: () => number) {
    const n = shape.peers;
    this.names = Array.from({ length: n }, (_, p) => `p${p}`);
    this.role = new Uint8Array(n);
    this.jobOf = new Int32Array(n).fill(-1);
    const order = Array.from({ length: n }, (_, p) => p);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    this.requesters = Int32Array.from(order.slice(0, shape.requesters)).sort();
    for (let i = 0; i < shape.requesters; i++) this.role[order[i]!] = i < shape.freeRiders ? FREE_RIDER : CONTRIBUTOR;
    this.requesters.forEach((p, job) => (this.jobOf[p] = job));
    this.cores = Int32Array.from(this.role, (role) => (role === FREE_RIDER ? 0 : pick(CORES, CORE_ODDS, random())));

    const pairs = friendships(n, shape.degree, random);
    const degree = new Int32Array(n);
    for (const key of pairs) {
      degree[Math.floor(key / n)]!++;
      degree[key % n]!++;
    }
    this.offset = new Int32Array(n + 1);
    for (let p = 0; p < n; p++) this.offset[p + 1] = this.offset[p]! + degree[p]!;
    this.neighbour = new Int32Array(this.offset[n]!);
    const fill = this.offset.slice(0, n);
    for (const key of [...pairs].sort((a, b) => a - b)) {
      const a = Math.floor(key / n);
      const b = key % n;
      this.neighbour[fill[a]!++] = b;
      this.neighbour[fill[b]!++] = a;
    }
    for (let p = 0; p < n; p++) this.neighbour.subarray(this.offset[p], this.offset[p + 1]).sort();
    const edges = this.neighbour.length;
    this.weight = Float64Array.from({ length: edges }, () => 1 - random()); // (0, 1]
    this.balance = new Float64Array(edges);
    this.held = new Float64Array(edges);
    this.reputation = new Array<Reputation | undefined>(edges);
    this.friendRequesters = Array.from({ length: n }, (_, p) =>
      // A plain array: the simulator walks these millions of times, and a typed array's iterator is slower.
      Array.from(this.neighbour.subarray(this.offset[p], this.offset[p + 1])).filter((q) => this.jobOf[q]! >= 0),
    );
  }

  /** The directed edge p → q (they must be friends). */
  edge(p: number, q: number): number {
    let lo = this.offset[p]!;
    let hi = this.offset[p + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.neighbour[mid]!;
      if (v === q) return mid;
      if (v < q) lo = mid + 1;
      else hi = mid - 1;
    }
    throw new Error(`${this.names[p]} and ${this.names[q]} are not friends`);
  }

  /** Peer p's trust weights, as its commitment publishes them. */
  trustWeights(p: number): Record<string, number> {
    const weights: Record<string, number> = {};
    for (let e = this.offset[p]!; e < this.offset[p + 1]!; e++)
      weights[this.names[this.neighbour[e]!]!] = this.weight[e]!;
    return weights;
  }

  peerOf(name: string): number {
    return Number(name.slice(1));
  }
}

function pick(values: readonly number[], odds: readonly number[], x: number): number {
  for (let i = 0; i < values.length; i++) if ((x -= odds[i]!) < 0) return values[i]!;
  return values[values.length - 1]!;
}

/** Undirected friendships as keys a·n + b (a < b): each peer draws half its friend count. */
function friendships(n: number, [min, max]: readonly [number, number], random: () => number): Set<number> {
  const pairs = new Set<number>();
  for (let a = 0; a < n; a++) {
    const wanted = Math.round((min + random() * (max - min)) / 2);
    for (let k = 0; k < wanted; k++) {
      const b = Math.floor(random() * (n - 1));
      const other = b >= a ? b + 1 : b;
      pairs.add(Math.min(a, other) * n + Math.max(a, other));
    }
  }
  return pairs;
}

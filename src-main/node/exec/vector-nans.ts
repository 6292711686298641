// Which vector results of one function must have their NaNs canonicalised where they are made
// (simd.ts says why at all), and which may be left: a vector float result whose every use reads it
// as floats of the lanes it was made as shows no NaN's bits. Its uses are followed through local
// variables: a value written to a local is used as every read that may see that write is
// (local-flow.ts). Anything else (a store, an integer or bitwise operation, a call, a return, a
// block's result, other lanes) may show the bits, so a result that reaches one is canonicalised.
// In a SIMD loop whose floats stay floats this leaves nothing to canonicalise in the loop: the
// cost is where its results are stored.
import binaryen from 'binaryen';
import { reachingWrites } from './local-flow.js';
import { type Lanes, madeLanes, readLanes } from './simd.js';
import { expressionId } from './wasm-tree.js';

/** How a value is used: not at all ('any'), only as floats of these lanes, or where its bits may show ('seen'). */
type Use = 'any' | Lanes | 'seen';

const meet = (a: Use, b: Use): Use => (a === 'any' ? b : b === 'any' || a === b ? a : 'seen');

// binaryen.js has these at runtime, but its typings do not list them.
const local = binaryen as unknown as { LocalSet: { isTee(this: void, expr: number): boolean } };

function push(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export interface VectorMade {
  expr: number;
  /** The expression it is an operand of (0: it is the function's body). */
  parent: number;
  lanes: Lanes;
}

export class VectorNaNs {
  /** Each v128 expression's parent. */
  private readonly parents = new Map<number, number>();
  private readonly made: VectorMade[] = [];
  /** How each write to a v128 local is used, through the reads that may see it. */
  private readonly writes = new Map<number, Use>();

  /** Notes `expr`, a v128 expression of the function, and its parent; returns whether it may need canonicalising. */
  note(expr: number, parent: number): boolean {
    this.parents.set(expr, parent);
    const lanes = madeLanes(expr);
    if (lanes) this.made.push({ expr, parent, lanes });
    return lanes !== undefined;
  }

  /** The results that must be canonicalised where they are made; `isVector(i)`: local i is a v128. */
  toCanonicalise(body: number, isVector: (index: number) => boolean): VectorMade[] {
    if (this.made.length === 0) return [];
    const reaching = reachingWrites(body, isVector);
    if (!reaching) return this.made; // too much to follow: every result is canonicalised
    const readsOf = new Map<number, number[]>();
    /** The writes whose use may change when a write's does: those a read of it is the value of, through tees. */
    const dependents = new Map<number, number[]>();
    for (const [read, writes] of reaching)
      for (const write of writes) {
        push(readsOf, write, read);
        for (const above of this.writesAbove(read)) push(dependents, above, write);
      }
    // Every write starts at 'any' and only goes down (to its lanes, then 'seen'): a worklist ends.
    const pending = [...readsOf.keys()];
    for (let write = pending.pop(); write !== undefined; write = pending.pop()) {
      const use = readsOf.get(write)!.reduce<Use>((u, read) => meet(u, this.useOf(read)), 'any');
      if (use === (this.writes.get(write) ?? 'any')) continue;
      this.writes.set(write, use);
      pending.push(...(dependents.get(write) ?? []));
    }
    return this.made.filter(({ expr, lanes }) => meet(lanes, this.useOf(expr)) === 'seen');
  }

  /** The writes `expr`'s value goes into: its parent if that is a local.set, on up while they are tees. */
  private writesAbove(expr: number): number[] {
    const writes: number[] = [];
    for (let at = this.parents.get(expr) ?? 0; at !== 0 && expressionId(at) === binaryen.LocalSetId;) {
      writes.push(at);
      if (!local.LocalSet.isTee(at)) break;
      at = this.parents.get(at) ?? 0;
    }
    return writes;
  }

  /** How the value of `expr` (a v128 expression) is used, from its parent. */
  private useOf(expr: number): Use {
    const parent = this.parents.get(expr) ?? 0;
    if (parent === 0) return 'seen'; // the function's result
    const id = expressionId(parent);
    if (id === binaryen.DropId) return 'any';
    if (id === binaryen.LocalSetId) {
      const use = this.writes.get(parent) ?? 'any';
      return local.LocalSet.isTee(parent) ? meet(use, this.useOf(parent)) : use;
    }
    return readLanes(parent) ?? 'seen';
  }
}

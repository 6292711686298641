// Which writes of a local each read may see, in one function body of binaryen's tree: reaching
// definitions over WebAssembly's structured control flow (blocks, loops, ifs and branches to them).
// Compilers reuse one local for unrelated values (clang gives a v128 local an f32x4 in one loop and
// an f64x2 in the next), so vector-nans.ts follows values by the write they come from, not by the local.
//
// A loop is walked once, not to a fixed point (which nested loops would make exponential): at its
// start every write inside it is taken to reach, besides those from before it. That may add writes
// a read cannot see, never leave one out, which only ever makes vector-nans.ts canonicalise more.
// The work is counted, and a function that would take more than WORK_LIMIT gets no answer (its
// vector results are all canonicalised): a module cannot make the metering thread run for minutes.
import binaryen from 'binaryen';
import { childrenOf, expressionId } from './wasm-tree.js';

/** For each tracked local, the writes (local.set or local.tee) that may have given its value; none: unreachable code. */
type State = ReadonlyMap<number, ReadonlySet<number>> | null;

// binaryen.js has these at runtime, but its typings do not list them.
const calls = binaryen as unknown as Record<'Call' | 'CallIndirect', { isReturn(this: void, call: number): boolean }>;

/** Steps (expressions walked, writes copied) one function's analysis may take: a few seconds at most (~3 µs a step). */
const WORK_LIMIT = 2_000_000;

class OverBudget extends Error {}

class Work {
  private done = 0;
  spend(steps: number): void {
    if ((this.done += steps) > WORK_LIMIT) throw new OverBudget();
  }
}

function merge(work: Work, a: State, b: State): State {
  if (a === null || a === b) return b;
  if (b === null) return a;
  const merged = new Map(a);
  for (const [index, writes] of b) {
    const mine = merged.get(index);
    if (mine) work.spend(mine.size + writes.size);
    merged.set(index, mine ? new Set([...mine, ...writes]) : writes);
  }
  return merged;
}

/** The tracked writes inside each loop, by local, nested loops' included: one walk, each write added to the loops around it. */
function writesInLoops(work: Work, body: number, track: (index: number) => boolean) {
  const found = new Map<number, Map<number, Set<number>>>();
  const loops: Array<Map<number, Set<number>>> = [];
  const visit = (expr: number): void => {
    const id = expressionId(expr);
    if (id === binaryen.LocalSetId) {
      const index = (binaryen.getExpressionInfo(expr) as binaryen.LocalSetInfo).index;
      work.spend(loops.length);
      if (track(index))
        for (const writes of loops) {
          const set = writes.get(index);
          if (set) set.add(expr);
          else writes.set(index, new Set([expr]));
        }
    }
    if (id === binaryen.LoopId) loops.push(new Map());
    for (const child of childrenOf(expr)) visit(child);
    if (id === binaryen.LoopId) found.set(expr, loops.pop()!);
  };
  visit(body);
  return found;
}

class Flow {
  /** Each tracked read's writes; a read with none reads the local's value on entry (a param, or zero). */
  readonly reads = new Map<number, ReadonlySet<number>>();
  /** For each label in scope, innermost last, the states branches to it carry. */
  private readonly labels = new Map<string, State[][]>();

  constructor(
    private readonly work: Work,
    private readonly track: (index: number) => boolean,
    private readonly loopWrites: ReadonlyMap<number, ReadonlyMap<number, ReadonlySet<number>>>,
  ) {}

  /** The state after `expr` runs from `state`. */
  walk(expr: number, state: State): State {
    this.work.spend(1);
    const id = expressionId(expr);
    const info = binaryen.getExpressionInfo;
    if (id === binaryen.LocalGetId) {
      const { index } = info(expr) as binaryen.LocalGetInfo;
      if (this.track(index) && state) this.reads.set(expr, state.get(index) ?? new Set());
      return state;
    }
    if (id === binaryen.LocalSetId) {
      const { index, value } = info(expr) as binaryen.LocalSetInfo;
      const after = this.walk(value, state);
      if (!this.track(index) || after === null) return after;
      return new Map(after).set(index, new Set([expr]));
    }
    if (id === binaryen.BlockId) {
      const { name, children } = info(expr) as binaryen.BlockInfo;
      return this.scoped(name, () => children.reduce((s: State, child) => this.walk(child, s), state));
    }
    if (id === binaryen.LoopId) {
      // Branches to the loop's label come back to its start, which the loop's own writes already reach.
      const { name, body } = info(expr) as binaryen.LoopInfo;
      const start = merge(this.work, state, this.loopWrites.get(expr) ?? new Map());
      return this.scoped(name, () => this.walk(body, start), false);
    }
    if (id === binaryen.IfId) {
      const { condition, ifTrue, ifFalse } = info(expr) as binaryen.IfInfo;
      const after = this.walk(condition, state);
      return merge(this.work, this.walk(ifTrue, after), ifFalse ? this.walk(ifFalse, after) : after);
    }
    if (id === binaryen.BreakId) {
      const { name, value, condition } = info(expr) as binaryen.BreakInfo;
      let after = value ? this.walk(value, state) : state;
      after = condition ? this.walk(condition, after) : after;
      this.branch(name, after);
      return condition ? after : null;
    }
    if (id === binaryen.SwitchId) {
      const { names, defaultName, value, condition } = info(expr) as binaryen.SwitchInfo;
      let after = value ? this.walk(value, state) : state;
      after = this.walk(condition, after);
      for (const name of [...names, defaultName]) if (name) this.branch(name, after);
      return null;
    }
    for (const child of childrenOf(expr)) state = this.walk(child, state);
    // Nothing runs after a return, an unreachable or a tail call.
    if (id === binaryen.ReturnId || id === binaryen.UnreachableId) return null;
    if (id === binaryen.CallId && calls.Call.isReturn(expr)) return null;
    if (id === binaryen.CallIndirectId && calls.CallIndirect.isReturn(expr)) return null;
    return state;
  }

  private branch(name: string, state: State): void {
    const scopes = this.labels.get(name);
    if (scopes && state) scopes.at(-1)!.push(state);
  }

  /** A block's end is reached by falling off it or by a branch to its label; a loop's (`toEnd` false) only by falling off. */
  private scoped(name: string | undefined, walk: () => State, toEnd = true): State {
    if (!name) return walk();
    const branches: State[] = [];
    const scopes = this.labels.get(name) ?? [];
    this.labels.set(name, scopes);
    scopes.push(branches);
    try {
      const end = walk();
      return toEnd ? branches.reduce((a, b) => merge(this.work, a, b), end) : end;
    } finally {
      scopes.pop();
    }
  }
}

/**
 * For each read of a local that `track` selects in `body`, the writes it may read (none listed: the
 * local's value on entry); undefined when that would take more than WORK_LIMIT steps.
 */
export function reachingWrites(
  body: number,
  track: (index: number) => boolean,
): Map<number, ReadonlySet<number>> | undefined {
  const work = new Work();
  try {
    const flow = new Flow(work, track, writesInLoops(work, body, track));
    flow.walk(body, new Map());
    return flow.reads;
  } catch (err) {
    if (err instanceof OverBudget) return undefined;
    throw err;
  }
}

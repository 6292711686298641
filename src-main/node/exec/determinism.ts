// What the metering adds so that every honest node ends a unit the same way where V8 alone would
// not (docs/UNIT_ABI.md, "Determinism"):
//
// - Call depth. V8 overflows its stack at a depth that depends on the thread's stack size and on
//   the tier that compiled the code (Liftoff's frames are wider than TurboFan's). So every
//   function, on entry, adds its frame's weight — a fixed overhead, its params and locals and the
//   most values its code keeps waiting on the operand stack — to the exported i32 global
//   `mesh_call_depth`, traps once that passes CALL_DEPTH_SLOTS, and takes the weight off again on
//   every way out (falling off the end, `return`, and a tail call, which leaves the frame before
//   the callee's is made: after its operands, which may still call deeper from this frame). A
//   trap unwinds the instance, which is thrown away, so it needs no undoing. An exception caught
//   does: the frames it unwound took nothing off. So a function with a `try` keeps its depth at
//   entry in a local, and puts it back where a catch body begins (after its `pop`, which must come
//   first) and after the `try`.
// - NaNs. Arithmetic that makes a NaN may give it any sign and payload (x86 and ARM differ, and so
//   do V8's tiers on two NaN operands). A scalar NaN's bits can only be seen by storing it,
//   reinterpreting it as an integer, taking its sign with copysign or putting it in a vector, so
//   each of those first turns any NaN into the canonical one (0x7fc00000, 0x7ff8000000000000);
//   a vector's lanes are canonicalised where an operation that can make a NaN makes them, unless
//   no use of it can see the bits (simd.ts, vector-nans.ts). Other values pass through untouched.
//
// Nothing added here is charged fuel: fuel stays a count of the module's own instructions.
import binaryen from 'binaryen';
import { CALL_DEPTH_GLOBAL, CALL_DEPTH_SLOTS } from './abi.js';
import { BULK_CHARGE_OPERANDS, isSized } from './bulk-memory.js';
import { canonicalScalar, scalarSeen, type Seen } from './nan-bits.js';
import { canonicalV128, V128_CANONICAL_SLOTS } from './simd.js';
import { replaceChild } from './tree-edit.js';
import { type VectorMade, VectorNaNs } from './vector-nans.js';
import { childrenOf, expressionId } from './wasm-tree.js';

const DEPTH = '__mesh_determinism_depth';
/** A frame's cost beyond its locals and operands: return address, frame pointer, instance (measured: 7–8 slots). */
const FRAME_OVERHEAD_SLOTS = 8;
/** The locals a function may gain here: one of its result type, one f32, one f64 (more below). */
const TEMP_SLOTS = 3;
/** Operand stack slots taking the weight off holds at once (the depth, the weight). */
const LEAVE_OPERANDS = 2;

// binaryen.js has these at runtime, but its typings do not list them.
interface Setters {
  Function: { setBody(this: void, func: number, body: number): void };
  Return: { setValue(this: void, ret: number, value: number): void };
  Call: {
    isReturn(this: void, call: number): boolean;
    setOperandAt(this: void, call: number, index: number, operand: number): void;
  };
  CallIndirect: {
    isReturn(this: void, call: number): boolean;
    setTarget(this: void, call: number, target: number): void;
  };
  _BinaryenFunctionAddVar(this: void, func: number, type: number): number;
  Try: {
    getNumCatchBodies(this: void, expr: number): number;
    getNumCatchTags(this: void, expr: number): number;
    getCatchBodyAt(this: void, expr: number, index: number): number;
    getCatchTagAt(this: void, expr: number, index: number): string;
    setCatchBodyAt(this: void, expr: number, index: number, body: number): void;
  };
  Block: { insertChildAt(this: void, block: number, index: number, child: number): void };
}
const setters = binaryen as unknown as Setters;

/** Slots a value of `type` takes: 1 a scalar or reference, 2 a v128 (16 bytes), each of a tuple's. */
function slots(type: number): number {
  if (type === binaryen.none || type === binaryen.unreachable) return 0;
  return binaryen.expandType(type).reduce((n, t) => n + (t === binaryen.v128 ? 2 : 1), 0);
}

/** A `return` or a tail call, and the expression it is a child of (0: it is the function's body). */
interface Exit {
  expr: number;
  parent: number;
}

interface Frame {
  func: number;
  weight: number;
  /** Whether the metering gives it a bulk charge, and with it a local. */
  bulk: boolean;
  returns: Exit[];
  tails: Exit[];
  seen: Seen[];
  /** Its vector results that may hold NaNs, until the walk is over; then those to canonicalise where they stand. */
  nans: VectorNaNs;
  vectors: VectorMade[];
  /** Its `try`s with catch bodies, and the expressions they are children of. */
  tries: Exit[];
}

const isTailCall = (expr: number, id: binaryen.ExpressionIds) =>
  (id === binaryen.CallId && setters.Call.isReturn(expr)) ||
  (id === binaryen.CallIndirectId && setters.CallIndirect.isReturn(expr));

export class Determinism {
  private readonly frames: Frame[] = [];

  constructor(private readonly module: binaryen.Module) {}

  /** Notes what `func` needs; nothing changes until apply(), so the metering's walk sees the original. */
  visitFunction(func: number): void {
    const info = binaryen.getFunctionInfo(func);
    if (!info.body) return; // an import
    const nans = new VectorNaNs();
    const frame: Frame = {
      func,
      weight: 0,
      bulk: false,
      returns: [],
      tails: [],
      seen: [],
      nans,
      vectors: [],
      tries: [],
    };
    const operands = this.walk(info.body, 0, frame);
    const types = [...binaryen.expandType(info.params), ...info.vars];
    frame.vectors = nans.toCanonicalise(info.body, (index) => types[index] === binaryen.v128);
    const params = slots(info.params);
    // A tail call's last operand waits in a local of its type while the weight comes off.
    const tailTemps = new Set(frame.tails.flatMap((t) => childrenOf(t.expr).slice(-1).map(binaryen.getExpressionType)));
    const temps =
      TEMP_SLOTS +
      Math.max(0, slots(info.results) - 1) +
      (frame.vectors.length > 0 ? slots(binaryen.v128) : 0) +
      [...tailTemps].reduce((n, t) => n + slots(t), 0);
    const locals =
      info.vars.reduce((n, t) => n + slots(t), 0) +
      temps +
      (frame.bulk ? 1 : 0) +
      // A try's: the depth at entry, and its value while the depth goes back after it (a v128's two).
      (frame.tries.length > 0 ? 3 : 0);
    frame.weight = FRAME_OVERHEAD_SLOTS + params + locals + operands;
    this.frames.push(frame);
  }

  /** The most slots `expr` keeps on the operand stack at once, its own result included. */
  private walk(expr: number, parent: number, frame: Frame): number {
    const id = expressionId(expr);
    const tail = isTailCall(expr, id);
    if (id === binaryen.ReturnId) frame.returns.push({ expr, parent });
    else if (tail) frame.tails.push({ expr, parent });
    else if (id === binaryen.TryId && setters.Try.getNumCatchBodies(expr) > 0) frame.tries.push({ expr, parent });
    else {
      const seen = scalarSeen(expr);
      if (seen) frame.seen.push(seen);
    }
    const type = binaryen.getExpressionType(expr);
    // Whether it is canonicalised is known once the walk is over; its slots are counted in case.
    const mayCanonicalise = type === binaryen.v128 && frame.nans.note(expr, parent);
    let waiting = 0;
    let most = tail ? LEAVE_OPERANDS : 0;
    const children = childrenOf(expr);
    // A bulk instruction's length is charged, and a tail call's weight taken off, where its last operand is evaluated.
    const last = isSized(id) ? BULK_CHARGE_OPERANDS : tail ? LEAVE_OPERANDS : 0;
    if (isSized(id)) frame.bulk = true;
    for (const [i, child] of children.entries()) {
      const extra = i === children.length - 1 ? last : 0;
      most = Math.max(most, waiting + Math.max(extra, this.walk(child, expr, frame)));
      waiting += slots(binaryen.getExpressionType(child));
    }
    return Math.max(most, mayCanonicalise ? V128_CANONICAL_SLOTS : slots(type));
  }

  /** Adds the depth global, then rewrites what visitFunction noted. */
  apply(): void {
    this.module.addGlobal(DEPTH, binaryen.i32, true, this.module.i32.const(0));
    this.module.addGlobalExport(DEPTH, CALL_DEPTH_GLOBAL);
    for (const frame of this.frames) new FrameRewrite(this.module, frame).apply();
  }
}

/** One function's rewrite, inline (a helper call per store or return cost the render kernel 80%). */
class FrameRewrite {
  private readonly temps = new Map<number, number>();
  private readonly info: binaryen.FunctionInfo;

  constructor(
    private readonly m: binaryen.Module,
    private readonly frame: Frame,
  ) {
    this.info = binaryen.getFunctionInfo(frame.func);
  }

  /** A local of `type` added for the rewrite, one per type. */
  private temp(type: number): number {
    let index = this.temps.get(type);
    if (index === undefined) {
      index = setters._BinaryenFunctionAddVar(this.frame.func, type);
      this.temps.set(type, index);
    }
    return index;
  }

  /** `depth -= weight`. */
  private lower(): number {
    const m = this.m;
    return m.global.set(DEPTH, m.i32.sub(m.global.get(DEPTH, binaryen.i32), m.i32.const(this.frame.weight)));
  }

  /** `value` (or nothing), after the frame's weight is taken off the depth. */
  private leave(value: number | null): number {
    const m = this.m;
    if (value === null) return this.lower();
    const type = binaryen.getExpressionType(value);
    if (type === binaryen.none || type === binaryen.unreachable) return value; // it never comes back this way
    const t = this.temp(type);
    return m.block(null, [m.local.set(t, value), this.lower(), m.local.get(t, type)], type);
  }

  /** A tail call takes the weight off once its operands are evaluated, before the callee's frame is made. */
  private tailCall({ expr, parent }: { expr: number; parent: number }): void {
    const m = this.m;
    const info = binaryen.getExpressionInfo(expr) as unknown as { operands: number[]; target: number };
    if (expressionId(expr) === binaryen.CallIndirectId) setters.CallIndirect.setTarget(expr, this.leave(info.target));
    else if (info.operands.length > 0) {
      const at = info.operands.length - 1;
      setters.Call.setOperandAt(expr, at, this.leave(info.operands[at]!));
    } else replaceChild(this.frame.func, parent, expr, m.block(null, [this.lower(), expr], binaryen.unreachable));
  }

  /**
   * The depth at entry, kept in a local of its own, put back where each catch body begins and
   * after each `try`: frames an exception unwound never took their weight off. Returns the local.
   */
  private restoreAtCatches(): number {
    const m = this.m;
    const saved = setters._BinaryenFunctionAddVar(this.frame.func, binaryen.i32);
    const restore = () => m.global.set(DEPTH, m.local.get(saved, binaryen.i32));
    for (const { expr, parent } of this.frame.tries) {
      const catches = setters.Try.getNumCatchBodies(expr);
      const tags = setters.Try.getNumCatchTags(expr);
      for (let i = 0; i < catches; i++) {
        const body = setters.Try.getCatchBodyAt(expr, i);
        // A tag's values come by a `pop`, which must stay first: the depth goes back after it.
        const tag = i < tags ? setters.Try.getCatchTagAt(expr, i) : undefined;
        const pops = tag !== undefined && binaryen.getTagInfo(this.m.getTag(tag)).params !== binaryen.none;
        const type = binaryen.getExpressionType(body);
        if (!pops) setters.Try.setCatchBodyAt(expr, i, m.block(null, [restore(), body], type));
        else if (
          expressionId(body) === binaryen.BlockId &&
          !(binaryen.getExpressionInfo(body) as binaryen.BlockInfo).name
        )
          setters.Block.insertChildAt(body, 1, restore());
        // Otherwise the catch body is one expression: the depth goes back after the try, below.
      }
      const type = binaryen.getExpressionType(expr);
      let after: number;
      if (type === binaryen.none) after = m.block(null, [expr, restore()], binaryen.none);
      else if (type === binaryen.unreachable) continue;
      else {
        const t = this.temp(type);
        after = m.block(null, [m.local.set(t, expr), restore(), m.local.get(t, type)], type);
      }
      replaceChild(this.frame.func, parent, expr, after);
    }
    return saved;
  }

  apply(): void {
    const m = this.m;
    const { func, weight, returns, tails, seen, vectors } = this.frame;
    for (const { expr, parent, lanes } of vectors)
      replaceChild(func, parent, expr, canonicalV128(m, expr, lanes, this.temp(binaryen.v128)));
    for (const { expr, operand, put } of seen)
      put(expr, canonicalScalar(m, operand, this.temp(binaryen.getExpressionType(operand))));
    for (const tail of tails) this.tailCall(tail);
    for (const { expr: ret, parent } of returns) {
      const value = (binaryen.getExpressionInfo(ret) as binaryen.ReturnInfo).value;
      if (value) setters.Return.setValue(ret, this.leave(value));
      // A return without a value cannot take one: `leave; return` takes its place in its parent.
      else replaceChild(func, parent, ret, m.block(null, [this.leave(null), ret], binaryen.unreachable));
    }
    const depth = () => m.global.get(DEPTH, binaryen.i32);
    const saved = this.frame.tries.length > 0 ? this.restoreAtCatches() : undefined;
    const enter = [
      m.global.set(DEPTH, m.i32.add(depth(), m.i32.const(weight))),
      m.if(m.i32.gt_u(depth(), m.i32.const(CALL_DEPTH_SLOTS)), m.unreachable()),
      ...(saved === undefined ? [] : [m.local.set(saved, depth())]),
    ];
    const body = binaryen.getFunctionInfo(func).body;
    const results = this.info.results;
    const bodyType = binaryen.getExpressionType(body);
    const wrapped =
      bodyType === binaryen.unreachable
        ? m.block(null, [...enter, body], binaryen.auto)
        : results !== binaryen.none
          ? m.block(null, [...enter, this.leave(body)], results)
          : m.block(null, [...enter, body, this.leave(null)], binaryen.none);
    setters.Function.setBody(func, wrapped);
  }
}

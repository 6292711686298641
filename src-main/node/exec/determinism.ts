// What the metering adds so that every honest node ends a unit the same way where V8 alone would
// not (docs/UNIT_ABI.md, "Determinism"):
//
// - Call depth. V8 overflows its stack at a depth that depends on the thread's stack size and on
//   the tier that compiled the code (Liftoff's frames are wider than TurboFan's). So every
//   function, on entry, adds its frame's weight — a fixed overhead, its params and locals and the
//   most values its code keeps waiting on the operand stack — to the exported i32 global
//   `mesh_call_depth`, traps once that passes CALL_DEPTH_SLOTS, and takes the weight off again on
//   every way out (falling off the end, `return`). A trap unwinds the instance, which is thrown
//   away, so it needs no undoing.
// - NaNs. Arithmetic that makes a NaN may give it any sign and payload (x86 and ARM differ, and so
//   do V8's tiers on two NaN operands). A NaN's bits can only be seen by storing it, reinterpreting
//   it as an integer, or taking its sign with copysign, so each of those first turns any NaN into
//   the canonical one (0x7fc00000, 0x7ff8000000000000). Other values pass through untouched.
//
// Nothing added here is charged fuel: fuel stays a count of the module's own instructions.
import binaryen from 'binaryen';
import { CALL_DEPTH_GLOBAL, CALL_DEPTH_SLOTS } from './abi.js';
import { BULK_CHARGE_OPERANDS, SIZED_BULK } from './bulk-memory.js';
import { CHILD_FIELDS, childrenOf, expressionId } from './wasm-tree.js';

const DEPTH = '__mesh_determinism_depth';
/** A frame's cost beyond its locals and operands: return address, frame pointer, instance (measured: 7–8 slots). */
const FRAME_OVERHEAD_SLOTS = 8;

// binaryen.js has setters for these at runtime, but its typings do not list them.
interface Setters {
  Function: { setBody(this: void, func: number, body: number): void };
  Return: { setValue(this: void, ret: number, value: number): void };
  Store: { setValue(this: void, store: number, value: number): void };
  Unary: { setValue(this: void, unary: number, value: number): void };
  Binary: { setRight(this: void, binary: number, right: number): void };
  _BinaryenFunctionAddVar(this: void, func: number, type: number): number;
}
const setters = binaryen as unknown as Setters;

/** The locals a function may gain here: one of its result type, one f32, one f64. */
const TEMP_SLOTS = 3;

/** A `return` and the expression it is a child of (0: it is the function's body). */
interface Return {
  ret: number;
  parent: number;
}

/** Where a float's bits become visible: the float operand of `expr`, and how to put it back. */
interface Seen {
  expr: number;
  operand: number;
  put: (expr: number, value: number) => void;
}

interface Frame {
  func: number;
  weight: number;
  /** Whether the metering gives it a bulk charge, and with it a local. */
  bulk: boolean;
  returns: Return[];
  seen: Seen[];
}

export class Determinism {
  private readonly frames: Frame[] = [];

  constructor(private readonly module: binaryen.Module) {}

  /** Notes what `func` needs; nothing changes until apply(), so the metering's walk sees the original. */
  visitFunction(func: number): void {
    const info = binaryen.getFunctionInfo(func);
    if (!info.body) return; // an import
    const frame: Frame = { func, weight: 0, bulk: false, returns: [], seen: [] };
    const operands = this.walk(info.body, 0, frame);
    const params = binaryen.expandType(info.params).length;
    const locals = info.vars.length + TEMP_SLOTS + (frame.bulk ? 1 : 0);
    frame.weight = FRAME_OVERHEAD_SLOTS + params + locals + operands;
    this.frames.push(frame);
  }

  /** The most values `expr` keeps on the operand stack at once, its own result included. */
  private walk(expr: number, parent: number, frame: Frame): number {
    if (expressionId(expr) === binaryen.ReturnId) frame.returns.push({ ret: expr, parent });
    else noteFloatBits(expr, frame.seen);
    let waiting = 0;
    let most = 0;
    const children = childrenOf(expr);
    // A bulk instruction's length is charged where it is evaluated (bulk-memory.ts).
    const bulk = SIZED_BULK.has(expressionId(expr));
    if (bulk) frame.bulk = true;
    for (const [i, child] of children.entries()) {
      const charge = bulk && i === children.length - 1 ? BULK_CHARGE_OPERANDS : 0;
      most = Math.max(most, waiting + Math.max(charge, this.walk(child, expr, frame)));
      if (isConcrete(binaryen.getExpressionType(child))) waiting++;
    }
    return Math.max(most, isConcrete(binaryen.getExpressionType(expr)) ? 1 : 0);
  }

  /** Adds the depth global, then rewrites what visitFunction noted. */
  apply(): void {
    this.module.addGlobal(DEPTH, binaryen.i32, true, this.module.i32.const(0));
    this.module.addGlobalExport(DEPTH, CALL_DEPTH_GLOBAL);
    for (const frame of this.frames) new FrameRewrite(this.module, frame).apply();
  }
}

function noteFloatBits(expr: number, seen: Seen[]): void {
  const id = expressionId(expr);
  if (id === binaryen.StoreId) {
    const { value } = binaryen.getExpressionInfo(expr) as binaryen.StoreInfo;
    if (isFloat(binaryen.getExpressionType(value))) seen.push({ expr, operand: value, put: setters.Store.setValue });
  } else if (id === binaryen.UnaryId) {
    const { op, value } = binaryen.getExpressionInfo(expr) as binaryen.UnaryInfo;
    if (op === binaryen.ReinterpretFloat32 || op === binaryen.ReinterpretFloat64)
      seen.push({ expr, operand: value, put: setters.Unary.setValue });
  } else if (id === binaryen.BinaryId) {
    const { op, right } = binaryen.getExpressionInfo(expr) as binaryen.BinaryInfo;
    if (op === binaryen.CopySignFloat32 || op === binaryen.CopySignFloat64)
      seen.push({ expr, operand: right, put: setters.Binary.setRight });
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

  /** `x` unless it is a NaN, else the canonical NaN: select(tee t x, NaN, t == t). */
  private canonical(x: number): number {
    const m = this.m;
    const type = binaryen.getExpressionType(x);
    const t = this.temp(type);
    const get = () => m.local.get(t, type);
    if (type === binaryen.f32)
      return m.select(m.f32.eq(get(), get()), m.local.tee(t, x, type), m.f32.const_bits(0x7fc00000));
    return m.select(m.f64.eq(get(), get()), m.local.tee(t, x, type), m.f64.const_bits(0x7ff8000000000000n));
  }

  /** `value` (or nothing), after the frame's weight is taken off the depth. */
  private leave(value: number | null): number {
    const m = this.m;
    const lower = m.global.set(DEPTH, m.i32.sub(m.global.get(DEPTH, binaryen.i32), m.i32.const(this.frame.weight)));
    if (value === null) return lower;
    const type = binaryen.getExpressionType(value);
    if (!isConcrete(type)) return value; // it never comes back this way
    const t = this.temp(type);
    return m.block(null, [m.local.set(t, value), lower, m.local.get(t, type)], type);
  }

  apply(): void {
    const m = this.m;
    const { func, weight, returns, seen } = this.frame;
    for (const { expr, operand, put } of seen) put(expr, this.canonical(operand));
    for (const { ret, parent } of returns) {
      const value = (binaryen.getExpressionInfo(ret) as binaryen.ReturnInfo).value;
      if (value) setters.Return.setValue(ret, this.leave(value));
      // A return without a value cannot take one: `leave; return` takes its place in its parent.
      else replaceChild(func, parent, ret, m.block(null, [this.leave(null), ret], binaryen.unreachable));
    }
    const depth = () => m.global.get(DEPTH, binaryen.i32);
    const enter = [
      m.global.set(DEPTH, m.i32.add(depth(), m.i32.const(weight))),
      m.if(m.i32.gt_u(depth(), m.i32.const(CALL_DEPTH_SLOTS)), m.unreachable()),
    ];
    const body = binaryen.getFunctionInfo(func).body;
    const results = this.info.results;
    const bodyType = binaryen.getExpressionType(body);
    const wrapped =
      bodyType === binaryen.unreachable
        ? m.block(null, [...enter, body], binaryen.auto)
        : isConcrete(results)
          ? m.block(null, [...enter, this.leave(body)], results)
          : m.block(null, [...enter, body, this.leave(null)], binaryen.none);
    setters.Function.setBody(func, wrapped);
  }
}

// The binaryen.js namespaces whose setters put back a child of each kind of expression.
const KINDS = new Map<number, string>([
  [binaryen.BlockId, 'Block'],
  [binaryen.IfId, 'If'],
  [binaryen.LoopId, 'Loop'],
  [binaryen.BreakId, 'Break'],
  [binaryen.SwitchId, 'Switch'],
  [binaryen.LocalSetId, 'LocalSet'],
  [binaryen.GlobalSetId, 'GlobalSet'],
  [binaryen.UnaryId, 'Unary'],
  [binaryen.DropId, 'Drop'],
  [binaryen.ReturnId, 'Return'],
  [binaryen.MemoryGrowId, 'MemoryGrow'],
  [binaryen.LoadId, 'Load'],
  [binaryen.StoreId, 'Store'],
  [binaryen.BinaryId, 'Binary'],
  [binaryen.SelectId, 'Select'],
  [binaryen.CallId, 'Call'],
  [binaryen.CallIndirectId, 'CallIndirect'],
  [binaryen.MemoryCopyId, 'MemoryCopy'],
  [binaryen.MemoryFillId, 'MemoryFill'],
  [binaryen.MemoryInitId, 'MemoryInit'],
]);

/** Puts `replacement` where `child` was in `parent` (or as `func`'s body when parent is 0). */
function replaceChild(func: number, parent: number, child: number, replacement: number): void {
  if (parent === 0) return setters.Function.setBody(func, replacement);
  const id = expressionId(parent);
  const kind = (binaryen as unknown as Record<string, Record<string, (...args: number[]) => void>>)[KINDS.get(id)!]!;
  const info = binaryen.getExpressionInfo(parent) as unknown as Record<string, number> &
    Record<'children' | 'operands', number[]>;
  if (id === binaryen.BlockId) return kind.setChildAt!(parent, info.children.indexOf(child), replacement);
  if ((id === binaryen.CallId || id === binaryen.CallIndirectId) && info.operands.includes(child))
    return kind.setOperandAt!(parent, info.operands.indexOf(child), replacement);
  const field = id === binaryen.CallIndirectId ? 'target' : CHILD_FIELDS.get(id)!.find((k) => info[k] === child)!;
  kind[`set${field[0]!.toUpperCase()}${field.slice(1)}`]!(parent, replacement);
}

const isConcrete = (type: number) => type !== binaryen.none && type !== binaryen.unreachable;
const isFloat = (type: number) => type === binaryen.f32 || type === binaryen.f64;

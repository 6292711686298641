// Where a NaN's bits would become visible, and the code that makes them canonical there, for
// determinism.ts (docs/UNIT_ABI.md, "Determinism"). A scalar float's bits are seen when it is
// stored, reinterpreted, gives its sign to copysign, or enters a vector (splat, replace_lane); a
// vector's float lanes are canonicalised where an operation that can make a NaN makes them (simd.ts).
import binaryen from 'binaryen';
import { isScalarIntoVector } from './simd.js';
import { expressionId } from './wasm-tree.js';

// binaryen.js has these at runtime, but its typings do not list them. Each getter is one call into
// binaryen, where getExpressionInfo reads every field of the expression into an object.
interface Accessors {
  Store: { getValue(this: void, store: number): number; setValue(this: void, store: number, value: number): void };
  Unary: {
    getOp(this: void, unary: number): binaryen.Operations;
    getValue(this: void, unary: number): number;
    setValue(this: void, unary: number, value: number): void;
  };
  Binary: {
    getOp(this: void, binary: number): binaryen.Operations;
    getRight(this: void, binary: number): number;
    setRight(this: void, binary: number, right: number): void;
  };
  SIMDReplace: {
    getValue(this: void, replace: number): number;
    setValue(this: void, replace: number, value: number): void;
  };
}
const { Store, Unary, Binary, SIMDReplace } = binaryen as unknown as Accessors;

/** Where a scalar float's bits become visible: the float operand of `expr`, and how to put it back. */
export interface Seen {
  expr: number;
  operand: number;
  put: (expr: number, value: number) => void;
}

const isFloat = (type: number) => type === binaryen.f32 || type === binaryen.f64;

/** The scalar float operand of `expr` whose bits `expr` makes visible, if any. */
export function scalarSeen(expr: number): Seen | undefined {
  const id = expressionId(expr);
  let seen: Seen | undefined;
  if (id === binaryen.StoreId) {
    seen = { expr, operand: Store.getValue(expr), put: Store.setValue };
  } else if (id === binaryen.UnaryId) {
    const op = Unary.getOp(expr);
    if (op === binaryen.ReinterpretFloat32 || op === binaryen.ReinterpretFloat64 || isScalarIntoVector(expr, id))
      seen = { expr, operand: Unary.getValue(expr), put: Unary.setValue };
  } else if (id === binaryen.BinaryId) {
    const op = Binary.getOp(expr);
    if (op === binaryen.CopySignFloat32 || op === binaryen.CopySignFloat64)
      seen = { expr, operand: Binary.getRight(expr), put: Binary.setRight };
  } else if (id === binaryen.SIMDReplaceId && isScalarIntoVector(expr, id)) {
    seen = { expr, operand: SIMDReplace.getValue(expr), put: SIMDReplace.setValue };
  }
  // An operand that never gives a value (a `return`, an `unreachable`) has no bits to show.
  return seen && isFloat(binaryen.getExpressionType(seen.operand)) ? seen : undefined;
}

/** `x` unless it is a NaN, else the canonical NaN: select(tee t x, NaN, t == t). `t` is a local of x's type. */
export function canonicalScalar(m: binaryen.Module, x: number, t: number): number {
  const type = binaryen.getExpressionType(x);
  const get = () => m.local.get(t, type);
  if (type === binaryen.f32)
    return m.select(m.f32.eq(get(), get()), m.local.tee(t, x, type), m.f32.const_bits(0x7fc00000));
  return m.select(m.f64.eq(get(), get()), m.local.tee(t, x, type), m.f64.const_bits(0x7ff8000000000000n));
}

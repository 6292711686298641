// SIMD128 in units (docs/UNIT_ABI.md, "Determinism"): which operations make float lanes whose NaN
// bits the machine chooses, which only read float lanes as floats, which put a scalar float's bits
// into a vector, and which are relaxed SIMD, whose results differ between machines and are refused.
//
// A v128 has no type of its own: any integer or bitwise operation, a store, a lane extracted as an
// integer sees a float lane's bits. So a vector that an operation able to make a NaN made
// (arithmetic, rounding, conversions between f32 and f64) is canonicalised lane by lane where it is
// made, in the lanes it was made as, so integer data is never touched; unless vector-nans.ts shows
// that every use reads it as floats of the same lanes (more arithmetic, a comparison, a float lane
// extracted), which never shows a NaN's bits. abs, neg, pmin and pmax only move bits (the sign, or
// one operand's lane), as bitwise operations do: they never make a NaN, and what they are given is
// canonicalised first if it may hold one. A scalar float entering a vector (splat, replace_lane)
// is canonicalised as scalars are where their bits become visible.
import binaryen from 'binaryen';

export type Lanes = 'f32x4' | 'f64x2';

const b = binaryen as unknown as Record<string, number>;
const ops = (names: string[]) => new Set(names.map((n) => b[n]!));
const both = (names: string[]) =>
  names.flatMap((k) => [[b[`${k}VecF32x4`]!, 'f32x4'] as const, [b[`${k}VecF64x2`]!, 'f64x2'] as const]);

const UNARY_ARITHMETIC = ['Sqrt', 'Ceil', 'Floor', 'Trunc', 'Nearest'];
const BINARY_ARITHMETIC = ['Add', 'Sub', 'Mul', 'Div', 'Min', 'Max'];

/** Operations whose result's lanes may hold NaN bits of the machine's choosing, by the lanes they make. */
const MAKING = new Map<number, Map<number, Lanes>>([
  [
    binaryen.UnaryId,
    new Map([
      ...both(UNARY_ARITHMETIC),
      [b.DemoteZeroVecF64x2ToVecF32x4!, 'f32x4'],
      [b.PromoteLowVecF32x4ToVecF64x2!, 'f64x2'],
    ]),
  ],
  [binaryen.BinaryId, new Map(both(BINARY_ARITHMETIC))],
]);

/**
 * Operations that read their vector operands only as floats of these lanes: a NaN operand lane
 * gives a NaN (itself made again, above), false in a comparison, 0 in a saturating truncation, or
 * a scalar float extracted, whose bits scalar rules look after. None shows a NaN's bits.
 */
const READING = new Map<number, Map<number, Lanes>>([
  [
    binaryen.UnaryId,
    new Map([
      ...both(UNARY_ARITHMETIC),
      [b.DemoteZeroVecF64x2ToVecF32x4!, 'f64x2'],
      [b.PromoteLowVecF32x4ToVecF64x2!, 'f32x4'],
      [b.TruncSatSVecF32x4ToVecI32x4!, 'f32x4'],
      [b.TruncSatUVecF32x4ToVecI32x4!, 'f32x4'],
      [b.TruncSatZeroSVecF64x2ToVecI32x4!, 'f64x2'],
      [b.TruncSatZeroUVecF64x2ToVecI32x4!, 'f64x2'],
    ]),
  ],
  [binaryen.BinaryId, new Map(both([...BINARY_ARITHMETIC, 'Eq', 'Ne', 'Lt', 'Gt', 'Le', 'Ge']))],
  [binaryen.SIMDExtractId, new Map(both(['ExtractLane']))],
]);

// Each kind's static `getOp` is one call into binaryen; getExpressionInfo, for the kinds without
// one, reads every field of the expression into an object.
const namespaces = binaryen as unknown as Record<string, { getOp?: (this: void, expr: number) => number } | undefined>;
const OP_GETTERS = new Map(
  ['Unary', 'Binary', 'SIMDExtract', 'SIMDReplace', 'SIMDShift', 'SIMDTernary', 'SIMDLoad'].flatMap((kind) => {
    const getOp = namespaces[kind]?.getOp;
    return getOp ? [[(binaryen as unknown as Record<string, number>)[`${kind}Id`]!, getOp] as const] : [];
  }),
);
const opOf = (expr: number) =>
  OP_GETTERS.get(binaryen.getExpressionId(expr))?.(expr) ??
  (binaryen.getExpressionInfo(expr) as unknown as { op: number }).op;

function lookUp(table: Map<number, Map<number, Lanes>>, expr: number): Lanes | undefined {
  const byOp = table.get(binaryen.getExpressionId(expr));
  return byOp?.get(opOf(expr));
}

/** The lanes `expr` (a v128) makes when it may hold NaN bits of the machine's choosing. */
export const madeLanes = (expr: number): Lanes | undefined => lookUp(MAKING, expr);

/** The lanes `expr` reads its vector operands as when it reads them only as floats. */
export const readLanes = (expr: number): Lanes | undefined => lookUp(READING, expr);

/** Splats and lane replacements whose scalar operand is a float: where its bits enter a vector. */
const SCALAR_INTO_VECTOR = new Map<number, Set<number>>([
  [binaryen.UnaryId, ops(['SplatVecF32x4', 'SplatVecF64x2'])],
  [binaryen.SIMDReplaceId, ops(['ReplaceLaneVecF32x4', 'ReplaceLaneVecF64x2'])],
]);

export const isScalarIntoVector = (expr: number, id: number) => SCALAR_INTO_VECTOR.get(id)?.has(opOf(expr)) ?? false;

/**
 * Operand stack slots of a v128 canonicalisation at its peak: the value, the NaN constant and two
 * reads of the value, 2 slots each (determinism.ts counts a v128 as 2).
 */
export const V128_CANONICAL_SLOTS = 8;

/** `x`'s lanes, any NaN among them replaced by the canonical one; `t` is a v128 local it may use. */
export function canonicalV128(m: binaryen.Module, x: number, lanes: Lanes, t: number): number {
  const get = () => m.local.get(t, binaryen.v128);
  // Lanes equal to themselves are not NaNs: bitselect keeps them and takes the others from the constant.
  const notNaN = lanes === 'f32x4' ? m.f32x4.eq(get(), get()) : m.f64x2.eq(get(), get());
  const nan = lanes === 'f32x4' ? [0, 0, 0xc0, 0x7f] : [0, 0, 0, 0, 0, 0, 0xf8, 0x7f];
  const bytes = Array.from({ length: 16 }, (_, i) => nan[i % nan.length]!);
  return m.v128.bitselect(m.local.tee(t, x, binaryen.v128), m.v128.const(bytes), notNaN);
}

// Relaxed SIMD's results are the machine's choice (x86 and ARM differ), so a refusal names it
// rather than SIMD alone. Each class of expression numbers its ops apart, so each has its own set.
const RELAXED_SIMD = new Map<number, Set<number>>([
  [
    binaryen.UnaryId,
    ops(
      ['S', 'U', 'ZeroS', 'ZeroU'].map(
        (k) => `RelaxedTrunc${k}Vec${k.startsWith('Zero') ? 'F64x2' : 'F32x4'}ToVecI32x4`,
      ),
    ),
  ],
  [
    binaryen.BinaryId,
    ops(
      [
        'SwizzleVecI8x16',
        'MinVecF32x4',
        'MaxVecF32x4',
        'MinVecF64x2',
        'MaxVecF64x2',
        'Q15MulrSVecI16x8',
        'DotI8x16I7x16SToVecI16x8',
      ].map((k) => `Relaxed${k}`),
    ),
  ],
  [
    binaryen.SIMDTernaryId,
    ops(
      [
        'MaddVecF32x4',
        'NmaddVecF32x4',
        'MaddVecF64x2',
        'NmaddVecF64x2',
        'LaneselectI8x16',
        'LaneselectI16x8',
        'LaneselectI32x4',
        'LaneselectI64x2',
        'DotI8x16I7x16AddSToVecI32x4',
      ].map((k) => `Relaxed${k}`),
    ),
  ],
]);

export function isRelaxedSimd(expr: number, id: number): boolean {
  return RELAXED_SIMD.get(id)?.has(opOf(expr)) ?? false;
}

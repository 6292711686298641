// The slice of binaryen's tree a unit may use, and how to walk it: shared by the fuel metering
// (metering.ts) and the determinism checks (determinism.ts), so both refuse and see the same code.
import binaryen from 'binaryen';

/** The module cannot be metered: it uses an instruction the metering does not know, or a reserved name. */
export class MeteringRefused extends Error {}

// Expression kinds a unit may use: WebAssembly 1.0 plus sign extension, non-trapping float-to-int
// and mutable globals. Bulk memory (memory.copy/fill) is left out on purpose: its cost depends on
// a length known only at run time, so a flat per-instruction charge could not bill it honestly.
const LEAF_IDS = new Set([
  binaryen.NopId,
  binaryen.LocalGetId,
  binaryen.GlobalGetId,
  binaryen.ConstId,
  binaryen.UnreachableId,
  binaryen.MemorySizeId,
]);

// binaryen.js's typings return a plain number from getExpressionId; its values are those of ExpressionIds.
// oxlint-disable-next-line typescript/no-unsafe-enum-assignment -- the typings are looser than the values
export const expressionId = (expr: number) => binaryen.getExpressionId(expr) as binaryen.ExpressionIds;

// The fields of getExpressionInfo that hold an expression's children, in evaluation order.
export const CHILD_FIELDS = new Map<binaryen.ExpressionIds, string[]>([
  [binaryen.IfId, ['condition', 'ifTrue', 'ifFalse']],
  [binaryen.LoopId, ['body']],
  [binaryen.BreakId, ['value', 'condition']],
  [binaryen.SwitchId, ['value', 'condition']],
  [binaryen.LocalSetId, ['value']],
  [binaryen.GlobalSetId, ['value']],
  [binaryen.UnaryId, ['value']],
  [binaryen.DropId, ['value']],
  [binaryen.ReturnId, ['value']],
  [binaryen.LoadId, ['ptr']],
  [binaryen.StoreId, ['ptr', 'value']],
  [binaryen.BinaryId, ['left', 'right']],
  [binaryen.SelectId, ['ifTrue', 'ifFalse', 'condition']],
  [binaryen.MemoryGrowId, ['delta']],
]);

/** The WebAssembly feature each refused instruction belongs to, so a refusal can name it. */
const FEATURE_OF = new Map<number, string>([
  ...[binaryen.TryId, binaryen.ThrowId, binaryen.RethrowId].map((id): [number, string] => [id, 'exception handling']),
  ...[
    binaryen.AtomicRMWId,
    binaryen.AtomicCmpxchgId,
    binaryen.AtomicWaitId,
    binaryen.AtomicNotifyId,
    binaryen.AtomicFenceId,
  ].map((id): [number, string] => [id, 'threads (atomics)']),
  ...[binaryen.MemoryCopyId, binaryen.MemoryFillId, binaryen.MemoryInitId, binaryen.DataDropId].map(
    (id): [number, string] => [id, 'bulk memory'],
  ),
  ...[
    binaryen.RefNullId,
    binaryen.RefIsNullId,
    binaryen.RefFuncId,
    binaryen.TableGetId,
    binaryen.TableSetId,
    binaryen.TableSizeId,
    binaryen.TableGrowId,
  ].map((id): [number, string] => [id, 'reference types']),
]);

// Relaxed SIMD's results are the machine's choice (x86 and ARM differ), so a refusal names it
// rather than SIMD alone. Each class of expression numbers its ops apart, so each has its own set.
const b = binaryen as unknown as Record<string, number>;
const RELAXED_SIMD = new Map<number, Set<number>>([
  [
    binaryen.UnaryId,
    new Set(
      ['S', 'U', 'ZeroS', 'ZeroU'].map(
        (k) => b[`RelaxedTrunc${k}Vec${k.startsWith('Zero') ? 'F64x2' : 'F32x4'}ToVecI32x4`]!,
      ),
    ),
  ],
  [
    binaryen.BinaryId,
    new Set(
      [
        'SwizzleVecI8x16',
        'MinVecF32x4',
        'MaxVecF32x4',
        'MinVecF64x2',
        'MaxVecF64x2',
        'Q15MulrSVecI16x8',
        'DotI8x16I7x16SToVecI16x8',
      ].map((k) => b[`Relaxed${k}`]!),
    ),
  ],
  [
    binaryen.SIMDTernaryId,
    new Set(
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
      ].map((k) => b[`Relaxed${k}`]!),
    ),
  ],
]);

function isRelaxedSimd(expr: number, id: number): boolean {
  const ops = RELAXED_SIMD.get(id);
  return ops !== undefined && ops.has((binaryen.getExpressionInfo(expr) as unknown as { op: number }).op);
}

/** The children of a supported expression, in evaluation order. */
export function childrenOf(expr: number): number[] {
  const id = expressionId(expr);
  // Every SIMD value is made by some expression of type v128, so this one check refuses SIMD.
  if (binaryen.getExpressionType(expr) === binaryen.v128)
    throw new MeteringRefused(
      isRelaxedSimd(expr, id)
        ? 'uses relaxed SIMD, whose results differ between machines, which units do not allow'
        : 'uses SIMD, which the unit ABI does not allow',
    );
  if (LEAF_IDS.has(id)) return [];
  const info = binaryen.getExpressionInfo(expr) as unknown as Record<string, number & number[]>;
  if (id === binaryen.BlockId) return [...(info.children as number[])];
  if (id === binaryen.CallId || id === binaryen.CallIndirectId) {
    if ((info as unknown as { isReturn: boolean }).isReturn)
      throw new MeteringRefused('uses tail calls, which the unit ABI does not allow');
    return id === binaryen.CallId
      ? [...(info.operands as number[])]
      : [...(info.operands as number[]), info.target as number];
  }
  const fields = CHILD_FIELDS.get(id);
  if (!fields) {
    const feature = FEATURE_OF.get(id);
    throw new MeteringRefused(
      feature
        ? `uses ${feature} (binaryen expression id ${id}), outside the unit ABI's instruction set`
        : `uses an instruction (binaryen expression id ${id}) outside the unit ABI's instruction set`,
    );
  }
  return fields.map((k) => info[k] as number).filter((c) => c !== 0);
}

// The slice of binaryen's tree a unit may use, and how to walk it: shared by the fuel metering
// (metering.ts) and the determinism checks (determinism.ts), so both refuse and see the same code.
import binaryen from 'binaryen';

/** The module cannot be metered: it uses an instruction the metering does not know, or a reserved name. */
export class MeteringRefused extends Error {}

// Expression kinds a unit may use: WebAssembly 1.0 plus sign extension, non-trapping float-to-int,
// mutable globals and bulk memory (whose length the metering charges per byte: bulk-memory.ts).
const LEAF_IDS = new Set([
  binaryen.NopId,
  binaryen.DataDropId,
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
  [binaryen.MemoryCopyId, ['dest', 'source', 'size']],
  [binaryen.MemoryFillId, ['dest', 'value', 'size']],
  [binaryen.MemoryInitId, ['dest', 'offset', 'size']],
]);

/** The WebAssembly feature of each refused instruction, by its name in the text format, so a refusal can name it. */
const FEATURES: Array<[RegExp, string]> = [
  [/^(try|try_table|throw|throw_ref|rethrow|pop)$/, 'exception handling'],
  [/^(memory\.atomic\.|atomic\.fence|i(32|64)\.atomic\.)/, 'threads (atomics)'],
  [/^(v128|i8x16|i16x8|i32x4|i64x2|f32x4|f64x2)\./, 'SIMD'],
  [/^(ref\.null|ref\.is_null|ref\.func|table\.|elem\.drop)/, 'reference types'],
  [/^tuple\./, 'multi-value'],
  [/^(call_ref|return_call_ref|ref\.as_non_null|br_on_null|br_on_non_null)$/, 'typed function references'],
  [/^(struct\.|array\.|ref\.(i31|test|cast|eq)|i31\.|br_on_cast|any\.|extern\.)/, 'garbage collection (GC)'],
  [/^string/, 'strings'],
];

// The names of binaryen's expression kinds (`AtomicRMW`), for an instruction its printing cannot name.
const KIND_NAMES = new Map(
  Object.entries(binaryen as unknown as Record<string, unknown>)
    .filter(([k, v]) => k.endsWith('Id') && typeof v === 'number')
    .map(([k, v]) => [v as number, k.slice(0, -2)]),
);

/** The instruction as the text format names it (`i32.atomic.rmw.add`, `try`), from binaryen's printing. */
function instructionName(expr: number, id: binaryen.ExpressionIds): string {
  const printed = /^\(([^\s()]+)/.exec(binaryen.emitText(expr))?.[1];
  // binaryen prints an instruction with an unreachable operand as a block in its place.
  if (printed && (printed !== 'block' || id === binaryen.BlockId)) return printed;
  return KIND_NAMES.get(id) ?? 'an instruction binaryen.js does not name';
}

function refusal(expr: number, id: binaryen.ExpressionIds): MeteringRefused {
  const name = instructionName(expr, id);
  const feature = FEATURES.find(([pattern]) => pattern.test(name))?.[1];
  return new MeteringRefused(
    feature
      ? `uses ${feature}: \`${name}\`, outside the unit ABI's instruction set`
      : `uses the instruction \`${name}\`, outside the unit ABI's instruction set`,
  );
}

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
        ? `uses relaxed SIMD: \`${instructionName(expr, id)}\`, whose results differ between machines, which units do not allow`
        : `uses SIMD: \`${instructionName(expr, id)}\`, which the unit ABI does not allow`,
    );
  if (LEAF_IDS.has(id)) return [];
  const fields = CHILD_FIELDS.get(id);
  if (!fields && id !== binaryen.BlockId && id !== binaryen.CallId && id !== binaryen.CallIndirectId) {
    // Refused before getExpressionInfo, which throws on the kinds binaryen.js cannot describe.
    throw refusal(expr, id);
  }
  const info = binaryen.getExpressionInfo(expr) as unknown as Record<string, number & number[]>;
  if (id === binaryen.BlockId) return [...(info.children as number[])];
  if (id === binaryen.CallId || id === binaryen.CallIndirectId) {
    if ((info as unknown as { isReturn: boolean }).isReturn)
      throw new MeteringRefused(`uses tail calls: \`${instructionName(expr, id)}\`, which the unit ABI does not allow`);
    return id === binaryen.CallId
      ? [...(info.operands as number[])]
      : [...(info.operands as number[]), info.target as number];
  }
  return fields!.map((k) => info[k] as number).filter((c) => c !== 0);
}

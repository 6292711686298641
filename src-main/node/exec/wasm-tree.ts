// The slice of binaryen's tree a unit may use, and how to walk it: shared by the fuel metering
// (metering.ts) and the determinism checks (determinism.ts), so both refuse and see the same code.
import binaryen from 'binaryen';
import { isRelaxedSimd } from './simd.js';
import { ELEM_DROP_ID, isSizedTableOp, tableOpOperands } from './table-ops.js';

/** The module cannot be metered: it uses an instruction the metering does not know, or a reserved name. */
export class MeteringRefused extends Error {}

// Expression kinds a unit may use: WebAssembly 1.0 plus sign extension, non-trapping float-to-int,
// mutable globals, bulk memory and table operations (whose lengths the metering charges per byte
// and per element: bulk-memory.ts), reference types, multi-value, tail calls, SIMD128 and the
// legacy exception handling (try, catch, catch_all, delegate, throw, rethrow: what clang's and
// Emscripten's -fwasm-exceptions emit). The final form (try_table, throw_ref, exnref) is refused:
// binaryen.js has no getters to walk it.
const LEAF_IDS = new Set([
  binaryen.NopId,
  binaryen.DataDropId,
  binaryen.LocalGetId,
  binaryen.GlobalGetId,
  binaryen.ConstId,
  binaryen.UnreachableId,
  binaryen.MemorySizeId,
  binaryen.RefNullId,
  binaryen.RefFuncId,
  binaryen.TableSizeId,
  ELEM_DROP_ID,
  binaryen.RethrowId,
  binaryen.PopId,
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
  [binaryen.RefIsNullId, ['value']],
  [binaryen.TableGetId, ['index']],
  [binaryen.TableSetId, ['index', 'value']],
  [binaryen.TableGrowId, ['value', 'delta']],
  [binaryen.TupleExtractId, ['tuple']],
  [binaryen.SIMDExtractId, ['vec']],
  [binaryen.SIMDReplaceId, ['vec', 'value']],
  [binaryen.SIMDShuffleId, ['left', 'right']],
  [binaryen.SIMDTernaryId, ['a', 'b', 'c']],
  [binaryen.SIMDShiftId, ['vec', 'shift']],
  [binaryen.SIMDLoadId, ['ptr']],
  [binaryen.SIMDLoadStoreLaneId, ['ptr', 'vec']],
]);

// The binaryen.js namespaces of each kind of expression with children: their static getters read a
// child with one call into binaryen (tree-edit.ts puts one back with their setters).
export const KINDS = new Map<number, string>([
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
  [binaryen.RefIsNullId, 'RefIsNull'],
  [binaryen.TableGetId, 'TableGet'],
  [binaryen.TableSetId, 'TableSet'],
  [binaryen.TableGrowId, 'TableGrow'],
  [binaryen.TupleMakeId, 'TupleMake'],
  [binaryen.TupleExtractId, 'TupleExtract'],
  [binaryen.SIMDExtractId, 'SIMDExtract'],
  [binaryen.SIMDReplaceId, 'SIMDReplace'],
  [binaryen.SIMDShuffleId, 'SIMDShuffle'],
  [binaryen.SIMDTernaryId, 'SIMDTernary'],
  [binaryen.SIMDShiftId, 'SIMDShift'],
  [binaryen.SIMDLoadId, 'SIMDLoad'],
  [binaryen.SIMDLoadStoreLaneId, 'SIMDLoadStoreLane'],
  [binaryen.TryId, 'Try'],
  [binaryen.ThrowId, 'Throw'],
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
  if (/^(try_table|throw_ref)$/.test(name))
    return new MeteringRefused(
      `uses exception handling in its final form: \`${name}\` (exnref), which the metering cannot walk (binaryen.js has no getters for it): build with the legacy form, clang's -fwasm-exceptions default`,
    );
  const feature = FEATURES.find(([pattern]) => pattern.test(name))?.[1];
  return new MeteringRefused(
    feature
      ? `uses ${feature}: \`${name}\`, outside the unit ABI's instruction set`
      : `uses the instruction \`${name}\`, outside the unit ABI's instruction set`,
  );
}

type Getter = (expr: number) => number;
type ListGetters = { count: (expr: number) => number; at: (expr: number, index: number) => number };
const namespaces = binaryen as unknown as Record<string, Record<string, (expr: number, index?: number) => number>>;

/** A kind's static getter (`If.getCondition`), checked at load: each is one call into binaryen, where getExpressionInfo reads every field into an object. */
function getter(id: binaryen.ExpressionIds, name: string): (expr: number, index?: number) => number {
  const get = namespaces[KINDS.get(id)!]?.[name];
  if (!get) throw new Error(`binaryen.js has no ${KINDS.get(id)}.${name}`);
  return get;
}

const FIELD_GETTERS = new Map<binaryen.ExpressionIds, Getter[]>(
  [...CHILD_FIELDS].map(([id, fields]) => [
    id,
    fields.map((f) => getter(id, `get${f[0]!.toUpperCase()}${f.slice(1)}`)),
  ]),
);
const [tryCatches, tryBody, tryCatch] = ['getNumCatchBodies', 'getBody', 'getCatchBodyAt'].map((name) =>
  getter(binaryen.TryId, name),
) as [Getter, Getter, (expr: number, index: number) => number];
const LIST_GETTERS = new Map<binaryen.ExpressionIds, ListGetters>([
  [binaryen.BlockId, { count: getter(binaryen.BlockId, 'getNumChildren'), at: getter(binaryen.BlockId, 'getChildAt') }],
  // A try's body, then its catch bodies (each entered only by a throw).
  [
    binaryen.TryId,
    { count: (expr) => tryCatches(expr) + 1, at: (expr, i) => (i === 0 ? tryBody(expr) : tryCatch(expr, i - 1)) },
  ],
  ...[binaryen.CallId, binaryen.CallIndirectId, binaryen.TupleMakeId, binaryen.ThrowId].map(
    (id): [binaryen.ExpressionIds, ListGetters] => [
      id,
      { count: getter(id, 'getNumOperands'), at: getter(id, 'getOperandAt') },
    ],
  ),
]);
const indirectTarget = getter(binaryen.CallIndirectId, 'getTarget');

/** The children of a supported expression, in evaluation order. */
export function childrenOf(expr: number): number[] {
  const id = expressionId(expr);
  if (LEAF_IDS.has(id)) return [];
  if (isSizedTableOp(id)) return tableOpOperands(expr);
  const fields = FIELD_GETTERS.get(id);
  const list = LIST_GETTERS.get(id);
  if (!fields && !list) throw refusal(expr, id);
  // Every relaxed SIMD operation makes a v128: the type test spares the others the op's lookup.
  if (binaryen.getExpressionType(expr) === binaryen.v128 && isRelaxedSimd(expr, id))
    throw new MeteringRefused(
      `uses relaxed SIMD: \`${instructionName(expr, id)}\`, whose results differ between machines, which units do not allow`,
    );
  if (list) {
    const children: number[] = [];
    for (let i = 0, n = list.count(expr); i < n; i++) children.push(list.at(expr, i));
    if (id === binaryen.CallIndirectId) children.push(indirectTarget(expr));
    return children;
  }
  const children: number[] = [];
  for (const get of fields!) {
    const child = get(expr);
    if (child !== 0) children.push(child);
  }
  return children;
}

// table.fill, table.copy, table.init and elem.drop in binaryen's tree. binaryen.js 132 gives these
// kinds an id but no getters or setters, so their operands are read and written here from the
// expression's own fields in binaryen's memory: words of 4 bytes, the id and the type first, then
// the fields in the order binaryen's C++ declares them. binaryen is pinned (docs/UNIT_ABI.md,
// section 1), and a self-check on a module of known operands runs before any of this is trusted:
// should a binaryen upgrade move the fields, these instructions are refused, never misread.
import binaryen from 'binaryen';

// binaryen.js has these at runtime, but its typings do not list them.
interface Raw {
  _BinaryenTableFillId(this: void): number;
  _BinaryenTableCopyId(this: void): number;
  _BinaryenTableInitId(this: void): number;
  _BinaryenElemDropId(this: void): number;
  __i32_load(this: void, address: number): number;
  __i32_store(this: void, address: number, value: number): void;
}
const raw = binaryen as unknown as Raw;

// binaryen.js's typings return a plain number from getExpressionId; its values are those of ExpressionIds.
// oxlint-disable-next-line typescript/no-unsafe-enum-assignment -- the typings are looser than the values
const idOf = (expr: number) => binaryen.getExpressionId(expr) as binaryen.ExpressionIds;

const TABLE_FILL_ID = raw._BinaryenTableFillId();
const TABLE_COPY_ID = raw._BinaryenTableCopyId();
const TABLE_INIT_ID = raw._BinaryenTableInitId();
export const ELEM_DROP_ID = raw._BinaryenElemDropId();

/** Each kind's operands, as word offsets in evaluation order; the length (element count) is the last. */
const OPERAND_WORDS = new Map<number, number[]>([
  [TABLE_FILL_ID, [3, 4, 5]], // table, dest, value, size
  [TABLE_COPY_ID, [2, 3, 4]], // dest, source, size, destTable, sourceTable
  [TABLE_INIT_ID, [3, 4, 5]], // segment, dest, offset, size, table
]);

let verified: boolean | undefined;

/** Whether the words above hold what they should in this binaryen: checked once, on a module of known operands. */
function layoutHolds(): boolean {
  if (verified !== undefined) return verified;
  const module = binaryen.parseText(`(module (table $t 4 funcref) (elem $e func $f)
    (func $f
      (table.fill $t (i32.const 101) (ref.null func) (i32.const 102))
      (table.copy $t $t (i32.const 201) (i32.const 202) (i32.const 203))
      (table.init $t $e (i32.const 301) (i32.const 302) (i32.const 303))))`);
  try {
    const body = binaryen.getFunctionInfo(module.getFunction('f')).body;
    const [fill, copy, init] = (binaryen.getExpressionInfo(body) as binaryen.BlockInfo).children;
    const constAt = (expr: number, word: number) => {
      const child = raw.__i32_load(expr + 4 * word);
      return idOf(child) === binaryen.ConstId
        ? (binaryen.getExpressionInfo(child) as binaryen.ConstInfo).value
        : undefined;
    };
    const holds = (expr: number | undefined, id: number, expected: Array<number | undefined>) =>
      expr !== undefined &&
      binaryen.getExpressionId(expr) === id &&
      OPERAND_WORDS.get(id)!.every((word, i) => constAt(expr, word) === expected[i]);
    verified =
      holds(fill, TABLE_FILL_ID, [101, undefined, 102]) &&
      idOf(raw.__i32_load(fill! + 16)) === binaryen.RefNullId &&
      holds(copy, TABLE_COPY_ID, [201, 202, 203]) &&
      holds(init, TABLE_INIT_ID, [301, 302, 303]);
  } catch {
    verified = false;
  } finally {
    module.dispose();
  }
  return verified;
}

/** Whether `id` is one of the kinds read here, and this binaryen lays them out as expected. */
export function isSizedTableOp(id: number): boolean {
  return OPERAND_WORDS.has(id) && layoutHolds();
}

/** The operands of a table.fill, table.copy or table.init, in evaluation order. */
export function tableOpOperands(expr: number): number[] {
  return OPERAND_WORDS.get(binaryen.getExpressionId(expr))!.map((word) => raw.__i32_load(expr + 4 * word));
}

/** Puts `replacement` where the operand `child` was. */
export function setTableOpOperand(expr: number, child: number, replacement: number): void {
  const word = OPERAND_WORDS.get(binaryen.getExpressionId(expr))!.find((w) => raw.__i32_load(expr + 4 * w) === child);
  if (word === undefined) throw new Error('not an operand of this table instruction');
  raw.__i32_store(expr + 4 * word, replacement);
}

// The per-byte and per-element charges of bulk memory and table operations (docs/UNIT_ABI.md,
// "Fuel"), added by the metering.
//
// `memory.copy`, `memory.fill` and `memory.init` move as many bytes as their length operand says,
// known only at run time, and `table.fill`, `table.copy`, `table.init` and `table.grow` write as
// many elements; so each charges for its length there: the length operand becomes
//
//   (block (result i32)
//     (local.set $n <length>)
//     (global.set $fuel (i64.sub (global.get $fuel) <charge of $n>))
//     (if (i64.lt_s (global.get $fuel) (i64.const 0)) (unreachable))
//     (local.get $n))
//
// The operands are still evaluated in their order (destination, source or value, length), and the
// charge is taken, and checked, after the last of them and before anything moves: a copy the
// budget cannot pay for traps as out of fuel without running. Fuel depends only on the lengths the
// program asks for, so it stays a function of the module and the path taken. The instruction itself
// still counts 1 in its segment, like any other; `data.drop` and `elem.drop` move nothing and count
// just that. A `table.grow` is charged only when it will succeed (its length fits under the table's
// maximum, which the metering sees to: metering.ts), since a refused one writes nothing.
//
// The temporary local is one per function, shared: a charge sets and reads it with no code of the
// program's in between, so a bulk instruction nested in another's operands cannot disturb it.
import binaryen from 'binaryen';
import { isSizedTableOp, setTableOpOperand, tableOpOperands } from './table-ops.js';
import { expressionId } from './wasm-tree.js';

/**
 * Bytes per fuel: a bulk instruction moving n bytes costs ceil(n / BULK_BYTES_PER_FUEL) beyond its
 * own 1. That is what the same program pays without bulk memory: wasi-libc's memcpy and memset are
 * word loops that our metering charges 1.4 and 0.9 fuel a byte aligned (4.8 misaligned, 10 for an
 * overlapping memmove). A byte loop would cost 14-18 (binaryen's llvm-memory-copy-fill-lowering),
 * far above the time V8 takes: it runs memory.copy at memcpy's speed, so at a fuel a byte fuel
 * still tracks time as it does for other code (docs/UNIT_ABI.md, "Fuel").
 */
export const BULK_BYTES_PER_FUEL = 1;

/**
 * Table elements per fuel, as bytes are for memory: a table.fill of n elements costs what n
 * table.set cost, one instruction each. V8 takes far longer over an element of a funcref table
 * (23-165 ns measured, a table.set 95 ns) than over a fuel's worth of other code, table.set included.
 */
export const TABLE_ELEMENTS_PER_FUEL = 1;

const SIZED_MEMORY = new Set<number>([binaryen.MemoryCopyId, binaryen.MemoryFillId, binaryen.MemoryInitId]);

/** Whether `id` is an instruction with a length operand, always its last, that the metering charges per byte or element. */
export const isSized = (id: binaryen.ExpressionIds) =>
  SIZED_MEMORY.has(id) || id === binaryen.TableGrowId || isSizedTableOp(id);

/** Operand stack slots the charge holds at once (fuel, length, rate): determinism.ts counts them in a frame. */
export const BULK_CHARGE_OPERANDS = 3;

// binaryen.js has setters for these at runtime, but its typings do not list them.
type SizeSetter = { setSize(this: void, expr: number, size: number): void };
interface Setters {
  MemoryCopy: SizeSetter;
  MemoryFill: SizeSetter;
  MemoryInit: SizeSetter;
  TableGrow: { setDelta(this: void, expr: number, delta: number): void };
  _BinaryenFunctionAddVar(this: void, func: number, type: number): number;
}
const setters = binaryen as unknown as Setters;
const SIZE_SETTERS = new Map<number, SizeSetter>([
  [binaryen.MemoryCopyId, setters.MemoryCopy],
  [binaryen.MemoryFillId, setters.MemoryFill],
  [binaryen.MemoryInitId, setters.MemoryInit],
]);

/** The length operand of a sized instruction, and how to put a charged one in its place. */
function lengthOf(expr: number): { length: number; put: (charged: number) => void } {
  const id = expressionId(expr);
  if (id === binaryen.TableGrowId) {
    const { delta } = binaryen.getExpressionInfo(expr) as binaryen.TableGrowInfo;
    return { length: delta, put: (charged) => setters.TableGrow.setDelta(expr, charged) };
  }
  if (SIZED_MEMORY.has(id)) {
    const { size } = binaryen.getExpressionInfo(expr) as unknown as { size: number };
    return { length: size, put: (charged) => SIZE_SETTERS.get(id)!.setSize(expr, charged) };
  }
  const length = tableOpOperands(expr).at(-1)!;
  return { length, put: (charged) => setTableOpOperand(expr, length, charged) };
}

export class BulkCharges {
  private readonly found: Array<{ func: number; expr: number }> = [];

  /** `tableMaximum(name)`: the most elements the table may hold (a table.grow past it fails). */
  constructor(
    private readonly module: binaryen.Module,
    private readonly fuelGlobal: string,
    private readonly tableMaximum: (table: string) => number,
  ) {}

  /** Notes a sized instruction of `func`; nothing changes until apply(). */
  note(func: number, expr: number): void {
    this.found.push({ func, expr });
  }

  /** Puts the charge in front of each noted instruction's length, read now (after other rewrites). */
  apply(): void {
    const m = this.module;
    const temps = new Map<number, number>();
    for (const { func, expr } of this.found) {
      const { length, put } = lengthOf(expr);
      if (binaryen.getExpressionType(length) === binaryen.unreachable) continue; // it never runs
      let n = temps.get(func);
      if (n === undefined) temps.set(func, (n = setters._BinaryenFunctionAddVar(func, binaryen.i32)));
      const fuel = (): number => m.global.get(this.fuelGlobal, binaryen.i64);
      const id = expressionId(expr);
      const per = id === binaryen.TableGrowId || isSizedTableOp(id) ? TABLE_ELEMENTS_PER_FUEL : BULK_BYTES_PER_FUEL;
      let charge = [
        m.global.set(this.fuelGlobal, m.i64.sub(fuel(), this.charge(n, per))),
        m.if(m.i64.lt_s(fuel(), m.i64.const(0n)), m.unreachable()),
      ];
      if (id === binaryen.TableGrowId) {
        // n <= maximum - size (unsigned; size never exceeds the maximum): the grow will succeed.
        const table = (binaryen.getExpressionInfo(expr) as binaryen.TableGrowInfo).table;
        const room = m.i32.sub(m.i32.const(this.tableMaximum(table) | 0), m.table.size(table));
        charge = [m.if(m.i32.le_u(m.local.get(n, binaryen.i32), room), m.block(null, charge))];
      }
      put(m.block(null, [m.local.set(n, length), ...charge, m.local.get(n, binaryen.i32)], binaryen.i32));
    }
  }

  /** ceil(n / per), as an i64; n is unsigned, so it cannot go negative. */
  private charge(n: number, per: number): number {
    const m = this.module;
    const units = m.i64.extend_u(m.local.get(n, binaryen.i32));
    if (per === 1) return units;
    return m.i64.div_u(m.i64.add(units, m.i64.const(BigInt(per - 1))), m.i64.const(BigInt(per)));
  }
}

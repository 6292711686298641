// The per-byte charge of bulk memory (docs/UNIT_ABI.md, "Fuel"), added by the metering.
//
// `memory.copy`, `memory.fill` and `memory.init` move as many bytes as their length operand says,
// known only at run time, so each charges for it there: the length operand becomes
//
//   (block (result i32)
//     (local.set $n <length>)
//     (global.set $fuel (i64.sub (global.get $fuel) <charge of $n>))
//     (if (i64.lt_s (global.get $fuel) (i64.const 0)) (unreachable))
//     (local.get $n))
//
// The operands are still evaluated in their order (destination, source or value, length), and the
// charge is taken, and checked, after the last of them and before any byte moves: a copy the
// budget cannot pay for traps as out of fuel without running. Fuel depends only on the lengths the
// program asks for, so it stays a function of the module and the path taken. The instruction itself
// still counts 1 in its segment, like any other; `data.drop` moves nothing and counts just that.
//
// The temporary local is one per function, shared: a charge sets and reads it with no code of the
// program's in between, so a bulk instruction nested in another's operands cannot disturb it.
import binaryen from 'binaryen';
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

/** The bulk instructions with a length operand, always their last. */
export const SIZED_BULK = new Set<number>([binaryen.MemoryCopyId, binaryen.MemoryFillId, binaryen.MemoryInitId]);

/** Operand stack slots the charge holds at once (fuel, length, rate): determinism.ts counts them in a frame. */
export const BULK_CHARGE_OPERANDS = 3;

// binaryen.js has setters for these at runtime, but its typings do not list them.
type SizeSetter = { setSize(this: void, expr: number, size: number): void };
interface Setters {
  MemoryCopy: SizeSetter;
  MemoryFill: SizeSetter;
  MemoryInit: SizeSetter;
  _BinaryenFunctionAddVar(this: void, func: number, type: number): number;
}
const setters = binaryen as unknown as Setters;
const SIZE_SETTERS = new Map<number, SizeSetter>([
  [binaryen.MemoryCopyId, setters.MemoryCopy],
  [binaryen.MemoryFillId, setters.MemoryFill],
  [binaryen.MemoryInitId, setters.MemoryInit],
]);

export class BulkCharges {
  private readonly found: Array<{ func: number; expr: number }> = [];

  constructor(
    private readonly module: binaryen.Module,
    private readonly fuelGlobal: string,
  ) {}

  /** Notes a sized bulk instruction of `func`; nothing changes until apply(). */
  note(func: number, expr: number): void {
    this.found.push({ func, expr });
  }

  /** Puts the charge in front of each noted instruction's length, read now (after other rewrites). */
  apply(): void {
    const m = this.module;
    const temps = new Map<number, number>();
    for (const { func, expr } of this.found) {
      const size = (binaryen.getExpressionInfo(expr) as unknown as { size: number }).size;
      if (binaryen.getExpressionType(size) === binaryen.unreachable) continue; // it never runs
      let n = temps.get(func);
      if (n === undefined) temps.set(func, (n = setters._BinaryenFunctionAddVar(func, binaryen.i32)));
      const fuel = (): number => m.global.get(this.fuelGlobal, binaryen.i64);
      const charged = m.block(
        null,
        [
          m.local.set(n, size),
          m.global.set(this.fuelGlobal, m.i64.sub(fuel(), this.charge(n))),
          m.if(m.i64.lt_s(fuel(), m.i64.const(0n)), m.unreachable()),
          m.local.get(n, binaryen.i32),
        ],
        binaryen.i32,
      );
      SIZE_SETTERS.get(expressionId(expr))!.setSize(expr, charged);
    }
  }

  /** ceil(n / BULK_BYTES_PER_FUEL), as an i64; n is unsigned, so it cannot go negative. */
  private charge(n: number): number {
    const m = this.module;
    const bytes = m.i64.extend_u(m.local.get(n, binaryen.i32));
    if (BULK_BYTES_PER_FUEL === 1) return bytes;
    return m.i64.div_u(
      m.i64.add(bytes, m.i64.const(BigInt(BULK_BYTES_PER_FUEL - 1))),
      m.i64.const(BigInt(BULK_BYTES_PER_FUEL)),
    );
  }
}

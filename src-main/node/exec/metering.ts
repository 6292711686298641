// Fuel metering, injected into every unit module at load with binaryen (docs/UNIT_ABI.md, "Fuel").
//
// The module gets an exported i64 global `mesh_fuel` that the host sets to the unit's budget.
// Every straight-line segment of code — a function body, a loop body, an `if` arm — first
// subtracts its cost, the number of instructions in it (not counting the nested loop bodies and
// `if` arms, which charge for themselves), and traps with `unreachable` once the fuel is below
// zero. The charge is taken up front, so a segment left early by a branch still pays in full:
// fuel depends only on the module and the path taken, never on the machine or the clock.
//
// The start function, if any, is no longer run at instantiation: it is exported as `mesh_start`
// and the host calls it after setting the fuel, so a loop in it is metered like any other.
import binaryen from 'binaryen';

export const FUEL_GLOBAL = 'mesh_fuel';
export const START_EXPORT = 'mesh_start';

/** The module cannot be metered: it uses an instruction the metering does not know, or a reserved name. */
export class MeteringRefused extends Error {}

export interface MeteredModule {
  bytes: Uint8Array;
  /** Declared memory in 64 KiB pages; `maximum` is undefined when the module declares none. */
  memory: { initial: number; maximum: number | undefined } | null;
  /** The largest table's declared initial size, in elements. */
  tableElements: number;
  hasStart: boolean;
}

// binaryen.js has setters for these at runtime, but its typings do not list them.
interface Setters {
  Function: { setBody(func: number, body: number): void };
  Loop: { setBody(loop: number, body: number): void };
  If: { setIfTrue(expr: number, arm: number): void; setIfFalse(expr: number, arm: number): void };
}
const setters = binaryen as unknown as Setters;
// binaryen 132 takes i64 constants as one bigint; its typings still describe (low, high).
const i64Const = (m: binaryen.Module, value: number): number => (m.i64.const as unknown as (v: bigint) => number)(BigInt(value));

// Expression kinds a unit may use: WebAssembly 1.0 plus sign extension, non-trapping float-to-int
// and mutable globals. Bulk memory (memory.copy/fill) is left out on purpose: its cost depends on
// a length known only at run time, so a flat per-instruction charge could not bill it honestly.
const LEAF_IDS = new Set([
  binaryen.NopId, binaryen.LocalGetId, binaryen.GlobalGetId, binaryen.ConstId, binaryen.UnreachableId, binaryen.MemorySizeId,
]);

/** The children of a supported expression, in evaluation order. */
function childrenOf(expr: number): number[] {
  const id = binaryen.getExpressionId(expr);
  if (LEAF_IDS.has(id)) return [];
  const info = binaryen.getExpressionInfo(expr) as unknown as Record<string, number & number[]>;
  const pick = (...keys: string[]): number[] => keys.map((k) => info[k] as number).filter((c) => c !== 0);
  switch (id) {
    case binaryen.BlockId:
      return [...(info.children as number[])];
    case binaryen.IfId:
      return pick('condition', 'ifTrue', 'ifFalse');
    case binaryen.LoopId:
      return pick('body');
    case binaryen.BreakId:
    case binaryen.SwitchId:
      return pick('value', 'condition');
    case binaryen.CallId:
      return [...(info.operands as number[])];
    case binaryen.CallIndirectId:
      return [...(info.operands as number[]), info.target as number];
    case binaryen.LocalSetId:
    case binaryen.GlobalSetId:
    case binaryen.UnaryId:
    case binaryen.DropId:
    case binaryen.ReturnId:
      return pick('value');
    case binaryen.LoadId:
      return pick('ptr');
    case binaryen.StoreId:
      return pick('ptr', 'value');
    case binaryen.BinaryId:
      return pick('left', 'right');
    case binaryen.SelectId:
      return pick('ifTrue', 'ifFalse', 'condition');
    case binaryen.MemoryGrowId:
      return pick('delta');
    default:
      throw new MeteringRefused(`uses an instruction (binaryen expression id ${id}) outside the unit ABI's instruction set`);
  }
}

class Meter {
  private readonly segments: Array<{ at: number; kind: 'loop' | 'then' | 'else' | 'body'; func?: number; cost: number }> = [];

  constructor(private readonly module: binaryen.Module) {}

  /** Instructions in `expr`'s segment; nested loop bodies and if arms become segments of their own. */
  private segmentCost(expr: number): number {
    let cost = 1;
    const id = binaryen.getExpressionId(expr);
    if (id === binaryen.LoopId) {
      const body = binaryen.getExpressionInfo(expr) as binaryen.LoopInfo;
      this.segments.push({ at: expr, kind: 'loop', cost: this.segmentCost(body.body) });
      return cost;
    }
    if (id === binaryen.IfId) {
      const info = binaryen.getExpressionInfo(expr) as binaryen.IfInfo;
      this.segments.push({ at: expr, kind: 'then', cost: this.segmentCost(info.ifTrue) });
      if (info.ifFalse) this.segments.push({ at: expr, kind: 'else', cost: this.segmentCost(info.ifFalse) });
      return cost + this.segmentCost(info.condition);
    }
    for (const child of childrenOf(expr)) cost += this.segmentCost(child);
    return cost;
  }

  meterFunction(func: number): void {
    const body = binaryen.getFunctionInfo(func).body;
    if (!body) return; // an import
    this.segments.push({ at: func, kind: 'body', func, cost: this.segmentCost(body) });
  }

  /** Rewrites every segment found, after the walk, so the walk never sees the charges. */
  apply(): void {
    for (const s of this.segments) {
      if (s.kind === 'body') {
        const body = binaryen.getFunctionInfo(s.at).body;
        setters.Function.setBody(s.at, this.charged(s.cost, body));
      } else if (s.kind === 'loop') {
        setters.Loop.setBody(s.at, this.charged(s.cost, (binaryen.getExpressionInfo(s.at) as binaryen.LoopInfo).body));
      } else {
        const info = binaryen.getExpressionInfo(s.at) as binaryen.IfInfo;
        if (s.kind === 'then') setters.If.setIfTrue(s.at, this.charged(s.cost, info.ifTrue));
        else setters.If.setIfFalse(s.at, this.charged(s.cost, info.ifFalse));
      }
    }
  }

  /** `fuel -= cost; if (fuel < 0) unreachable;` then the segment itself. */
  private charged(cost: number, segment: number): number {
    const m = this.module;
    const fuel = (): number => m.global.get(FUEL_GLOBAL, binaryen.i64);
    const charge = m.global.set(FUEL_GLOBAL, m.i64.sub(fuel(), i64Const(m, cost)));
    const check = m.if(m.i64.lt_s(fuel(), i64Const(m, 0)), m.unreachable());
    const type = binaryen.getExpressionType(segment);
    return m.block(null, [charge, check, segment], type === binaryen.unreachable ? binaryen.auto : type);
  }
}

const ALLOWED_FEATURES =
  binaryen.Features.MutableGlobals | binaryen.Features.NontrappingFPToInt | binaryen.Features.SignExt | binaryen.Features.Multivalue;

const RESERVED_EXPORTS = [FUEL_GLOBAL, START_EXPORT];

/**
 * Meters `original` (a module V8 has already validated). Throws MeteringRefused when the module
 * uses what the metering cannot charge for.
 */
export function meterModule(original: Uint8Array): MeteredModule {
  let module: binaryen.Module;
  try {
    module = binaryen.readBinary(original);
  } catch (err) {
    throw new MeteringRefused(`cannot be read for metering: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    module.setFeatures(ALLOWED_FEATURES);
    for (let i = 0; i < module.getNumExports(); i++) {
      const name = binaryen.getExportInfo(module.getExportByIndex(i)).name;
      if (RESERVED_EXPORTS.includes(name)) throw new MeteringRefused(`exports "${name}", a name the host reserves`);
    }
    const memory = module.hasMemory() ? module.getMemoryInfo() : null;
    if (memory?.shared || memory?.is64) throw new MeteringRefused('uses a shared or 64-bit memory, which the unit ABI does not allow');
    let tableElements = 0;
    for (let i = 0; i < module.getNumTables(); i++) {
      tableElements = Math.max(tableElements, binaryen.getTableInfo(module.getTableByIndex(i)).initial);
    }

    module.addGlobal(FUEL_GLOBAL, binaryen.i64, true, i64Const(module, 0));
    module.addGlobalExport(FUEL_GLOBAL, FUEL_GLOBAL);
    const start = module.getStart();
    if (start) {
      module.setStart(0);
      module.addFunctionExport(binaryen.getFunctionInfo(start).name, START_EXPORT);
    }

    const meter = new Meter(module);
    for (let i = 0; i < module.getNumFunctions(); i++) meter.meterFunction(module.getFunctionByIndex(i));
    meter.apply();
    if (!module.validate()) throw new Error('metering produced an invalid module (a bug in metering.ts)');
    return {
      bytes: module.emitBinary(),
      memory: memory ? { initial: memory.initial, maximum: memory.max } : null,
      tableElements,
      hasStart: start !== 0,
    };
  } catch (err) {
    if (err instanceof RangeError) throw new MeteringRefused('nests its code too deeply to meter');
    throw err;
  } finally {
    module.dispose();
  }
}

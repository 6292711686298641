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
//
// The module's memory becomes an import (MEMORY_IMPORT, with the limits it declared, still
// exported as `memory`), so the host can give each instance a memory: a zeroed one of the same
// size instead of a new one (worker.ts).
//
// Every memory.grow first notes, in the exported i32 global `mesh_grow_refused`, whether it asks
// for more than the declared maximum, so the host can tell an allocator that ran out of memory
// from any other trap.
import { describeError } from '../../core/errors.js';
import binaryen from 'binaryen';
import { CALL_DEPTH_GLOBAL, FUEL_GLOBAL, GROW_REFUSED_GLOBAL, MEMORY_IMPORT, START_EXPORT } from './abi.js';
import { BulkCharges, isSized } from './bulk-memory.js';
import { Determinism } from './determinism.js';
import { NO_RESULT, WASI_MODULE, WASI_SIGNATURES } from './wasi/imports.js';
import { childrenOf, expressionId, MeteringRefused } from './wasm-tree.js';
import { memoryCount } from './memory-count.js';

export { MeteringRefused };

// Internal names for what the metering adds; unusual, so they cannot meet the module's own.
const FUEL = '__mesh_meter_fuel';
const GROW_REFUSED = '__mesh_meter_grow_refused';
const NOTE_GROW = '__mesh_meter_note_grow';

/** What a module is run as: a unit of the project's ABI, or a WASI preview 1 command (wasi/). */
export type ModuleKind = 'abi' | 'wasi';

/** A WASI program whose memory declares no maximum gets this one (the default `memoryPages`), the same on every node. */
const WASI_DEFAULT_MAX_PAGES = 1024;
/**
 * A table that `table.grow` grows and that declares no maximum gets this one (the default
 * `maxTableElements`), so a grow past it fails on every node alike: V8 alone would let it grow to
 * its own limit (10,000,000 elements in Node 22), or to what the machine's memory allows.
 */
const GROWN_TABLE_DEFAULT_MAX = 65_536;

export interface MeteredModule {
  kind: ModuleKind;
  bytes: Uint8Array;
  /** Declared memory in 64 KiB pages; `maximum` is undefined when the module declares none. */
  memory: { initial: number; maximum: number | undefined } | null;
  /** The largest table's size in elements: its declared maximum if `table.grow` grows it, else its initial size. */
  tableElements: number;
  hasStart: boolean;
  /**
   * How long validating and metering it took on this node, in ms: what a first unit of it waits here
   * (module-check.ts refuses one over a unit's time). Absent for a module metered by the build.
   */
  preparedMs?: number;
}

// binaryen.js has setters for these at runtime, but its typings do not list them.
interface Setters {
  Function: { setBody(func: number, body: number): void };
  Loop: { setBody(loop: number, body: number): void };
  MemoryGrow: { setDelta(grow: number, delta: number): void };
  _BinaryenTableSetMax(table: number, max: number): void;
  If: { setIfTrue(expr: number, arm: number): void; setIfFalse(expr: number, arm: number): void };
}
const setters = binaryen as unknown as Setters;
// binaryen 132 takes i64 constants as one bigint.
const i64Const = (m: binaryen.Module, value: number): number => m.i64.const(BigInt(value));

class Meter {
  private readonly segments: Array<{ at: number; kind: 'loop' | 'then' | 'else' | 'body'; cost: number }> = [];
  private readonly grows: number[] = [];
  private readonly bulk: BulkCharges;
  /** The function being walked. */
  private func = 0;
  /** Whether the module has `memory.init` or `data.drop`, which need the DataCount section. */
  usesDataCount = false;
  /** The tables some `table.grow` grows. */
  readonly grownTables = new Set<string>();

  constructor(private readonly module: binaryen.Module) {
    this.bulk = new BulkCharges(module, FUEL, (table) => binaryen.getTableInfo(module.getTable(table)).max!);
  }

  /** Instructions in `expr`'s segment; nested loop bodies and if arms become segments of their own. */
  private segmentCost(expr: number): number {
    let cost = 1;
    const id = expressionId(expr);
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
    if (id === binaryen.MemoryGrowId) this.grows.push(expr);
    if (isSized(id)) this.bulk.note(this.func, expr);
    if (id === binaryen.TableGrowId)
      this.grownTables.add((binaryen.getExpressionInfo(expr) as binaryen.TableGrowInfo).table);
    if (id === binaryen.MemoryInitId || id === binaryen.DataDropId) this.usesDataCount = true;
    for (const child of childrenOf(expr)) cost += this.segmentCost(child);
    return cost;
  }

  meterFunction(func: number): void {
    const body = binaryen.getFunctionInfo(func).body;
    if (!body) return; // an import
    this.func = func;
    this.segments.push({ at: func, kind: 'body', cost: this.segmentCost(body) });
  }

  /** Rewrites every segment found, after the walk, so the walk never sees the charges. */
  apply(): void {
    for (const grow of this.grows) {
      const delta = (binaryen.getExpressionInfo(grow) as binaryen.MemoryGrowInfo).delta;
      setters.MemoryGrow.setDelta(grow, this.module.call(NOTE_GROW, [delta], binaryen.i32));
    }
    this.bulk.apply();
    for (const s of this.segments) {
      if (s.kind === 'body') {
        const body = binaryen.getFunctionInfo(s.at).body;
        setters.Function.setBody(s.at, this.charged(s.cost, body, true));
      } else if (s.kind === 'loop') {
        setters.Loop.setBody(
          s.at,
          this.charged(s.cost, (binaryen.getExpressionInfo(s.at) as binaryen.LoopInfo).body, true),
        );
      } else {
        const info = binaryen.getExpressionInfo(s.at) as binaryen.IfInfo;
        if (s.kind === 'then') setters.If.setIfTrue(s.at, this.charged(s.cost, info.ifTrue, false));
        else setters.If.setIfFalse(s.at, this.charged(s.cost, info.ifFalse, false));
      }
    }
  }

  /**
   * `fuel -= cost;` then, where control can come back round (function bodies and loop bodies),
   * `if (fuel < 0) unreachable;`, then the segment itself. `if` arms only subtract: a run can
   * overdraw by at most the straight-line code before the next check, and the host treats fuel
   * below zero at the end as out of fuel too, so the budget is still exact.
   */
  private charged(cost: number, segment: number, check: boolean): number {
    const m = this.module;
    const fuel = (): number => m.global.get(FUEL, binaryen.i64);
    const steps = [m.global.set(FUEL, m.i64.sub(fuel(), i64Const(m, cost)))];
    if (check) steps.push(m.if(m.i64.lt_s(fuel(), i64Const(m, 0)), m.unreachable()));
    const type = binaryen.getExpressionType(segment);
    return m.block(null, [...steps, segment], type === binaryen.unreachable ? binaryen.auto : type);
  }
}

// The flags combined are a plain number to TypeScript; setFeatures takes them as one Features value.
const BULK_MEMORY = binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt;
// Reference types, tail calls, SIMD, exception handling and extended constant expressions (`i32.add`
// and the like in a global's or a segment's offset: what position-independent code and LLVM's
// `lime1` CPU emit, all evaluated once at instantiation, never metered) change nothing binaryen
// writes for a module that does not use them (measured on the shipped kernels and the WASI test
// programs), so they are simply on.
const ALLOWED_FEATURES = (binaryen.Features.MutableGlobals |
  binaryen.Features.NontrappingFPToInt |
  binaryen.Features.SignExt |
  BULK_MEMORY |
  binaryen.Features.Multivalue |
  binaryen.Features.ReferenceTypes |
  binaryen.Features.TailCall |
  binaryen.Features.SIMD128 |
  binaryen.Features.ExceptionHandling |
  binaryen.Features.ExtendedConst) as binaryen.Features;

const RESERVED_EXPORTS = [FUEL_GLOBAL, START_EXPORT, GROW_REFUSED_GLOBAL, CALL_DEPTH_GLOBAL];

/** `note_grow(delta)`: flags a request beyond the maximum, then hands the delta on unchanged. */
function addGrowNote(module: binaryen.Module, maximumPages: number): void {
  const m = module;
  module.addGlobal(GROW_REFUSED, binaryen.i32, true, m.i32.const(0));
  module.addGlobalExport(GROW_REFUSED, GROW_REFUSED_GLOBAL);
  const delta = () => m.local.get(0, binaryen.i32);
  // delta > max - size, unsigned: cannot overflow, since size <= max always holds.
  const beyond = m.i32.gt_u(delta(), m.i32.sub(m.i32.const(maximumPages), m.memory.size()));
  m.addFunction(
    NOTE_GROW,
    binaryen.i32,
    binaryen.i32,
    [],
    m.block(null, [m.if(beyond, m.global.set(GROW_REFUSED, m.i32.const(1))), delta()], binaryen.i32),
  );
}

/**
 * Gives each grown table without a maximum GROWN_TABLE_DEFAULT_MAX (before the charges, which read
 * it), and returns the most elements any table may hold: a grown table's maximum, another's initial size.
 */
function boundTables(module: binaryen.Module, grown: ReadonlySet<string>): number {
  let elements = 0;
  for (let i = 0; i < module.getNumTables(); i++) {
    const table = module.getTableByIndex(i);
    const info = binaryen.getTableInfo(table);
    if (!grown.has(info.name)) {
      elements = Math.max(elements, info.initial);
      continue;
    }
    if (info.max === undefined) setters._BinaryenTableSetMax(table, Math.max(GROWN_TABLE_DEFAULT_MAX, info.initial));
    elements = Math.max(elements, info.max ?? Math.max(GROWN_TABLE_DEFAULT_MAX, info.initial));
  }
  return elements;
}

/** The memory exported as `memory` becomes the import MEMORY_IMPORT; a module without one stays as it is (the ABI check refuses it). */
function importMemory(module: binaryen.Module): void {
  const exported = module.getExport('memory');
  if (!exported) return;
  const info = binaryen.getExportInfo(exported);
  if (info.kind !== binaryen.ExternalMemory) return;
  module.addMemoryImport(info.value, MEMORY_IMPORT.module, MEMORY_IMPORT.name);
}

const i32 = binaryen.i32;
const ABI_SIGNATURES: Record<string, [number[], number]> = {
  mesh_abi_version: [[], i32],
  mesh_alloc: [[i32], i32],
  mesh_run: [[i32, i32, i32, i32], i32],
  mesh_output_ptr: [[], i32],
  mesh_output_len: [[], i32],
};

/** The ABI's functions must have the ABI's types, and env.abort too (V8 checked only the names). */
function checkAbiSignatures(module: binaryen.Module): void {
  const check = (func: number, [params, result]: [number[], number], what: string) => {
    const info = binaryen.getFunctionInfo(func);
    if (info.params !== binaryen.createType(params) || info.results !== result) {
      throw new MeteringRefused(`has ${what} with the wrong type (see docs/UNIT_ABI.md)`);
    }
  };
  for (const [name, signature] of Object.entries(ABI_SIGNATURES)) {
    const exported = module.getExport(name);
    if (exported) check(module.getFunction(binaryen.getExportInfo(exported).value), signature, `export "${name}"`);
  }
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const func = module.getFunctionByIndex(i);
    const info = binaryen.getFunctionInfo(func);
    if (info.module === 'env' && info.base === 'abort')
      check(func, [[i32, i32, i32, i32], binaryen.none], 'import "env.abort"');
  }
}

const TYPE_LETTERS: Record<string, number> = { i: binaryen.i32, I: binaryen.i64 };

/** Each WASI import must have preview 1's type: V8 would refuse a wrong one only when the unit runs. */
function checkWasiSignatures(module: binaryen.Module): void {
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
    if (info.module !== WASI_MODULE || !info.base) continue;
    const params = WASI_SIGNATURES[info.base]!.split('').map((letter) => TYPE_LETTERS[letter]!);
    const result = NO_RESULT.has(info.base) ? binaryen.none : binaryen.i32;
    if (info.params !== binaryen.createType(params) || info.results !== result)
      throw new MeteringRefused(`imports "${WASI_MODULE}.${info.base}" with the wrong type for WASI preview 1`);
  }
}

/**
 * Meters `original` (a module V8 has already validated). Throws MeteringRefused when the module
 * uses what the metering cannot charge for. `determinism: false` leaves out determinism.ts's
 * call depth and NaN checks: only the benchmark that measures what they cost does that.
 */
export function meterModule(
  original: Uint8Array,
  options: { determinism: boolean; kind?: ModuleKind } = { determinism: true },
): MeteredModule {
  const kind = options.kind ?? 'abi';
  const memories = memoryCount(original);
  if (memories > 1)
    throw new MeteringRefused(`uses ${memories} memories (multiple memories), which units do not allow: one memory`);
  let module: binaryen.Module;
  try {
    module = binaryen.readBinary(original);
  } catch (err) {
    throw new MeteringRefused(`cannot be read for metering: ${describeError(err)}`);
  }
  try {
    module.setFeatures(ALLOWED_FEATURES);
    for (let i = 0; i < module.getNumExports(); i++) {
      const name = binaryen.getExportInfo(module.getExportByIndex(i)).name;
      if (RESERVED_EXPORTS.includes(name)) throw new MeteringRefused(`exports "${name}", a name the host reserves`);
    }
    const memory = module.hasMemory() ? module.getMemoryInfo() : null;
    if (memory?.shared)
      throw new MeteringRefused(
        'uses a shared memory (the threads feature), which units do not allow: build without threads',
      );
    if (memory?.is64) throw new MeteringRefused('uses a 64-bit memory (memory64), which units do not allow');
    // A WASI toolchain leaves the maximum out unless told (`-Wl,--max-memory=`): such a program gets a fixed one.
    const maximum = memory?.max ?? (kind === 'wasi' ? WASI_DEFAULT_MAX_PAGES : undefined);

    if (kind === 'wasi') checkWasiSignatures(module);
    else checkAbiSignatures(module);
    module.addGlobal(FUEL, binaryen.i64, true, i64Const(module, 0));
    module.addGlobalExport(FUEL, FUEL_GLOBAL);
    const start = module.getStart();
    if (start) {
      module.setStart(0);
      module.addFunctionExport(binaryen.getFunctionInfo(start).name, START_EXPORT);
    }

    const meter = new Meter(module);
    const determinism = options.determinism ? new Determinism(module) : undefined;
    const functions = module.getNumFunctions();
    for (let i = 0; i < functions; i++) {
      meter.meterFunction(module.getFunctionByIndex(i));
      determinism?.visitFunction(module.getFunctionByIndex(i));
    }
    addGrowNote(module, maximum ?? 65_536);
    const tableElements = boundTables(module, meter.grownTables);
    determinism?.apply(); // before the fuel charges, which wrap the bodies it rewrites
    meter.apply();
    importMemory(module);
    // V8 accepted the module, so a failure here means it uses a feature outside ALLOWED_FEATURES.
    if (!module.validate()) throw new MeteringRefused('uses WebAssembly features outside the unit ABI');
    // With bulk memory on, binaryen writes a DataCount section whenever there are data segments:
    // only where the code needs one, so other modules' metered bytes stay what they were.
    if (!meter.usesDataCount) module.setFeatures(ALLOWED_FEATURES & ~BULK_MEMORY);
    const bytes = module.emitBinary();
    // Validated in full by V8 here, once: the pool compiles metered modules with lazy validation (prepare.ts).
    if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) throw new Error('metering made an invalid module');
    return {
      kind,
      bytes,
      memory: memory ? { initial: memory.initial, maximum } : null,
      tableElements,
      hasStart: start !== 0,
    };
  } catch (err) {
    if (err instanceof MeteringRefused) throw err;
    if (err instanceof RangeError) throw new MeteringRefused('nests its code too deeply to meter');
    // binaryen.js fails this way on expression kinds it reads but cannot describe.
    throw new MeteringRefused(`uses instructions outside the unit ABI (${describeError(err)})`);
  } finally {
    module.dispose();
  }
}

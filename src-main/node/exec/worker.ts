// A pool worker: runs a batch of prepared units, one fresh instance each, in order. It writes
// which unit it is on, and since when, into shared memory, so the executor's watchdog can tell a
// slow unit from a slow batch. Nothing here trusts the module: every way it can end is caught and
// turned into plain data.
import { describeError } from '../../core/errors.js';
import { hash } from 'node:crypto';
import {
  CALL_DEPTH_GLOBAL,
  CALL_DEPTH_SLOTS,
  callUnit,
  FUEL_GLOBAL,
  GROW_REFUSED_GLOBAL,
  MEMORY_IMPORT,
  meteredImports,
  OutputOverLimit,
  START_EXPORT,
  UnitAbort,
  UnitStatus,
  type AbiExports,
} from './abi.js';
import type { ExecErrorCode, ExecFailure } from './errors.js';
import type { MeteredModule } from './metering.js';
import { lowerThisThreadsPriority } from './thread-priority.js';
import { HostEnd } from './host-end.js';
import { WasiHost } from './wasi/host.js';
import type { WasiUnitConfig } from './wasi/program.js';
import { runWasiProgram } from './wasi/run.js';

lowerThisThreadsPriority();

export interface WorkerUnit {
  moduleHash: string;
  /** The metered module (SharedArrayBuffer-backed). */
  module: Uint8Array;
  hasStart: boolean;
  /** Its instance imports a memory of these limits. */
  memory: MemoryLimits;
  params: Uint8Array;
  input: Uint8Array;
  fuel: number;
  maxOutputBytes: number;
  /** Set for a WASI program: what its host gives it (wasi/host.ts). */
  wasi?: WasiUnitConfig;
}

export interface WorkerBatch {
  /** Units of one module. */
  units: WorkerUnit[];
  /** That module compiled, when the executor has it (a big one: prepare.ts); else the worker compiles it. */
  compiled?: WebAssembly.Module;
  /** Int32 [0]: index of the unit running; Float64 [1]: when it started (epoch ms). */
  progress: SharedArrayBuffer;
}

export interface WorkerSuccess {
  ok: true;
  output: Uint8Array;
  outputHash: string;
  fuel: number;
  wallMs: number;
  /** A WASI program's exit code and the stderr kept (its output holds the exit code too). */
  exitCode?: number;
  stderr?: Uint8Array;
}

export type WorkerOutcome = WorkerSuccess | ExecFailure;

// Compiled modules by hash; a worker sees few distinct modules, so a small bound suffices.
const compiled = new Map<string, WebAssembly.Module>();
const COMPILED_CACHE_SIZE = 32;

function compile(unit: WorkerUnit): WebAssembly.Module {
  return (
    compiled.get(unit.moduleHash) ??
    keepCompiled(unit.moduleHash, new WebAssembly.Module(unit.module as Uint8Array<ArrayBuffer>))
  );
}

function keepCompiled(moduleHash: string, module: WebAssembly.Module): WebAssembly.Module {
  if (compiled.size >= COMPILED_CACHE_SIZE) compiled.delete(compiled.keys().next().value!);
  compiled.set(moduleHash, module);
  return module;
}

/** The limits a module declared for its memory, in 64 KiB pages (what metering read). */
type MemoryLimits = NonNullable<MeteredModule['memory']>;

const PAGE_BYTES = 65_536;
/** Larger memories are not kept: zeroing every page costs more than a new memory, whose pages the OS zeroes only as they are touched. */
const KEPT_MEMORY_PAGES = 16;
/** Memories of this many sizes at most (a worker sees few distinct modules). */
const KEPT_MEMORY_SIZES = 4;

/**
 * Each instance's memory, kept for the next unit of the same limits when its unit left it at its
 * initial size: zeroed, it is what a new memory would be, and instantiation then writes the
 * module's data into it as into a new one. Made and freed by V8 for each instance, a memory cost
 * ~150 µs of the ~170 a tiny unit's instance took (sha256 of 64 bytes); zeroing a page, under 1.
 * A memory that grew is dropped: its size would tell the next unit something.
 */
class Memories {
  readonly #kept = new Map<string, WebAssembly.Memory>();

  take(limits: MemoryLimits): WebAssembly.Memory {
    const key = keyOf(limits);
    const kept = this.#kept.get(key);
    if (!kept) return new WebAssembly.Memory(limits);
    this.#kept.delete(key);
    return kept;
  }

  /** After its unit, whatever way the unit ended. */
  give(memory: WebAssembly.Memory, limits: MemoryLimits): void {
    if (limits.initial > KEPT_MEMORY_PAGES || memory.buffer.byteLength !== limits.initial * PAGE_BYTES) return;
    new Uint8Array(memory.buffer).fill(0);
    if (this.#kept.size >= KEPT_MEMORY_SIZES) this.#kept.delete(this.#kept.keys().next().value!);
    this.#kept.set(keyOf(limits), memory);
  }
}

const keyOf = ({ initial, maximum }: MemoryLimits): string => `${initial}/${maximum}`;
const memories = new Memories();

export const epochMs = (): number => performance.timeOrigin + performance.now();

export default function runBatch(batch: WorkerBatch): WorkerOutcome[] {
  const index = new Int32Array(batch.progress, 0, 1);
  const startedAt = new Float64Array(batch.progress, 8, 1);
  const moduleHash = batch.units[0]?.moduleHash;
  if (batch.compiled && moduleHash !== undefined && !compiled.has(moduleHash)) keepCompiled(moduleHash, batch.compiled);
  const outcomes = batch.units.map((unit, i) => {
    startedAt[0] = epochMs();
    Atomics.store(index, 0, i);
    return runUnit(unit);
  });
  // Every unit ended: a watchdog that looks only after a busy main thread has read nothing yet must
  // not take the last unit for one still running past its limit.
  Atomics.store(index, 0, batch.units.length);
  return outcomes;
}

export function runUnit(unit: WorkerUnit): WorkerOutcome {
  const started = performance.now();
  let exports: (AbiExports & Record<string, unknown>) | undefined;
  const fuelLeft = (): number =>
    Number((exports?.[FUEL_GLOBAL] as WebAssembly.Global | undefined)?.value ?? BigInt(unit.fuel));
  const end = new HostEnd();
  const failure = (code: ExecErrorCode, message: string): ExecFailure => ({
    ok: false,
    code,
    message,
    // An end in a host call drained the fuel after noting what was left.
    fuel: unit.fuel - (end.ended?.fuelLeft !== undefined ? Number(end.ended.fuelLeft) : fuelLeft()),
  });
  const memory = memories.take(unit.memory);
  try {
    const host = unit.wasi && new WasiHost(memory, unit.wasi, unit.input, unit.maxOutputBytes, end);
    const imports = host
      ? { ...host.imports(), [MEMORY_IMPORT.module]: { [MEMORY_IMPORT.name]: memory } }
      : meteredImports(memory, end);
    const instance = new WebAssembly.Instance(compile(unit), imports);
    exports = instance.exports as unknown as AbiExports & Record<string, unknown>;
    const fuelGlobal = exports[FUEL_GLOBAL] as WebAssembly.Global<'i64'>;
    fuelGlobal.value = BigInt(unit.fuel);
    end.meter(fuelGlobal);
    host?.meter({ take: (amount) => (fuelGlobal.value -= BigInt(amount)) >= 0n });
    if (unit.hasStart) (exports[START_EXPORT] as () => void)();
    const program = host && runWasiProgram(host, end, exports, unit.maxOutputBytes);
    const output = program ? program.output : callUnit(exports, unit.params, unit.input, unit.maxOutputBytes);
    if (!program && end.ended) throw end.ended.error; // an abort the unit caught: its end stands
    // What it had left when it exited (its fuel drained since, HostEnd), or has left now.
    const left = program?.fuelLeft !== undefined ? Number(program.fuelLeft) : fuelLeft();
    // The output is charged one fuel a byte: returning untouched memory costs what it makes a provider store and send.
    const fuel = unit.fuel - left + output.length;
    if (left < 0 || fuel > unit.fuel)
      return { ok: false, code: 'OutOfFuel', message: `used its fuel budget of ${unit.fuel}`, fuel: unit.fuel };
    const wallMs = performance.now() - started;
    return {
      ok: true,
      output,
      outputHash: hash('sha256', output),
      fuel,
      wallMs,
      ...(program && { exitCode: program.exitCode, stderr: program.stderr }),
    };
  } catch (caught) {
    // However control came back, a unit that ended in a host call ended there (HostEnd).
    const err = end.ended?.error ?? caught;
    if (exports && fuelLeft() < 0 && !(err instanceof UnitAbort))
      return { ok: false, code: 'OutOfFuel', message: `used its fuel budget of ${unit.fuel}`, fuel: unit.fuel };
    if (err instanceof OutputOverLimit) return failure('OutputTooLarge', err.message);
    if (err instanceof UnitStatus) return failure('UnitFailed', `status ${err.status}: ${err.message}`);
    if (err instanceof UnitAbort) return failure('Trap', err.message);
    // V8's own limit, reached before the ABI's: where it falls depends on this machine, so it is
    // no verdict on the unit (the ABI's margin below V8's limit makes this a bug of ours).
    if (err instanceof RangeError && /call stack/i.test(err.message))
      return failure('StackOverflow', `V8's stack overflowed before the unit ABI's call depth limit`);
    if (err instanceof WebAssembly.RuntimeError || err instanceof WebAssembly.LinkError) {
      const depth = (exports?.[CALL_DEPTH_GLOBAL] as WebAssembly.Global | undefined)?.value as number | undefined;
      if (depth !== undefined && depth > CALL_DEPTH_SLOTS)
        return failure('Trap', `stack overflow: call depth over the unit ABI's limit of ${CALL_DEPTH_SLOTS} slots`);
      // Allocators trap when memory.grow is refused: that is the memory limit, not a bug.
      const refused = (exports?.[GROW_REFUSED_GLOBAL] as WebAssembly.Global | undefined)?.value === 1;
      if (refused)
        return failure('MemoryLimit', `trapped (${err.message}) after memory.grow was refused at its declared maximum`);
      return failure('Trap', err.message);
    }
    return failure('Trap', err instanceof Error ? `${err.name}: ${err.message}` : describeError(err));
  } finally {
    memories.give(memory, unit.memory);
  }
}

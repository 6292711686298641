// Turns the module a unit names into one the pool may run: size-checked, validated by V8, checked
// against the ABI, metered, and its memory and tables checked against the unit's limits — all
// before any of its code runs. Metered modules are cached by the original's SHA-256, in shared
// memory, so a worker is handed the bytes without a copy.
import { describeError } from '../../core/errors.js';
import { createHash } from 'node:crypto';
import { abiViolation } from './abi.js';
import { ExecError } from './errors.js';
import type { UnitLimits } from './limits.js';
import { meterModule, MeteringRefused, type MeteredModule } from './metering.js';

export interface PreparedModule extends Omit<MeteredModule, 'bytes'> {
  /** SHA-256 (hex) of the module as the unit named it, before metering. */
  hash: string;
  /** The metered module, in a SharedArrayBuffer. */
  bytes: Uint8Array;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class ModuleCache {
  private readonly entries = new Map<string, PreparedModule>();
  private bytesHeld = 0;

  constructor(private readonly maxBytes = 256 << 20) {}

  get size(): number {
    return this.entries.size;
  }

  /** The prepared module, or an ExecError saying why it may not run under `limits`. */
  prepare(original: Uint8Array, limits: UnitLimits): PreparedModule {
    if (original.length > limits.maxModuleBytes) {
      throw new ExecError(
        'BadModule',
        `module is ${original.length} bytes, over the limit of ${limits.maxModuleBytes}`,
      );
    }
    const hash = sha256Hex(original);
    let prepared = this.entries.get(hash);
    if (prepared) {
      this.entries.delete(hash); // re-insert: the Map's order is the LRU order
      this.entries.set(hash, prepared);
    } else {
      prepared = this.load(original, hash);
      this.remember(prepared);
    }
    checkAgainstLimits(prepared, limits);
    return prepared;
  }

  private load(original: Uint8Array, hash: string): PreparedModule {
    let compiled: WebAssembly.Module;
    try {
      compiled = new WebAssembly.Module(original as Uint8Array<ArrayBuffer>);
    } catch (err) {
      throw new ExecError('BadModule', `not a valid WebAssembly module: ${describeError(err)}`);
    }
    const violation = abiViolation(compiled);
    if (violation)
      throw new ExecError(violation.startsWith('imports') ? 'ForbiddenImport' : 'BadModule', `module ${violation}`);
    let metered: MeteredModule;
    try {
      metered = meterModule(original);
    } catch (err) {
      if (err instanceof MeteringRefused) throw new ExecError('BadModule', `module ${err.message}`);
      throw err;
    }
    const shared = new Uint8Array(new SharedArrayBuffer(metered.bytes.length));
    shared.set(metered.bytes);
    return { ...metered, hash, bytes: shared };
  }

  private remember(prepared: PreparedModule): void {
    this.entries.set(prepared.hash, prepared);
    this.bytesHeld += prepared.bytes.length;
    for (const [hash, entry] of this.entries) {
      if (this.bytesHeld <= this.maxBytes) break;
      this.entries.delete(hash);
      this.bytesHeld -= entry.bytes.length;
    }
  }
}

function checkAgainstLimits(prepared: PreparedModule, limits: UnitLimits): void {
  const { memory } = prepared;
  if (!memory) throw new ExecError('BadModule', 'module has no memory');
  if (memory.maximum === undefined) {
    throw new ExecError(
      'MemoryLimit',
      `module's memory declares no maximum; the unit allows at most ${limits.memoryPages} pages`,
    );
  }
  if (memory.maximum > limits.memoryPages || memory.initial > limits.memoryPages) {
    throw new ExecError(
      'MemoryLimit',
      `module's memory (initial ${memory.initial}, maximum ${memory.maximum} pages) is over the unit's ${limits.memoryPages} pages`,
    );
  }
  if (prepared.tableElements > limits.maxTableElements) {
    throw new ExecError(
      'BadModule',
      `module's table of ${prepared.tableElements} elements is over the limit of ${limits.maxTableElements}`,
    );
  }
}

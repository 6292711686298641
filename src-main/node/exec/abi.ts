// The host's half of the unit ABI v1 (docs/UNIT_ABI.md): the one import a unit may have, and the
// call sequence that hands it params and input and takes its output. No limits live here:
// prepare.ts checks the module before it runs, worker.ts the sizes around the call.
import type { HostEnd } from './host-end.js';

const ABI_VERSION = 1;

/** Names the metering adds to every module (metering.ts); a module may not export them itself. */
export const FUEL_GLOBAL = 'mesh_fuel';
export const START_EXPORT = 'mesh_start';
export const GROW_REFUSED_GLOBAL = 'mesh_grow_refused';
export const CALL_DEPTH_GLOBAL = 'mesh_call_depth';

/**
 * The call stack a unit may use, in slots (docs/UNIT_ABI.md, "Call depth"): the same on every
 * node, and far enough below what V8 allows a pool worker that V8's own limit is never what stops it.
 */
export const CALL_DEPTH_SLOTS = 65_536;

/** The only host import the ABI allows: `env.abort(message, file, line, column)`. */
const ALLOWED_IMPORTS: ReadonlyArray<{ module: string; name: string; kind: string }> = [
  { module: 'env', name: 'abort', kind: 'function' },
];

/** A unit called `env.abort`: it ends the unit as a trap carrying the unit's own message. */
export class UnitAbort extends Error {}

/** The module's status code was not 0: the unit refused its params or input. */
export class UnitStatus extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface AbiExports {
  memory: WebAssembly.Memory;
  mesh_abi_version: () => number;
  mesh_alloc: (len: number) => number;
  mesh_run: (paramsPtr: number, paramsLen: number, inputPtr: number, inputLen: number) => number;
  mesh_output_ptr: () => number;
  mesh_output_len: () => number;
}

const REQUIRED_FUNCTIONS = [
  'mesh_abi_version',
  'mesh_alloc',
  'mesh_run',
  'mesh_output_ptr',
  'mesh_output_len',
] as const;

/** The import modules of WASI's versions: a program built for WASI (`--target=wasm32-wasi`) imports from one. */
const WASI_MODULES: ReadonlySet<string> = new Set(['wasi_snapshot_preview1', 'wasi_unstable']);

/** What a WASI program is told, after what gave it away: that it runs as a job of WASI programs, not under the unit ABI. */
const WASI_PROGRAM =
  'it is a WASI program, which runs as a WASI job, not a custom-ABI one: submit it with meshctl submit-job --wasi (docs/UNIT_ABI.md, section 15), or build it for the unit ABI (a freestanding wasm32 target, no WASI, no libc: section 12)';

/**
 * Why a compiled module does not follow the ABI, or null when it does (imports and exports only).
 * A WASI program (it imports from WASI, or exports WASI's `_start` without `mesh_run`) is told so.
 * The one check of a module's imports and exports: made as the module is prepared to run
 * (metering-worker.ts), and so by Executor.checkModule, which runs no unit.
 */
export function abiViolation(module: WebAssembly.Module): string | null {
  for (const imp of WebAssembly.Module.imports(module)) {
    const allowed = ALLOWED_IMPORTS.some((a) => a.module === imp.module && a.name === imp.name && a.kind === imp.kind);
    if (!allowed) {
      const wasi = WASI_MODULES.has(imp.module) ? `; ${WASI_PROGRAM}` : '';
      return `imports ${imp.kind} "${imp.module}.${imp.name}", which the unit ABI does not provide${wasi}`;
    }
  }
  const exports = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  const wasi = exports.has('_start') && !exports.has('mesh_run') ? `; it exports "_start", so ${WASI_PROGRAM}` : '';
  if (exports.get('memory') !== 'memory') return `does not export its memory as "memory"${wasi}`;
  for (const name of REQUIRED_FUNCTIONS) {
    if (exports.get(name) !== 'function') return `does not export the function "${name}"${wasi}`;
  }
  return null;
}

/**
 * Where a metered module takes its memory from: metering turns the module's own memory into this
 * import, with the limits it declared (still exported as `memory`), so that the host can hand a
 * unit a memory it zeroed rather than a new one (worker.ts). Not an import a unit may declare.
 */
export const MEMORY_IMPORT = { module: 'env', name: 'memory' } as const;

/** The imports of a metered module: the ABI's (its abort recorded as its end: HostEnd), and the memory its instance is to use. */
export function meteredImports(memory: WebAssembly.Memory, end?: HostEnd): WebAssembly.Imports {
  const { env } = abiImports(() => memory, end);
  return { [MEMORY_IMPORT.module]: { ...env, [MEMORY_IMPORT.name]: memory } };
}

/**
 * The import object for a unit. `memory` is looked up when abort is called, since the instance
 * that owns it does not exist yet when the imports are made.
 */
export function abiImports(memory: () => WebAssembly.Memory | undefined, end?: HostEnd): WebAssembly.Imports {
  return {
    env: {
      abort(messagePtr: number, filePtr: number, line: number, column: number): never {
        end?.check();
        const mem = memory();
        const message = mem ? readAbortString(mem, messagePtr) : '';
        const file = mem ? readAbortString(mem, filePtr) : '';
        const abort = new UnitAbort(
          `abort${message ? `: ${message}` : ''}${file ? ` at ${file}:${line}:${column}` : ''}`,
        );
        if (end) end.end(abort);
        throw abort;
      },
    },
  };
}

/**
 * Runs one unit on a fresh instance: copies params and input in, calls `mesh_run`, copies the
 * output out. `maxOutputBytes` is checked before the copy so a huge output never lands in JS.
 */
export function callUnit(
  exports: AbiExports,
  params: Uint8Array,
  input: Uint8Array,
  maxOutputBytes: number,
): Uint8Array {
  const version = exports.mesh_abi_version();
  if (version !== ABI_VERSION)
    throw new UnitStatus(-1, `speaks unit ABI version ${version}; this node speaks ${ABI_VERSION}`);
  const paramsPtr = writeBytes(exports, params);
  const inputPtr = writeBytes(exports, input);
  const status = exports.mesh_run(paramsPtr, params.length, inputPtr, input.length);
  const output = outputView(exports, status === 0 ? maxOutputBytes : 4096);
  if (status !== 0) throw new UnitStatus(status, new TextDecoder().decode(output));
  return output.slice();
}

export class OutputOverLimit extends Error {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`output of ${bytes} bytes is over the unit's limit of ${limit}`);
  }
}

function writeBytes(exports: AbiExports, bytes: Uint8Array): number {
  const ptr = exports.mesh_alloc(bytes.length) >>> 0;
  checkRange(exports.memory, ptr, bytes.length, 'mesh_alloc');
  new Uint8Array(exports.memory.buffer, ptr, bytes.length).set(bytes);
  return ptr;
}

function outputView(exports: AbiExports, limit: number): Uint8Array {
  const ptr = exports.mesh_output_ptr() >>> 0;
  const len = exports.mesh_output_len() >>> 0;
  if (len > limit) throw new OutputOverLimit(len, limit);
  checkRange(exports.memory, ptr, len, 'mesh_output_ptr/len');
  return new Uint8Array(exports.memory.buffer, ptr, len);
}

function checkRange(memory: WebAssembly.Memory, ptr: number, len: number, what: string): void {
  if (ptr + len > memory.buffer.byteLength) {
    throw new UnitStatus(-1, `${what} points outside the unit's memory (${ptr}+${len})`);
  }
}

/** AssemblyScript's string layout: UTF-16LE, its byte length in the u32 just before it. */
function readAbortString(memory: WebAssembly.Memory, ptr: number): string {
  const bytes = memory.buffer.byteLength;
  if (ptr < 4 || ptr >= bytes) return '';
  const byteLength = new DataView(memory.buffer).getUint32(ptr - 4, true);
  const len = Math.min(byteLength, 512, bytes - ptr) & ~1;
  return Buffer.from(memory.buffer, ptr, len).toString('utf16le');
}

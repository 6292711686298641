// The metering thread: validates the modules the main thread sends it, checks them against the
// ABI and meters them (metering.ts), so neither binaryen (tens of MB, half a second to load) nor
// a module's compilation runs on the main thread. prepare.ts starts this thread when a module is
// not in its cache and ends it once it has sat idle, which gives binaryen's memory back.
import { setFlagsFromString } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { describeError } from '../../core/errors.js';
import { abiViolation } from './abi.js';
import type { ExecFailure } from './errors.js';
import { meterModule, MeteringRefused, type MeteredModule, type ModuleKind } from './metering.js';
import { wasiViolation } from './wasi/imports.js';
import { lowerThisThreadsPriority, threadCpuMs } from './thread-priority.js';

lowerThisThreadsPriority(); // metering a big module takes seconds of CPU that nobody is waiting on interactively

export interface MeteringRequest {
  id: number;
  original: Uint8Array;
  kind: ModuleKind;
}

/** Sent once, when the thread's modules have been evaluated. */
export interface MeteringLoaded {
  loaded: true;
}

/** The metered module's bytes are in a SharedArrayBuffer: handed over without a copy. */
export type MeteringReply = { id: number } & ({ ok: true; metered: MeteredModule } | ExecFailure);

function meterChecked(original: Uint8Array, kind: ModuleKind): { ok: true; metered: MeteredModule } | ExecFailure {
  const [started, startedCpu] = [performance.now(), threadCpuMs()];
  // In full: the pool compiles what is metered here with lazy validation (prepare.ts).
  if (!WebAssembly.validate(original as Uint8Array<ArrayBuffer>))
    return { ok: false, code: 'BadModule', message: `not a valid WebAssembly module: ${whyInvalid(original)}` };
  const compiled = new WebAssembly.Module(original as Uint8Array<ArrayBuffer>);
  const violation = kind === 'wasi' ? wasiViolation(compiled) : abiViolation(compiled);
  if (violation)
    return {
      ok: false,
      code: violation.startsWith('imports') ? 'ForbiddenImport' : 'BadModule',
      message: `module ${violation}`,
    };
  let metered: MeteredModule;
  try {
    metered = meterModule(original, { determinism: true, kind });
  } catch (err) {
    if (err instanceof MeteringRefused) return { ok: false, code: 'BadModule', message: `module ${err.message}` };
    throw err;
  }
  const shared = new Uint8Array(new SharedArrayBuffer(metered.bytes.length));
  shared.set(metered.bytes);
  return { ok: true, metered: { ...metered, bytes: shared, preparedMs: Math.ceil(preparedMs(started, startedCpu)) } };
}

/**
 * How long metering took, as an idle core would take it: this thread's CPU time where it can be
 * read (at nice 19 on a busy requester, wall time said how busy the machine was: a CI run's 20 MB
 * program took 36 s of wall time and was refused at submit), else wall time.
 */
function preparedMs(started: number, startedCpu: number | undefined): number {
  const cpu = threadCpuMs();
  return startedCpu !== undefined && cpu !== undefined ? cpu - startedCpu : performance.now() - started;
}

/**
 * V8's reason for refusing `bytes` (WebAssembly.validate says only no): a compile that validates
 * every function body, as the process's lazy validation (prepare.ts) would not, for this compile only.
 */
function whyInvalid(bytes: Uint8Array): string {
  setFlagsFromString('--no-wasm-lazy-validation');
  try {
    void new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    return 'refused by WebAssembly.validate';
  } catch (err) {
    return describeError(err);
  } finally {
    setFlagsFromString('--wasm-lazy-validation');
  }
}

parentPort?.on('message', (request: MeteringRequest) => {
  // oxlint-disable-next-line unicorn/require-post-message-target-origin -- a worker thread's port, not a window
  parentPort!.postMessage({ id: request.id, ...meterChecked(request.original, request.kind) } satisfies MeteringReply);
});
// Loaded (binaryen's module evaluation, awaited at its top level, is over): it may be terminated now.
// oxlint-disable-next-line unicorn/require-post-message-target-origin -- a worker thread's port, not a window
parentPort?.postMessage({ loaded: true } satisfies MeteringLoaded);

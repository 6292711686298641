// Runs a WASI command on its instance: calls `_start`, and turns how it ended into the unit's
// output. Returning from `_start` is exit code 0; proc_exit(n) is exit code n, an ordinary result
// like any other, however control came back after it (a program that caught its unwinding traps
// at its next metering check: HostEnd). Traps, fuel and limits are not handled here: they end the
// unit as they end any unit (worker.ts).
import { OutputOverLimit } from '../abi.js';
import type { HostEnd } from '../host-end.js';
import { WasiExit, type WasiHost } from './host.js';
import { WASI_ENTRY } from './imports.js';
import { encodeWasiOutput } from './unit-bytes.js';

export interface WasiRun {
  /** The canonical encoding of the exit code, stdout and /out (program.ts): what nodes compare. */
  output: Uint8Array;
  exitCode: number;
  stderr: Uint8Array;
  /** The fuel left when it exited by proc_exit (drained since, HostEnd); undefined: it returned from `_start`. */
  fuelLeft?: bigint;
}

export function runWasiProgram(
  host: WasiHost,
  end: HostEnd,
  exports: Record<string, unknown>,
  maxOutputBytes: number,
): WasiRun {
  try {
    (exports[WASI_ENTRY] as () => void)();
  } catch (err) {
    if (!end.ended) throw err;
  }
  const ended = end.ended;
  // Fuel out in a call ends it as out of fuel (the drained fuel says so), whatever followed.
  if (ended && !(ended.error instanceof WasiExit)) throw ended.error;
  const exitCode = ended?.error instanceof WasiExit ? ended.error.code : 0;
  const output = encodeWasiOutput(host.result(exitCode));
  if (output.length > maxOutputBytes) throw new OutputOverLimit(output.length, maxOutputBytes);
  return {
    output,
    exitCode,
    stderr: host.stderr.bytes(),
    ...(ended?.fuelLeft !== undefined ? { fuelLeft: ended.fuelLeft } : {}),
  };
}

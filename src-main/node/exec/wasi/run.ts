// Runs a WASI command on its instance: calls `_start`, and turns how it ended into the unit's
// output. Returning from `_start` is exit code 0; proc_exit(n) is exit code n, an ordinary result
// like any other. Traps, fuel and limits are not handled here: they end the unit as they end any
// unit (worker.ts).
import { OutputOverLimit } from '../abi.js';
import { WasiExit, type WasiHost } from './host.js';
import { WASI_ENTRY } from './imports.js';
import { encodeWasiOutput } from './program.js';

export interface WasiRun {
  /** The canonical encoding of the exit code, stdout and /out (program.ts): what nodes compare. */
  output: Uint8Array;
  exitCode: number;
  stderr: Uint8Array;
}

export function runWasiProgram(host: WasiHost, exports: Record<string, unknown>, maxOutputBytes: number): WasiRun {
  let exitCode = 0;
  try {
    (exports[WASI_ENTRY] as () => void)();
  } catch (err) {
    if (!(err instanceof WasiExit)) throw err;
    exitCode = err.code;
  }
  const output = encodeWasiOutput(host.result(exitCode));
  if (output.length > maxOutputBytes) throw new OutputOverLimit(output.length, maxOutputBytes);
  return { output, exitCode, stderr: host.stderr.bytes() };
}

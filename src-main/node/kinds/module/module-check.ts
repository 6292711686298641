// A user's module checked at submit, before anything of the job is stored or journaled: the checks
// each of its units would meet where it runs, made by the same code (Executor.checkModule), so a
// module that cannot run is refused here rather than sent to providers who are paid to fail it.
import { ApiError } from '../../api/errors.js';
import { DEFAULT_LIMITS, ExecError, type Executor, type ModuleKind } from '../../exec/index.js';

/**
 * Why a module cannot run, as the check said, and where the ABI is written down; `meshctl
 * run-local` says the same. A reason that points to the ABI's docs already (a WASI program's) is
 * not told twice.
 */
export function whyUnrunnable(err: ExecError): string {
  if (err.message.includes('docs/UNIT_ABI.md')) return err.message;
  return `${err.message}; a unit's module must follow docs/UNIT_ABI.md (its checklist: section 13)`;
}

/**
 * Refuses (bad_request) a module whose units would all fail before running: it says why and what
 * to do. `kind`: what the job says the module is, a unit under the ABI or a WASI program (its
 * `wasi` terms); a WASI program in a job of the ABI's kind is refused, as its units would be.
 */
export async function refuseUnrunnableModule(
  executor: Executor,
  module: Uint8Array,
  kind: ModuleKind = 'abi',
  /** The most its preparation (validation and metering) may take here: each provider prepares it before its first unit. */
  prepareLimitMs = DEFAULT_LIMITS.timeoutMs,
): Promise<void> {
  let preparedMs: number;
  try {
    ({ preparedMs } = await executor.checkModule(module, kind));
  } catch (err) {
    if (!(err instanceof ExecError)) throw err;
    if (err.code === 'Closed')
      throw new ApiError('unavailable', 'the node is stopping: submit the job once it runs again');
    // A WASI job's module is checked as a WASI command: what it must be is section 15's.
    const why =
      kind === 'wasi'
        ? `${err.message}; a WASI job's module must be a WASI preview 1 command (docs/UNIT_ABI.md, section 15)`
        : `${whyUnrunnable(err)}; try it on this machine with meshctl run-local before submitting it`;
    throw new ApiError('bad_request', `the module cannot run as a unit, so nothing was submitted: ${why}`);
  }
  // Prepared once a module CID on each node (cached on disk), but a first unit waits for it; the
  // time is its first preparation's here, kept with it, so a second submit of it is refused alike.
  if (preparedMs > prepareLimitMs)
    throw new ApiError(
      'bad_request',
      `the module (${module.byteLength} bytes) took ${(preparedMs / 1000).toFixed(1)} s to prepare here, over a unit's ${prepareLimitMs / 1000} s: every provider would prepare it before its first unit, so nothing was submitted`,
    );
}

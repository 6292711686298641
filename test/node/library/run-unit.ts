// Runs a library method on one input as a node runs a unit of it: resolveLibrary checks the params
// and names the module and the unit's WASI params, wasiRunOf makes the run, the executor runs it.
import { decodeWasiOutput, wasiRunOf, type Executor } from '../../../src-main/node/exec/index.js';
import { resolveLibrary } from '../../../src-main/node/kinds/library/library.js';

/** Unit `index` of job `job` of `library/method` on `input`: its exit code and stdout. */
export async function runUnit(
  executor: Executor,
  library: string,
  method: string,
  params: Record<string, unknown>,
  input: Uint8Array,
  index = 0,
  job = 'job-l',
): Promise<{ exit: number; stdout: Buffer }> {
  const resolved = resolveLibrary(library, method, params, Math.max(1, input.byteLength));
  if (typeof resolved === 'string') throw new Error(resolved);
  const unit = { unit_id: `${job}/${index}`, job_id: job, params: resolved.params as never };
  const { output } = await executor.run({ module: resolved.module, ...wasiRunOf(unit, input, undefined) });
  const result = decodeWasiOutput(output);
  return { exit: result.exitCode, stdout: Buffer.from(result.stdout) };
}

// A job of WASI programs as submitted (core/api/shapes.ts, WasiJobSchema): what its units' params
// are (core/schemas/wasi-job.ts), and its files, stored once as a blob that every unit names.
import type { SubmitJobTerms } from '../../../core/api/contract.js';
import { describeError } from '../../../core/errors.js';
import { treeProblem, WASI_PROGRAM, type WasiUnitParams, type WorkUnit } from '../../../core/schemas/index.js';
import { ApiError } from '../../api/errors.js';
import { decodeInputFiles, DEFAULT_LIMITS, ExecError, wasiRunOf, type Executor } from '../../exec/index.js';
import { REFERENCE_FUEL_PER_SECOND } from '../../hardware/calibrate.js';

/** The units' params and the files' bytes; files that are no input tree are refused, as every unit would fail on them. */
export function wasiJob(wasi: NonNullable<SubmitJobTerms['wasi']>) {
  const { files_base64: encoded, program = 'program', ...rest } = wasi;
  const params: WasiUnitParams = { program, ...rest };
  const files = encoded === undefined ? undefined : new Uint8Array(Buffer.from(encoded, 'base64'));
  if (files) {
    let tree;
    try {
      tree = decodeInputFiles(files);
    } catch (err) {
      throw new ApiError(
        'bad_request',
        `wasi.files_base64 is not an input tree (a dag-cbor list of [path, bytes], as encodeInputFiles makes it): ${describeError(err)}`,
      );
    }
    // With mapped folders, each file lies under its folder's i/ (core/schemas/wasi-dirs.ts).
    const problem =
      wasi.dirs &&
      treeProblem(
        tree.map(([path]) => path),
        wasi.dirs,
      );
    if (problem) throw new ApiError('bad_request', `wasi.files_base64 does not fit wasi.dirs: ${problem}`);
  }
  return { algorithmId: WASI_PROGRAM, params, files };
}

/** The longest a first unit is run at submit to learn its cost, on the reference machine. */
const PROBE_SECONDS = 0.5;

/**
 * What a unit of the program costs on the reference machine, from a run of the job's first unit
 * here (its fuel), up to PROBE_SECONDS: past it, the most any unit may take (its wall-time limit),
 * since a unit estimated short would be late on every provider that takes several. Undefined when
 * the run fails otherwise (the units fail, if they do, as they would in the mesh).
 */
export async function probeWasiSeconds(
  executor: Executor,
  module: Uint8Array,
  /** The units' params, as wasiRunOf checks them. */
  params: WorkUnit['params'],
  files: Uint8Array | undefined,
  input: Uint8Array,
): Promise<number | undefined> {
  const probe = { unit_id: 'probe/0', job_id: 'probe', params };
  try {
    const limits = { fuel: PROBE_SECONDS * REFERENCE_FUEL_PER_SECOND };
    const { fuel } = await executor.run({ module, ...wasiRunOf(probe, input, files), limits });
    return fuel / REFERENCE_FUEL_PER_SECOND;
  } catch (err) {
    if (err instanceof ExecError && err.code === 'OutOfFuel') return DEFAULT_LIMITS.timeoutMs / 1000;
    return undefined;
  }
}

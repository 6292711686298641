// A unit of a job of WASI programs (core/schemas/wasi-job.ts) as the executor runs it: the same on
// the provider that computes it, the requester that checks it and `meshctl run-local`, so every
// honest run of a unit is given the same argv, environment, seed, stdin, files and mapped folders.
//
// The seed of random_get is SHA-256 of the unit's id (`JOB/INDEX`), hex: the same on every node
// for one unit, different for each unit of a job and for each job.
import { createHash } from 'node:crypto';
import { expandArgs, unitIndexOf, validate, WasiUnitParamsSchema, type WorkUnit } from '../../../core/schemas/index.js';
import { ExecError } from '../errors.js';
import { decodeWasiItem } from './items.js';
import type { WasiRequest } from './program.js';

/** random_get's seed for unit `index` of job `jobId`. */
function wasiSeedOf(jobId: string, index: number): string {
  return createHash('sha256').update(`${jobId}/${index}`).digest('hex');
}

/** The run of a WASI unit: its stdin and what the host is told. Throws ExecError BadRequest for a unit no node can run. */
export function wasiRunOf(
  unit: Pick<WorkUnit, 'unit_id' | 'job_id' | 'params'>,
  input: Uint8Array,
  files: Uint8Array | undefined,
): { input: Uint8Array; wasi: WasiRequest } {
  const params = validate(WasiUnitParamsSchema, unit.params ?? {});
  if (!params.ok) throw new ExecError('BadRequest', `a WASI unit's params: ${params.error.message}`);
  const index = unitIndexOf(unit.unit_id, unit.job_id);
  if (index === undefined)
    throw new ExecError('BadRequest', `a WASI unit's id must be its job's id, "/" and its index, not ${unit.unit_id}`);
  const { program, args, env, items, dirs } = params.value;
  let name = String(index);
  let stdin = input;
  if (items === 'framed') {
    const item = decodeWasiItem(input);
    if (typeof item === 'string') throw new ExecError('BadRequest', item);
    ({ name, stdin } = item);
  }
  const wasi: WasiRequest = {
    program,
    args: expandArgs(args, index, name),
    env,
    seed: wasiSeedOf(unit.job_id, index),
    ...(files ? { files } : {}),
    ...(dirs ? { dirs } : {}),
  };
  return { input: stdin, wasi };
}

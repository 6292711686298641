// A unit run to its output, the same way for a provider computing it and for a requester checking
// a result against its own run: a failure every honest run reproduces (out of fuel, a trap, bad
// params) is the unit's output, encoded the same way by all; any other failure is returned.
import { cidOfBytes } from '../blobs/cid.js';
import { ExecError } from '../exec/index.js';
import { DETERMINISTIC_GPU_FAILURES, GpuError } from '../gpu/gpu-executor.js';
import type { RanUnit } from '../gpu/unit-router.js';

/** Unit failures every honest provider would reproduce: reported as the unit's (agreed) output. */
const DETERMINISTIC_FAILURES = new Set([
  'OutOfFuel',
  'MemoryLimit',
  'BadModule',
  'ForbiddenImport',
  'Trap',
  'UnitFailed',
  'OutputTooLarge',
  'InputTooLarge',
  'BadRequest',
]);

const failureOutput = (code: string) => new TextEncoder().encode(JSON.stringify({ error: code }));

/** Each deterministic failure's output CID → its code: a verdict on one of these CIDs is a failed unit, not an output. */
const FAILURE_BY_CID = new Map(
  [...DETERMINISTIC_FAILURES, ...DETERMINISTIC_GPU_FAILURES].map((code) => [cidOfBytes(failureOutput(code)), code]),
);

/** The longest failure output: a fetch of a unit's output is capped at no less. */
export const MAX_FAILURE_OUTPUT_BYTES = Math.max(
  ...[...DETERMINISTIC_FAILURES, ...DETERMINISTIC_GPU_FAILURES].map((code) => failureOutput(code).byteLength),
);

/** The failure every run of a unit agreed on, when its verified output (by CID) is one; else undefined. */
export function agreedFailure(outputCid: string | null | undefined): string | undefined {
  return outputCid ? FAILURE_BY_CID.get(outputCid) : undefined;
}

/** The unit's output (a deterministic failure encoded as `{"error": code}`), or the error that kept it from one. */
export async function outputOf(run: Promise<RanUnit>, startedMs: number, now: () => number): Promise<RanUnit | Error> {
  const ran = await run.catch((err: unknown) => err);
  if (!(ran instanceof Error)) return ran as RanUnit;
  if (
    (ran instanceof ExecError && DETERMINISTIC_FAILURES.has(ran.code)) ||
    (ran instanceof GpuError && DETERMINISTIC_GPU_FAILURES.has(ran.code))
  ) {
    return {
      output: failureOutput(ran.code), // every honest run fails the same way
      ...(ran instanceof ExecError && ran.fuel !== undefined ? { fuel: ran.fuel } : {}),
      wallMs: now() - startedMs,
    };
  }
  return ran;
}

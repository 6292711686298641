// A unit run to its output, the same way for a provider computing it and for a requester checking
// a result against its own run: a failure every honest run reproduces (out of fuel, a trap, bad
// params) is the unit's output, encoded the same way by all; any other failure is returned.
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

/** The unit's output (a deterministic failure encoded as `{"error": code}`), or the error that kept it from one. */
export async function outputOf(run: Promise<RanUnit>, startedMs: number, now: () => number): Promise<RanUnit | Error> {
  const ran = await run.catch((err: unknown) => err);
  if (!(ran instanceof Error)) return ran as RanUnit;
  if (
    (ran instanceof ExecError && DETERMINISTIC_FAILURES.has(ran.code)) ||
    (ran instanceof GpuError && DETERMINISTIC_GPU_FAILURES.has(ran.code))
  ) {
    return {
      output: new TextEncoder().encode(JSON.stringify({ error: ran.code })), // every honest run fails the same way
      ...(ran instanceof ExecError && ran.fuel !== undefined ? { fuel: ran.fuel } : {}),
      wallMs: now() - startedMs,
    };
  }
  return ran;
}

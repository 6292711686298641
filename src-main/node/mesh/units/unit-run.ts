// A unit run to its output, the same way for a provider computing it and for a requester checking
// a result against its own run: a failure every honest run reproduces (out of fuel, a trap, bad
// params) is the unit's output, encoded the same way by all; any other failure is returned.
import { cidOfBytes } from '../../blobs/cid.js';
import { ExecError } from '../../exec/index.js';
import { mapInFlight } from '../../exec/in-flight.js';
import { DETERMINISTIC_GPU_FAILURES, GpuError } from '../../gpu/gpu-executor.js';
import { tileOutputBytes } from '../../../core/render/index.js';
import { MAX_UNITS_PER_PACK, type WorkUnit } from '../../../core/schemas/index.js';
import type { KindRun, KindRuntime, RanUnit } from '../../kinds/seam.js';
import { MAX_PACK_OUTPUT_BYTES, packOutput, unpackInput } from './pack-outputs.js';

/**
 * A pack's units queued on the executor at a time: a worker's hop (it takes up to 64). Queued all
 * at once, the packs an acceptance starts together would make thousands of runs in one turn of the main
 * thread (a provider's stalls of 130–195 ms in `mesh_tiny`).
 */
const PACK_RUNS_IN_FLIGHT = 64;

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

/** The most a render tile's output may be: its w × h × 4 bytes, or a failure's `{"error": …}`. Nothing bigger is fetched. */
export function tileFetchCap(unit: WorkUnit | undefined): number {
  return Math.max(tileOutputBytes(unit?.params), MAX_FAILURE_OUTPUT_BYTES);
}

/** The failure every run of a unit agreed on, when its verified output (by CID) is one; else undefined. */
export function agreedFailure(outputCid: string | null | undefined): string | undefined {
  return outputCid ? FAILURE_BY_CID.get(outputCid) : undefined;
}

/** The lengths a failure output can have: an output of any other length is none, and is not hashed to tell. */
const FAILURE_LENGTHS = new Set(
  [...DETERMINISTIC_FAILURES, ...DETERMINISTIC_GPU_FAILURES].map((code) => failureOutput(code).byteLength),
);

/** How many units of a pack failed the same way in every run (their outputs are deterministic failures). */
export const failedInPack = (outputs: readonly Uint8Array[]): number =>
  outputs.filter((output) => FAILURE_LENGTHS.has(output.byteLength) && agreedFailure(cidOfBytes(output)) !== undefined)
    .length;

/** The unit's output (a deterministic failure encoded as `{"error": code}`), or the error that kept it from one. */
async function outputOf(run: Promise<RanUnit>, startedMs: number, now: () => number): Promise<RanUnit | Error> {
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

/**
 * Runs the unit by its kind's runtime (node/kinds) to its output, as outputOf says. A pack's units
 * are each run alone, PACK_RUNS_IN_FLIGHT at a time (the executor batches them into its workers),
 * and their outputs make the pack's (pack-outputs.ts); a failure that is no unit's output is the pack's.
 */
export async function unitOutput(
  runtime: KindRuntime,
  run: KindRun,
  now: () => number,
  /** When the unit's time began (its blobs' fetch included, for a provider). */
  started = now(),
): Promise<RanUnit | Error> {
  const { pack_chunk_bytes: chunkBytes, ...single } = run.unit;
  if (chunkBytes === undefined || !runtime.packable) return outputOf(runtime.run(run), started, now);
  const parts = unpackInput(run.input, chunkBytes);
  // More units than a pack holds: no honest requester packs them, and no honest run takes them.
  if (parts.length > MAX_UNITS_PER_PACK) return { output: failureOutput('InputTooLarge'), wallMs: now() - started };
  const runs = await mapInFlight(parts, PACK_RUNS_IN_FLIGHT, (part) =>
    outputOf(runtime.run({ ...run, unit: single, input: part }), now(), now),
  );
  const failed = runs.find((ran) => ran instanceof Error);
  if (failed) return failed;
  const ran = runs as RanUnit[];
  const fuels = ran.flatMap((one) => (one.fuel === undefined ? [] : [one.fuel]));
  const fuel = fuels.length > 0 ? { fuel: fuels.reduce((sum, one) => sum + one, 0) } : {};
  // What running them took, one after another: not the pack's wall time, which counts the units
  // that waited for a worker behind others (tiny packs are queued many at once).
  const wallMs = ran.reduce((sum, one) => sum + one.wallMs, 0);
  const output = packOutput(ran.map((one) => one.output));
  // Over the limit every fetch of an output holds to: the pack fails as a unit would (every run agrees).
  if (output.byteLength > MAX_PACK_OUTPUT_BYTES) return { output: failureOutput('OutputTooLarge'), ...fuel, wallMs };
  return { output, ...fuel, wallMs };
}

// Unit packs: a batched job's consecutive tiny units offered, accepted, escrowed, run, settled and
// receipted as one. Each unit in a pack is still run alone, in a sandbox of its own, and its output
// is kept apart in the pack's output (a list, one entry a unit): a check of the pack re-runs and
// compares every unit in it. A unit of the job is `${job_id}/${index}` as the user sees it; the state
// holds the job's packs, pack p being units p × units_per_pack onwards. Pure: no I/O.
import { MAX_UNITS_PER_PACK, type Job } from '../../schemas/index.js';
import type { JobRecord } from '../state/records.js';
/** A pack's input at most, in bytes, when the node chooses its size: it rides inline with its acceptance. */
const PACK_INPUT_BYTES = 16 * 1024;
/**
 * Units estimated to take under this many seconds each on the reference machine are packed: each
 * unit's steps through the mesh cost its two nodes ~0.3 ms of main thread (docs/BENCHMARKS.md), so
 * at 10 ms a unit they are a few percent of its work; below it, they are most of it.
 */
export const PACK_BELOW_SECONDS = 0.01;
/**
 * What a unit's run costs whatever its input: a sandbox of its own, its input in and output out
 * (~50 µs: the local pool runs ~40,000 tiny units a second on 2 workers, the baseline of
 * `npm run bench -- mesh_tiny`).
 * Counted apart from bytes: an estimate from bytes alone puts a pack of 256 hash units at 0.3 ms, so a
 * provider's pipeline of "2 s of work" would hold a whole 300,000-unit job, and a provider that came
 * a few seconds later would get none.
 */
export const UNIT_RUN_SECONDS = 50e-6;
/**
 * A pack the node sizes takes at most about this long on the reference machine: packs of units
 * of a few milliseconds stay small enough that a job's last ones do not keep one worker busy
 * while the others wait.
 */
const PACK_SECONDS = 0.025;

/**
 * How many units of `chunkBytes` a pack holds when the job does not say: as many as fit
 * PACK_INPUT_BYTES and PACK_SECONDS, up to MAX_UNITS_PER_PACK, for units estimated under
 * PACK_BELOW_SECONDS; else 1.
 */
export function defaultUnitsPerPack(chunkBytes: number, secondsPerUnit: number): number {
  if (secondsPerUnit >= PACK_BELOW_SECONDS) return 1;
  const byBytes = Math.floor(PACK_INPUT_BYTES / chunkBytes);
  const byTime = Math.floor(PACK_SECONDS / Math.max(secondsPerUnit, Number.MIN_VALUE));
  return Math.max(1, Math.min(MAX_UNITS_PER_PACK, byBytes, byTime));
}

/** The units per pack of a job: 1 for a job that is not packed. */
export const unitsPerPackOf = (job: Pick<Job, 'units_per_pack'>): number => job.units_per_pack ?? 1;

/** A job's units as the user counts them: its packs' units (`inputBytes` and `chunkBytes`: a unit's input). */
export const unitsOfInput = (inputBytes: number, chunkBytes: number): number => Math.ceil(inputBytes / chunkBytes);

/** Where unit `index` of a packed job lies: its pack's index and its place in that pack. */
export function packOf(index: number, unitsPerPack: number): { pack: number; place: number } {
  return { pack: Math.floor(index / unitsPerPack), place: index % unitsPerPack };
}

/** How many of the job's `units` pack `pack` holds (the last may hold fewer). */
export const unitsInPack = (pack: number, unitsPerPack: number, units: number): number =>
  Math.max(0, Math.min(unitsPerPack, units - pack * unitsPerPack));

/** A job's units as the user counts them (its record's `unit_count` counts its packs, when packed). */
export function unitsOfJob(record: Pick<JobRecord, 'job' | 'input'>): number {
  const perPack = unitsPerPackOf(record.job);
  if (perPack === 1 || !record.input) return record.job.unit_count;
  return unitsOfInput(record.input.bytes, record.input.chunk_bytes / perPack);
}

/** How many of the job's units its state unit `index` holds: 1, or a pack's. */
export function unitsAt(record: Pick<JobRecord, 'job' | 'input'>, index: number): number {
  const perPack = unitsPerPackOf(record.job);
  return perPack === 1 ? 1 : unitsInPack(index, perPack, unitsOfJob(record));
}

/** How a job's units travel, in words (meshctl, the UI): "in packs of 256", "in one pack"; undefined when each goes alone. */
export function packsInWords(unitsPerPack: number, units: number): string | undefined {
  if (unitsPerPack <= 1 || units <= 1) return undefined;
  return units <= unitsPerPack ? 'in one pack' : `in packs of ${unitsPerPack}`;
}

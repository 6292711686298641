// What my workers just did (issue 91): a provider's offers say how long a unit will take here, and
// a calibration cannot see what shares my cores now (another job, an app the owner opened) nor
// how far off a requester's own estimate of its units is. So each job's units that ran here teach
// the next offers: the seconds they took per second of their requester's estimate, the median of
// the last few, replace the calibrated speed for that job's later units (allocate.ts).

import { MIN_PERFORMANCE } from '../schemas/index.js';

/** Units of a job remembered: the median of this many is the job's pace. */
const SAMPLES = 8;
/** Jobs remembered, the oldest forgotten first: a provider works for a few at once. */
const JOBS = 256;
/** A pace is trusted within this factor of the calibrated speed either way: one odd unit sways nothing much. */
export const PACE_BOUND = 8;

export class JobPace {
  readonly #samples = new Map<string, number[]>();

  /** A unit of `jobId` ran `seconds` here; its requester estimated `referenceSeconds` (its estimated_duration_seconds). */
  record(jobId: string, seconds: number, referenceSeconds: number): void {
    if (!(seconds > 0) || !(referenceSeconds > 0) || !Number.isFinite(seconds / referenceSeconds)) return;
    let samples = this.#samples.get(jobId);
    if (samples)
      this.#samples.delete(jobId); // kept newest last
    else samples = [];
    samples.push(seconds / referenceSeconds);
    if (samples.length > SAMPLES) samples.shift();
    this.#samples.set(jobId, samples);
    if (this.#samples.size > JOBS) this.#samples.delete(this.#samples.keys().next().value!);
  }

  /** Seconds a unit of `jobId` takes here per second of its estimate, as its last units did; undefined before any ran. */
  secondsPerReference(jobId: string): number | undefined {
    const samples = this.#samples.get(jobId);
    if (!samples) return undefined;
    const sorted = [...samples].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }
}

/**
 * A unit's seconds here: its estimate over my calibrated speed (`performance`), or, once its job's
 * units ran here, at their pace (seconds per estimated second), within PACE_BOUND of the first.
 */
export function paceSeconds(reference: number, performance: number, pace: number | undefined): number {
  const calibrated = reference / performance;
  if (pace === undefined || !(pace > 0)) return calibrated;
  const paced = calibrated * Math.min(PACE_BOUND, Math.max(1 / PACE_BOUND, pace * performance));
  // No more than a requester takes from any provider (accept.ts): a slow pace is offered at that most.
  return Math.min(paced, reference / MIN_PERFORMANCE);
}

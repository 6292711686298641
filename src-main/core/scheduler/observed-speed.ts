// How fast my workers render now, as my offers' estimates should assume (issue 78, item 4). The
// calibration measures the machine alone, once; a unit runs beside whatever else the machine does
// at the time (other programs, my own requester's checks, another node on the same cores), and
// its estimate missed by that share. So each render unit that ran is a sample of its fuel and its
// seconds, weighted by how recent it is (halved every HALF_LIFE_MS), and the speed offered is the
// calibrated speed, worth PRIOR_SECONDS of samples, blended with the samples: a node that has run
// nothing lately offers at its calibration, and one that has offers at what it just saw, so a
// busy spell neither lasts into the next quiet one nor is missed while it lasts (BOINC's duration
// correction does the same with a slower average).
import { MIN_PERFORMANCE } from '../schemas/work.js';
import type { AvailabilitySlot } from '../schemas/index.js';

/** A sample's weight halves every this long: the machine's load changes within seconds. */
export const HALF_LIFE_MS = 2_000;
/** The calibration counts as this many seconds of samples: one unit alone does not move much. */
export const PRIOR_SECONDS = 0.5;
/** Samples kept: older ones weigh under 2⁻¹⁰ of a fresh one by the time 64 more came at any pace that matters. */
const MAX_SAMPLES = 64;

interface Sample {
  atMs: number;
  /** The unit's fuel in reference seconds (fuel over the reference machine's fuel per second). */
  referenceSeconds: number;
  seconds: number;
}

export class ObservedSpeed {
  readonly #samples: Sample[] = [];

  /** A unit of `referenceSeconds` of work ran for `seconds` of its worker's time, ending at `atMs`. */
  record(atMs: number, referenceSeconds: number, seconds: number): void {
    if (!(referenceSeconds > 0) || !(seconds > 0)) return;
    this.#samples.push({ atMs, referenceSeconds, seconds });
    if (this.#samples.length > MAX_SAMPLES) this.#samples.shift();
  }

  /** The performance score to offer at now (reference seconds per second), from the calibrated `score`. */
  score(nowMs: number, calibrated: number): number {
    let work = calibrated * PRIOR_SECONDS;
    let seconds = PRIOR_SECONDS;
    for (const s of this.#samples) {
      const weight = 2 ** (-Math.max(0, nowMs - s.atMs) / HALF_LIFE_MS);
      work += weight * s.referenceSeconds;
      seconds += weight * s.seconds;
    }
    return Math.min(1, Math.max(MIN_PERFORMANCE, work / seconds));
  }
}

/** `slots` with `algorithmId`'s performance score as `score` gives it, from the score each slot states. */
export function slotsAtObservedSpeed(
  slots: readonly AvailabilitySlot[],
  algorithmId: string,
  score: (calibrated: number) => number,
): AvailabilitySlot[] {
  return slots.map((slot) => ({
    ...slot,
    algorithms: slot.algorithms.map((a) =>
      a.algorithm_id === algorithmId ? { ...a, performance_score: score(a.performance_score) } : a,
    ),
  }));
}

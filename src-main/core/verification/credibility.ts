// How much a requester checks each provider's results against its own re-run (the ground truth),
// after Sarmenta's credibility-based fault tolerance and BOINC's adaptive replication: every
// result of a provider on probation is checked; past probation, a random share that shrinks as
// checks pass, down to a floor that never goes away. One failed check convicts: a convicted
// provider's results are never accepted again (and those it had accepted unchecked are reopened).
//
// Why a floor: a provider that lies on a share p of its results, checked at rate q, gets
// p·n·(1−p·q)^n of n results past unnoticed if it is never caught; that is at most 1/(e·q)
// results whatever p is (the worst p is 1/(q·n)). With q ≥ 8 % a liar that is never caught slips
// at most ~4.6 wrong results in expectation, and one caught has all of its unchecked ones redone.
// 8 % rather than 5 %: the sabotage benchmark's two-thirds-liars case needs it to stay under 10⁻⁴
// wrong per unit, and everyone honest it costs 8 % more runs (the target is 10 %).

/** Checks a provider must pass, each on a result of its own, before any result goes unchecked. */
export const PROBATION_CHECKS = 5;
/** The smallest share of a proven provider's results that is checked. */
export const CHECK_RATE_FLOOR = 0.08;

/** What the requester knows of a provider from its own checks. */
export interface CheckRecord {
  /** Results of this provider that matched the ground truth. */
  passed: number;
  /** A result of this provider contradicted the ground truth. */
  convicted: boolean;
}

export const NO_RECORD: CheckRecord = { passed: 0, convicted: false };

/** Whether the provider has passed probation with a clean record. */
export function isProven(record: CheckRecord): boolean {
  return !record.convicted && record.passed >= PROBATION_CHECKS;
}

/**
 * The chance that one result of this provider is checked: 1 on probation, then 1/passed, at least
 * `floor` (a circle's policy sets its own: its spot-check rate).
 */
export function checkRate(record: CheckRecord, floor = CHECK_RATE_FLOOR): number {
  if (!isProven(record)) return 1;
  return Math.max(floor, 1 / record.passed);
}

/**
 * Whether this result is checked. `draw` is uniform in [0, 1) and unpredictable to the provider
 * (the requester derives it from a secret of its own and the result's id, after the result came).
 */
export function selectedForCheck(record: CheckRecord, draw: number, floor = CHECK_RATE_FLOOR): boolean {
  return draw < checkRate(record, floor);
}

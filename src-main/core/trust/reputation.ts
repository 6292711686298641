// A peer's reputation, after Jøsang's beta reputation system: counts of good and bad outcomes,
// each fading with a half-life, read as the mean of a Beta(good + 1, bad + 1) distribution.
// With no history (or a long-forgotten one) that mean is the prior, 0.5.
// Values are immutable: recording an outcome returns a new reputation.

export type Outcome = 'verified' | 'rejected' | 'late';

export const DEFAULT_HALF_LIFE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * How much one outcome of each kind weighs. A rejected result (a wrong answer, maybe a lie) costs
 * far more than a verified one earns, so a peer cannot bank good results to cover cheating;
 * a late one is a lesser failure, half a rejection.
 */
export const OUTCOME_WEIGHTS: Readonly<Record<Outcome, number>> = { verified: 1, rejected: 5, late: 2.5 };

export interface Reputation {
  /** Decayed counts of each outcome, as of `atMs`. */
  readonly verified: number;
  readonly rejected: number;
  readonly late: number;
  /** The time (ms since the epoch) the counts refer to. */
  readonly atMs: number;
}

export function emptyReputation(): Reputation {
  return { verified: 0, rejected: 0, late: 0, atMs: 0 };
}

/**
 * The fraction of an outcome's weight left after `elapsedMs`. Nothing fades over a zero or
 * negative span, nor when the half-life is not a positive number (no decay rather than NaN).
 */
function decayFactor(elapsedMs: number, halfLifeMs: number): number {
  if (!(elapsedMs > 0) || !(halfLifeMs > 0)) return 1;
  return 0.5 ** (elapsedMs / halfLifeMs);
}

/** The counts as they stand at `atMs` (unchanged if `atMs` is not later than the counts). */
function decayedTo(rep: Reputation, atMs: number, halfLifeMs: number): Reputation {
  if (!(atMs > rep.atMs)) return rep;
  const factor = decayFactor(atMs - rep.atMs, halfLifeMs);
  return { verified: rep.verified * factor, rejected: rep.rejected * factor, late: rep.late * factor, atMs };
}

/**
 * The reputation after one more outcome at `atMs`. An outcome older than the counts (results
 * can be decided out of order) is added already faded by the time between. A time that is not
 * a finite number changes nothing.
 */
export function recordOutcome(
  rep: Reputation,
  outcome: Outcome,
  atMs: number,
  halfLifeMs: number = DEFAULT_HALF_LIFE_MS,
): Reputation {
  if (!Number.isFinite(atMs)) return rep;
  const current = decayedTo(rep, atMs, halfLifeMs);
  const weight = decayFactor(current.atMs - atMs, halfLifeMs);
  return { ...current, [outcome]: current[outcome] + weight };
}

/**
 * The reputation without an outcome recorded at `atMs` (recordOutcome's inverse: the user took it
 * back, a pardon): its weight, faded as it has since, is subtracted, never below zero.
 */
export function withdrawOutcome(
  rep: Reputation,
  outcome: Outcome,
  atMs: number,
  halfLifeMs: number = DEFAULT_HALF_LIFE_MS,
): Reputation {
  if (!Number.isFinite(atMs)) return rep;
  const weight = decayFactor(rep.atMs - atMs, halfLifeMs);
  return { ...rep, [outcome]: Math.max(0, rep[outcome] - weight) };
}

/**
 * The expected probability, in [0, 1], that this peer's next result is good. 0.5 if unknown.
 * `weights`: what each outcome weighs (a circle's policy sets its own).
 */
export function reputationScore(
  rep: Reputation,
  atMs: number,
  halfLifeMs: number = DEFAULT_HALF_LIFE_MS,
  weights: Readonly<Record<Outcome, number>> = OUTCOME_WEIGHTS,
): number {
  const { verified, rejected, late } = decayedTo(rep, atMs, halfLifeMs);
  const good = verified * weights.verified;
  const bad = rejected * weights.rejected + late * weights.late;
  // Beta mean with the uniform prior alpha = beta = 1.
  return (good + 1) / (good + bad + 2);
}

/** How much to trust a peer: the user's weight for it, scaled by how it has behaved. */
export function effectiveTrust(userWeight: number, score: number): number {
  return userWeight * score;
}

// Damping of over-allocation across rounds (the commitment's damping_factor and
// over_allocation_history). A provider over-allocates when it offers for units that end up covered
// by others: its offers are not accepted. The share of a round's offers that were not accepted goes
// into a history of the last three rounds, and the damping factor, which scales the capacity a
// provider offers next round (allocate.ts), follows it:
// - the history oscillates (up, down, up or down, up, down): halve, so rounds settle;
// - it stays high (mean above `HIGH`): shrink by a fifth, down to `FLOOR`;
// - otherwise recover by `RECOVERY` toward 1.
// `DampingTracker` keeps a provider's rounds until their offers resolve and feeds each to `nextDamping`.
import { OFFER_TTL_MS } from './accept.js';

const HISTORY_LENGTH = 3;
const HIGH = 0.5;
const FLOOR = 0.2;
const RECOVERY = 0.25;

export interface DampingState {
  damping_factor: number;
  over_allocation_history: number[];
}

/** Share of offers that were not accepted: 0 when all were, or when none were made. */
export function overAllocation(offersMade: number, offersAccepted: number): number {
  if (offersMade <= 0) return 0;
  return Math.min(1, Math.max(0, (offersMade - Math.min(offersAccepted, offersMade)) / offersMade));
}

function oscillates(h: readonly number[]): boolean {
  if (h.length < HISTORY_LENGTH) return false;
  const [a, b, c] = h as [number, number, number];
  return (a < b && b > c) || (a > b && b < c);
}

export function nextDamping(state: DampingState, ratio: number): DampingState {
  const history = [...state.over_allocation_history, ratio].slice(-HISTORY_LENGTH);
  const mean = history.reduce((s, x) => s + x, 0) / history.length;
  let factor: number;
  if (oscillates(history)) factor = Math.max(FLOOR, state.damping_factor * 0.5);
  else if (mean > HIGH) factor = Math.max(FLOOR, state.damping_factor * 0.8);
  else factor = Math.min(1, state.damping_factor + RECOVERY);
  return { damping_factor: factor, over_allocation_history: history };
}

/** A round whose offers have not all resolved yet. */
interface OpenRound {
  madeAtMs: number;
  offerIds: readonly string[];
}

/**
 * A provider's damping across its rounds. A round resolves once each of its offers was accepted, or
 * when they lapse (OFFER_TTL_MS after they were made); it then counts as one `nextDamping` step with
 * `overAllocation(made, accepted)`. Rounds resolve in the order they were made, except that a round
 * whose offers were all accepted does not wait for an earlier one to lapse. A round with no offers
 * is no step.
 */
export class DampingTracker {
  #state: DampingState = { damping_factor: 1, over_allocation_history: [] };
  #open: OpenRound[] = [];

  get state(): DampingState {
    return {
      damping_factor: this.#state.damping_factor,
      over_allocation_history: [...this.#state.over_allocation_history],
    };
  }

  /** The factor alone, without a copy of the history. */
  get dampingFactor(): number {
    return this.#state.damping_factor;
  }

  /** A round made these offers at `madeAtMs`. */
  offered(offerIds: readonly string[], madeAtMs: number): void {
    if (offerIds.length > 0) this.#open.push({ madeAtMs, offerIds });
  }

  /** Resolves the rounds that can be at `nowMs`; `accepted` says whether an offer was taken. */
  resolve(nowMs: number, accepted: (offerId: string) => boolean): void {
    this.#open = this.#open.filter((round) => {
      const taken = round.offerIds.filter(accepted).length;
      if (taken < round.offerIds.length && nowMs - round.madeAtMs < OFFER_TTL_MS) return true;
      this.#state = nextDamping(this.#state, overAllocation(round.offerIds.length, taken));
      return false;
    });
  }
}

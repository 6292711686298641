// My contribution history, as my commitment publishes it (docs/PROTOCOL.md, "Contribution history
// and damping"). Counted from my own assignments as a provider, once each, when its escrow closes
// (the settle or refund my state applies), so publishing reads a few numbers whatever the size of
// the state. Self-reported: a peer may publish anything here, and nothing in a node reads another
// peer's history; trust comes from the user's weights and reputation from my own record of a peer.
import type { ContributionHistory, LedgerEntry, WorkResult } from '../../schemas/index.js';

export interface ContributionCounts {
  /** My assignments settled as paid: my result agreed with the verified consensus. */
  readonly paid: number;
  /** My assignments refunded as `rejected`: my result disagreed with it. */
  readonly rejected: number;
  /** Closed with my result in before the close: paid, rejected, or `failed` with a result (the unit failed). */
  readonly delivered: number;
  /** Closed without my result in time: refunded as `late`, or as `failed` with none (I handed it back). */
  readonly missed: number;
  /** The `computation_time_seconds` of my paid results, summed. */
  readonly computeSeconds: number;
}

export function emptyContribution(): ContributionCounts {
  return { paid: 0, rejected: 0, delivered: 0, missed: 0, computeSeconds: 0 };
}

/**
 * The counts after one of my assignments closed with `entry` (a settle or refund), `result` being
 * the result I had recorded for it, if any. A `cancelled` refund (the requester cancelled the job,
 * or the unit was decided without my result) counts nowhere: it says nothing about me.
 */
export function countClosing(
  counts: ContributionCounts,
  entry: LedgerEntry,
  result: WorkResult | undefined,
): ContributionCounts {
  if (entry.kind === 'escrow' || entry.kind === 'reward' || entry.kind === 'release') return counts;
  if (entry.kind === 'settle')
    return {
      ...counts,
      paid: counts.paid + 1,
      delivered: counts.delivered + 1,
      computeSeconds: counts.computeSeconds + (result?.computation_time_seconds ?? 0),
    };
  if (entry.reason === 'rejected') return { ...counts, rejected: counts.rejected + 1, delivered: counts.delivered + 1 };
  if (entry.reason === 'late' || (entry.reason === 'failed' && !result))
    return { ...counts, missed: counts.missed + 1 };
  if (entry.reason === 'failed') return { ...counts, delivered: counts.delivered + 1 };
  return counts; // cancelled
}

/** The mean of Beta(good + 1, bad + 1): the share of good outcomes, 0.5 with no history (as reputation.ts). */
const betaMean = (good: number, bad: number) => (good + 1) / (good + bad + 2);

/**
 * The history my commitment publishes: units completed (paid), their compute hours, result quality
 * (paid against rejected) and reliability (delivered against missed), both Beta means.
 */
export function contributionHistory(counts: ContributionCounts): ContributionHistory {
  return {
    total_work_units_completed: counts.paid,
    total_compute_hours: counts.computeSeconds / 3600,
    average_result_quality: betaMean(counts.paid, counts.rejected),
    reliability_score: betaMean(counts.delivered, counts.missed),
  };
}

// A peer's published state (its commitment: slots, open units, trust weights) and a round marker
// (ComputeRoundState: defined, but the node sends none).
import { z } from 'zod';
import { AvailabilitySlotSchema } from './capability.js';
import { WorkRequestSchema } from './work.js';
import { boundedArray, Count, Fraction, Id, idRecord, IsoTime, LIMITS, NonNegative, PeerId } from './primitives.js';

export const VectorClockSchema = idRecord(Count);

/** Self-reported: what the peer says of its own work as a provider (docs/PROTOCOL.md). */
export const ContributionHistorySchema = z.strictObject({
  total_work_units_completed: Count,
  total_compute_hours: NonNegative,
  average_result_quality: Fraction,
  reliability_score: Fraction,
});

export const ComputeCommitmentSchema = z.strictObject({
  peer_id: PeerId,
  availability_slots: boundedArray(AvailabilitySlotSchema, LIMITS.slotsPerCommitment),
  work_requests: boundedArray(WorkRequestSchema, LIMITS.requestsPerCommitment),
  trust_weights: idRecord(Fraction),
  contribution_history: ContributionHistorySchema,
  damping_factor: Fraction.default(1),
  over_allocation_history: boundedArray(NonNegative, 3),
  timestamp: IsoTime,
  vector_clock: VectorClockSchema,
});

export const ComputeRoundStateSchema = z.strictObject({
  peer_id: PeerId,
  round: Count,
  vector_clock: VectorClockSchema,
  active_jobs: boundedArray(Id, LIMITS.recordEntries),
  timestamp: IsoTime,
});

export type VectorClock = z.infer<typeof VectorClockSchema>;
export type ContributionHistory = z.infer<typeof ContributionHistorySchema>;
export type ComputeCommitment = z.infer<typeof ComputeCommitmentSchema>;
export type ComputeRoundState = z.infer<typeof ComputeRoundStateSchema>;

/**
 * The contribution history and damping of a node that tracks neither yet (docs/PROTOCOL.md, "Not
 * yet enforced"): a clean record and no damping.
 */
export function untrackedContribution(): Pick<
  ComputeCommitment,
  'contribution_history' | 'damping_factor' | 'over_allocation_history'
> {
  return {
    contribution_history: {
      total_work_units_completed: 0,
      total_compute_hours: 0,
      average_result_quality: 1,
      reliability_score: 1,
    },
    damping_factor: 1,
    over_allocation_history: [],
  };
}

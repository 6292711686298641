// A peer's published state (its commitment: slots, open units, trust weights) and a round marker
// (ComputeRoundState: defined, but the node sends none).
import * as z from './zod.js';
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
  damping_factor: z._default(Fraction, 1),
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
/** What a commitment says of its author's record: its contribution history and its damping. */
export type ContributionFields = Pick<
  ComputeCommitment,
  'contribution_history' | 'damping_factor' | 'over_allocation_history'
>;
export type ComputeRoundState = z.infer<typeof ComputeRoundStateSchema>;

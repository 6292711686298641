// The allocation a provider computes for its slots, as a record it could publish (the node publishes
// none: docs/PROTOCOL.md, "Not yet enforced"). `requester_peer` owns the unit, `provider_peer`
// computes it.
import * as z from './zod.js';
import { ComputeResourceSchema } from './capability.js';
import { VectorClockSchema } from './commitment.js';
import { boundedArray, Count, Id, IsoTime, LIMITS, PeerId } from './primitives.js';

export const VerificationRoleSchema = z.enum(['primary', 'verification']);

export const WorkAssignmentSchema = z.strictObject({
  assignment_id: Id,
  work_unit_id: Id,
  job_id: Id,
  requester_peer: PeerId,
  provider_peer: PeerId,
  slot_id: Id,
  tier: z.union([z.literal(1), z.literal(2)]),
  expected_start: IsoTime,
  expected_end: IsoTime,
  resources_allocated: ComputeResourceSchema,
  verification_role: VerificationRoleSchema,
  timestamp: IsoTime,
});

export const SlotAssignmentStateSchema = z.strictObject({
  slot_id: Id,
  available_resources: ComputeResourceSchema,
  tier1_assignments: boundedArray(WorkAssignmentSchema, LIMITS.unitsPerRequest),
  tier2_assignments: boundedArray(WorkAssignmentSchema, LIMITS.unitsPerRequest),
  /** Resource-seconds used per dimension (see docs/PROTOCOL.md, "capacity"). */
  total_allocated_resources: ComputeResourceSchema,
  utilization_percent: z.number().check(z.minimum(0), z.maximum(100)),
});

export const ComputeAllocationStateSchema = z.strictObject({
  peer_id: PeerId,
  slot_assignments: boundedArray(SlotAssignmentStateSchema, LIMITS.slotsPerCommitment),
  total_work_units_assigned: Count,
  timestamp: IsoTime,
  vector_clock: VectorClockSchema,
});

export type WorkAssignment = z.infer<typeof WorkAssignmentSchema>;
export type SlotAssignmentState = z.infer<typeof SlotAssignmentStateSchema>;
export type ComputeAllocationState = z.infer<typeof ComputeAllocationStateSchema>;

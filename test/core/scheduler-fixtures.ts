// Builders for scheduler tests and benchmarks: valid commitments with a few fields that matter.
import type {
  Acceptance,
  AvailabilitySlot,
  ComputeCommitment,
  ComputeResource,
  ContributionFields,
  LedgerEntry,
  WorkRequest,
  WorkUnit,
} from '../../src-main/core/schemas/index.js';

/** A peer with no history and no damping, as a new node publishes it. */
export const NO_RECORD: ContributionFields = {
  contribution_history: {
    total_work_units_completed: 0,
    total_compute_hours: 0,
    average_result_quality: 0.5,
    reliability_score: 0.5,
  },
  damping_factor: 1,
  over_allocation_history: [],
};

export const T0 = Date.parse('2025-10-24T00:00:00Z');
export const iso = (ms: number) => new Date(ms).toISOString();

export function slot(
  id: string,
  hours: number,
  resources: ComputeResource,
  algorithms: Array<[string, number]>,
  startMs = T0,
): AvailabilitySlot {
  return {
    slot_id: id,
    start_time: iso(startMs),
    end_time: iso(startMs + hours * 3600_000),
    resources,
    algorithms: algorithms.map(([algorithmId, perf]) => ({
      algorithm_id: algorithmId,
      version: '1.0.0',
      supported: true,
      performance_score: perf,
    })),
    priority: 0.8,
  };
}

export function unit(
  id: string,
  job: string,
  algorithm: string,
  resources: ComputeResource,
  seconds: number,
  priority = 0.5,
  redundancy = 1,
): WorkUnit {
  return {
    unit_id: id,
    job_id: job,
    algorithm_id: algorithm,
    algorithm_version: '1.0.0',
    required_resources: resources,
    estimated_duration_seconds: seconds,
    priority,
    verification_redundancy: redundancy,
  };
}

export function request(requester: string, job: string, units: WorkUnit[]): WorkRequest {
  return { request_id: `${job}-req`, requester_id: requester, job_id: job, work_units: units, timestamp: iso(T0) };
}

export function commitment(
  peer: string,
  trust: Record<string, number>,
  slots: AvailabilitySlot[] = [],
  requests: WorkRequest[] = [],
): ComputeCommitment {
  return {
    peer_id: peer,
    availability_slots: slots,
    work_requests: requests,
    trust_weights: trust,
    ...NO_RECORD,
    timestamp: iso(T0),
    vector_clock: { [peer]: 1 },
  };
}

/** The escrow a requester opens for an accepted unit: its ledger entry, at `at`. */
export const escrowEntry = (a: Acceptance, at: string): LedgerEntry => ({
  kind: 'escrow',
  entry_id: `escrow/${a.assignment_id}`,
  assignment_id: a.assignment_id,
  job_id: a.job_id,
  unit_id: a.unit_id,
  requester: a.requester_peer,
  worker: a.provider_peer,
  amount: a.price,
  job_budget: 1000,
  at,
});

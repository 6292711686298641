// fast-check arbitraries for the messages peers exchange: capabilities, work, commitments,
// assignments, results, the market.
import fc from 'fast-check';
import { LIMITS, MAX_UNIT_SECONDS, MIN_PERFORMANCE } from '../../../src-main/core/schemas/index.js';
import type * as S from '../../../src-main/core/schemas/index.js';
import {
  addressesArb,
  countArb,
  creditsArb,
  finiteArb,
  fractionArb,
  idArb,
  isoTimeArb,
  nameArb,
  nonNegativeArb,
  paramsArb,
  peerIdArb,
  recordOf,
  redundancyArb,
  roleArb,
  semVerArb,
  tierArb,
  timeWindowArb,
} from './primitives.js';

// ---- capability, work, commitment -------------------------------------------------------------

export const computeResourceArb = recordOf<S.ComputeResource>(
  {
    cpu_cores: finiteArb(0, 4096),
    ram_gb: finiteArb(0, 1 << 20),
    gpu_vram_gb: finiteArb(0, 1 << 20),
    disk_gb: finiteArb(0, 1 << 30),
    network_mbps: finiteArb(0, 1 << 30),
  },
  ['gpu_vram_gb', 'disk_gb', 'network_mbps'],
);

export const algorithmCapabilityArb = recordOf<S.AlgorithmCapability>({
  algorithm_id: idArb,
  version: semVerArb,
  supported: fc.boolean(),
  performance_score: fractionArb,
});

export const dataLocalityArb = recordOf<S.DataLocality>(
  { dataset_id: idArb, has_local_copy: fc.boolean(), download_speed_mbps: nonNegativeArb },
  ['download_speed_mbps'],
);

export const availabilitySlotArb: fc.Arbitrary<S.AvailabilitySlot> = fc
  .tuple(
    timeWindowArb,
    recordOf<Omit<S.AvailabilitySlot, 'start_time' | 'end_time'>>(
      {
        slot_id: idArb,
        resources: computeResourceArb,
        algorithms: fc.array(algorithmCapabilityArb, { maxLength: 3 }),
        data_locality: fc.array(dataLocalityArb, { maxLength: 3 }),
        priority: fractionArb,
      },
      ['data_locality'],
    ),
  )
  .map(([window, rest]) => ({ ...rest, start_time: window.start, end_time: window.end }));

export const verificationMethodArb: fc.Arbitrary<S.VerificationMethod> = fc.oneof(
  recordOf<Extract<S.VerificationMethod, { kind: 'exact_hash' }>>({ kind: fc.constant('exact_hash' as const) }),
  recordOf<Extract<S.VerificationMethod, { kind: 'comparator' }>>({
    kind: fc.constant('comparator' as const),
    comparator: idArb,
    tolerance: nonNegativeArb,
  }),
);

export const workUnitArb = recordOf<S.WorkUnit>(
  {
    unit_id: idArb,
    job_id: idArb,
    algorithm_id: idArb,
    algorithm_version: semVerArb,
    required_resources: computeResourceArb,
    required_dataset: idArb,
    estimated_duration_seconds: finiteArb(0, 365 * 24 * 3600),
    estimated_fuel: countArb,
    priority: fractionArb,
    verification_redundancy: redundancyArb,
    module_cid: idArb,
    input_cid: idArb,
    pack_chunk_bytes: fc.integer({ min: 1, max: 16 * 1024 * 1024 }),
    params: paramsArb,
    max_price: creditsArb,
    verification: verificationMethodArb,
    circle: idArb,
  },
  [
    'circle',
    'required_dataset',
    'estimated_fuel',
    'module_cid',
    'input_cid',
    'pack_chunk_bytes',
    'params',
    'max_price',
    'verification',
  ],
);

export const workRequestArb = recordOf<S.WorkRequest>(
  {
    request_id: idArb,
    requester_id: peerIdArb,
    job_id: idArb,
    work_units: fc.array(workUnitArb, { maxLength: 3 }),
    open_units: countArb,
    deadline: isoTimeArb,
    timestamp: isoTimeArb,
  },
  ['open_units', 'deadline'],
);

export const vectorClockArb: fc.Arbitrary<S.VectorClock> = fc.dictionary(peerIdArb, countArb, {
  maxKeys: 5,
  noNullPrototype: true,
});

export const contributionHistoryArb = recordOf<S.ContributionHistory>({
  total_work_units_completed: countArb,
  total_compute_hours: nonNegativeArb,
  average_result_quality: fractionArb,
  reliability_score: fractionArb,
});

export const computeCommitmentArb = recordOf<S.ComputeCommitment>({
  peer_id: peerIdArb,
  availability_slots: fc.array(availabilitySlotArb, { maxLength: 2 }),
  work_requests: fc.array(workRequestArb, { maxLength: 2 }),
  trust_weights: fc.dictionary(peerIdArb, fractionArb, { maxKeys: 5, noNullPrototype: true }),
  contribution_history: contributionHistoryArb,
  damping_factor: fractionArb,
  over_allocation_history: fc.array(nonNegativeArb, { maxLength: 3 }),
  timestamp: isoTimeArb,
  vector_clock: vectorClockArb,
});

export const computeRoundStateArb = recordOf<S.ComputeRoundState>({
  peer_id: peerIdArb,
  round: countArb,
  vector_clock: vectorClockArb,
  active_jobs: fc.array(idArb, { maxLength: 5 }),
  timestamp: isoTimeArb,
});

// ---- assignment, result ---------------------------------------------------------------------

export const workAssignmentArb: fc.Arbitrary<S.WorkAssignment> = fc
  .tuple(
    timeWindowArb,
    recordOf<Omit<S.WorkAssignment, 'expected_start' | 'expected_end'>>({
      assignment_id: idArb,
      work_unit_id: idArb,
      job_id: idArb,
      requester_peer: peerIdArb,
      provider_peer: peerIdArb,
      slot_id: idArb,
      tier: tierArb,
      resources_allocated: computeResourceArb,
      verification_role: roleArb,
      timestamp: isoTimeArb,
    }),
  )
  .map(([window, rest]) => ({ ...rest, expected_start: window.start, expected_end: window.end }));

export const slotAssignmentStateArb = recordOf<S.SlotAssignmentState>({
  slot_id: idArb,
  available_resources: computeResourceArb,
  tier1_assignments: fc.array(workAssignmentArb, { maxLength: 2 }),
  tier2_assignments: fc.array(workAssignmentArb, { maxLength: 2 }),
  total_allocated_resources: computeResourceArb,
  utilization_percent: finiteArb(0, 100),
});

export const computeAllocationStateArb = recordOf<S.ComputeAllocationState>({
  peer_id: peerIdArb,
  slot_assignments: fc.array(slotAssignmentStateArb, { maxLength: 2 }),
  total_work_units_assigned: countArb,
  timestamp: isoTimeArb,
  vector_clock: vectorClockArb,
});

export const workResultArb = recordOf<S.WorkResult>(
  {
    result_id: idArb,
    work_unit_id: idArb,
    assignment_id: idArb,
    computed_by_peer: peerIdArb,
    output_cid: idArb,
    output_bytes: countArb,
    fuel: countArb,
    computation_time_seconds: nonNegativeArb,
    resources_used: computeResourceArb,
    verification_hash: idArb,
    timestamp: isoTimeArb,
    device: fc.constant('gpu' as const),
    stderr_cid: idArb,
  },
  ['fuel', 'device', 'stderr_cid'],
);

export const verificationConsensusArb = recordOf<S.VerificationConsensus>(
  {
    work_unit_id: idArb,
    results: fc.array(workResultArb, { maxLength: 3 }),
    consensus_result: idArb,
    agreement_count: countArb,
    total_verifiers: fc.integer({ min: 1, max: LIMITS.resultsPerConsensus }),
    is_verified: fc.boolean(),
    timestamp: isoTimeArb,
  },
  ['consensus_result'],
);

// ---- market ---------------------------------------------------------------------------------

export const priceScheduleArb = recordOf<S.PriceSchedule>(
  { per_core_second: creditsArb, per_gfuel: creditsArb, minimum: creditsArb },
  ['per_gfuel'],
);

export const hardwareSummaryArb = recordOf<S.HardwareSummary>(
  {
    cpu_model: nameArb,
    cpu_cores: countArb,
    ram_gb: nonNegativeArb,
    gpu_model: nameArb,
    gpu_vram_gb: nonNegativeArb,
  },
  ['gpu_model', 'gpu_vram_gb'],
);

export const advertArb = recordOf<S.Advert>({
  peer_id: peerIdArb,
  name: nameArb,
  hardware: hardwareSummaryArb,
  algorithms: fc.array(recordOf<S.Advert['algorithms'][number]>({ algorithm_id: idArb, version: semVerArb }), {
    maxLength: 3,
  }),
  price: priceScheduleArb,
  addresses: addressesArb,
  timestamp: isoTimeArb,
});

export const offerArb: fc.Arbitrary<S.Offer> = fc
  .tuple(
    timeWindowArb,
    recordOf<Omit<S.Offer, 'expected_start' | 'expected_end'>>(
      {
        offer_id: idArb,
        round: countArb,
        unit_id: idArb,
        job_id: idArb,
        requester_peer: peerIdArb,
        provider_peer: peerIdArb,
        slot_id: idArb,
        tier: tierArb,
        price: creditsArb,
        fuel_price: recordOf<S.FuelPrice>({ per_gfuel: creditsArb, minimum: creditsArb }),
        estimated_seconds: finiteArb(0, MAX_UNIT_SECONDS / MIN_PERFORMANCE),
        performance_score: fractionArb,
        timestamp: isoTimeArb,
      },
      ['fuel_price'],
    ),
  )
  .map(([window, rest]) => ({ ...rest, expected_start: window.start, expected_end: window.end }));

export const acceptanceArb = recordOf<S.Acceptance>({
  assignment_id: idArb,
  offer_id: idArb,
  unit_id: idArb,
  job_id: idArb,
  requester_peer: peerIdArb,
  provider_peer: peerIdArb,
  price: creditsArb,
  role: roleArb,
  deadline: isoTimeArb,
  timestamp: isoTimeArb,
});

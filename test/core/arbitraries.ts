// fast-check arbitraries for VALID values of every wire schema in src-main/core/schemas. Each value
// survives a JSON round trip exactly: numbers are finite and never -0, optional fields are absent
// rather than undefined, defaulted fields (verification_redundancy, damping_factor) are explicit,
// and objects have Object.prototype. Cross-field rules a schema enforces (a slot ends after it
// starts) hold; rules it does not enforce are not guaranteed, except that every generated
// (start, end) pair is ordered.
import fc from 'fast-check';
import { FORBIDDEN_KEYS, LIMITS, MAX_FRAME, MAX_REDUNDANCY } from '../../src-main/core/schemas/index.js';
import type * as S from '../../src-main/core/schemas/index.js';
import type { SharingSettings, WeeklyWindow } from '../../src-main/core/availability/index.js';

// ---- primitives ---------------------------------------------------------------------------

export const idArb: fc.Arbitrary<string> = fc
  .stringMatching(/^[A-Za-z0-9._:#@+=/-]{1,128}$/)
  .filter((id) => !FORBIDDEN_KEYS.has(id));
export const peerIdArb = idArb;
export const nameArb: fc.Arbitrary<string> = fc.string({ unit: 'binary', maxLength: LIMITS.nameChars / 2 });
export const semVerArb: fc.Arbitrary<string> = fc.stringMatching(/^[0-9A-Za-z.+-]{1,64}$/);

/** A finite number in [min, max]; never -0, which JSON turns into 0. */
export const finiteArb = (min: number, max: number): fc.Arbitrary<number> =>
  fc.double({ min, max, noNaN: true }).map((n) => (Object.is(n, -0) ? 0 : n));
export const fractionArb = finiteArb(0, 1);
export const nonNegativeArb = finiteArb(0, 1e12);
export const countArb: fc.Arbitrary<number> = fc.maxSafeNat();
export const creditsArb: fc.Arbitrary<number> = fc.maxSafeNat();
export const redundancyArb: fc.Arbitrary<number> = fc.integer({ min: 1, max: MAX_REDUNDANCY });
export const tierArb: fc.Arbitrary<1 | 2> = fc.constantFrom(1 as const, 2 as const);
export const roleArb = fc.constantFrom('primary' as const, 'verification' as const);

const MIN_MS = Date.parse('2000-01-01T00:00:00Z');
const MAX_MS = Date.parse('2100-01-01T00:00:00Z');
const pad = (n: number): string => String(n).padStart(2, '0');

/** `ms` written as ISO 8601 in the given UTC offset ('Z' for 0): the same instant either way. */
export function isoAt(ms: number, offsetMinutes = 0): string {
  const wallClock = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, -1);
  if (offsetMinutes === 0) return `${wallClock}Z`;
  const abs = Math.abs(offsetMinutes);
  return `${wallClock}${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const offsetArb = fc.oneof(fc.constant(0), fc.integer({ min: -12 * 60, max: 14 * 60 }));
export const isoTimeArb: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: MIN_MS, max: MAX_MS }), offsetArb)
  .map(([ms, offset]) => isoAt(ms, offset));

/** Two ISO times, the second strictly after the first. */
export const timeWindowArb: fc.Arbitrary<{ start: string; end: string }> = fc
  .tuple(
    fc.integer({ min: MIN_MS, max: MAX_MS }),
    fc.integer({ min: 1, max: 30 * 24 * 3600_000 }),
    offsetArb,
    offsetArb,
  )
  .map(([start, duration, startOffset, endOffset]) => ({
    start: isoAt(start, startOffset),
    end: isoAt(start + duration, endOffset),
  }));

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
const jsonKeyArb = fc.string({ maxLength: 16 }).filter((key) => !FORBIDDEN_KEYS.has(key));
const { json: jsonArb } = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 32 }),
    finiteArb(-1e9, 1e9),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(jsonKeyArb, tie('json'), { maxKeys: 4, noNullPrototype: true }),
  ),
}));
/** Unit params: a small JSON object, within the 16 KiB and 32-level limits. */
export const paramsArb: fc.Arbitrary<Record<string, Json>> = fc
  .dictionary(jsonKeyArb, jsonArb, { maxKeys: 6, noNullPrototype: true })
  .filter((params) => JSON.stringify(params).length <= LIMITS.paramsBytes);

/** fc.record with plain-prototype objects and the named keys optional (absent when not drawn). */
function recordOf<T extends object>(
  model: { [K in keyof T]-?: fc.Arbitrary<Exclude<T[K], undefined>> },
  optional: (keyof T)[] = [],
): fc.Arbitrary<T> {
  const requiredKeys = (Object.keys(model) as (keyof T)[]).filter((key) => !optional.includes(key));
  return fc.record(model, { requiredKeys, noNullPrototype: true });
}

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
    params: paramsArb,
    max_price: creditsArb,
    verification: verificationMethodArb,
  },
  ['required_dataset', 'estimated_fuel', 'module_cid', 'input_cid', 'params', 'max_price', 'verification'],
);

export const workRequestArb = recordOf<S.WorkRequest>(
  {
    request_id: idArb,
    requester_id: peerIdArb,
    job_id: idArb,
    work_units: fc.array(workUnitArb, { maxLength: 3 }),
    deadline: isoTimeArb,
    timestamp: isoTimeArb,
  },
  ['deadline'],
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
  },
  ['fuel', 'device'],
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

const addressesArb = fc.array(nameArb, { maxLength: 4 });

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
    recordOf<Omit<S.Offer, 'expected_start' | 'expected_end'>>({
      offer_id: idArb,
      round: countArb,
      unit_id: idArb,
      job_id: idArb,
      requester_peer: peerIdArb,
      provider_peer: peerIdArb,
      slot_id: idArb,
      tier: tierArb,
      price: creditsArb,
      estimated_seconds: nonNegativeArb,
      performance_score: fractionArb,
      timestamp: isoTimeArb,
    }),
  )
  .map(([window, rest]) => ({ ...rest, expected_start: window.start, expected_end: window.end }));

export const acceptanceArb = recordOf<S.Acceptance>({
  acceptance_id: idArb,
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

// ---- receipts, ledger, policy, events ---------------------------------------------------------

const chainLink = { author: peerIdArb, seq: countArb, prev: fc.option(idArb, { nil: null }), timestamp: isoTimeArb };

export const executionReceiptArb = recordOf<S.ExecutionReceipt>(
  {
    kind: fc.constant('execution' as const),
    ...chainLink,
    assignment_id: idArb,
    unit_id: idArb,
    job_id: idArb,
    requester_peer: peerIdArb,
    module_cid: idArb,
    input_cid: idArb,
    output_cid: idArb,
    verification_hash: idArb,
    fuel: countArb,
    wall_ms: countArb,
    device: fc.constant('gpu' as const),
  },
  ['module_cid', 'input_cid', 'fuel', 'device'],
);

export const verificationReceiptArb = recordOf<S.VerificationReceipt>({
  kind: fc.constant('verification' as const),
  ...chainLink,
  unit_id: idArb,
  job_id: idArb,
  verdict: fc.constantFrom('verified' as const, 'rejected' as const),
  consensus_hash: fc.option(idArb, { nil: null }),
  agreeing: fc.array(idArb, { maxLength: 4 }),
  dissenting: fc.array(idArb, { maxLength: 4 }),
});

export const receiptArb: fc.Arbitrary<S.Receipt> = fc.oneof(executionReceiptArb, verificationReceiptArb);

export const escrowEntryArb = recordOf<S.EscrowEntry>({
  kind: fc.constant('escrow' as const),
  entry_id: idArb,
  assignment_id: idArb,
  job_id: idArb,
  unit_id: idArb,
  requester: peerIdArb,
  worker: peerIdArb,
  amount: creditsArb,
  job_budget: creditsArb,
  at: isoTimeArb,
});

export const settleEntryArb = recordOf<S.SettleEntry>({
  kind: fc.constant('settle' as const),
  entry_id: idArb,
  assignment_id: idArb,
  verifiers: fc.array(peerIdArb, { maxLength: MAX_REDUNDANCY }),
  worker_share_bps: fc.integer({ min: 0, max: 10_000 }),
  at: isoTimeArb,
});

export const refundEntryArb = recordOf<S.RefundEntry>({
  kind: fc.constant('refund' as const),
  entry_id: idArb,
  assignment_id: idArb,
  reason: fc.constantFrom('rejected' as const, 'late' as const, 'cancelled' as const, 'failed' as const),
  at: isoTimeArb,
});

export const ledgerEntryArb: fc.Arbitrary<S.LedgerEntry> = fc.oneof(escrowEntryArb, settleEntryArb, refundEntryArb);

export const policyArb: fc.Arbitrary<S.Policy> = fc.oneof(
  recordOf<Extract<S.Policy, { kind: 'allow_all' }>>({ kind: fc.constant('allow_all' as const) }),
  recordOf<Extract<S.Policy, { kind: 'permit_list' }>>({
    kind: fc.constant('permit_list' as const),
    peers: fc.array(peerIdArb, { maxLength: 5 }),
  }),
  recordOf<Extract<S.Policy, { kind: 'quota' }>>({ kind: fc.constant('quota' as const), units_per_day: countArb }),
  recordOf<Extract<S.Policy, { kind: 'rate_limit' }>>({
    kind: fc.constant('rate_limit' as const),
    units: countArb,
    per_seconds: fc.integer({ min: 1, max: 86_400 * 30 }),
  }),
);

const frameArb = fc.integer({ min: 0, max: MAX_FRAME });
const sideArb = fc.integer({ min: 1, max: 8192 });
export const renderSpecArb: fc.Arbitrary<S.RenderSpec> = fc
  .record({
    first_frame: frameArb,
    span: fc.integer({ min: 0, max: 100 }),
    width: sideArb,
    height: sideArb,
    spp: fc.integer({ min: 1, max: 4096 }),
    tile: sideArb,
    seed: fc.nat({ max: 0xffffffff }),
    gpu: fc.constantFrom('allowed' as const, 'required' as const, 'forbidden' as const),
  })
  .filter((r) => r.first_frame + r.span <= MAX_FRAME)
  .map(({ span, ...r }) => ({ ...r, last_frame: r.first_frame + span }));

export const jobArb = recordOf<S.Job>(
  {
    job_id: idArb,
    requester: peerIdArb,
    name: nameArb,
    unit_count: fc.integer({ min: 0, max: LIMITS.unitsPerRequest }),
    redundancy: redundancyArb,
    budget: creditsArb,
    deadline: isoTimeArb,
    algorithm_id: idArb,
    manual_accept: fc.boolean(),
    render: renderSpecArb,
  },
  ['deadline', 'algorithm_id', 'manual_accept', 'render'],
);

const wallTimeArb = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
export const weeklyWindowArb = recordOf<WeeklyWindow>(
  {
    window_id: idArb.filter((id) => id.length <= 64),
    days: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }),
    start: wallTimeArb,
    end: wallTimeArb,
    cpu_cores: fc.integer({ min: 1, max: 4096 }),
    ram_gb: fc.double({ min: 0.01, max: 1024, noNaN: true }),
    gpu_vram_gb: fc.double({ min: 0, max: 1024, noNaN: true }),
  },
  ['cpu_cores', 'ram_gb', 'gpu_vram_gb'],
);
export const sharingSettingsArb = recordOf<SharingSettings>({
  pause_on_battery: fc.boolean(),
  idle_only: fc.boolean(),
  idle_threshold_pct: fc.double({ min: 0, max: 100, noNaN: true }),
  cpu_cap_pct: fc.double({ min: 1, max: 100, noNaN: true }),
});

const eventBase = { event_id: idArb, at: isoTimeArb };
const eventOf = <T extends S.NodeEventType>(type: T) => ({ type: fc.constant(type), ...eventBase });

/** One arbitrary per event type, keyed by it, so a test can ask for a given kind of event. */
export const nodeEventArbs: { [T in S.NodeEventType]: fc.Arbitrary<S.NodeEventOf<T>> } = {
  'peer.seen': recordOf<S.NodeEventOf<'peer.seen'>>(
    { ...eventOf('peer.seen'), peer_id: peerIdArb, name: nameArb, addresses: addressesArb },
    ['name'],
  ),
  'trust.set': recordOf<S.NodeEventOf<'trust.set'>>({
    ...eventOf('trust.set'),
    peer_id: peerIdArb,
    weight: fractionArb,
  }),
  'slot.put': recordOf<S.NodeEventOf<'slot.put'>>({ ...eventOf('slot.put'), slot: availabilitySlotArb }),
  'slot.removed': recordOf<S.NodeEventOf<'slot.removed'>>({ ...eventOf('slot.removed'), slot_id: idArb }),
  'job.submitted': recordOf<S.NodeEventOf<'job.submitted'>>({ ...eventOf('job.submitted'), job: jobArb }),
  'unit.created': recordOf<S.NodeEventOf<'unit.created'>>({ ...eventOf('unit.created'), unit: workUnitArb }),
  'offer.recorded': recordOf<S.NodeEventOf<'offer.recorded'>>({ ...eventOf('offer.recorded'), offer: offerArb }),
  'offer.accepted': recordOf<S.NodeEventOf<'offer.accepted'>>({
    ...eventOf('offer.accepted'),
    acceptance: acceptanceArb,
  }),
  'result.recorded': recordOf<S.NodeEventOf<'result.recorded'>>({
    ...eventOf('result.recorded'),
    result: workResultArb,
  }),
  'unit.verified': recordOf<S.NodeEventOf<'unit.verified'>>(
    {
      ...eventOf('unit.verified'),
      unit_id: idArb,
      verdict: fc.constantFrom('verified' as const, 'rejected' as const),
      consensus_hash: fc.option(idArb, { nil: null }),
      agreeing_results: fc.array(idArb, { maxLength: 3 }),
    },
    ['agreeing_results'],
  ),
  'receipt.stored': recordOf<S.NodeEventOf<'receipt.stored'>>(
    {
      ...eventOf('receipt.stored'),
      cid: idArb,
      receipt: receiptArb,
      sig: fc.base64String({ minLength: 4, maxLength: 88 }),
    },
    ['sig'],
  ),
  'job.cancelled': recordOf<S.NodeEventOf<'job.cancelled'>>({ ...eventOf('job.cancelled'), job_id: idArb }),
  'sharing.set': recordOf<S.NodeEventOf<'sharing.set'>>({ ...eventOf('sharing.set'), on: fc.boolean() }),
  'peer.penalized': recordOf<S.NodeEventOf<'peer.penalized'>>({
    ...eventOf('peer.penalized'),
    peer_id: peerIdArb,
    reason: fc.constantFrom('malformed', 'oversized', 'forged_author'),
  }),
  'ledger.entry': recordOf<S.NodeEventOf<'ledger.entry'>>({ ...eventOf('ledger.entry'), entry: ledgerEntryArb }),
  'frame.rendered': recordOf<S.NodeEventOf<'frame.rendered'>>({
    ...eventOf('frame.rendered'),
    job_id: idArb,
    frame: frameArb,
    png_cid: idArb,
  }),
  'price.set': recordOf<S.NodeEventOf<'price.set'>>({ ...eventOf('price.set'), price: priceScheduleArb }),
  'window.put': recordOf<S.NodeEventOf<'window.put'>>({ ...eventOf('window.put'), window: weeklyWindowArb }),
  'window.removed': recordOf<S.NodeEventOf<'window.removed'>>({ ...eventOf('window.removed'), window_id: idArb }),
  'settings.set': recordOf<S.NodeEventOf<'settings.set'>>({ ...eventOf('settings.set'), settings: sharingSettingsArb }),
};

export const nodeEventArb: fc.Arbitrary<S.NodeEvent> = fc.oneof(
  ...(Object.values(nodeEventArbs) as fc.Arbitrary<S.NodeEvent>[]),
);

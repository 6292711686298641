// fast-check arbitraries for what a node keeps: receipts, policies, jobs, availability, and every
// journal event (ledger entries: ledger.ts).
import fc from 'fast-check';
import { LIMITS, MAX_FRAME, MAX_UNITS_PER_PACK } from '../../../src-main/core/schemas/index.js';
import type * as S from '../../../src-main/core/schemas/index.js';
import type { SharingSettings, WeeklyWindow } from '../../../src-main/core/availability/index.js';
import {
  addressesArb,
  countArb,
  creditsArb,
  fractionArb,
  idArb,
  isoTimeArb,
  nameArb,
  peerIdArb,
  recordOf,
  redundancyArb,
} from './primitives.js';
import {
  acceptanceArb,
  availabilitySlotArb,
  offerArb,
  priceScheduleArb,
  workResultArb,
  workUnitArb,
} from './messages.js';
import { ledgerEntryArb } from './ledger.js';

// ---- receipts, policy, events ---------------------------------------------------------------

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

export const executionEntryArb = recordOf<S.ExecutionEntry>(
  {
    assignment_id: idArb,
    unit_id: idArb,
    job_id: idArb,
    module_cid: idArb,
    input_cid: idArb,
    output_cid: idArb,
    fuel: countArb,
    wall_ms: countArb,
    device: fc.constant('gpu' as const),
  },
  ['module_cid', 'input_cid', 'fuel', 'device'],
);

export const executionBatchReceiptArb = recordOf<S.ExecutionBatchReceipt>({
  kind: fc.constant('execution_batch' as const),
  ...chainLink,
  requester_peer: peerIdArb,
  results: fc.array(executionEntryArb, { minLength: 1, maxLength: 3 }),
});

const verdictFields = {
  unit_id: idArb,
  job_id: idArb,
  verdict: fc.constantFrom('verified' as const, 'rejected' as const),
  consensus_hash: fc.option(idArb, { nil: null }),
  agreeing: fc.array(idArb, { maxLength: 4 }),
  dissenting: fc.array(idArb, { maxLength: 4 }),
};

export const verificationReceiptArb = recordOf<S.VerificationReceipt>({
  kind: fc.constant('verification' as const),
  ...chainLink,
  ...verdictFields,
});

const verdictArb = recordOf<S.Verdict>(verdictFields);

export const verificationBatchReceiptArb = recordOf<S.VerificationBatchReceipt>({
  kind: fc.constant('verification_batch' as const),
  ...chainLink,
  verdicts: fc.array(verdictArb, { minLength: 1, maxLength: 3 }),
});

export const receiptArb: fc.Arbitrary<S.Receipt> = fc.oneof(
  executionBatchReceiptArb,
  executionReceiptArb,
  verificationBatchReceiptArb,
  verificationReceiptArb,
);
/** The receipts a node signs now (not the single-unit ones of older journals). */
export const signableReceiptArb = fc.oneof(executionBatchReceiptArb, verificationBatchReceiptArb);

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
    open_to_strangers: fc.boolean(),
    units_per_pack: fc.integer({ min: 2, max: MAX_UNITS_PER_PACK }),
    render: renderSpecArb,
    blender_tiles: fc
      .record({
        cols: fc.integer({ min: 1, max: 16 }),
        rows: fc.integer({ min: 1, max: 16 }),
        first_frame: fc.integer({ min: 0, max: 1_048_574 }),
        width: fc.integer({ min: 1, max: 65_536 }),
        height: fc.integer({ min: 1, max: 65_536 }),
      })
      .map((tiles) => ({ ...tiles })),
    blender_agreement: fc.constant(true as const),
    blender_composite: fc.constant(true as const),
  },
  [
    'deadline',
    'algorithm_id',
    'manual_accept',
    'open_to_strangers',
    'units_per_pack',
    'render',
    'blender_tiles',
    'blender_agreement',
    'blender_composite',
  ],
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
  blender_sharing: fc.boolean(),
  blender_min_trust: fc.double({ min: 0, max: 1, noNaN: true }),
});

const eventBase = { event_id: idArb, at: isoTimeArb };
const unitVerdictFields = {
  unit_id: idArb,
  verdict: fc.constantFrom('verified' as const, 'rejected' as const),
  consensus_hash: fc.option(idArb, { nil: null }),
  agreeing_results: fc.array(idArb, { maxLength: 3 }),
  unchecked_results: fc.array(idArb, { maxLength: 3 }),
  failed_units: fc.integer({ min: 1, max: MAX_UNITS_PER_PACK }),
};
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
  'job.submitted': recordOf<S.NodeEventOf<'job.submitted'>>(
    {
      ...eventOf('job.submitted'),
      job: jobArb,
      template: workUnitArb.map((unit): S.UnitTemplate => {
        const { unit_id: _unitId, input_cid: _inputCid, ...template } = unit;
        return template;
      }),
      input: recordOf<S.JobInput>({ cid: idArb, bytes: countArb, chunk_bytes: fc.integer({ min: 1 }) }),
    },
    ['template', 'input'],
  ),
  'units.created': recordOf<S.NodeEventOf<'units.created'>>({
    ...eventOf('units.created'),
    job_id: idArb,
    first: fc.nat({ max: LIMITS.unitsPerJob }),
    input_digests: fc
      .uint8Array({ minLength: 32, maxLength: 32 * 4 })
      .map((bytes) => Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 32))).toString('base64'))
      .filter((text) => text.length > 0),
  }),
  'unit.created': recordOf<S.NodeEventOf<'unit.created'>>({ ...eventOf('unit.created'), unit: workUnitArb }),
  'offer.recorded': recordOf<S.NodeEventOf<'offer.recorded'>>({ ...eventOf('offer.recorded'), offer: offerArb }),
  'rounds.reserved': recordOf<S.NodeEventOf<'rounds.reserved'>>({
    ...eventOf('rounds.reserved'),
    through: fc.nat(),
  }),
  'offer.accepted': recordOf<S.NodeEventOf<'offer.accepted'>>(
    {
      ...eventOf('offer.accepted'),
      acceptance: acceptanceArb,
      terms: offerArb.map(({ estimated_seconds, fuel_price }) => ({
        estimated_seconds,
        ...(fuel_price ? { fuel_price } : {}),
      })),
    },
    ['terms'],
  ),
  'offers.accepted': recordOf<S.NodeEventOf<'offers.accepted'>>({
    ...eventOf('offers.accepted'),
    accepted: fc.array(
      recordOf<S.NodeEventOf<'offers.accepted'>['accepted'][number]>(
        {
          acceptance: acceptanceArb,
          terms: offerArb.map(({ estimated_seconds, slot_id }) => ({ estimated_seconds, slot_id })),
          unit: workUnitArb,
        },
        ['terms', 'unit'],
      ),
      { maxLength: 3 },
    ),
  }),
  'acceptance.refused': recordOf<S.NodeEventOf<'acceptance.refused'>>({
    ...eventOf('acceptance.refused'),
    assignment_id: idArb,
    reason: fc.string({ minLength: 1, maxLength: 256 }),
  }),
  'result.recorded': recordOf<S.NodeEventOf<'result.recorded'>>({
    ...eventOf('result.recorded'),
    result: workResultArb,
  }),
  'results.recorded': recordOf<S.NodeEventOf<'results.recorded'>>({
    ...eventOf('results.recorded'),
    results: fc.array(workResultArb, { maxLength: 3 }),
  }),
  'unit.verified': recordOf<S.NodeEventOf<'unit.verified'>>({ ...eventOf('unit.verified'), ...unitVerdictFields }, [
    'agreeing_results',
    'unchecked_results',
    'failed_units',
  ]),
  'units.verified': recordOf<S.NodeEventOf<'units.verified'>>({
    ...eventOf('units.verified'),
    verdicts: fc.array(
      recordOf<S.UnitVerdict>(unitVerdictFields, ['agreeing_results', 'unchecked_results', 'failed_units']),
      {
        maxLength: 3,
      },
    ),
  }),
  'job.compacted': recordOf<S.NodeEventOf<'job.compacted'>>(
    {
      ...eventOf('job.compacted'),
      job_id: idArb,
      summary: recordOf({ verified: countArb, failed: countArb, spent: creditsArb }),
    },
    ['summary'],
  ),
  'unit.checked': recordOf<S.NodeEventOf<'unit.checked'>>(
    {
      ...eventOf('unit.checked'),
      unit_id: idArb,
      truth: fc.option(idArb, { nil: null }),
      truth_fuel: countArb,
      matched: fc.array(idArb, { maxLength: 3 }),
      contradicted: fc.array(idArb, { maxLength: 3 }),
    },
    ['truth_fuel'],
  ),
  'unit.reopened': recordOf<S.NodeEventOf<'unit.reopened'>>({
    ...eventOf('unit.reopened'),
    unit_id: idArb,
    convicted: peerIdArb,
  }),
  'receipt.stored': recordOf<S.NodeEventOf<'receipt.stored'>>(
    {
      ...eventOf('receipt.stored'),
      cid: idArb,
      receipt: receiptArb,
      sig: fc.base64String({ minLength: 4, maxLength: 88 }),
    },
    ['sig'],
  ),
  'job.cancelled': recordOf<S.NodeEventOf<'job.cancelled'>>(
    { ...eventOf('job.cancelled'), job_id: idArb, reason: fc.string({ maxLength: 200 }) },
    ['reason'],
  ),
  'job.deleted': recordOf<S.NodeEventOf<'job.deleted'>>({ ...eventOf('job.deleted'), job_id: idArb }),
  'job.budget_set': recordOf<S.NodeEventOf<'job.budget_set'>>({
    ...eventOf('job.budget_set'),
    job_id: idArb,
    budget: creditsArb,
  }),
  'job.paused': recordOf<S.NodeEventOf<'job.paused'>>({
    ...eventOf('job.paused'),
    job_id: idArb,
    needed: creditsArb,
    reason: fc.string({ maxLength: 200 }),
  }),
  'sharing.set': recordOf<S.NodeEventOf<'sharing.set'>>({ ...eventOf('sharing.set'), on: fc.boolean() }),
  'peer.pardoned': recordOf<S.NodeEventOf<'peer.pardoned'>>({ ...eventOf('peer.pardoned'), peer_id: peerIdArb }),
  'peer.penalized': recordOf<S.NodeEventOf<'peer.penalized'>>(
    {
      ...eventOf('peer.penalized'),
      peer_id: peerIdArb,
      reason: fc.constantFrom('invalid', 'wrong_place', 'false_refund'),
      count: fc.integer({ min: 1, max: 1_000_000_000 }),
    },
    ['count'],
  ),
  'ledger.entry': recordOf<S.NodeEventOf<'ledger.entry'>>({ ...eventOf('ledger.entry'), entry: ledgerEntryArb }),
  'ledger.entries': recordOf<S.NodeEventOf<'ledger.entries'>>({
    ...eventOf('ledger.entries'),
    entries: fc.array(ledgerEntryArb, { maxLength: 3 }),
  }),
  'frame.rendered': recordOf<S.NodeEventOf<'frame.rendered'>>(
    {
      ...eventOf('frame.rendered'),
      job_id: idArb,
      frame: frameArb,
      png_cid: idArb,
      unit_index: fc.integer({ min: 0, max: LIMITS.unitsPerJob }),
    },
    ['unit_index'],
  ),
  'price.set': recordOf<S.NodeEventOf<'price.set'>>({ ...eventOf('price.set'), price: priceScheduleArb }),
  'window.put': recordOf<S.NodeEventOf<'window.put'>>({ ...eventOf('window.put'), window: weeklyWindowArb }),
  'window.removed': recordOf<S.NodeEventOf<'window.removed'>>({ ...eventOf('window.removed'), window_id: idArb }),
  'settings.set': recordOf<S.NodeEventOf<'settings.set'>>({ ...eventOf('settings.set'), settings: sharingSettingsArb }),
  'policies.set': recordOf<S.NodeEventOf<'policies.set'>>({
    ...eventOf('policies.set'),
    policies: fc.array(policyArb, { maxLength: 4 }),
  }),
};

export const nodeEventArb: fc.Arbitrary<S.NodeEvent> = fc.oneof(
  ...(Object.values(nodeEventArbs) as fc.Arbitrary<S.NodeEvent>[]),
);

// The wire schemas: every valid value survives a JSON round trip unchanged, and every bound the
// schemas promise (unknown keys, id shape, collection sizes, params size and depth, fractions,
// credits, redundancy, slot times) is enforced at its edge: the limit passes, one past it fails.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { z } from 'zod/mini';
import * as S from '../../src-main/core/schemas/index.js';
import * as A from './arbitraries.js';

const roundTrips: Array<[string, z.ZodMiniType, fc.Arbitrary<unknown>, number]> = [
  ['ComputeResource', S.ComputeResourceSchema, A.computeResourceArb, 200],
  ['AlgorithmCapability', S.AlgorithmCapabilitySchema, A.algorithmCapabilityArb, 200],
  ['DataLocality', S.DataLocalitySchema, A.dataLocalityArb, 200],
  ['AvailabilitySlot', S.AvailabilitySlotSchema, A.availabilitySlotArb, 100],
  ['VerificationMethod', S.VerificationMethodSchema, A.verificationMethodArb, 100],
  ['WorkUnit', S.WorkUnitSchema, A.workUnitArb, 100],
  ['WorkRequest', S.WorkRequestSchema, A.workRequestArb, 50],
  ['ComputeCommitment', S.ComputeCommitmentSchema, A.computeCommitmentArb, 30],
  ['ComputeRoundState', S.ComputeRoundStateSchema, A.computeRoundStateArb, 100],
  ['WorkAssignment', S.WorkAssignmentSchema, A.workAssignmentArb, 100],
  ['SlotAssignmentState', S.SlotAssignmentStateSchema, A.slotAssignmentStateArb, 50],
  ['ComputeAllocationState', S.ComputeAllocationStateSchema, A.computeAllocationStateArb, 30],
  ['WorkResult', S.WorkResultSchema, A.workResultArb, 100],
  ['VerificationConsensus', S.VerificationConsensusSchema, A.verificationConsensusArb, 50],
  ['PriceSchedule', S.PriceScheduleSchema, A.priceScheduleArb, 100],
  ['HardwareSummary', S.HardwareSummarySchema, A.hardwareSummaryArb, 100],
  ['Advert', S.AdvertSchema, A.advertArb, 100],
  ['Offer', S.OfferSchema, A.offerArb, 100],
  ['Acceptance', S.AcceptanceSchema, A.acceptanceArb, 100],
  ['ExecutionReceipt', S.ExecutionReceiptSchema, A.executionReceiptArb, 100],
  ['ExecutionBatchReceipt', S.ExecutionBatchReceiptSchema, A.executionBatchReceiptArb, 100],
  ['VerificationReceipt', S.VerificationReceiptSchema, A.verificationReceiptArb, 100],
  ['VerificationBatchReceipt', S.VerificationBatchReceiptSchema, A.verificationBatchReceiptArb, 100],
  ['Receipt', S.ReceiptSchema, A.receiptArb, 100],
  ['EscrowEntry', S.EscrowEntrySchema, A.escrowEntryArb, 100],
  ['SettleEntry', S.SettleEntrySchema, A.settleEntryArb, 100],
  ['RefundEntry', S.RefundEntrySchema, A.refundEntryArb, 100],
  ['LedgerEntry', S.LedgerEntrySchema, A.ledgerEntryArb, 100],
  ['Policy', S.PolicySchema, A.policyArb, 100],
  ['Job', S.JobSchema, A.jobArb, 100],
  ['NodeEvent', S.NodeEventSchema, A.nodeEventArb, 100],
];

for (const [name, schema, arb, numRuns] of roundTrips) {
  test(`round trip: a valid ${name} survives JSON and parse unchanged`, () => {
    fc.assert(
      fc.property(arb, (value) => {
        assert.deepEqual(schema.parse(JSON.parse(JSON.stringify(value))), value);
      }),
      { numRuns },
    );
  });
}

test('every event type has an arbitrary that the event schema accepts', () => {
  for (const [type, arb] of Object.entries(A.nodeEventArbs)) {
    for (const event of fc.sample<S.NodeEvent>(arb, { numRuns: 5, seed: 7 })) {
      assert.equal(S.NodeEventSchema.parse(event).type, type);
    }
  }
});

test('defaults fill in when absent: redundancy 1, damping 1', () => {
  const [unit] = fc.sample(A.workUnitArb, { numRuns: 1, seed: 1 });
  const [commitment] = fc.sample(A.computeCommitmentArb, { numRuns: 1, seed: 1 });
  const { verification_redundancy: _r, ...unitWithout } = unit!;
  const { damping_factor: _d, ...commitmentWithout } = commitment!;
  assert.equal(S.WorkUnitSchema.parse(unitWithout).verification_redundancy, 1);
  assert.equal(S.ComputeCommitmentSchema.parse(commitmentWithout).damping_factor, 1);
});

// ---- strictness ---------------------------------------------------------------------------

/** One valid value of an arbitrary, the same on every run. */
function sampleOf<T>(arb: fc.Arbitrary<T>): T {
  return fc.sample(arb, { numRuns: 1, seed: 42 })[0]!;
}

function rejects(schema: z.ZodMiniType, value: unknown, why: string): void {
  assert.equal(schema.safeParse(value).success, false, `accepted: ${why}`);
}

function accepts(schema: z.ZodMiniType, value: unknown, why: string): void {
  const result = schema.safeParse(value);
  assert.ok(result.success, `rejected: ${why}: ${JSON.stringify(result.error?.issues.slice(0, 2))}`);
}

const unknownKeyArb = fc.string({ minLength: 1, maxLength: 12 }).map((s) => `zz_${s}`);

test('property: an unknown key is rejected at the top level of every object schema', () => {
  for (const [name, schema, arb] of roundTrips) {
    fc.assert(
      fc.property(arb, unknownKeyArb, fc.jsonValue(), (value, key, extra) => {
        rejects(schema, { ...(value as object), [key]: extra }, `${name} with key ${key}`);
      }),
      { numRuns: 20 },
    );
  }
});

test('an unknown key is rejected in nested objects too', () => {
  const unit = sampleOf(A.workUnitArb);
  rejects(S.WorkUnitSchema, { ...unit, required_resources: { ...unit.required_resources, turbo: true } }, 'nested key');
  const slot = sampleOf(A.availabilitySlotArb);
  const algorithm = { algorithm_id: 'a', version: '1', supported: true, performance_score: 1, extra: 1 };
  rejects(S.AvailabilitySlotSchema, { ...slot, algorithms: [algorithm] }, 'key inside an array item');
  rejects(S.VerificationMethodSchema, { kind: 'exact_hash', tolerance: 0 }, 'key from the other variant');
});

test('ids: 1 to 128 characters of letters, digits and ._:#@+=/-, never a prototype key', () => {
  accepts(S.Id, 'a'.repeat(128), '128 characters');
  accepts(S.Id, 'peer:12D3Koo/x_y-z.w#1@h+=', 'every allowed punctuation mark');
  rejects(S.Id, 'a'.repeat(129), '129 characters');
  rejects(S.Id, '', 'empty');
  for (const reserved of ['__proto__', 'constructor', 'prototype']) rejects(S.Id, reserved, reserved);
  fc.assert(
    fc.property(
      fc.string({ maxLength: 20 }),
      fc.constantFrom(' ', '\n', '"', "'", '\\', '\u0000', 'é', '💥', '?', '*', '%'),
      fc.string({ maxLength: 20 }),
      (a, bad, b) => {
        rejects(S.Id, `x${a}${bad}${b}`, `contains ${JSON.stringify(bad)}`);
      },
    ),
    { numRuns: 200 },
  );
});

const withField = <T extends object>(value: T, field: string, fieldValue: unknown) => ({
  ...value,
  [field]: fieldValue,
});
const filled = <T>(item: T, n: number): T[] => Array.from({ length: n }, () => item);

test('arrays: the maximum length passes, one more fails', () => {
  const commitment = sampleOf(A.computeCommitmentArb);
  const slot = sampleOf(A.availabilitySlotArb);
  const request = sampleOf(A.workRequestArb);
  const cases: Array<[string, z.ZodMiniType, object, string, unknown, number]> = [
    [
      'availability_slots',
      S.ComputeCommitmentSchema,
      commitment,
      'availability_slots',
      slot,
      S.LIMITS.slotsPerCommitment,
    ],
    [
      'work_requests',
      S.ComputeCommitmentSchema,
      commitment,
      'work_requests',
      { ...request, work_units: [] },
      S.LIMITS.requestsPerCommitment,
    ],
    ['over_allocation_history', S.ComputeCommitmentSchema, commitment, 'over_allocation_history', 0.5, 3],
    [
      'active_jobs',
      S.ComputeRoundStateSchema,
      sampleOf(A.computeRoundStateArb),
      'active_jobs',
      'job-1',
      S.LIMITS.recordEntries,
    ],
    [
      'algorithms',
      S.AvailabilitySlotSchema,
      slot,
      'algorithms',
      sampleOf(A.algorithmCapabilityArb),
      S.LIMITS.algorithmsPerSlot,
    ],
    [
      'data_locality',
      S.AvailabilitySlotSchema,
      slot,
      'data_locality',
      sampleOf(A.dataLocalityArb),
      S.LIMITS.datasetsPerSlot,
    ],
    [
      'addresses',
      S.AdvertSchema,
      sampleOf(A.advertArb),
      'addresses',
      '/ip4/10.0.0.1/tcp/4001',
      S.LIMITS.addressesPerAdvert,
    ],
    [
      'results',
      S.VerificationConsensusSchema,
      sampleOf(A.verificationConsensusArb),
      'results',
      sampleOf(A.workResultArb),
      S.LIMITS.resultsPerConsensus,
    ],
    [
      'agreeing',
      S.VerificationReceiptSchema,
      sampleOf(A.verificationReceiptArb),
      'agreeing',
      'r1',
      S.LIMITS.resultsPerConsensus,
    ],
    ['verified', S.RewardEntrySchema, sampleOf(A.rewardEntryArb), 'verified', 'a1', S.MAX_REDUNDANCY],
    ['peers', S.PolicySchema, { kind: 'permit_list', peers: [] }, 'peers', 'peer-p', S.LIMITS.permitListEntries],
    ['work_units', S.WorkRequestSchema, request, 'work_units', sampleOf(A.workUnitArb), S.LIMITS.unitsPerRequest],
  ];
  for (const [name, schema, base, field, item, max] of cases) {
    // 100,000 full units would take a second to accept; one past the limit fails before any item.
    if (max <= 10_000) accepts(schema, withField(base, field, filled(item, max)), `${name} at ${max}`);
    rejects(schema, withField(base, field, filled(item, max + 1)), `${name} at ${max + 1}`);
  }
  accepts(S.PolicyListSchema, filled({ kind: 'allow_all' }, 16), '16 policies');
  rejects(S.PolicyListSchema, filled({ kind: 'allow_all' }, 17), '17 policies');
});

test('records: at most 4096 entries, keys are ids', () => {
  const clock = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`peer-${i}`, i]));
  accepts(S.VectorClockSchema, clock(S.LIMITS.recordEntries), '4096 entries');
  rejects(S.VectorClockSchema, clock(S.LIMITS.recordEntries + 1), '4097 entries');
  const commitment = sampleOf(A.computeCommitmentArb);
  rejects(
    S.ComputeCommitmentSchema,
    { ...commitment, trust_weights: clock(S.LIMITS.recordEntries + 1) },
    '4097 trust weights',
  );
  rejects(S.VectorClockSchema, { 'not an id': 1 }, 'a key with a space');
  rejects(S.VectorClockSchema, filled(1, 5000), 'an array');
  rejects(S.VectorClockSchema, { ['k'.repeat(129)]: 1 }, 'a 129-character key');
});

test('params: at most 16 KiB serialized and 32 levels deep', () => {
  const unit = sampleOf(A.workUnitArb);
  const sized = (chars: number) => ({ blob: 'x'.repeat(chars - '{"blob":""}'.length) });
  assert.equal(JSON.stringify(sized(S.LIMITS.paramsBytes)).length, S.LIMITS.paramsBytes);
  accepts(S.WorkUnitSchema, { ...unit, params: sized(S.LIMITS.paramsBytes) }, 'params of exactly 16 KiB');
  rejects(S.WorkUnitSchema, { ...unit, params: sized(S.LIMITS.paramsBytes + 1) }, 'params one byte over');
  const nested = (levels: number) => {
    let value: unknown = 1;
    for (let i = 0; i < levels; i++) value = { n: value };
    return value;
  };
  accepts(S.Params, nested(S.LIMITS.jsonDepth), 'params 32 levels deep');
  rejects(S.Params, nested(S.LIMITS.jsonDepth + 1), 'params 33 levels deep');
  rejects(S.Params, [1, 2], 'params that are an array');
  rejects(S.Params, { big: 10n }, 'params that are not JSON');
});

test('a JSON value is deeper than a limit exactly when its depth, counted recursively, passes it', () => {
  const depth = (value: unknown): number =>
    value !== null && typeof value === 'object'
      ? Object.values(value).reduce((max: number, child) => Math.max(max, 1 + depth(child)), 0)
      : 0;
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), fc.nat(8), (value, limit) => {
      assert.equal(S.deeperThan(value, limit), depth(value) > limit);
    }),
    { numRuns: 2_000 },
  );
  // Far deeper than any stack could recurse: answered, not overflowed.
  let deep: unknown = [];
  for (let i = 0; i < 1_000_000; i++) deep = [deep];
  assert.equal(S.deeperThan(deep, 64), true);
});

test('fractions: [0, 1] passes, anything outside fails', () => {
  const fractions: Array<[z.ZodMiniType, object, string]> = [
    [S.WorkUnitSchema, sampleOf(A.workUnitArb), 'priority'],
    [S.AlgorithmCapabilitySchema, sampleOf(A.algorithmCapabilityArb), 'performance_score'],
    [S.ComputeCommitmentSchema, sampleOf(A.computeCommitmentArb), 'damping_factor'],
    [S.OfferSchema, sampleOf(A.offerArb), 'performance_score'],
    [S.NodeEventSchema, sampleOf(A.nodeEventArbs['trust.set']), 'weight'],
  ];
  for (const [schema, base, field] of fractions) {
    for (const ok of [0, 1, 0.5]) accepts(schema, withField(base, field, ok), `${field} = ${ok}`);
    for (const bad of [-0.0001, 1.0001, -1, 2, Number.NaN, Infinity, '0.5', null]) {
      rejects(schema, withField(base, field, bad), `${field} = ${String(bad)}`);
    }
  }
  const commitment = sampleOf(A.computeCommitmentArb);
  rejects(S.ComputeCommitmentSchema, { ...commitment, trust_weights: { bob: 1.5 } }, 'trust weight 1.5');
  rejects(S.ComputeCommitmentSchema, { ...commitment, trust_weights: { bob: -0.1 } }, 'trust weight -0.1');
});

test('credits: non-negative safe integers only', () => {
  const credits: Array<[z.ZodMiniType, object, string]> = [
    [S.EscrowEntrySchema, sampleOf(A.escrowEntryArb), 'amount'],
    [S.EscrowEntrySchema, sampleOf(A.escrowEntryArb), 'job_budget'],
    [S.OfferSchema, sampleOf(A.offerArb), 'price'],
    [S.AcceptanceSchema, sampleOf(A.acceptanceArb), 'price'],
    [S.WorkUnitSchema, sampleOf(A.workUnitArb), 'max_price'],
    [S.JobSchema, sampleOf(A.jobArb), 'budget'],
    [S.PriceScheduleSchema, sampleOf(A.priceScheduleArb), 'per_core_second'],
  ];
  for (const [schema, base, field] of credits) {
    for (const ok of [0, 1, Number.MAX_SAFE_INTEGER]) accepts(schema, withField(base, field, ok), `${field} = ${ok}`);
    for (const bad of [-1, 1.5, 0.001, Number.MAX_SAFE_INTEGER + 1, '10']) {
      rejects(schema, withField(base, field, bad), `${field} = ${String(bad)}`);
    }
  }
});

test('redundancy: 1 to 16 whole replicas', () => {
  const unit = sampleOf(A.workUnitArb);
  const job = sampleOf(A.jobArb);
  for (const ok of [1, 16]) {
    accepts(S.WorkUnitSchema, { ...unit, verification_redundancy: ok }, `unit redundancy ${ok}`);
    accepts(S.JobSchema, { ...job, redundancy: ok }, `job redundancy ${ok}`);
  }
  for (const bad of [0, 17, 1.5, -1]) {
    rejects(S.WorkUnitSchema, { ...unit, verification_redundancy: bad }, `unit redundancy ${bad}`);
    rejects(S.JobSchema, { ...job, redundancy: bad }, `job redundancy ${bad}`);
  }
});

test('a slot must end after it starts, comparing instants across UTC offsets', () => {
  const slot = sampleOf(A.availabilitySlotArb);
  const at = (start: string, end: string) => ({ ...slot, start_time: start, end_time: end });
  rejects(S.AvailabilitySlotSchema, at('2025-01-01T10:00:00Z', '2025-01-01T10:00:00Z'), 'zero length');
  rejects(S.AvailabilitySlotSchema, at('2025-01-01T10:00:00Z', '2025-01-01T09:00:00Z'), 'ends before it starts');
  rejects(
    S.AvailabilitySlotSchema,
    at('2025-01-01T10:00:00Z', '2025-01-01T11:00:00+02:00'),
    'later wall clock, earlier instant',
  );
  accepts(S.AvailabilitySlotSchema, at('2025-01-01T10:00:00Z', '2025-01-01T10:00:00.001Z'), 'one millisecond');
  accepts(
    S.AvailabilitySlotSchema,
    at('2025-01-01T10:00:00+02:00', '2025-01-01T09:00:00Z'),
    'earlier wall clock, later instant',
  );
  const result = S.AvailabilitySlotSchema.safeParse(at('2025-01-01T10:00:00Z', '2025-01-01T10:00:00Z'));
  assert.deepEqual(
    result.error?.issues.map((i) => i.path),
    [['end_time']],
  );
  fc.assert(
    fc.property(A.availabilitySlotArb, (valid) => {
      rejects(
        S.AvailabilitySlotSchema,
        { ...valid, start_time: valid.end_time, end_time: valid.start_time },
        'swapped times',
      );
    }),
    { numRuns: 50 },
  );
});

test('times must be ISO 8601 with a zone', () => {
  const receipt = sampleOf(A.executionReceiptArb);
  for (const bad of ['2025-01-01T10:00:00', '2025-01-01', '2025-02-30T00:00:00Z', 'yesterday', 1735725600000]) {
    rejects(S.ExecutionReceiptSchema, { ...receipt, timestamp: bad }, `timestamp ${String(bad)}`);
  }
});

test('base64 text is what the anchored pattern accepted: its alphabet, at most two = and only at its end', () => {
  const pattern = /^[A-Za-z0-9+/]*={0,2}$/;
  const edges = [
    '',
    'QQ==',
    'QUI=',
    'QUJD',
    'a=',
    'a==',
    'a===',
    '=',
    '==',
    '===',
    'a=b',
    'a=b=',
    '=a',
    'a b',
    'ab-_',
    'a\n',
    'é',
  ];
  for (const text of edges) assert.equal(S.isBase64Text(text), pattern.test(text), JSON.stringify(text));
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom('A', 'z', '0', '+', '/', '=', '-', ' ', '\n') }), (text) => {
      assert.equal(S.isBase64Text(text), pattern.test(text), JSON.stringify(text));
    }),
    { numRuns: 2000 },
  );
  assert.equal(S.base64Of(3).safeParse('QUJD').success, true);
  assert.equal(S.base64Of(3).safeParse('QUJDRA==').success, false); // over its 3 bytes
  assert.match(JSON.stringify(S.base64Of(3).safeParse('QU=D').error?.issues), /expected base64/);
});

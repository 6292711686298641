import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { evaluatePolicies, forgetUncounted, policyRoom } from '../../src-main/core/policy/index.js';
import { MeshState } from '../../src-main/core/mesh/state/state.js';
import type { Policy } from '../../src-main/core/schemas/index.js';

const NOON = Date.parse('2025-03-10T12:00:00Z');
const MIDNIGHT = Date.parse('2025-03-10T00:00:00Z');
const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;

test('an empty policy list allows everyone', () => {
  assert.deepEqual(evaluatePolicies([], 'anyone', [], NOON), { allowed: true });
});

test('allow_all allows everyone', () => {
  assert.deepEqual(evaluatePolicies([{ kind: 'allow_all' }], 'anyone', [NOON - 1], NOON), { allowed: true });
});

test('permit_list allows only the listed peers', () => {
  const policies: Policy[] = [{ kind: 'permit_list', peers: ['alice', 'bob'] }];
  assert.equal(evaluatePolicies(policies, 'bob', [], NOON).allowed, true);
  const refused = evaluatePolicies(policies, 'mallory', [], NOON);
  assert.equal(refused.allowed, false);
  if (!refused.allowed) assert.match(refused.reason, /mallory.*permit list/);
});

test('quota counts only units of the current UTC day', () => {
  const policies: Policy[] = [{ kind: 'quota', units_per_day: 2 }];
  const yesterday = [MIDNIGHT - HOUR, MIDNIGHT - 1];
  assert.equal(evaluatePolicies(policies, 'alice', yesterday, NOON).allowed, true);
  assert.equal(evaluatePolicies(policies, 'alice', [...yesterday, MIDNIGHT], NOON).allowed, true);
  const full = evaluatePolicies(policies, 'alice', [...yesterday, MIDNIGHT, MIDNIGHT + HOUR], NOON);
  assert.equal(full.allowed, false);
  if (!full.allowed) assert.match(full.reason, /quota/);
  // A new UTC day starts afresh.
  assert.equal(evaluatePolicies(policies, 'alice', [MIDNIGHT, MIDNIGHT + HOUR], MIDNIGHT + 24 * HOUR).allowed, true);
});

test('a quota of zero refuses everything', () => {
  assert.equal(evaluatePolicies([{ kind: 'quota', units_per_day: 0 }], 'alice', [], NOON).allowed, false);
});

test('rate_limit is a sliding window ending now', () => {
  const policies: Policy[] = [{ kind: 'rate_limit', units: 2, per_seconds: 60 }];
  assert.equal(evaluatePolicies(policies, 'alice', [NOON - 30 * SECOND], NOON).allowed, true);
  const busy = evaluatePolicies(policies, 'alice', [NOON - 30 * SECOND, NOON - 10 * SECOND], NOON);
  assert.equal(busy.allowed, false);
  if (!busy.allowed) assert.match(busy.reason, /rate limit/);
  // A unit exactly 60 s old has left the window; one 59 s old has not.
  assert.equal(evaluatePolicies(policies, 'alice', [NOON - 60 * SECOND, NOON - 10 * SECOND], NOON).allowed, true);
  assert.equal(evaluatePolicies(policies, 'alice', [NOON - 59 * SECOND, NOON - 10 * SECOND], NOON).allowed, false);
  // Unlike a daily quota, the window crosses midnight.
  assert.equal(
    evaluatePolicies(policies, 'alice', [MIDNIGHT - 20 * SECOND, MIDNIGHT - 10 * SECOND], MIDNIGHT).allowed,
    false,
  );
});

test('every policy must allow; the first refusal gives the reason', () => {
  const policies: Policy[] = [
    { kind: 'permit_list', peers: ['alice'] },
    { kind: 'quota', units_per_day: 1 },
  ];
  const refused = evaluatePolicies(policies, 'alice', [NOON - HOUR], NOON);
  assert.equal(refused.allowed, false);
  if (!refused.allowed) assert.match(refused.reason, /quota/);
  const stranger = evaluatePolicies(policies, 'eve', [], NOON);
  if (!stranger.allowed) assert.match(stranger.reason, /permit list/);
  assert.equal(stranger.allowed, false);
});

test('a time that is not a number is refused, not allowed', () => {
  assert.equal(evaluatePolicies([{ kind: 'quota', units_per_day: 5 }], 'alice', [], Number.NaN).allowed, false);
});

test('property: a rate limit never lets more than `units` through in any window', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 120 }),
      fc.array(fc.integer({ min: 0, max: 600 * SECOND }), { maxLength: 60 }),
      (units, perSeconds, offsets) => {
        const policies: Policy[] = [{ kind: 'rate_limit', units, per_seconds: perSeconds }];
        // Simulate a requester asking at the given times; keep the ones that were allowed.
        const accepted: number[] = [];
        for (const t of [...offsets].sort((a, b) => a - b).map((o) => NOON + o)) {
          if (evaluatePolicies(policies, 'alice', accepted, t).allowed) accepted.push(t);
        }
        for (const t of accepted) {
          const inWindow = accepted.filter((u) => u > t - perSeconds * SECOND && u <= t).length;
          assert.ok(inWindow <= units);
        }
      },
    ),
  );
});

test('policyRoom: how many more units each policy lets through now', () => {
  assert.equal(policyRoom([], 'alice', [NOON - 1], NOON), Infinity);
  assert.equal(policyRoom([{ kind: 'allow_all' }], 'alice', [], NOON), Infinity);
  assert.equal(policyRoom([{ kind: 'permit_list', peers: ['alice'] }], 'alice', [], NOON), Infinity);
  assert.equal(policyRoom([{ kind: 'permit_list', peers: ['alice'] }], 'eve', [], NOON), 0);
  assert.equal(policyRoom([{ kind: 'quota', units_per_day: 3 }], 'alice', [MIDNIGHT - 1, MIDNIGHT], NOON), 2);
  assert.equal(policyRoom([{ kind: 'rate_limit', units: 2, per_seconds: 60 }], 'alice', [NOON - 61 * SECOND], NOON), 2);
  const both: Policy[] = [
    { kind: 'quota', units_per_day: 5 },
    { kind: 'rate_limit', units: 2, per_seconds: 60 },
  ];
  assert.equal(policyRoom(both, 'alice', [NOON - 10 * SECOND], NOON), 1);
  assert.equal(policyRoom(both, 'alice', [], Number.NaN), 0);
});

const smallPolicyArb: fc.Arbitrary<Policy> = fc.oneof(
  fc.constant({ kind: 'allow_all' as const }),
  fc.subarray(['alice', 'carol']).map((peers) => ({ kind: 'permit_list' as const, peers })),
  fc.integer({ min: 0, max: 6 }).map((units_per_day) => ({ kind: 'quota' as const, units_per_day })),
  fc
    .record({ units: fc.integer({ min: 0, max: 6 }), per_seconds: fc.integer({ min: 1, max: 2 * 86_400 }) })
    .map((r) => ({ kind: 'rate_limit' as const, ...r })),
);

test('property: policyRoom is how many times in a row evaluatePolicies allows a unit now', () => {
  fc.assert(
    fc.property(
      fc.array(smallPolicyArb, { maxLength: 3 }),
      fc.constantFrom('alice', 'bob'),
      fc.array(fc.integer({ min: -2 * 24 * HOUR, max: 0 }), { maxLength: 30 }),
      (policies, requester, offsets) => {
        const history = offsets.map((o) => NOON + o);
        const room = policyRoom(policies, requester, history, NOON);
        let allowed = 0;
        const grown = [...history];
        while (allowed < 100 && evaluatePolicies(policies, requester, grown, NOON).allowed) {
          allowed++;
          grown.push(NOON);
        }
        assert.equal(Math.min(room, 100), allowed);
      },
    ),
  );
});

test("property: the acceptance times forgotten (older than any window) change no policy's answer", () => {
  const policy = fc.oneof(
    fc.record({ kind: fc.constant('quota' as const), units_per_day: fc.integer({ min: 0, max: 400 }) }),
    fc.record({
      kind: fc.constant('rate_limit' as const),
      units: fc.integer({ min: 0, max: 400 }),
      per_seconds: fc.integer({ min: 1, max: 30 * 86_400 }),
    }),
  );
  fc.assert(
    fc.property(
      fc.array(policy, { minLength: 1, maxLength: 3 }),
      fc.array(fc.integer({ min: 0, max: 90 * DAY }), { minLength: 1, maxLength: 400 }),
      (policies, offsets) => {
        const times = offsets.sort((a, b) => a - b).map((offset) => NOON + offset);
        const kept: number[] = [];
        for (const [i, t] of times.entries()) {
          kept.push(t);
          forgetUncounted(kept, t);
          const all = times.slice(0, i + 1);
          for (const now of [t, t + HOUR, t + DAY])
            assert.equal(policyRoom(policies, 'r', kept, now), policyRoom(policies, 'r', all, now));
        }
      },
    ),
    { numRuns: 50 },
  );
});

test('a provider that worked for a requester for 90 days keeps the times of its last 30 only', () => {
  const state = new MeshState('provider');
  for (let day = 0; day < 90; day++) {
    const at = new Date(NOON + day * DAY).toISOString();
    const acceptance = (unit: number) => ({
      assignment_id: `provider#${day}.${unit}`,
      offer_id: `provider#${day}.${unit}`,
      unit_id: `job/${day * 100 + unit}`,
      job_id: 'job',
      requester_peer: 'requester',
      provider_peer: 'provider',
      price: 1,
      role: 'primary' as const,
      deadline: at,
      timestamp: at,
    });
    const accepted = Array.from({ length: 100 }, (_, unit) => ({ acceptance: acceptance(unit) }));
    state.apply({ type: 'offers.accepted', event_id: `day-${day}`, at, accepted });
  }
  const history = state.acceptedFrom.get('requester')!;
  // 30 days of 100 a day, and of those older fewer than an eighth of the list (dropped in bulk).
  assert.ok(history.length >= 3000 && history.length <= 3500, `${history.length} times kept`);
  assert.ok(history[0]! >= NOON + 89 * DAY - 35 * DAY, `the oldest kept: ${new Date(history[0]!).toISOString()}`);
});

// Invariants of the scheduler over random meshes (fast-check).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  acceptByPolicy,
  allocate,
  compatibility,
  DEFAULT_ACCEPTANCE_POLICY,
  DIMENSIONS,
  resourceVector,
  slotSeconds,
  standingOf,
  unitKey,
  type Allocation,
} from '../../src-main/core/scheduler/index.js';
import type { ComputeCommitment, Offer, WorkUnit } from '../../src-main/core/schemas/index.js';
import { commitment, request, slot, T0, unit } from './scheduler-fixtures.js';

const ALGORITHMS = ['a', 'b', 'c'];
const PRICE = { per_core_second: 3, minimum: 1 };
const trustLevel = fc.constantFrom(0, 0.3, 0.7, 1);
// Small, overlapping sizes so that units usually fit a slot's caps and slots are contested.
const slotResources = fc.record({
  cpu_cores: fc.constantFrom(2, 4),
  ram_gb: fc.constantFrom(4, 8),
  gpu_vram_gb: fc.constantFrom(0, 8),
});
const unitResources = fc.record({
  cpu_cores: fc.constantFrom(0, 1, 2),
  ram_gb: fc.constantFrom(1, 4),
  gpu_vram_gb: fc.constantFrom(0, 0, 4),
});

const meshArb = fc
  .record({
    peers: fc.integer({ min: 1, max: 6 }),
    slots: fc.array(
      fc.record({
        hours: fc.double({ min: 0.25, max: 1, noNaN: true }),
        offsetHours: fc.integer({ min: 0, max: 2 }),
        resources: slotResources,
        algorithms: fc.subarray(ALGORITHMS, { minLength: 2 }),
        perf: fc.double({ min: 0.5, max: 1, noNaN: true }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    damping: fc.double({ min: 0.2, max: 1, noNaN: true }),
    trust: fc.array(fc.tuple(trustLevel, trustLevel), { minLength: 6, maxLength: 6 }),
    units: fc.array(
      fc.record({
        peer: fc.integer({ min: 0, max: 5 }),
        algorithm: fc.constantFrom(...ALGORITHMS),
        resources: unitResources,
        seconds: fc.integer({ min: 300, max: 1800 }),
        priority: fc.constantFrom(0, 0.5, 1),
      }),
      { maxLength: 80 },
    ),
  })
  .map((m) => {
    const names = Array.from({ length: m.peers }, (_, i) => `peer-${i}`);
    const myTrust: Record<string, number> = {};
    names.forEach((n, i) => (myTrust[n] = m.trust[i]![0]));
    const slots = m.slots.map((s, i) =>
      slot(
        `slot-${i}`,
        s.hours,
        s.resources,
        s.algorithms.map((a) => [a, s.perf] as [string, number]),
        T0 + s.offsetHours * 3600_000,
      ),
    );
    const provider = { ...commitment('me', myTrust, slots), damping_factor: m.damping };
    const requesters = names.map((name, i) => {
      const mine = m.units.filter((u) => u.peer % m.peers === i);
      const units = mine.map((u, k) =>
        unit(`${name}-u${k}`, `${name}-job`, u.algorithm, u.resources, u.seconds, u.priority),
      );
      return commitment(name, { me: m.trust[i]![1] }, [], [request(name, `${name}-job`, units)]);
    });
    return { provider, requesters };
  });

const unitsOf = (c: ComputeCommitment) => c.work_requests.flatMap((r) => r.work_units);
const EPS = 1e-9;

function areaBySlot(result: Allocation) {
  const used = new Map<string, number[]>();
  result.offers.forEach((offer, i) => {
    const need = resourceVector(result.units[i]!.required_resources);
    const row = used.get(offer.slot_id) ?? DIMENSIONS.map(() => 0);
    need.forEach((x, d) => (row[d] = row[d]! + x * offer.estimated_seconds));
    used.set(offer.slot_id, row);
  });
  return used;
}

test('no slot is over-allocated in any dimension (past its damped capacity, unless it holds one unit), and no unit exceeds a cap or its slot', () => {
  fc.assert(
    fc.property(meshArb, ({ provider, requesters }) => {
      const result = allocate({ provider, requesters, round: 1, nowMs: T0, price: PRICE });
      const used = areaBySlot(result);
      for (const s of provider.availability_slots) {
        const caps = resourceVector(s.resources);
        const row = used.get(s.slot_id) ?? [];
        const alone = result.offers.filter((o) => o.slot_id === s.slot_id).length === 1;
        row.forEach((area, d) =>
          assert.ok(
            area <= caps[d]! * slotSeconds(s) * (alone ? 1 : provider.damping_factor) * (1 + EPS) + EPS,
            `slot ${s.slot_id} dim ${DIMENSIONS[d]}`,
          ),
        );
      }
      result.offers.forEach((offer, i) => {
        const s = provider.availability_slots.find((x) => x.slot_id === offer.slot_id)!;
        const c = compatibility(result.units[i]!, s);
        assert.ok(c.compatible, `offer ${offer.offer_id} placed in an incompatible slot`);
      });
      for (const u of result.slots) for (const x of u.used) assert.ok(x >= 0);
    }),
    { numRuns: 200 },
  );
});

test('each unit gets at most one offer, only requesters with standing get any, at their tier', () => {
  fc.assert(
    fc.property(meshArb, ({ provider, requesters }) => {
      const result = allocate({ provider, requesters, round: 1, nowMs: T0, price: PRICE });
      const keys = result.offers.map((o) => unitKey(o.requester_peer, o.unit_id));
      assert.equal(new Set(keys).size, keys.length);
      const ctx = { me: 'me', myTrust: provider.trust_weights };
      for (const offer of result.offers) {
        const standing = standingOf(
          ctx,
          requesters.find((r) => r.peer_id === offer.requester_peer)!,
        );
        assert.ok(standing, `${offer.requester_peer} has no standing but got an offer`);
        assert.equal(offer.tier, standing.tier);
      }
    }),
    { numRuns: 200 },
  );
});

test('tier-1 units are placed before tier-2: an unplaced tier-1 unit fits no slot once tier 1 is done', () => {
  fc.assert(
    fc.property(meshArb, ({ provider, requesters }) => {
      const result = allocate({ provider, requesters, round: 1, nowMs: T0, price: PRICE });
      const tier1 = {
        ...result,
        offers: result.offers.filter((o) => o.tier === 1),
        units: result.units.filter((_, i) => result.offers[i]!.tier === 1),
      };
      const usedAfterTier1 = areaBySlot(tier1);
      const placed = new Set(result.offers.map((o) => unitKey(o.requester_peer, o.unit_id)));
      const ctx = { me: 'me', myTrust: provider.trust_weights };
      for (const r of requesters) {
        if (standingOf(ctx, r)?.tier !== 1) continue;
        for (const u of unitsOf(r)) {
          if (placed.has(unitKey(r.peer_id, u.unit_id))) continue;
          for (const s of provider.availability_slots) {
            const c = compatibility(u, s);
            if (!c.compatible) continue;
            const caps = resourceVector(s.resources);
            const row = usedAfterTier1.get(s.slot_id) ?? DIMENSIONS.map(() => 0);
            const need = resourceVector(u.required_resources);
            // An empty slot takes any compatible unit, however damped.
            const empty = !tier1.offers.some((o) => o.slot_id === s.slot_id);
            const fits =
              empty ||
              DIMENSIONS.every(
                (_, d) => caps[d]! * slotSeconds(s) * provider.damping_factor - row[d]! - need[d]! * c.seconds >= 0,
              );
            assert.ok(!fits, `tier-1 unit ${u.unit_id} was left out although it fits ${s.slot_id}`);
          }
        }
      }
    }),
    { numRuns: 200 },
  );
});

test('no requester gets more offers than its room, and one with no room leaves my slots to the others as if it were not there', () => {
  fc.assert(
    fc.property(meshArb, fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 6, maxLength: 6 }), (mesh, rooms) => {
      const { provider, requesters } = mesh;
      const roomOf = (peer: string) => rooms[Number(peer.slice('peer-'.length))]!;
      const capped = allocate({ provider, requesters, round: 1, nowMs: T0, price: PRICE, requesterRoom: roomOf });
      for (const r of requesters) {
        const mine = capped.offers.filter((o) => o.requester_peer === r.peer_id).length;
        assert.ok(mine <= roomOf(r.peer_id), `${r.peer_id} got ${mine} offers, room ${roomOf(r.peer_id)}`);
      }
      const full = (peer: string) => (roomOf(peer) === 0 ? 0 : Number.POSITIVE_INFINITY);
      const without = requesters.filter((r) => roomOf(r.peer_id) > 0);
      assert.deepEqual(
        allocate({ provider, requesters, round: 1, nowMs: T0, price: PRICE, requesterRoom: full }).offers,
        // (both with a room, so both list each requester's units in this provider's own order)
        allocate({ provider, requesters: without, round: 1, nowMs: T0, price: PRICE, requesterRoom: () => Infinity })
          .offers,
      );
    }),
    { numRuns: 200 },
  );
});

test('the allocation does not depend on the order commitments arrived in', () => {
  fc.assert(
    fc.property(meshArb, fc.func(fc.integer()), ({ provider, requesters }, key) => {
      const shuffled = [...requesters].sort((a, b) => key(a.peer_id) - key(b.peer_id));
      const a = allocate({ provider, requesters, round: 3, nowMs: T0, price: PRICE });
      const b = allocate({ provider, requesters: shuffled, round: 3, nowMs: T0, price: PRICE });
      assert.deepEqual(a.offers, b.offers);
    }),
    { numRuns: 100 },
  );
});

const acceptanceArb = fc
  .record({
    units: fc.array(
      fc.record({ redundancy: fc.integer({ min: 1, max: 3 }), maxPrice: fc.option(fc.integer({ min: 1, max: 100 })) }),
      { minLength: 1, maxLength: 10 },
    ),
    offers: fc.array(
      fc.record({
        unit: fc.integer({ min: 0, max: 11 }),
        provider: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'me'),
        price: fc.integer({ min: 0, max: 120 }),
        seconds: fc.integer({ min: 1, max: 100 }),
      }),
      { maxLength: 60 },
    ),
    budget: fc.integer({ min: 0, max: 1500 }),
    already: fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.constantFrom('p1', 'p2')), { maxLength: 5 }),
  })
  .map(({ units, offers, budget, already }) => {
    const workUnits: WorkUnit[] = units.map((u, i) => ({
      ...unit(`u${i}`, 'job', 'a', { cpu_cores: 1, ram_gb: 1 }, 1, 0.5, u.redundancy),
      ...(u.maxPrice === null ? {} : { max_price: u.maxPrice }),
    }));
    const received: Offer[] = offers.map((o, i) => ({
      offer_id: `${o.provider}#0.${i}`,
      round: 0,
      unit_id: `u${o.unit}`,
      job_id: 'job',
      requester_peer: 'me',
      provider_peer: o.provider,
      slot_id: 's',
      tier: 1,
      price: o.price,
      estimated_seconds: o.seconds,
      performance_score: 1,
      expected_start: new Date(T0).toISOString(),
      expected_end: new Date(T0).toISOString(),
      timestamp: new Date(T0).toISOString(),
    }));
    const accepted = new Map<string, string[]>();
    for (const [u, p] of already) {
      const list = accepted.get(`u${u}`) ?? [];
      if (!list.includes(p) && list.length < (workUnits[u]?.verification_redundancy ?? 0)) list.push(p);
      accepted.set(`u${u}`, list);
    }
    return { workUnits, received, budget, accepted };
  });

test('acceptance: never beyond redundancy, one worker per provider per unit, within max price and budget', () => {
  fc.assert(
    fc.property(acceptanceArb, ({ workUnits, received, budget, accepted }) => {
      const ctx = {
        me: 'me',
        nowMs: T0,
        policy: DEFAULT_ACCEPTANCE_POLICY,
        trustIn: (p: string) => ({ p1: 0.9, p2: 0.5 })[p] ?? 0.2,
        reputationOf: () => 0.5,
        acceptedProviders: (u: string) => accepted.get(u) ?? [],
        budgetLeft: () => budget,
      };
      const { acceptances, refusals } = acceptByPolicy(ctx, workUnits, received);
      assert.equal(acceptances.length + refusals.length, received.length);
      let spent = 0;
      for (const u of workUnits) {
        const mine = acceptances.filter((acceptance) => acceptance.unit_id === u.unit_id);
        const providers = [...(accepted.get(u.unit_id) ?? []), ...mine.map((acceptance) => acceptance.provider_peer)];
        assert.ok(providers.length <= u.verification_redundancy, `unit ${u.unit_id} over its redundancy`);
        assert.equal(new Set(providers).size, providers.length);
        for (const acceptance of mine) {
          assert.notEqual(acceptance.provider_peer, 'me');
          if (u.max_price !== undefined) assert.ok(acceptance.price <= u.max_price);
          spent += acceptance.price;
        }
      }
      assert.ok(spent <= budget, `spent ${spent} of a budget of ${budget}`);
    }),
    { numRuns: 300 },
  );
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  allocate,
  bilateralTrust,
  compatibility,
  nextDamping,
  overAllocation,
  standingOf,
  unitKey,
} from '../../src-main/core/scheduler/index.js';
import { ComputeCommitmentSchema, OfferSchema } from '../../src-main/core/schemas/index.js';
import { commitment, request, slot, T0, unit } from './scheduler-fixtures.js';

const PRICE = { per_core_second: 10, minimum: 1 };

// A video-rendering farm: Alice offers an 8-hour slot on a 16-core machine
// with a 24 GB GPU. She trusts Bob (0.9) and Charlie (0.6). Bob trusts her back (0.8); Charlie
// does not; Dave trusts her but she has never heard of him. Bob and Charlie each want 20 frames,
// every frame 4 cores, 16 GB RAM and 8 GB VRAM for an hour on a reference machine.
function videoFarm() {
  const frame = { cpu_cores: 4, ram_gb: 16, gpu_vram_gb: 8 };
  const frames = (job: string) =>
    Array.from({ length: 20 }, (_, i) => unit(`${job}-frame-${i}`, job, 'video-render', frame, 3600));
  const alice = commitment('alice-peer-123', { 'bob-peer-456': 0.9, 'charlie-peer-789': 0.6 }, [
    slot('alice-slot-1', 8, { cpu_cores: 16, ram_gb: 64, gpu_vram_gb: 24 }, [['video-render', 0.95]]),
  ]);
  const bob = commitment(
    'bob-peer-456',
    { 'alice-peer-123': 0.8 },
    [],
    [request('bob-peer-456', 'bob-film', frames('bob-film'))],
  );
  const charlie = commitment(
    'charlie-peer-789',
    {},
    [],
    [request('charlie-peer-789', 'charlie-film', frames('charlie-film'))],
  );
  const dave = commitment(
    'dave-peer-000',
    { 'alice-peer-123': 1 },
    [],
    [request('dave-peer-000', 'dave-film', frames('dave-film'))],
  );
  return { alice, bob, charlie, dave };
}

describe('video-rendering farm (Alice, Bob, Charlie)', () => {
  const { alice, bob, charlie, dave } = videoFarm();
  const ctx = { me: alice.peer_id, myTrust: alice.trust_weights };
  const result = allocate({ provider: alice, requesters: [dave, charlie, bob], round: 7, nowMs: T0, price: PRICE });

  test('the worked example is valid protocol data', () => {
    for (const c of [alice, bob, charlie, dave]) ComputeCommitmentSchema.parse(c);
    for (const o of result.offers) OfferSchema.parse(o);
  });

  test('Bob is tier 1 at bilateral trust 0.8, Charlie tier 2 at 0.6, Dave nothing', () => {
    assert.equal(bilateralTrust(ctx, bob), 0.8);
    assert.deepEqual(standingOf(ctx, bob), { peer: 'bob-peer-456', tier: 1, givesBack: false, trust: 0.8 });
    assert.deepEqual(standingOf(ctx, charlie), { peer: 'charlie-peer-789', tier: 2, givesBack: false, trust: 0.6 });
    assert.equal(standingOf(ctx, dave), undefined);
  });

  test('the GPU is the bottleneck: 22 frames fit, all 20 of Bob first, then 2 of Charlie', () => {
    // On Alice a frame takes 3600 / 0.95 = 3789.5 s, so it uses 8 x 3789.5 = 30,316 GB-seconds of
    // VRAM out of 24 x 28,800 = 691,200: 22 frames. CPU and RAM would take 30.
    const byRequester = (peer: string) => result.offers.filter((o) => o.requester_peer === peer);
    assert.equal(byRequester('bob-peer-456').length, 20);
    assert.deepEqual(
      byRequester('charlie-peer-789').map((o) => o.unit_id),
      ['charlie-film-frame-0', 'charlie-film-frame-1'],
    );
    assert.equal(byRequester('dave-peer-000').length, 0);
    assert.ok(result.offers.slice(0, 20).every((o) => o.tier === 1));
    assert.ok(result.offers.slice(20).every((o) => o.tier === 2));
    assert.deepEqual(result.slots[0]!.tier1, 20);
    assert.deepEqual(result.slots[0]!.tier2, 2);
  });

  test('offers carry price, estimate, schedule and deterministic ids', () => {
    const first = result.offers[0]!;
    assert.equal(first.offer_id, 'alice-peer-123#7.0');
    assert.equal(first.unit_id, 'bob-film-frame-0');
    assert.ok(Math.abs(first.estimated_seconds - 3600 / 0.95) < 1e-9);
    assert.equal(first.price, Math.ceil(10 * 4 * (3600 / 0.95)));
    assert.equal(first.expected_start, '2025-10-24T00:00:00.000Z');
    // Each frame takes a third of the machine (VRAM 8 of 24), so starts advance by a third of a frame.
    const second = result.offers[1]!;
    assert.equal(Date.parse(second.expected_start) - T0, Math.round((3600 / 0.95 / 3) * 1000));
    assert.equal(new Set(result.offers.map((o) => o.offer_id)).size, result.offers.length);
  });

  test('the same input in another order gives the same offers', () => {
    const again = allocate({ provider: alice, requesters: [bob, dave, charlie], round: 7, nowMs: T0, price: PRICE });
    assert.deepEqual(again.offers, result.offers);
  });

  test('units already covered are not offered for again', () => {
    const skip = new Set([unitKey('bob-peer-456', 'bob-film-frame-0'), unitKey('bob-peer-456', 'bob-film-frame-1')]);
    const next = allocate({ provider: alice, requesters: [bob, charlie], round: 8, nowMs: T0, price: PRICE, skip });
    assert.ok(!next.offers.some((o) => o.unit_id === 'bob-film-frame-0' || o.unit_id === 'bob-film-frame-1'));
    assert.equal(next.offers.filter((o) => o.requester_peer === 'charlie-peer-789').length, 4);
  });

  test('work promised in earlier rounds keeps its share of the slot: 20 frames reserved leave room for 2', () => {
    const skip = new Set(result.offers.slice(0, 20).map((o) => unitKey(o.requester_peer, o.unit_id)));
    const reserved = result.offers.slice(0, 20).map((o) => ({
      slot_id: o.slot_id,
      resources: { cpu_cores: 4, ram_gb: 16, gpu_vram_gb: 8 },
      seconds: o.estimated_seconds,
    }));
    const next = allocate({
      provider: alice,
      requesters: [bob, charlie],
      round: 8,
      nowMs: T0,
      price: PRICE,
      skip,
      reserved,
    });
    assert.deepEqual(
      next.offers.map((o) => o.unit_id),
      ['charlie-film-frame-0', 'charlie-film-frame-1'],
    );
    // Their schedule starts after the reserved work, not at the slot's start.
    assert.equal(next.offers[0]!.expected_start, result.offers[20]!.expected_start);
  });

  test('an open market (default trust 0.1) serves Dave, who trusts Alice, at tier 1 after Bob', () => {
    const open = allocate({
      provider: alice,
      requesters: [bob, dave],
      round: 9,
      nowMs: T0,
      price: PRICE,
      defaultTrust: 0.1,
    });
    assert.deepEqual(
      open.offers.slice(20).map((o) => [o.requester_peer, o.tier]),
      [
        ['dave-peer-000', 1],
        ['dave-peer-000', 1],
      ],
    );
  });
});

describe('compatibility matrix', () => {
  const s = slot('s', 1, { cpu_cores: 4, ram_gb: 8 }, [['hash/sha256', 0.5]]);
  test('algorithm, version, resources and duration each decide', () => {
    assert.equal(compatibility(unit('u', 'j', 'hash/sha256', { cpu_cores: 1, ram_gb: 1 }, 60), s).compatible, true);
    assert.equal(compatibility(unit('u', 'j', 'hash/sha256', { cpu_cores: 1, ram_gb: 1 }, 60), s).seconds, 120);
    assert.equal(compatibility(unit('u', 'j', 'render', { cpu_cores: 1, ram_gb: 1 }, 60), s).reason, 'algorithm');
    assert.equal(
      compatibility(
        { ...unit('u', 'j', 'hash/sha256', { cpu_cores: 1, ram_gb: 1 }, 60), algorithm_version: '2.0.0' },
        s,
      ).reason,
      'algorithm',
    );
    assert.equal(compatibility(unit('u', 'j', 'hash/sha256', { cpu_cores: 8, ram_gb: 1 }, 60), s).reason, 'resources');
    assert.equal(
      compatibility(unit('u', 'j', 'hash/sha256', { cpu_cores: 1, ram_gb: 1, gpu_vram_gb: 1 }, 60), s).reason,
      'resources',
    );
    assert.equal(compatibility(unit('u', 'j', 'hash/sha256', { cpu_cores: 1, ram_gb: 1 }, 1801), s).reason, 'duration');
  });
  test('data locality ranks local copies first, then unknown, then downloads', () => {
    const withData = {
      ...s,
      data_locality: [
        { dataset_id: 'local', has_local_copy: true },
        { dataset_id: 'remote', has_local_copy: false },
      ],
    };
    const u = (dataset?: string) => ({
      ...unit('u', 'j', 'hash/sha256', { cpu_cores: 1, ram_gb: 1 }, 1),
      ...(dataset ? { required_dataset: dataset } : {}),
    });
    assert.deepEqual(
      [u(), u('local'), u('other'), u('remote')].map((x) => compatibility(x, withData).locality),
      [1, 1, 0.5, 0.3],
    );
  });
  test('within equal trust and priority, a local dataset is placed first', () => {
    const provider = commitment('p', { r: 1 }, [
      {
        ...slot('s', 1, { cpu_cores: 1, ram_gb: 1 }, [['a', 1]]),
        data_locality: [{ dataset_id: 'near', has_local_copy: true }],
      },
    ]);
    const far = { ...unit('far', 'j', 'a', { cpu_cores: 1, ram_gb: 1 }, 3600), required_dataset: 'far' };
    const near = { ...unit('near', 'j', 'a', { cpu_cores: 1, ram_gb: 1 }, 3600), required_dataset: 'near' };
    const r = commitment('r', { p: 1 }, [], [request('r', 'j', [far, near])]);
    assert.deepEqual(
      allocate({ provider, requesters: [r], round: 0, nowMs: T0, price: PRICE }).offers.map((o) => o.unit_id),
      ['near'],
    );
  });
});

describe('requests that must be ignored', () => {
  const provider = commitment('p', { r: 1 }, [slot('s', 1, { cpu_cores: 1, ram_gb: 1 }, [['a', 1]])]);
  const u = unit('u', 'j', 'a', { cpu_cores: 1, ram_gb: 1 }, 1);
  test('a request naming another requester is not served', () => {
    const forged = commitment('r', { p: 1 }, [], [request('victim', 'j', [u])]);
    assert.equal(allocate({ provider, requesters: [forged], round: 0, nowMs: T0, price: PRICE }).offers.length, 0);
  });
  test('a request past its deadline is not served', () => {
    const late = commitment(
      'r',
      { p: 1 },
      [],
      [{ ...request('r', 'j', [u]), deadline: new Date(T0 - 1).toISOString() }],
    );
    assert.equal(allocate({ provider, requesters: [late], round: 0, nowMs: T0, price: PRICE }).offers.length, 0);
  });
  test('my own requests are not offered to myself', () => {
    const self = commitment('p', { p: 1 }, [], [request('p', 'j', [u])]);
    assert.equal(allocate({ provider, requesters: [self], round: 0, nowMs: T0, price: PRICE }).offers.length, 0);
  });
});

describe('damping', () => {
  test('over-allocation is the share of offers not accepted', () => {
    assert.equal(overAllocation(10, 4), 0.6);
    assert.equal(overAllocation(0, 0), 0);
    assert.equal(overAllocation(5, 9), 0);
  });
  test('oscillation halves the factor, sustained over-allocation shrinks it, calm recovers it', () => {
    let s = { damping_factor: 1, over_allocation_history: [0.1, 0.9] };
    s = nextDamping(s, 0.1);
    assert.equal(s.damping_factor, 0.5);
    assert.deepEqual(s.over_allocation_history, [0.1, 0.9, 0.1]);
    s = nextDamping({ damping_factor: 1, over_allocation_history: [0.8, 0.8] }, 0.8);
    assert.equal(s.damping_factor, 0.8);
    s = nextDamping({ damping_factor: 0.5, over_allocation_history: [0, 0] }, 0);
    assert.equal(s.damping_factor, 0.75);
  });
  test('damping scales the capacity offered', () => {
    const provider = {
      ...commitment('p', { r: 1 }, [slot('s', 1, { cpu_cores: 1, ram_gb: 1 }, [['a', 1]])]),
      damping_factor: 0.5,
    };
    const units = Array.from({ length: 4 }, (_, i) => unit(`u${i}`, 'j', 'a', { cpu_cores: 1, ram_gb: 1 }, 900));
    const r = commitment('r', { p: 1 }, [], [request('r', 'j', units)]);
    assert.equal(allocate({ provider, requesters: [r], round: 0, nowMs: T0, price: PRICE }).offers.length, 2);
  });
});

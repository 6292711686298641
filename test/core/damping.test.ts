// Damping across a provider's rounds: each round's offers resolve (accepted, or lapsed) into one
// step of the damping factor, which scales the capacity allocate() offers, never below one unit a slot.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocate, DampingTracker, OFFER_TTL_MS } from '../../src-main/core/scheduler/index.js';
import { commitment, request, slot, T0, unit } from './scheduler-fixtures.js';

const PRICE = { per_core_second: 10, minimum: 1 };
const ids = (round: number, n: number) => Array.from({ length: n }, (_, i) => `p#${round}.${i}`);

test('a new tracker does not damp', () => {
  assert.deepEqual(new DampingTracker().state, { damping_factor: 1, over_allocation_history: [] });
});

test('a round resolves when its offers lapse, counting the ones not accepted', () => {
  const tracker = new DampingTracker();
  const taken = new Set(['p#1.0']);
  tracker.offered(ids(1, 4), T0);
  tracker.resolve(T0 + OFFER_TTL_MS - 1, (id) => taken.has(id));
  assert.deepEqual(tracker.state.over_allocation_history, [], 'still open: three offers may yet be taken');
  tracker.resolve(T0 + OFFER_TTL_MS, (id) => taken.has(id));
  assert.deepEqual(tracker.state, { damping_factor: 0.8, over_allocation_history: [0.75] });
  tracker.resolve(T0 + 10 * OFFER_TTL_MS, () => true);
  assert.equal(tracker.state.over_allocation_history.length, 1, 'a resolved round counts once');
});

test('a round whose offers were all accepted resolves at once, ahead of an earlier open one', () => {
  const tracker = new DampingTracker();
  tracker.offered(ids(1, 2), T0);
  tracker.offered(ids(2, 2), T0 + 1000);
  tracker.offered([], T0 + 2000); // no offers: no step
  const taken = new Set(ids(2, 2));
  tracker.resolve(T0 + 1500, (id) => taken.has(id));
  assert.deepEqual(tracker.state.over_allocation_history, [0]);
  tracker.resolve(T0 + OFFER_TTL_MS, (id) => taken.has(id));
  assert.deepEqual(tracker.state.over_allocation_history, [0, 1]);
});

test('offers mostly not accepted shrink the factor to its floor; all accepted recover it to 1', () => {
  const tracker = new DampingTracker();
  let now = T0;
  let n = 0;
  const round = (made: number, accepted: number) => {
    const offers = ids(++n, made);
    const taken = new Set(offers.slice(0, accepted));
    tracker.offered(offers, now);
    now += OFFER_TTL_MS;
    tracker.resolve(now, (id) => taken.has(id));
    return tracker.state.damping_factor;
  };
  const falling = Array.from({ length: 10 }, () => round(10, 1));
  assert.ok(
    falling.every((f, i) => i === 0 || f <= falling[i - 1]!),
    `never rises: ${falling.join(', ')}`,
  );
  assert.ok(falling[0]! < 1 && falling.at(-1) === 0.2, `down to the floor: ${falling.join(', ')}`);
  const recovering = Array.from({ length: 8 }, () => round(3, 3));
  assert.equal(recovering.at(-1), 1, `back to 1: ${recovering.join(', ')}`);
  assert.deepEqual(tracker.state.over_allocation_history, [0, 0, 0]);
});

test('a damped slot still takes one unit, even one larger than its damped capacity', () => {
  const slots = [slot('s', 1, { cpu_cores: 1, ram_gb: 1 }, [['a', 1]])];
  const provider = { ...commitment('p', { r: 1 }, slots), damping_factor: 0.2 };
  // Each unit takes half the slot: 0.2 of it fits none, but an empty slot takes the first.
  const units = Array.from({ length: 3 }, (_, i) => unit(`u${i}`, 'j', 'a', { cpu_cores: 1, ram_gb: 1 }, 1800));
  const r = commitment('r', { p: 1 }, [], [request('r', 'j', units)]);
  const { offers } = allocate({ provider, requesters: [r], round: 1, nowMs: T0, price: PRICE });
  assert.deepEqual(
    offers.map((o) => o.unit_id),
    ['u0'],
  );
  // A slot already holding work (a reservation) is damped as it is: nothing more goes in.
  const reserved = [{ slot_id: 's', resources: { cpu_cores: 1, ram_gb: 1 }, seconds: 60 }];
  assert.equal(allocate({ provider, requesters: [r], round: 1, nowMs: T0, price: PRICE, reserved }).offers.length, 0);
  // Undamped, the same slot takes two.
  const undamped = { ...provider, damping_factor: 1 };
  assert.equal(allocate({ provider: undamped, requesters: [r], round: 1, nowMs: T0, price: PRICE }).offers.length, 2);
});

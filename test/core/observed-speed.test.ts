// The speed a provider offers render units at (core/scheduler/observed-speed.ts): its calibration
// until it has rendered, then what it saw lately, and its calibration again once that is old.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  HALF_LIFE_MS,
  ObservedSpeed,
  PRIOR_SECONDS,
  slotsAtObservedSpeed,
} from '../../src-main/core/scheduler/observed-speed.js';
import type { AvailabilitySlot } from '../../src-main/core/schemas/index.js';

const CALIBRATED = 0.25;

test('a node that has rendered nothing offers at its calibration', () => {
  assert.equal(new ObservedSpeed().score(1_000, CALIBRATED), CALIBRATED);
});

test('a busy spell moves the speed to what the units took, and it goes back once the spell is old', () => {
  const speed = new ObservedSpeed();
  // Two seconds of units at half the calibrated speed (another program took half the core).
  for (let at = 0; at < 2_000; at += 200) speed.record(at, 0.2 * CALIBRATED * 0.5, 0.2);
  const busy = speed.score(2_000, CALIBRATED);
  assert.ok(busy < CALIBRATED * 0.65, `offered at ${busy} right after units ran at ${CALIBRATED * 0.5}`);
  assert.ok(busy > CALIBRATED * 0.5, 'the calibration still counts for something');
  const later = speed.score(2_000 + 10 * HALF_LIFE_MS, CALIBRATED);
  assert.ok(Math.abs(later - CALIBRATED) < CALIBRATED * 0.01, `offered at ${later} twenty seconds after`);
});

test('one unit alone weighs as much as its seconds against the calibration', () => {
  const speed = new ObservedSpeed();
  speed.record(0, 0.1, PRIOR_SECONDS); // half the calibrated speed, for as long as the prior counts
  assert.ok(Math.abs(speed.score(0, 0.4) - 0.3) < 1e-9);
});

test('absurd samples are left out, and the score stays within its schema', () => {
  const speed = new ObservedSpeed();
  speed.record(0, -1, 1);
  speed.record(0, 1, 0);
  speed.record(0, Number.NaN, 1);
  assert.equal(speed.score(0, CALIBRATED), CALIBRATED);
  speed.record(0, 1e9, 1e-3);
  assert.equal(speed.score(0, CALIBRATED), 1);
});

test('only the named algorithm is offered at the observed speed', () => {
  const slot = {
    slot_id: 's',
    algorithms: [
      { algorithm_id: 'render', version: '1.0.0', supported: true, performance_score: 0.25 },
      { algorithm_id: 'hash', version: '1.0.0', supported: true, performance_score: 1 },
    ],
  } as unknown as AvailabilitySlot;
  const [adjusted] = slotsAtObservedSpeed([slot], 'render', (score) => score / 2);
  assert.deepEqual(
    adjusted!.algorithms.map((a) => a.performance_score),
    [0.125, 1],
  );
  assert.equal(slot.algorithms[0]!.performance_score, 0.25, 'the slot given is left as it was');
});

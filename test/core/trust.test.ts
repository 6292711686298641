import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  DEFAULT_HALF_LIFE_MS,
  effectiveTrust,
  emptyReputation,
  recordOutcome,
  reputationScore,
  type Outcome,
  type Reputation,
} from '../../src-main/core/trust/index.js';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.parse('2025-01-01T00:00:00Z');
const EPSILON = 1e-12;

function record(outcomes: Outcome[], atMs = T0): Reputation {
  return outcomes.reduce((rep, outcome) => recordOutcome(rep, outcome, atMs), emptyReputation());
}

test('an unknown peer scores 0.5', () => {
  assert.equal(reputationScore(emptyReputation(), T0), 0.5);
});

test('the default half-life is 7 days', () => {
  assert.equal(DEFAULT_HALF_LIFE_MS, 7 * DAY);
});

test('verified results raise the score, rejected ones lower it', () => {
  assert.ok(reputationScore(record(['verified']), T0) > 0.5);
  assert.ok(reputationScore(record(['rejected']), T0) < 0.5);
});

test('one rejection outweighs several verified results', () => {
  const liar = record(['verified', 'verified', 'verified', 'rejected']);
  assert.ok(reputationScore(liar, T0) < 0.5);
  // Beta mean: (3 + 1) / (3 + 5 + 2)
  assert.equal(reputationScore(liar, T0), 0.4);
});

test('a late result costs half a rejection', () => {
  // (0 + 1) / (0 + 2.5 + 2) vs (0 + 1) / (0 + 5 + 2)
  assert.equal(reputationScore(record(['late']), T0), 1 / 4.5);
  assert.equal(reputationScore(record(['late', 'late']), T0), reputationScore(record(['rejected']), T0));
});

test('recordOutcome returns a new value and leaves the old one as it was', () => {
  const before = emptyReputation();
  const after = recordOutcome(before, 'verified', T0);
  assert.deepEqual(before, emptyReputation());
  assert.notEqual(after, before);
  assert.equal(after.verified, 1);
});

test('counts halve over one half-life, and the score fades toward 0.5', () => {
  const rep = record(['rejected', 'rejected']);
  const later = recordOutcome(rep, 'verified', T0 + 7 * DAY);
  assert.equal(later.rejected, 1);
  assert.equal(later.verified, 1);
  assert.ok(Math.abs(reputationScore(rep, T0 + 365 * DAY) - 0.5) < 1e-6);
});

test('a custom half-life is honoured', () => {
  const rep = recordOutcome(emptyReputation(), 'verified', T0, DAY);
  const oneDayLater = recordOutcome(rep, 'late', T0 + DAY, DAY);
  assert.equal(oneDayLater.verified, 0.5);
});

test('an outcome older than the counts is added already faded', () => {
  const rep = recordOutcome(emptyReputation(), 'verified', T0 + 7 * DAY);
  const withOld = recordOutcome(rep, 'rejected', T0);
  assert.equal(withOld.rejected, 0.5);
  assert.equal(withOld.atMs, T0 + 7 * DAY);
});

test('a time that is not a number changes nothing', () => {
  const rep = record(['verified']);
  assert.equal(recordOutcome(rep, 'rejected', Number.NaN), rep);
});

test('effective trust is the user weight scaled by the score', () => {
  assert.equal(effectiveTrust(0.8, 0.5), 0.4);
  assert.equal(effectiveTrust(0, 0.9), 0);
});

const arbOutcome = fc.constantFrom<Outcome>('verified', 'rejected', 'late');
/** A reputation built from random outcomes at random times (in any order). */
const arbReputation = fc
  .array(fc.tuple(arbOutcome, fc.integer({ min: 0, max: 60 * DAY })), { maxLength: 30 })
  .map((events) => events.reduce((rep, [outcome, dt]) => recordOutcome(rep, outcome, T0 + dt), emptyReputation()));
const arbTime = fc.integer({ min: 0, max: 120 * DAY }).map((dt) => T0 + dt);
const arbHalfLife = fc.integer({ min: 1, max: 30 * DAY });

test('property: the score is always in [0, 1]', () => {
  fc.assert(
    fc.property(arbReputation, arbTime, arbHalfLife, (rep, at, halfLife) => {
      const score = reputationScore(rep, at, halfLife);
      assert.ok(score >= 0 && score <= 1, `score ${score}`);
    }),
  );
});

test('property: a verified result never lowers the score, a rejected or late one never raises it', () => {
  fc.assert(
    fc.property(arbReputation, arbTime, (rep, at) => {
      const score = reputationScore(rep, at);
      assert.ok(reputationScore(recordOutcome(rep, 'verified', at), at) >= score - EPSILON);
      assert.ok(reputationScore(recordOutcome(rep, 'rejected', at), at) <= score + EPSILON);
      assert.ok(reputationScore(recordOutcome(rep, 'late', at), at) <= score + EPSILON);
    }),
  );
});

test('property: with time, the score only moves toward 0.5', () => {
  fc.assert(
    fc.property(arbReputation, arbTime, fc.integer({ min: 0, max: 60 * DAY }), (rep, at, wait) => {
      const now = Math.abs(reputationScore(rep, at) - 0.5);
      const later = Math.abs(reputationScore(rep, at + wait) - 0.5);
      assert.ok(later <= now + EPSILON, `${later} > ${now}`);
    }),
  );
});

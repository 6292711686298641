// The scale simulator (sim/scale.ts) on a small mesh: 200 peers, 10,000 units, a fraction of a
// second. What the real core must hold whatever the trust graph: every unit done once, no provider
// past its cores, no requester past its credit limit, the same run for the same seed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulateScale, type ScaleScenario } from '../../sim/scale.js';

const SMALL: ScaleScenario = {
  peers: 200,
  units: 10_000,
  requesters: 20,
  freeRiders: 10,
  degree: [20, 50],
  seed: 7,
};

const outcome = simulateScale(SMALL);

test('every unit is completed exactly once, and paid: nothing stays held, every credit came from someone', () => {
  assert.equal(outcome.completed, SMALL.units);
  assert.equal(outcome.stillHeld, 0);
  assert.equal(outcome.balanceSum, 0);
});

test('no provider runs more units in a round than it has cores', () => {
  assert.equal(outcome.overCapacity, 0);
  assert.ok(outcome.utilisation > 0 && outcome.utilisation <= 1);
});

test('no free-rider owes any provider more than its credit limit there', () => {
  assert.ok(outcome.freeRiderDebtShareMax <= 1, String(outcome.freeRiderDebtShareMax));
});

test('the same seed gives the same run; another seed another', () => {
  assert.deepEqual(simulateScale(SMALL), outcome);
  assert.notDeepEqual(simulateScale({ ...SMALL, seed: 8 }), outcome);
});

test('with every provider in one phase the run still completes, only slower', () => {
  const sync = simulateScale({ ...SMALL, waves: 1 });
  assert.equal(sync.completed, SMALL.units);
  assert.equal(sync.overCapacity, 0);
  assert.ok(sync.rounds > outcome.rounds);
});

// A free-rider is held to its trickle by every provider that trusts it less than fully
// (reciprocity.ts), idle cores or not: over a whole run it gets a small fraction of a
// contributor's service, and no provider gives it more than the trickle.
test('free-riders are served far below contributors, never past their trickle', () => {
  assert.equal(outcome.overTrickle, 0);
  assert.ok(
    outcome.freeRiderRate < 0.1 * outcome.contributorRate,
    `${outcome.freeRiderRate} vs ${outcome.contributorRate}`,
  );
});

// Contended cores go to those who share: while a contributor that a provider trusts has units
// waiting, that provider places contributors' units first.
test('while a contributor waits, free-riders get a small fraction of the service contributors get', () => {
  assert.ok(outcome.contributorContendedRate > 0);
  assert.ok(
    outcome.freeRiderContendedRate < 0.1 * outcome.contributorContendedRate,
    `${outcome.freeRiderContendedRate} vs ${outcome.contributorContendedRate}`,
  );
});

test("every free-rider's unit is counted once, by where it came from", () => {
  const { contended, contributorsServed, noContributorFriend } = outcome.freeRiderService;
  const perJob = SMALL.units / SMALL.requesters;
  assert.equal(contended + contributorsServed + noContributorFriend, SMALL.freeRiders * perJob);
});

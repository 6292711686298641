// The sabotage simulator (sim/) on small jobs: what the requester's verification must hold for
// whatever the saboteurs do. 20,000 units each, a fraction of a second.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulate, type Outcome, type Scenario } from '../../../sim/sabotage.js';
import { colluding, HONEST, STRATEGIES, type Strategy } from '../../../sim/strategies.js';
import { CHECK_RATE_FLOOR } from '../../../src-main/core/verification/index.js';

const UNITS = 20_000;
const strategy = (name: string): Strategy => STRATEGIES.find((s) => s.name === name)!;

function run(name: string, overrides: Partial<Scenario> = {}): Outcome {
  return simulate({
    units: UNITS,
    providers: 20,
    saboteurs: 7,
    strategy: strategy(name),
    redundancy: 1,
    seed: 5,
    ...overrides,
  });
}

/** What every run must show: no honest provider convicted, and a ledger that balances with nothing left held. */
function assertSound(outcome: Outcome): void {
  assert.equal(outcome.convictedHonestIds, 0, 'an honest provider was convicted');
  assert.deepEqual(outcome.ledger.refused, []);
  assert.equal(outcome.ledger.stillHeld, 0);
  assert.equal(outcome.ledger.balanceSum, 0);
  assert.ok(outcome.ledger.entries > 0);
}

test('always-liars at r = 1: each is caught on its first result, on probation, and nothing wrong is accepted', () => {
  const outcome = run('always');
  assertSound(outcome);
  assert.equal(outcome.wrong, 0);
  assert.deepEqual(outcome.liarCaughtUnits, [0, 0, 0, 0, 0, 0, 0]);
  assert.equal(outcome.convictedSaboteurIds, 7);
});

test('record-then-lie at r = 1: every liar is convicted once it lies, and all it slipped through is redone', () => {
  const outcome = run('record-200-then-always');
  assertSound(outcome);
  assert.equal(outcome.wrong, 0);
  assert.equal(outcome.convictedSaboteurIds, 7);
  // Caught after its 200 honest results, within a few dozen lies at the check-rate floor; those lies were reopened.
  assert.ok(
    outcome.liarCaughtUnits.every((n) => n >= 200 && n < 400),
    outcome.liarCaughtUnits.join(','),
  );
  assert.ok(outcome.reopened > 0);
});

test('no honest provider is ever convicted, whatever the saboteurs do, at r = 1 and 2', () => {
  for (const s of STRATEGIES) {
    for (const redundancy of [1, 2]) {
      const outcome = run(s.name, { redundancy, units: 5_000 });
      assertSound(outcome);
      assert.ok(outcome.rounds > 0);
    }
  }
});

test('colluders at r = 2, even two thirds of the providers, agree on their lies in vain', () => {
  const outcome = run('colluding', { redundancy: 2, providers: 21, saboteurs: 14 });
  assertSound(outcome);
  assert.equal(outcome.wrong, 0);
  assert.ok(outcome.liarCaughtUnits.every((n) => n >= 0));
});

test('whitewashing liars come back under new ids and are caught again, on probation', () => {
  const outcome = run('whitewash-always');
  assertSound(outcome);
  assert.equal(outcome.wrong, 0);
  assert.ok(outcome.convictedSaboteurIds > 7, `${outcome.convictedSaboteurIds} convictions`);
});

test('everyone honest, past probation: the requester checks about the check-rate floor and nothing else', () => {
  const outcome = simulate({
    units: UNITS,
    providers: 20,
    saboteurs: 0,
    strategy: HONEST,
    redundancy: 1,
    seed: 5,
    startPassed: 20,
  });
  assertSound(outcome);
  assert.equal(outcome.wrong, 0);
  assert.equal(outcome.extraAssignments, 0);
  const pct = (100 * outcome.extraExecutions) / UNITS;
  const floor = 100 * CHECK_RATE_FLOOR;
  assert.ok(pct > floor - 1 && pct < floor + 1, `${pct} %`);
});

test('the simulation is deterministic: the same seed, the same outcome; another seed, another run', () => {
  const scenario = {
    units: 5_000,
    providers: 20,
    saboteurs: 7,
    strategy: colluding(strategy('p=0.01')),
    redundancy: 2,
    seed: 9,
  };
  assert.deepEqual(simulate(scenario), simulate(scenario));
  assert.notDeepEqual(simulate(scenario), simulate({ ...scenario, seed: 10 }));
});

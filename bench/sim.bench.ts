// Scale by simulation: 10,000 peers share a 1,000,000-unit workload through the real core's
// allocate, acceptByPolicy, damping, credit limit and reputation, in virtual time (sim/scale.ts
// says what is real and what is aggregated). One seeded run gives all five figures; a smaller run
// with every provider acting at once (one phase a round) shows the worst case for collisions.
// Absolute figures: the simulator is the only way to measure them, so there is no baseline.
import { simulateScale, type ScaleOutcome, type ScaleScenario } from '../sim/scale.js';
import { round, type Benchmark, type Figure } from './harness.js';

const SCENARIO: ScaleScenario = {
  peers: 10_000,
  units: 1_000_000,
  requesters: 1_000, // 1,000 units each
  freeRiders: 500,
  degree: [20, 50],
  seed: 18,
};
const SYNCHRONOUS: ScaleScenario = {
  ...SCENARIO,
  peers: 1_000,
  units: 50_000,
  requesters: 100,
  freeRiders: 50,
  waves: 1,
};

function timed(scenario: ScaleScenario): { outcome: ScaleOutcome; seconds: number } {
  const start = process.hrtime.bigint(); // outside the model: the simulation reads no clock
  const outcome = simulateScale(scenario);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (
    outcome.completed !== scenario.units ||
    outcome.overCapacity > 0 ||
    outcome.overTrickle > 0 ||
    outcome.stillHeld !== 0
  )
    throw new Error(`the scale simulation broke an invariant: ${JSON.stringify(outcome)}`);
  return { outcome, seconds };
}

const pct = (x: number) => round(100 * x, 1);

function figures(): Figure[] {
  const { outcome: o, seconds } = timed(SCENARIO);
  const sync = timed(SYNCHRONOUS).outcome;
  const freeRiderTotal = Math.max(
    1,
    o.freeRiderService.contended + o.freeRiderService.contributorsServed + o.freeRiderService.noContributorFriend,
  );
  const shape = {
    peers: SCENARIO.peers,
    units: SCENARIO.units,
    requesters: SCENARIO.requesters,
    free_riders: SCENARIO.freeRiders,
  };
  return [
    {
      name: 'sim_10k_peers_1m_units_s',
      value: round(seconds, 1),
      unit: 's (wall)',
      target: 60,
      ...shape,
      rounds: o.rounds,
      virtual_s: o.virtualSeconds,
      offers: o.offers,
      us_per_unit: round((seconds * 1e6) / SCENARIO.units, 1),
    },
    {
      name: 'sim_utilisation_pct',
      value: pct(o.utilisation),
      unit: "% of the cores a provider's waiting friends could take (credit, trickle, pipeline) that were used",
      target: 95,
      provider_rounds: o.contestedRounds,
      idle_offered_refused_pct: pct(o.idleRefused),
      idle_never_offered_pct: pct(o.idleUnoffered),
      refusals: o.refusals,
      per_round_min_pct: pct(Math.min(...o.utilisationByRound)),
      synchronous_pct: pct(sync.utilisation),
      synchronous_scenario: `${SYNCHRONOUS.peers} peers, ${SYNCHRONOUS.units} units, every provider in one phase`,
      synchronous_rounds: sync.rounds,
    },
    {
      name: 'sim_freerider_service_ratio',
      value: round(o.freeRiderRate / o.contributorRate, 3),
      unit: "free-riders' units/s ÷ contributors' (same job, submit to last unit paid)",
      target: 0.1,
      freerider_units_per_s: round(o.freeRiderRate, 3),
      contributor_units_per_s: round(o.contributorRate, 3),
      freerider_max_debt_share_of_credit_limit: round(o.freeRiderDebtShareMax, 3),
      // Where the free-riders' units came from: cores a trusted contributor waited for, or idle ones.
      freerider_units_contended_pct: pct(o.freeRiderService.contended / freeRiderTotal),
      freerider_units_contributing_friends_served_pct: pct(o.freeRiderService.contributorsServed / freeRiderTotal),
      freerider_units_no_contributing_friend_pct: pct(o.freeRiderService.noContributorFriend / freeRiderTotal),
    },
    {
      name: 'sim_freerider_contended_service_ratio',
      value: round(o.freeRiderContendedRate / o.contributorContendedRate, 4),
      unit: "free-riders' units/s ÷ contributors', counting per provider only the seconds a requester had units open while a contributor the provider trusts waited, and the units it got then",
      freerider_units_per_s: round(o.freeRiderContendedRate, 5),
      contributor_units_per_s: round(o.contributorContendedRate, 5),
    },
    {
      name: 'sim_rounds_to_converge',
      value: o.roundsToConverge,
      unit: 'rounds: first of 3 in a row where < 1 % of offering providers change their damping factor',
      rounds: o.rounds,
      // The value is the round count when no such 3 rounds came before the run ended.
      converged: o.roundsToConverge < o.rounds,
      round_s: o.virtualSeconds / o.rounds,
      damping_changes_by_round: o.dampingChanges,
      offering_providers_by_round: o.offeringByRound,
    },
  ];
}

export const benchmarks: Benchmark[] = [
  {
    names: [
      'sim_10k_peers_1m_units_s',
      'sim_utilisation_pct',
      'sim_freerider_service_ratio',
      'sim_freerider_contended_service_ratio',
      'sim_rounds_to_converge',
    ],
    run: figures,
  },
];

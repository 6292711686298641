// Sabotage: the requester's verification (core/verification: every result of a provider on
// probation checked against the requester's own run, then a random share down to an 8 % floor; a
// failed check convicts, and the convicted provider's unchecked results are reopened) against
// saboteurs, in the simulator of sim/ (which drives the real acceptance, judgeUnit, trust and ledger).
// One job of 1,000,000 units, 20 providers; rates are absolute (no baseline: the simulator is the
// only way to measure them), and every scenario is printed to stderr as a table.
//
// The wrong-accept rate scales with liars / units, not with f alone: a liar that is never caught
// slips at most ~1/(e·q) ≈ 7.4 wrong results in expectation (q = the 5 % floor), one that is caught
// has all of its unchecked results redone while the job is open. The endgame liar (honest until the
// job's last ~1/q results of its own, then lying on each) reaches that bound: ~7.2 per liar, so
// ~7e-5 for 10 liars over 10^6 units, and ~1.0e-4 for 14 (the two-thirds figure) — at its target.
// Each figure is one seeded run: a single never-caught liar moves the count by up to ~20 (endgame)
// or ~50 (p = 0.001, over its ~50,000 results).
//
// The grid is cut to keep this benchmark near 3 minutes on two cores (each scenario drives 10^6
// or more acceptances and judgements through the core, 4–8 s):
// - at r = 1, every strategy at f = 0.5 (the most liars: the wrong count is a sum over liars);
//   at f = 0.35, those whose liars outlive probation (p ≤ 0.01, record-then-p, endgame) and the
//   whitewashers (the overhead figure reads f = 0.35); at f = 0.1 and 0.2, endgame and p = 0.001,
//   the two that leave liars uncaught. The others are caught on probation or within ~20 lies of
//   leaving it: all convicted, nothing wrong left, at any f.
// - colluding only at r = 2 (f = 0.5): at r = 1 a colluder is its solo strategy (its shared wrong
//   output has nobody to agree with; colluding-p only picks its units together with the others).
//   At r = 2 a solo liar dissents from its partner and is checked on its first lie; p = 0.001 shows it.
import { CHECK_RATE_FLOOR } from '../src-main/core/verification/index.js';
import { simulate, type Outcome, type Scenario } from '../sim/sabotage.js';
import { colluding, HONEST, STRATEGIES, type Strategy } from '../sim/strategies.js';
import { round, type Benchmark, type Figure } from './harness.js';

const UNITS = 1_000_000;
const PROVIDERS = 20;
const SEED = 17;
const TARGET_RATE = 1e-4;

interface Row {
  f: number;
  strategy: string;
  r: number;
  units: number;
  providers: number;
  liars: number;
  wrong: number;
  rate: number;
  extraPct: number;
  /** Median over the liars that were caught of the units each had accepted before; null if none was. */
  caughtMedian: number | null;
  neverCaught: number;
  reopened: number;
  seconds: number;
  outcome: Outcome;
}

const byName = (name: string): Strategy => STRATEGIES.find((s) => s.name === name)!;
const SOLO = STRATEGIES.filter((s) => !s.colluding);
const AT_F35 = [
  'p=0.01',
  'p=0.001',
  'record-200-then-p=0.01',
  'endgame',
  'whitewash-always',
  'whitewash-record-200-then-always',
];
const SURVIVORS = ['endgame', 'p=0.001'];
const AT_R2 = [byName('colluding'), byName('colluding-p=0.001'), colluding(byName('endgame')), byName('p=0.001')];

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function run(scenario: Scenario, f: number): Row {
  const start = process.hrtime.bigint(); // timing outside the model: the simulation reads no clock
  const outcome = simulate(scenario);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const caught = outcome.liarCaughtUnits.filter((n) => n >= 0);
  const row: Row = {
    f,
    strategy: scenario.strategy.name,
    r: scenario.redundancy,
    units: scenario.units,
    providers: scenario.providers,
    liars: scenario.saboteurs,
    wrong: outcome.wrong,
    rate: outcome.wrong / scenario.units,
    extraPct: (100 * outcome.extraExecutions) / scenario.units,
    caughtMedian: median(caught),
    neverCaught: outcome.liarCaughtUnits.length - caught.length,
    reopened: outcome.reopened,
    seconds,
    outcome,
  };
  if (outcome.convictedHonestIds > 0 || outcome.ledger.refused.length > 0 || outcome.ledger.stillHeld > 0)
    throw new Error(`${row.strategy} f=${f} r=${row.r}: ${JSON.stringify(outcome)}`);
  printRow(row);
  return row;
}

function scenarioAt(f: number, strategy: Strategy, redundancy: number, providers = PROVIDERS): Scenario {
  return { units: UNITS, providers, saboteurs: Math.round(f * providers), strategy, redundancy, seed: SEED };
}

let headerPrinted = false;
function printRow(row: Row): void {
  const cells = [
    row.f.toFixed(2),
    row.strategy.padEnd(36),
    String(row.r),
    `${row.liars}/${row.providers}`.padStart(5),
    String(row.wrong).padStart(5),
    row.rate.toExponential(1).padStart(7),
    `${row.outcome.extraExecutions} (${row.extraPct.toFixed(1)} %)`.padStart(17),
    String(row.reopened).padStart(7),
    String(row.caughtMedian ?? '-').padStart(7),
    String(row.neverCaught).padStart(5),
    row.seconds.toFixed(1).padStart(5),
  ];
  if (!headerPrinted) {
    headerPrinted = true;
    process.stderr.write(
      `${[
        'f   ',
        'strategy'.padEnd(36),
        'r',
        'liars',
        'wrong',
        '   rate',
        'extra executions'.padStart(17),
        'reopen.',
        ' caught',
        'never',
        '    s',
      ].join(' | ')}\n`,
    );
  }
  process.stderr.write(`${cells.join(' | ')}\n`);
}

const worstBy = (rows: readonly Row[], key: (row: Row) => number): Row =>
  rows.reduce((worst, row) => (key(row) > key(worst) ? row : worst));

const label = (row: Row) => `f=${row.f.toFixed(2)} ${row.strategy} r=${row.r}`;

/** The grid, run once for every figure that needs it. */
let grid: { r1: Row[]; r2: Row[] } | undefined;
function theGrid(): { r1: Row[]; r2: Row[] } {
  if (grid) return grid;
  const r1: Row[] = SOLO.map((strategy) => run(scenarioAt(0.5, strategy, 1), 0.5));
  for (const name of AT_F35) r1.push(run(scenarioAt(0.35, byName(name), 1), 0.35));
  for (const f of [0.2, 0.1]) for (const name of SURVIVORS) r1.push(run(scenarioAt(f, byName(name), 1), f));
  const r2 = AT_R2.map((strategy) => run(scenarioAt(0.5, strategy, 2), 0.5));
  grid = { r1, r2 };
  return grid;
}

function wrongAcceptRate(): Figure {
  const { r1, r2 } = theGrid();
  const worst = worstBy(r1, (row) => row.rate);
  const worst2 = worstBy(r2, (row) => row.rate);
  return {
    name: 'sabotage_wrong_accept_rate',
    value: worst.rate,
    unit: 'wrong accepted / unit',
    target: TARGET_RATE,
    worst_scenario: label(worst),
    units: worst.units,
    wrong: worst.wrong,
    liars: worst.liars,
    scenarios: r1.length,
    r2_worst_scenario: label(worst2),
    r2_worst_rate: worst2.rate,
    r2_scenarios: r2.length,
    providers: PROVIDERS,
    bound_per_never_caught_liar: round(1 / (Math.E * CHECK_RATE_FLOOR), 1),
    liar_caught_units_median: median(r1.flatMap((row) => row.outcome.liarCaughtUnits.filter((n) => n >= 0))),
  };
}

/** Two thirds of the providers (14 of 21) collude, playing the strategy that left the most wrong above. */
function twoThirds(): Figure {
  const { r1 } = theGrid();
  const worst = worstBy(r1, (row) => row.rate);
  const strategy = colluding(byName(worst.strategy));
  const rows = [1, 2].map((r) => run(scenarioAt(2 / 3, strategy, r, 21), 2 / 3));
  const top = worstBy(rows, (row) => row.rate);
  return {
    name: 'sabotage_wrong_accept_rate_f67',
    value: top.rate,
    unit: 'wrong accepted / unit',
    target: TARGET_RATE,
    strategy: strategy.name,
    worst_scenario: label(top),
    units: UNITS,
    providers: 21,
    liars: 14,
    wrong_r1: rows[0]!.wrong,
    wrong_r2: rows[1]!.wrong,
    extra_pct_r1: round(rows[0]!.extraPct),
    extra_pct_r2: round(rows[1]!.extraPct),
  };
}

/** What one ledger entry costs (zod validation included): the same 50,000 honest units with every entry and with none. */
function ledgerMicrosPerEntry(): number {
  const base = { ...scenarioAt(0, HONEST, 1), units: 50_000, startPassed: 20 };
  const timed = (ledgerEvery: number) => {
    const start = process.hrtime.bigint();
    const outcome = simulate({ ...base, ledgerEvery });
    return { seconds: Number(process.hrtime.bigint() - start) / 1e9, entries: outcome.ledger.entries };
  };
  timed(0); // warm-up
  const none = timed(0);
  const all = timed(1);
  return ((all.seconds - none.seconds) * 1e6) / all.entries;
}

function overheadHonest(): Figure {
  // The steady state: every provider past probation, its check rate at the 5 % floor.
  const row = run({ ...scenarioAt(0, HONEST, 1), startPassed: 20 }, 0);
  return {
    name: 'verification_overhead_pct_honest',
    value: round(row.extraPct),
    unit: '%',
    target: 10,
    units: UNITS,
    providers: PROVIDERS,
    requester_checks: row.outcome.requesterRuns,
    seconds: round(row.seconds, 1),
    us_per_unit: round((row.seconds * 1e6) / UNITS, 1),
    ledger_us_per_entry: round(ledgerMicrosPerEntry(), 1),
    ledger_sample: 'one unit in 100 through MemoryLedger',
  };
}

function overheadF35(): Figure {
  const rows = theGrid().r1.filter((row) => row.f === 0.35);
  const worst = worstBy(rows, (row) => row.extraPct);
  return {
    name: 'verification_overhead_pct_f35',
    value: round(worst.extraPct),
    unit: '%',
    strategy: worst.strategy,
    reopened: worst.reopened,
    requester_checks: worst.outcome.requesterRuns,
    extra_assignments: worst.outcome.extraAssignments,
  };
}

function liarCaughtUnits(): Figure {
  const { r1 } = theGrid();
  const all = r1.flatMap((row) => row.outcome.liarCaughtUnits);
  const caught = all.filter((n) => n >= 0);
  return {
    name: 'liar_caught_units',
    value: median(caught) ?? -1,
    unit: 'units accepted before caught (median over liars)',
    liars: all.length,
    never_caught: all.length - caught.length,
    by_strategy: Object.fromEntries(
      SOLO.map((s) => [
        s.name,
        median(
          r1
            .filter((row) => row.strategy === s.name)
            .flatMap((row) => row.outcome.liarCaughtUnits.filter((n) => n >= 0)),
        ),
      ]),
    ),
  };
}

export const benchmarks: Benchmark[] = [
  { names: ['verification_overhead_pct_honest'], run: () => [overheadHonest()] },
  {
    names: ['sabotage_wrong_accept_rate', 'verification_overhead_pct_f35', 'liar_caught_units'],
    run: () => [wrongAcceptRate(), overheadF35(), liarCaughtUnits()],
  },
  { names: ['sabotage_wrong_accept_rate_f67'], run: () => [twoThirds()] },
];

// Invariants under hard crashes: a requester and two providers (real daemons) running sha256 jobs
// while one of them at a time is SIGKILLed at a random moment and restarted, 100 times; after each
// job, every invariant of test/node/mesh/crash-run.ts is checked. A violation is one broken
// invariant (a lost unit, a double payment, disagreeing ledgers, a broken receipt chain, an
// output that cannot be had). MESH_CRASH_SEED=<n> replays a run.
import { killAllChildren } from '../test/node/mesh/child-nodes.js';
import { crashRun } from '../test/node/mesh/crash-run.js';
import { round, type Benchmark, type Figure } from './harness.js';

const KILLS = 100;
const KILLS_PER_JOB = 5;
const UNITS_PER_JOB = 120;

const crash: Benchmark = {
  names: ['crash_invariant_violations'],
  run: async (): Promise<Figure[]> => {
    const seed = Number(process.env['MESH_CRASH_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
    process.stderr.write(`crash: seed ${seed}\n`);
    try {
      const outcome = await crashRun({
        kills: KILLS,
        killsPerJob: KILLS_PER_JOB,
        unitsPerJob: UNITS_PER_JOB,
        seed,
        log: (line) => process.stderr.write(`crash: ${line}\n`),
      });
      return [
        {
          name: 'crash_invariant_violations',
          value: outcome.violations.length,
          unit: 'violations',
          kills: outcome.kills,
          jobs: outcome.jobs,
          units: outcome.jobs * UNITS_PER_JOB,
          seconds: round(outcome.ms / 1000, 1),
          seed,
          first_violations: outcome.violations.slice(0, 5),
        },
      ];
    } finally {
      killAllChildren();
    }
  },
};

export const benchmarks: Benchmark[] = [crash];

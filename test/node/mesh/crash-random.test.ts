// Nodes SIGKILLed at random points of jobs (crash-run.ts), a few times: after each job, no unit
// lost, none paid twice, the ledgers agree, the receipt chains verify, every output can be had.
// MESH_CRASH_SEED=<n> replays a run; the benchmark (`npm run bench -- crash`) kills 100 times.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { killAllChildren } from './child-nodes.js';
import { crashRun } from './crash-run.js';

after(killAllChildren);

const KILLS = 6;

test(`${KILLS} random SIGKILLs during jobs break no invariant`, { timeout: 600_000 }, async (t) => {
  const seed = Number(process.env['MESH_CRASH_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
  t.diagnostic(`seed ${seed} (MESH_CRASH_SEED=${seed} replays it)`);
  const outcome = await crashRun({ kills: KILLS, killsPerJob: 3, unitsPerJob: 120, seed, log: (l) => t.diagnostic(l) });
  assert.deepEqual(outcome.violations, [], `seed ${seed}`);
  assert.equal(outcome.kills, KILLS);
  t.diagnostic(`${outcome.kills} kills over ${outcome.jobs} jobs in ${outcome.ms} ms`);
});

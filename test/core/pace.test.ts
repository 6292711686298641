// A provider's offers go by what its workers just did (core/scheduler/pace.ts): once a job's units
// ran here, its later units are offered at their pace, not the calibrated speed's, within bounds a
// lying clock or one odd unit cannot push past; jobs that never ran here keep the calibration's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocate } from '../../src-main/core/scheduler/allocate.js';
import { JobPace, PACE_BOUND, paceSeconds } from '../../src-main/core/scheduler/pace.js';
import { MIN_PERFORMANCE } from '../../src-main/core/schemas/index.js';
import { commitment, request, slot, T0, unit } from './scheduler-fixtures.js';

const PRICE = { per_core_second: 1, minimum: 1 };
const CORE = { cpu_cores: 1, ram_gb: 1 };

test("a job's pace is the median of its last units here: one odd unit sways nothing", () => {
  const pace = new JobPace();
  assert.equal(pace.secondsPerReference('job'), undefined, 'none ran yet');
  for (const seconds of [3, 3.2, 2.8, 3.1]) pace.record('job', seconds, 1);
  pace.record('job', 500, 1); // a unit that waited on a swapping disk
  assert.equal(pace.secondsPerReference('job'), 3.1);
  assert.equal(pace.secondsPerReference('other'), undefined, "another job's units keep the calibration");
  for (let i = 0; i < 8; i++) pace.record('job', 1, 2); // the last eight, faster: the older are forgotten
  assert.equal(pace.secondsPerReference('job'), 0.5);
});

test('nonsense runs are not recorded, and only so many jobs are remembered', () => {
  const pace = new JobPace();
  for (const [seconds, reference] of [
    [0, 1],
    [-1, 1],
    [Number.NaN, 1],
    [1, 0],
    [Number.POSITIVE_INFINITY, 1],
    [1, Number.MIN_VALUE],
  ])
    pace.record('job', seconds!, reference!);
  assert.equal(pace.secondsPerReference('job'), undefined);
  for (let i = 0; i < 300; i++) pace.record(`job-${i}`, 1, 1);
  assert.equal(pace.secondsPerReference('job-0'), undefined, 'the oldest forgotten');
  assert.equal(pace.secondsPerReference('job-299'), 1);
});

test('a pace is trusted within its bound of the calibration, and never past what a requester accepts', () => {
  assert.equal(paceSeconds(10, 2, undefined), 5, 'the calibration alone');
  assert.equal(paceSeconds(10, 2, 1.5), 15, 'its units took 1.5 s an estimated second');
  assert.equal(paceSeconds(10, 2, 1e9), 5 * PACE_BOUND);
  assert.equal(paceSeconds(10, 2, 1e-9), 5 / PACE_BOUND);
  assert.equal(paceSeconds(10, 0.02, 1e9), 10 / MIN_PERFORMANCE, "at most the unit's longest (accept.ts)");
});

test("a provider whose units ran three times slower than calibrated offers the job's next units at three times", () => {
  const units = Array.from({ length: 4 }, (_, i) => unit(`u${i}`, 'job', 'algo', CORE, 2));
  const other = unit('v0', 'other-job', 'algo', CORE, 2);
  const me = commitment('me', { bob: 1 }, [slot('s', 1, { cpu_cores: 2, ram_gb: 4 }, [['algo', 1]])]);
  const bob = commitment('bob', { me: 1 }, [], [request('bob', 'job', units), request('bob', 'other-job', [other])]);
  const pace = new JobPace();
  const offered = (p?: JobPace) =>
    allocate({
      provider: me,
      requesters: [bob],
      round: 1,
      nowMs: T0,
      price: PRICE,
      ...(p ? { pace: (u) => p.secondsPerReference(u.job_id) } : {}),
    }).offers;
  assert.deepEqual(
    offered().map((o) => o.estimated_seconds),
    [2, 2, 2, 2, 2],
  );
  pace.record('job', 6, 2);
  const after = offered(pace);
  assert.deepEqual(
    after.map((o) => [o.unit_id, o.estimated_seconds]),
    [
      ['u0', 6],
      ['u1', 6],
      ['u2', 6],
      ['u3', 6],
      ['v0', 2],
    ],
  );
  assert.equal(after[0]!.price, 6, 'priced by the core-seconds it will take');
});

// The requester's open units (node/mesh/open-units.ts), against a fake context: a walk does not pass
// every unit in flight at every pull, yet a unit that loses its worker, or asks for another, is
// handed out again, first in unit order, within WALK_AGAIN_MS.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unitIdOf } from '../../../src-main/core/mesh/unit-table.js';
import { OpenUnits } from '../../../src-main/node/mesh/open-units.js';
import { refundEvent } from '../../../src-main/node/mesh/settlement.js';
import { hashUnit } from './fixtures/accepted-unit.js';
import { acceptAsRequester, fakeContext } from './fixtures/fake-context.js';

const JOB = 'job-walk';
const UNITS = 50;
const IN_FLIGHT = 40;

test('a walk starts past the units in flight, and a unit that lost its worker or wants another is handed out again within a second', async () => {
  const ctx = await fakeContext();
  await ctx.record([
    {
      type: 'job.submitted',
      job: { job_id: JOB, requester: ctx.me, name: 'walk', unit_count: UNITS, redundancy: 1, budget: 1_000_000 },
    },
    ...Array.from({ length: UNITS }, (_, i) => ({
      type: 'unit.created' as const,
      unit: hashUnit(unitIdOf(JOB, i), JOB, 'bafkreimodule', `bafkreiinput${i}`),
    })),
  ]);
  const provider = '12D3KooWProviderOfTheWalkTest';
  const assignments: string[] = [];
  for (let i = 0; i < IN_FLIGHT; i++) {
    const { acceptance } = await acceptAsRequester(ctx, {
      unitId: unitIdOf(JOB, i),
      jobId: JOB,
      provider,
      price: 10,
      budget: 1_000_000,
      n: i,
    });
    assignments.push(acceptance.assignment_id);
  }
  const extra = new Map<string, number>();
  const open = new OpenUnits(ctx, extra);
  const record = () => ctx.state.jobs.get(JOB)!;
  const indexes = (limit: number) => open.of(record(), limit).map((u) => Number(u.unit_id.split('/').pop()));
  let looked = 0;
  const activeCount = ctx.state.activeCount.bind(ctx.state);
  ctx.state.activeCount = (unitId) => {
    looked++;
    return activeCount(unitId);
  };

  assert.deepEqual(indexes(3), [40, 41, 42]);
  assert.equal(looked, IN_FLIGHT + 3, 'the first walk passes the units in flight');
  looked = 0;
  assert.deepEqual(indexes(3), [40, 41, 42]);
  assert.equal(looked, 3, 'the next starts where the first found an open unit');

  // Unit 3's assignment is refunded as late, and unit 7's results disagreed: it wants a second worker.
  await ctx.record([refundEvent(ctx.now(), assignments[3]!, 'late')]);
  extra.set(unitIdOf(JOB, 7), 1);
  ctx.nowMs += 1_000;
  assert.deepEqual(indexes(4), [3, 7, 40, 41], 'within a second, first in unit order');
  assert.deepEqual(indexes(2), [3, 7]);
});

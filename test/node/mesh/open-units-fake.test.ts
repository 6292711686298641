// The requester's open units (node/mesh/requester/open-units.ts), against a fake context: a walk does not pass
// every unit in flight at every pull, yet a unit that loses its worker, or asks for another, is
// handed out again, first in unit order, within WALK_AGAIN_MS.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unitIdOf } from '../../../src-main/core/mesh/state/unit-table.js';
import { OpenUnits } from '../../../src-main/node/mesh/requester/open-units.js';
import { refundEvent } from '../../../src-main/node/mesh/settlement/ledger-events.js';
import { hashUnit } from './fixtures/accepted-unit.js';
import { acceptAsRequester, fakeContext } from './fixtures/fake-context.js';

const JOB = 'job-walk';
const UNITS = 50;
const IN_FLIGHT = 40;

/** A job of UNITS units, the first IN_FLIGHT of them assigned to `provider`; returns their assignments. */
async function jobInFlight(ctx: Awaited<ReturnType<typeof fakeContext>>, provider: string): Promise<string[]> {
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
  return assignments;
}

/** Counts the units a walk looks at (each asked for its active assignments). */
function counted(ctx: Awaited<ReturnType<typeof fakeContext>>): { looked: number } {
  const count = { looked: 0 };
  const activeCount = ctx.state.activeCount.bind(ctx.state);
  ctx.state.activeCount = (unitId) => {
    count.looked++;
    return activeCount(unitId);
  };
  return count;
}

const PROVIDER = '12D3KooWProviderOfTheWalkTest';

test('a walk starts past the units in flight, and a unit that lost its worker or wants another is handed out again within a second', async () => {
  const ctx = await fakeContext();
  const assignments = await jobInFlight(ctx, PROVIDER);
  const extra = new Map<string, number>();
  const open = new OpenUnits(ctx, (unitId) => extra.get(unitId) ?? 0);
  const record = () => ctx.state.jobs.get(JOB)!;
  const indexes = (limit: number) => open.of(record(), limit).map((u) => Number(u.unit_id.split('/').pop()));
  const count = counted(ctx);

  assert.deepEqual(indexes(3), [40, 41, 42]);
  assert.equal(count.looked, IN_FLIGHT + 3, 'the first walk passes the units in flight');
  count.looked = 0;
  assert.deepEqual(indexes(3), [40, 41, 42]);
  assert.equal(count.looked, 3, 'the next starts where the first found an open unit');

  // Unit 3's assignment is refunded as late, and unit 7's results disagreed: it wants a second worker.
  await ctx.record([refundEvent(ctx.now(), assignments[3]!, 'late')]);
  extra.set(unitIdOf(JOB, 7), 1);
  ctx.nowMs += 1_000;
  assert.deepEqual(indexes(4), [3, 7, 40, 41], 'within a second, first in unit order');
  assert.deepEqual(indexes(2), [3, 7]);
});

test("a puller's walk starts past the units lent to it lately, and a unit it passed that wants a worker again is handed to it within a second", async () => {
  const ctx = await fakeContext();
  const assignments = await jobInFlight(ctx, PROVIDER);
  const open = new OpenUnits(ctx, () => 0);
  const record = () => ctx.state.jobs.get(JOB)!;
  const lent = new Set<string>();
  // As onPull asks: not the units lent to this puller lately; what it returns is lent to it.
  const pull = (limit: number) => {
    const units = open.of(record(), limit, (id) => !lent.has(id), 'puller');
    for (const unit of units) lent.add(unit.unit_id);
    return units.map((u) => Number(u.unit_id.split('/').pop()));
  };
  const count = counted(ctx);

  assert.deepEqual(pull(3), [40, 41, 42]);
  count.looked = 0;
  assert.deepEqual(pull(3), [43, 44, 45]);
  assert.equal(count.looked, 3, 'the second pull starts past the three lent by the first');
  assert.equal(
    open.of(record(), 1)[0]!.unit_id,
    unitIdOf(JOB, 40),
    'a walk for no puller still starts at the first open unit',
  );

  // Unit 3's worker is refunded, and the lend of unit 41 runs out: both wait at most a second.
  await ctx.record([refundEvent(ctx.now(), assignments[3]!, 'late')]);
  lent.delete(unitIdOf(JOB, 41));
  assert.deepEqual(pull(1), [46], 'a pull within the second goes on from where the last ended');
  ctx.nowMs += 1_000;
  assert.deepEqual(pull(2), [3, 41], 'a second later, from the first open unit again');
});

// A client reads every unit of a job a page at a time (core/api/unit-pages.ts): on from where the
// last page ended, until a page comes back short, whatever the job's size.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { everyUnit } from '../../src-main/core/api/unit-pages.js';
import type { UnitView } from '../../src-main/core/api/shapes.js';
import { LIMITS } from '../../src-main/core/schemas/primitives.js';

/** A node's `jobs.status` pages over a job of `count` units, and the `from` of each call. */
function job(count: number) {
  const asked: number[] = [];
  const page = async (from: number) => {
    asked.push(from);
    const last = Math.min(count, from + LIMITS.unitsPerPage);
    return Array.from({ length: Math.max(0, last - from) }, (_, i) => ({ index: from + i }) as UnitView);
  };
  return { page, asked };
}

test('every unit of a job, in order, a page at a time, whatever its size', async () => {
  const per = LIMITS.unitsPerPage;
  for (const [count, pages] of [
    [0, [0]],
    [3, [0]],
    [per, [0, per]],
    [2 * per + 7, [0, per, 2 * per]],
  ] as const) {
    const { page, asked } = job(count);
    const units = await everyUnit(page);
    assert.deepEqual(
      units.map((u) => u.index),
      Array.from({ length: count }, (_, i) => i),
      `${count} units`,
    );
    assert.deepEqual(asked, pages, `${count} units: the pages asked for`);
  }
});

test('a page that comes back empty or missing ends the listing', async () => {
  assert.deepEqual(await everyUnit(async () => undefined), []);
});

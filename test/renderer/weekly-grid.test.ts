import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  eraseRect,
  paintedCells,
  rectBetween,
  weekMinutes,
  windowFromRect,
  windowsCovering,
  type GridRect,
} from '../../src-renderer/availability/grid-model.js';
import type { WeeklyWindow } from '../../src-main/core/availability/index.js';

const MONDAY = 1;
const TUESDAY = 2;

test('dragging from Monday 09:00 to Monday 11:00 paints one window, Monday 09:00–12:00', () => {
  const rect = rectBetween({ day: MONDAY, hour: 11 }, { day: MONDAY, hour: 9 });
  assert.deepEqual(windowFromRect(rect), { days: [MONDAY], start: '09:00', end: '12:00' });
});

test('a rectangle over several rows covers the days between them as the grid shows them (Monday first)', () => {
  const rect = rectBetween({ day: 6, hour: 22 }, { day: 0, hour: 23 }); // Saturday to Sunday: the last two rows
  assert.deepEqual(windowFromRect(rect, { cpu_cores: 2 }), {
    days: [0, 6],
    start: '22:00',
    end: '00:00',
    cpu_cores: 2,
  });
  assert.deepEqual(rectBetween({ day: MONDAY, hour: 0 }, { day: 0, hour: 23 }).days, [1, 2, 3, 4, 5, 6, 0]);
});

test('a window paints the hours it touches, including the morning after for one that runs past midnight', () => {
  const painted = paintedCells([{ days: [TUESDAY], start: '22:30', end: '01:00' }]);
  const on = painted.flatMap((hours, day) => hours.flatMap((p, hour) => (p ? [`${day}-${hour}`] : [])));
  assert.deepEqual(on, ['2-22', '2-23', '3-0']);
});

test('erasing one hour of a window keeps the rest, with the caps of the original', () => {
  const window: WeeklyWindow = { window_id: 'w1', days: [MONDAY, TUESDAY], start: '09:00', end: '12:00', cpu_cores: 2 };
  const edit = eraseRect([window], { days: [MONDAY], fromHour: 10, toHour: 10 });
  assert.deepEqual(edit.remove, ['w1']);
  assert.deepEqual(
    [...edit.add].sort((a, b) => a.days[0]! - b.days[0]! || a.start.localeCompare(b.start)),
    [
      { days: [MONDAY], start: '09:00', end: '10:00', cpu_cores: 2 },
      { days: [MONDAY], start: '11:00', end: '12:00', cpu_cores: 2 },
      { days: [TUESDAY], start: '09:00', end: '12:00', cpu_cores: 2 },
    ],
  );
});

test('erasing where no window is changes nothing', () => {
  const window: WeeklyWindow = { window_id: 'w1', days: [MONDAY], start: '09:00', end: '12:00' };
  assert.deepEqual(eraseRect([window], { days: [TUESDAY], fromHour: 0, toHour: 23 }), { remove: [], add: [] });
});

const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const arbWindow = fc.record({
  window_id: fc.constant('w'),
  days: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }),
  start: hhmm,
  end: hhmm,
});
const arbRect: fc.Arbitrary<GridRect> = fc
  .tuple(
    fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }),
    fc.integer({ min: 0, max: 23 }),
    fc.integer({ min: 0, max: 23 }),
  )
  .map(([days, a, b]) => ({ days, fromHour: Math.min(a, b), toHour: Math.max(a, b) }));

test('after erasing a rectangle, the windows cover exactly what they covered minus the rectangle', () => {
  fc.assert(
    fc.property(arbWindow, arbRect, (window, rect) => {
      const expected = weekMinutes(window);
      for (const day of rect.days)
        expected.fill(0, day * 1440 + rect.fromHour * 60, day * 1440 + (rect.toHour + 1) * 60);
      const edit = eraseRect([window], rect);
      const kept = edit.remove.length > 0 ? edit.add : [window];
      const actual = new Uint8Array(7 * 1440);
      for (const piece of kept) weekMinutes(piece).forEach((m, i) => (actual[i] ||= m));
      assert.deepEqual(actual, expected);
      for (const piece of kept) assert.equal(new Set(piece.days).size, piece.days.length);
    }),
  );
});

test('a whole week of minutes is one window, every day, 00:00 to 00:00', () => {
  assert.deepEqual(windowsCovering(new Uint8Array(7 * 1440).fill(1)), [
    { days: [0, 1, 2, 3, 4, 5, 6], start: '00:00', end: '00:00' },
  ]);
});

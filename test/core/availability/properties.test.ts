import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { currentAvailability, type WeeklyWindow } from '../../../src-main/core/availability/index.js';
import { AvailabilitySlotSchema } from '../../../src-main/core/schemas/index.js';
import { berlin2025, fixedOffset, input } from './fixtures.js';

const DAY = 24 * 3600_000;
const wallTime = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const windowArb = (id: number) =>
  fc
    .record({
      days: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }),
      start: wallTime,
      end: wallTime,
    })
    .map((w): WeeklyWindow => ({ window_id: `w${id}`, ...w }));
const windowsArb = fc
  .integer({ min: 1, max: 4 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => windowArb(i))));
const instant = fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2100-01-01T00:00:00Z') });
/** Real offsets, whole quarter hours from -12:00 to +14:00, or a zone with DST changes. */
const offsetArb = fc.oneof(
  fc.integer({ min: -48, max: 56 }).map((q) => fixedOffset(q * 15)),
  fc.constant(berlin2025),
);
/** Instants near 2025's clock changes, where the DST zone is interesting. */
const nearChange = fc.oneof(
  fc.integer({ min: Date.parse('2025-03-28T00:00:00Z'), max: Date.parse('2025-04-01T00:00:00Z') }),
  fc.integer({ min: Date.parse('2025-10-24T00:00:00Z'), max: Date.parse('2025-10-28T00:00:00Z') }),
);

test('every slot contains now, ends after it starts, is a valid slot, and the list is ordered and unique', () => {
  fc.assert(
    fc.property(windowsArb, fc.oneof(instant, nearChange), offsetArb, (windows, nowMs, utcOffsetMinutes) => {
      const { slots, paused } = currentAvailability(input({ nowMs, windows, utcOffsetMinutes }));
      assert.equal(paused === null, slots.length > 0);
      if (paused) assert.equal(paused.reason, 'outside_windows');
      assert.ok(slots.length <= windows.length);
      assert.equal(new Set(slots.map((s) => s.slot_id)).size, slots.length);
      for (const [i, slot] of slots.entries()) {
        const start = Date.parse(slot.start_time);
        const end = Date.parse(slot.end_time);
        assert.ok(start <= nowMs && nowMs < end, `${slot.slot_id} does not contain ${new Date(nowMs).toISOString()}`);
        assert.ok(end - start <= DAY + 3600_000, 'an occurrence lasts at most a day and the hour the clocks repeat');
        assert.equal(AvailabilitySlotSchema.safeParse(slot).success, true);
        if (i > 0) assert.ok(Date.parse(slots[i - 1]!.start_time) <= start);
      }
    }),
    { numRuns: 500 },
  );
});

/** Oracle for a fixed offset: a window is in force when the local time falls in the part of it that opened today or yesterday. */
function inForceByHand(window: WeeklyWindow, nowMs: number, offsetMinutes: number): boolean {
  const localMinutes = Math.floor((nowMs + offsetMinutes * 60_000) / 60_000);
  const minutesOf = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const length = end > start ? end - start : end + 1440 - start;
  const today = Math.floor(localMinutes / 1440);
  return [today, today - 1].some((day) => {
    const weekday = (((day + 4) % 7) + 7) % 7;
    const opens = day * 1440 + start;
    return window.days.includes(weekday) && opens <= localMinutes && localMinutes < opens + length;
  });
}

test('in a fixed zone, the windows with a slot are exactly those a person would say are open', () => {
  fc.assert(
    fc.property(windowsArb, instant, fc.integer({ min: -48, max: 56 }), (windows, nowMs, quarters) => {
      const offset = quarters * 15;
      const { slots } = currentAvailability(input({ nowMs, windows, utcOffsetMinutes: fixedOffset(offset) }));
      const offered = new Set(slots.map((s) => s.slot_id.split('@')[0]));
      const expected = new Set(windows.filter((w) => inForceByHand(w, nowMs, offset)).map((w) => w.window_id));
      assert.deepEqual(offered, expected);
    }),
    { numRuns: 500 },
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { timeAxis } from '../../src-renderer/time-axis.js';

test('events seconds apart get second-by-second labels, none repeated', () => {
  const from = Date.UTC(2026, 10, 22, 7, 37, 3, 120);
  const axis = timeAxis(from, from + 6_000);
  assert.ok(axis.ticks.length >= 3, `${axis.ticks.length} ticks`);
  const labels = axis.ticks.map(axis.label);
  assert.equal(new Set(labels).size, labels.length, labels.join(', '));
  assert.match(labels[0]!, /\d{2}:\d{2}:\d{2}/, 'seconds are shown');
});

test('a span of hours is labelled in minutes, a span of weeks by date', () => {
  const from = Date.UTC(2026, 0, 1, 9, 0);
  const hours = timeAxis(from, from + 5 * 3_600_000);
  assert.doesNotMatch(hours.label(hours.ticks[0]!), /\d{2}:\d{2}:\d{2}/);
  const weeks = timeAxis(from, from + 21 * 86_400_000);
  assert.doesNotMatch(weeks.label(weeks.ticks[0]!), /:/);
});

test('for any span: ticks inside it, ascending, at most a few, and no two labels alike', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
      fc.integer({ min: 0, max: 400 * 86_400_000 }),
      (from, span) => {
        const { ticks, label } = timeAxis(from, from + span);
        assert.ok(ticks.length >= 1 && ticks.length <= 7, `${ticks.length} ticks`);
        ticks.forEach((t, i) => {
          assert.ok(t >= from && t <= from + span);
          if (i > 0) assert.ok(t > ticks[i - 1]!);
        });
        const labels = ticks.map(label);
        assert.equal(new Set(labels).size, labels.length, labels.join(', '));
      },
    ),
  );
});

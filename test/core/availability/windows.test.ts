import assert from 'node:assert/strict';
import { test } from 'node:test';
import { currentAvailability, describeWindow, type UtcOffset } from '../../../src-main/core/availability/index.js';
import { at, berlin2025, fixedOffset, HOUR, input, iso, window } from './fixtures.js';

const night = window(); // Mon–Fri 22:00–07:00

function slotsAt(nowMs: number, windows = [night], utcOffsetMinutes: UtcOffset = fixedOffset(0)) {
  return currentAvailability(input({ nowMs, windows, utcOffsetMinutes }));
}

test('a weekday night window is in force on Tuesday 23:00, as the occurrence that opened at 22:00', () => {
  const { slots, paused } = slotsAt(at('Tue', '23:00'));
  assert.equal(paused, null);
  assert.equal(slots.length, 1);
  assert.equal(slots[0]!.start_time, iso(at('Tue', '22:00')));
  assert.equal(slots[0]!.end_time, iso(at('Wed', '07:00')));
  assert.equal(slots[0]!.slot_id, `night@${iso(at('Tue', '22:00'))}`);
});

test('the same occurrence, with the same slot id, is still in force at Wednesday 06:59', () => {
  const late = slotsAt(at('Wed', '06:59')).slots;
  assert.deepEqual(late, slotsAt(at('Tue', '23:00')).slots);
});

test('at Wednesday 07:00 the window has closed, and the message names when it opens next', () => {
  const { slots, paused } = slotsAt(at('Wed', '07:00'));
  assert.deepEqual(slots, []);
  assert.equal(paused?.reason, 'outside_windows');
  assert.equal(paused?.message, 'outside the availability windows; the next opens Wed 22:00');
});

test('Saturday 23:00 is outside a Mon–Fri window; the next opens Monday', () => {
  const { slots, paused } = slotsAt(at('Sat', '23:00'));
  assert.deepEqual(slots, []);
  assert.equal(paused?.message, 'outside the availability windows; the next opens Mon 22:00');
});

test("Friday's occurrence runs into Saturday morning, since it opened on Friday", () => {
  const friday = slotsAt(at('Fri', '23:00')).slots;
  assert.equal(friday.length, 1);
  assert.deepEqual(slotsAt(at('Sat', '06:00')).slots, friday);
  assert.equal(friday[0]!.end_time, iso(at('Sat', '07:00')));
  assert.deepEqual(slotsAt(at('Sat', '07:00')).slots, []);
});

test('a Saturday 22:00–07:00 window crosses into Sunday and the week boundary', () => {
  const saturday = window({ window_id: 'weekend', days: [6] });
  const sunday = slotsAt(at('Sun', '03:00'), [saturday]).slots;
  assert.equal(sunday.length, 1);
  assert.equal(sunday[0]!.start_time, iso(at('Sat', '22:00')));
  assert.equal(sunday[0]!.end_time, iso(at('Sun', '07:00')));
  assert.deepEqual(slotsAt(at('Sun', '23:00'), [saturday]).slots, []);
  assert.deepEqual(slotsAt(at('Sat', '21:59'), [saturday]).slots, []);
});

test('an all-day window (start == end) covers each of its days from midnight to midnight', () => {
  const weekend = window({ window_id: 'weekend', days: [0, 6], start: '00:00', end: '00:00' });
  assert.equal(slotsAt(at('Sat', '00:00'), [weekend]).slots.length, 1);
  const late = slotsAt(at('Sun', '23:59'), [weekend]).slots;
  assert.equal(late.length, 1);
  assert.equal(late[0]!.start_time, iso(at('Sun', '00:00')));
  assert.equal(Date.parse(late[0]!.end_time) - Date.parse(late[0]!.start_time), 24 * HOUR);
  assert.equal(slotsAt(at('Mon', '00:00'), [weekend]).paused?.reason, 'outside_windows');
  assert.equal(slotsAt(at('Fri', '23:59'), [weekend]).paused?.reason, 'outside_windows');
});

test('a zone 120 minutes ahead of UTC: 23:00Z on Monday is already Tuesday there', () => {
  const tuesdayEarly = window({ window_id: 'early', days: [2], start: '00:00', end: '06:00' });
  const nowMs = Date.parse('2025-01-06T23:00:00Z');
  const ahead = slotsAt(nowMs, [tuesdayEarly], fixedOffset(120)).slots;
  assert.equal(ahead.length, 1);
  assert.equal(ahead[0]!.start_time, '2025-01-06T22:00:00.000Z');
  assert.equal(ahead[0]!.end_time, '2025-01-07T04:00:00.000Z');
  assert.deepEqual(slotsAt(nowMs, [tuesdayEarly], fixedOffset(0)).slots, []);
});

test('a zone 300 minutes behind UTC: 00:30Z on Sunday is still Saturday evening there', () => {
  const saturday = window({ window_id: 'sat', days: [6], start: '12:00', end: '20:00' });
  const nowMs = Date.parse('2025-01-12T00:30:00Z');
  const behind = slotsAt(nowMs, [saturday], fixedOffset(-300)).slots;
  assert.equal(behind.length, 1);
  assert.equal(behind[0]!.start_time, '2025-01-11T17:00:00.000Z');
  assert.equal(behind[0]!.end_time, '2025-01-12T01:00:00.000Z');
  assert.deepEqual(slotsAt(nowMs, [saturday], fixedOffset(0)).slots, []);
});

test('the message gives the next opening in local time', () => {
  const { paused } = slotsAt(Date.parse('2025-01-07T12:00:00Z'), [night], fixedOffset(-300));
  assert.equal(paused?.message, 'outside the availability windows; the next opens Tue 22:00');
});

test('the night the clocks spring forward, a 22:00–07:00 window lasts 8 real hours', () => {
  const saturdayNight = window({ days: [6] });
  const [slot] = slotsAt(Date.parse('2025-03-30T02:00:00Z'), [saturdayNight], berlin2025).slots;
  assert.equal(slot?.start_time, '2025-03-29T21:00:00.000Z'); // 22:00 at +60
  assert.equal(slot?.end_time, '2025-03-30T05:00:00.000Z'); // 07:00 at +120
});

test('the night the clocks go back, a 22:00–07:00 window lasts 10 real hours', () => {
  const saturdayNight = window({ days: [6] });
  const [slot] = slotsAt(Date.parse('2025-10-26T02:00:00Z'), [saturdayNight], berlin2025).slots;
  assert.equal(slot?.start_time, '2025-10-25T20:00:00.000Z'); // 22:00 at +120
  assert.equal(slot?.end_time, '2025-10-26T06:00:00.000Z'); // 07:00 at +60
});

test('a window opening in the skipped hour opens when the clocks jump; one wholly inside it never opens', () => {
  const opensInGap = window({ window_id: 'gap', days: [0], start: '02:30', end: '03:30' });
  const [slot] = slotsAt(Date.parse('2025-03-30T01:10:00Z'), [opensInGap], berlin2025).slots;
  assert.equal(slot?.start_time, '2025-03-30T01:00:00.000Z'); // 03:00 summer time
  assert.equal(slot?.end_time, '2025-03-30T01:30:00.000Z'); // 03:30 summer time
  const insideGap = window({ window_id: 'lost', days: [0], start: '02:15', end: '02:45' });
  const { slots, paused } = slotsAt(Date.parse('2025-03-30T01:00:00Z'), [insideGap], berlin2025);
  assert.deepEqual(slots, []);
  assert.equal(paused?.message, 'outside the availability windows; the next opens Sun 02:15');
});

test('a window opening in the repeated hour opens the first time the clock shows it', () => {
  const repeated = window({ window_id: 'twice', days: [0], start: '02:30', end: '04:00' });
  const [slot] = slotsAt(Date.parse('2025-10-26T00:45:00Z'), [repeated], berlin2025).slots;
  assert.equal(slot?.start_time, '2025-10-26T00:30:00.000Z'); // 02:30 summer time
  assert.equal(slot?.end_time, '2025-10-26T03:00:00.000Z'); // 04:00 winter time
});

test('describeWindow reads as a person would write it', () => {
  assert.equal(describeWindow(window({ cpu_cores: 2, ram_gb: 4 })), 'Mon–Fri 22:00–07:00, 2 cores, 4 GB');
  assert.equal(describeWindow(window({ days: [6, 0], start: '00:00', end: '00:00' })), 'Sat, Sun all day');
  assert.equal(
    describeWindow(window({ days: [0, 1, 2, 3, 4, 5, 6], start: '09:00', end: '17:00', cpu_cores: 1, gpu_vram_gb: 8 })),
    'every day 09:00–17:00, 1 core, 8 GB VRAM',
  );
  assert.equal(
    describeWindow(window({ days: [5, 3, 1], start: '07:00', end: '07:00' })),
    'Mon, Wed, Fri 07:00–07:00 (24 h)',
  );
  assert.equal(describeWindow(window({ days: [5, 6, 0], ram_gb: 1.5 })), 'Fri–Sun 22:00–07:00, 1.5 GB');
});

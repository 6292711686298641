import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_SHARING_SETTINGS,
  SharingSettingsSchema,
  WeeklyWindowSchema,
  WeeklyWindowsSchema,
} from '../../../src-main/core/availability/index.js';
import { window } from './fixtures.js';

test('{} parses to the default sharing settings', () => {
  assert.deepEqual(SharingSettingsSchema.parse({}), {
    pause_on_battery: true,
    idle_only: false,
    idle_threshold_pct: 25,
    cpu_cap_pct: 100,
    blender_sharing: false,
    blender_min_trust: 0.8,
  });
  assert.deepEqual(DEFAULT_SHARING_SETTINGS, SharingSettingsSchema.parse({}));
});

test('sharing settings out of range or with unknown keys are refused', () => {
  for (const bad of [
    { cpu_cap_pct: 0 },
    { cpu_cap_pct: 101 },
    { idle_threshold_pct: -1 },
    { idle_threshold_pct: 100.5 },
    { nap: true },
  ]) {
    assert.equal(SharingSettingsSchema.safeParse(bad).success, false, JSON.stringify(bad));
  }
});

test('a weekly window accepts 24-hour times, a set of days 0..6 and optional caps', () => {
  assert.equal(WeeklyWindowSchema.safeParse(window()).success, true);
  assert.equal(
    WeeklyWindowSchema.safeParse(
      window({ days: [0, 6], start: '00:00', end: '23:59', cpu_cores: 1, ram_gb: 0.5, gpu_vram_gb: 0 }),
    ).success,
    true,
  );
});

test('a weekly window with a bad time, bad days, bad caps or unknown keys is refused', () => {
  const bad = [
    { start: '24:00' },
    { end: '7:00' },
    { start: '12:60' },
    { days: [] },
    { days: [1, 1] },
    { days: [7] },
    { days: [1.5] },
    { cpu_cores: 0 },
    { ram_gb: 0 },
    { window_id: 'x'.repeat(65) },
    { window_id: 'has space' },
    { colour: 'blue' },
  ];
  for (const overrides of bad) {
    assert.equal(WeeklyWindowSchema.safeParse({ ...window(), ...overrides }).success, false, JSON.stringify(overrides));
  }
});

test('a list of windows is bounded and its ids are unique', () => {
  assert.equal(WeeklyWindowsSchema.safeParse([window(), window({ window_id: 'other' })]).success, true);
  assert.equal(WeeklyWindowsSchema.safeParse([window(), window()]).success, false);
  const many = Array.from({ length: 65 }, (_, i) => window({ window_id: `w${i}` }));
  assert.equal(WeeklyWindowsSchema.safeParse(many).success, false);
});

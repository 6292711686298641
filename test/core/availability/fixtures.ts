// Shared inputs for the availability tests: a week in January 2025 (no DST anywhere near it),
// a Berlin-like zone with real DST dates, and an input builder with sensible defaults.
import type { AvailabilityInput, WeeklyWindow } from '../../../src-main/core/availability/index.js';
import { DEFAULT_SHARING_SETTINGS } from '../../../src-main/core/availability/index.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const MON_TO_FRI = [1, 2, 3, 4, 5];

/** 2025-01-06 is a Monday. */
export const LOCAL_DAYS = {
  Mon: '2025-01-06',
  Tue: '2025-01-07',
  Wed: '2025-01-08',
  Thu: '2025-01-09',
  Fri: '2025-01-10',
  Sat: '2025-01-11',
  Sun: '2025-01-12',
} as const;

/** The instant a local time names in a zone `offsetMinutes` ahead of UTC: at('Tue', '23:00'). */
export function at(day: keyof typeof LOCAL_DAYS, time: string, offsetMinutes = 0): number {
  return Date.parse(`${LOCAL_DAYS[day]}T${time}:00Z`) - offsetMinutes * MINUTE;
}

export const fixedOffset = (minutes: number) => () => minutes;

/** Central European time with 2025's changes: +120 from 30 Mar 01:00Z to 26 Oct 01:00Z, else +60. */
export function berlin2025(utcMs: number): number {
  const summer = utcMs >= Date.parse('2025-03-30T01:00:00Z') && utcMs < Date.parse('2025-10-26T01:00:00Z');
  return summer ? 120 : 60;
}

export const ALGORITHMS = [{ algorithm_id: 'wasm.render', version: '1', supported: true, performance_score: 1 }];

export function window(overrides: Partial<WeeklyWindow> = {}): WeeklyWindow {
  return { window_id: 'night', days: MON_TO_FRI, start: '22:00', end: '07:00', ...overrides };
}

export function input(overrides: Partial<AvailabilityInput> = {}): AvailabilityInput {
  return {
    nowMs: at('Tue', '12:00'),
    utcOffsetMinutes: fixedOffset(0),
    sharing: true,
    windows: [],
    oneOffs: [],
    settings: DEFAULT_SHARING_SETTINGS,
    machine: { threads: 8, ram_gb: 16 },
    power: { on_battery: false },
    otherLoadPct: 10,
    algorithms: ALGORITHMS,
    ...overrides,
  };
}

export const iso = (ms: number) => new Date(ms).toISOString();

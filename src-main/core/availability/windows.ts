// Weekly windows on the real time line: which occurrence of a window is in force at an instant,
// when the next one opens, and how a window reads in the CLI.
import {
  DAY_MS,
  MINUTE_MS,
  WEEKDAY_NAMES,
  dayNumberOf,
  utcFromWall,
  wallFromUtc,
  weekdayOf,
  type UtcOffset,
} from './local-time.js';
import type { WeeklyWindow } from '../schemas/availability.js';

/** One occurrence of a window: the real instants it opens and closes, [startMs, endMs). */
export interface Occurrence {
  window: WeeklyWindow;
  startMs: number;
  endMs: number;
}

/** Monday first, as a person reads a week: Sat and Sun are then neighbours. */
const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0] as const;

function minutesOf(wallTime: string): number {
  return Number(wallTime.slice(0, 2)) * 60 + Number(wallTime.slice(3, 5));
}

/** Wall-clock minutes a window lasts: to `end` that day, or the next day when end ≤ start. */
function lengthMinutes(window: WeeklyWindow): number {
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  return end > start ? end - start : end + 24 * 60 - start;
}

/**
 * The occurrence that opens on local day `day`; null when the window does not open that day, or
 * when the clocks skip all of it (a window inside the hour lost when they spring forward).
 * On the nights the clocks change, an occurrence is an hour shorter or longer in real time.
 */
function occurrenceOn(window: WeeklyWindow, day: number, utcOffsetMinutes: UtcOffset): Occurrence | null {
  if (!window.days.includes(weekdayOf(day))) return null;
  const startWall = day * DAY_MS + minutesOf(window.start) * MINUTE_MS;
  const startMs = utcFromWall(utcOffsetMinutes, startWall);
  const endMs = utcFromWall(utcOffsetMinutes, startWall + lengthMinutes(window) * MINUTE_MS);
  return endMs > startMs ? { window, startMs, endMs } : null;
}

/** Occurrences opening on the local days from `today + first` to `today + last`. */
function occurrencesNear(
  windows: readonly WeeklyWindow[],
  nowMs: number,
  utcOffsetMinutes: UtcOffset,
  first: number,
  last: number,
): Occurrence[] {
  const today = dayNumberOf(wallFromUtc(utcOffsetMinutes, nowMs));
  const found: Occurrence[] = [];
  for (const window of windows) {
    for (let day = today + first; day <= today + last; day++) {
      const occurrence = occurrenceOn(window, day, utcOffsetMinutes);
      if (occurrence) found.push(occurrence);
    }
  }
  return found;
}

/**
 * The occurrences that contain now, at most one per window (occurrences of one window never
 * overlap). An occurrence lasts at most a day of wall time, so the one in force opened yesterday
 * or today — or tomorrow, in an hour the clocks repeat just before midnight.
 */
export function occurrencesInForce(
  windows: readonly WeeklyWindow[],
  nowMs: number,
  utcOffsetMinutes: UtcOffset,
): Occurrence[] {
  return occurrencesNear(windows, nowMs, utcOffsetMinutes, -1, 1).filter((o) => o.startMs <= nowMs && nowMs < o.endMs);
}

/** When the next occurrence of any window opens after now (ms), or null with no windows. */
export function nextWindowStart(
  windows: readonly WeeklyWindow[],
  nowMs: number,
  utcOffsetMinutes: UtcOffset,
): number | null {
  // Eight days ahead covers a whole week however the clocks change.
  const starts = occurrencesNear(windows, nowMs, utcOffsetMinutes, -1, 8)
    .map((o) => o.startMs)
    .filter((startMs) => startMs > nowMs);
  return starts.length > 0 ? Math.min(...starts) : null;
}

/** "Mon–Fri 22:00–07:00, 2 cores, 4 GB": what the CLI and the UI list. */
export function describeWindow(window: WeeklyWindow): string {
  const caps = [
    window.cpu_cores === undefined ? null : `${window.cpu_cores} ${window.cpu_cores === 1 ? 'core' : 'cores'}`,
    window.ram_gb === undefined ? null : `${window.ram_gb} GB`,
    window.gpu_vram_gb === undefined ? null : `${window.gpu_vram_gb} GB VRAM`,
  ].filter((cap) => cap !== null);
  return [`${describeDays(window.days)} ${describeHours(window)}`, ...caps].join(', ');
}

function describeHours(window: WeeklyWindow): string {
  if (window.start !== window.end) return `${window.start}–${window.end}`;
  return window.start === '00:00' ? 'all day' : `${window.start}–${window.end} (24 h)`;
}

/** Runs of three or more neighbouring days read as a range ("Mon–Fri"), others one by one. */
function describeDays(days: readonly number[]): string {
  if (new Set(days).size === 7) return 'every day';
  const runs: number[][] = [];
  let current: number[] = [];
  for (const day of WEEK_ORDER) {
    if (days.includes(day)) {
      current.push(day);
    } else if (current.length > 0) {
      runs.push(current);
      current = [];
    }
  }
  if (current.length > 0) runs.push(current);
  return runs
    .flatMap((run) => {
      const names = run.map((day) => WEEKDAY_NAMES[day]!);
      return names.length >= 3 ? [`${names[0]}–${names.at(-1)}`] : names;
    })
    .join(', ');
}

// Local wall-clock time from a UTC-offset function, without reading the clock or a time zone
// database: the node passes `utcOffsetMinutes` (from Date), tests pass fixed or DST-like ones.
//
// "Wall" milliseconds are a local date and time written as if it were UTC (Tue 23:00 local is
// the wall ms of 1970-style Tue 23:00Z); day numbers count wall days since 1970-01-01.
import { describeError } from '../errors.js';

export type UtcOffset = (utcMs: number) => number;

export const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * MINUTE_MS;

/** Real offsets run from -12:00 to +14:00; anything beyond 18 h is a broken offset function. */
const MAX_OFFSET_MINUTES = 18 * 60;

export const WEEKDAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** The offset function threw or gave no real offset; the public functions turn this into a value. */
export class OffsetError extends Error {}

function offsetAt(utcOffsetMinutes: UtcOffset, utcMs: number): number {
  let minutes: unknown;
  try {
    minutes = utcOffsetMinutes(utcMs);
  } catch (error) {
    throw new OffsetError(`the UTC offset function failed: ${describeError(error)}`);
  }
  if (typeof minutes !== 'number' || !Number.isFinite(minutes) || Math.abs(minutes) > MAX_OFFSET_MINUTES) {
    throw new OffsetError(`the UTC offset function gave ${String(minutes)} minutes, not a real offset`);
  }
  return minutes;
}

export function wallFromUtc(utcOffsetMinutes: UtcOffset, utcMs: number): number {
  return utcMs + offsetAt(utcOffsetMinutes, utcMs) * MINUTE_MS;
}

/**
 * The real instant a local wall time names. Where the clocks go back (the hour that happens
 * twice) it is the first of the two; where they spring forward (a time that never happens) it is
 * the moment they jump, the first real time after it. So later wall times never map to earlier
 * instants, and a window starting in the skipped hour opens when the clocks jump.
 */
export function utcFromWall(utcOffsetMinutes: UtcOffset, wallMs: number): number {
  // The offsets in force around this wall time; a zone changes offset at most once in two days.
  const offsets = new Set([-DAY_MS, 0, DAY_MS].map((shift) => offsetAt(utcOffsetMinutes, wallMs + shift)));
  const candidates = [...offsets].map((minutes) => wallMs - minutes * MINUTE_MS);
  const exact = candidates.filter((utcMs) => wallFromUtc(utcOffsetMinutes, utcMs) === wallMs);
  if (exact.length > 0) return Math.min(...exact);
  return firstOffsetChange(utcOffsetMinutes, Math.min(...candidates), Math.max(...candidates));
}

/** The first instant in (from, to] whose offset differs from the offset at `from` (or `to`). */
function firstOffsetChange(utcOffsetMinutes: UtcOffset, from: number, to: number): number {
  const before = offsetAt(utcOffsetMinutes, from);
  let lo = from;
  let hi = to;
  if (offsetAt(utcOffsetMinutes, hi) === before) return hi;
  // Invariant: the offset at lo is `before`, the offset at hi is not.
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(utcOffsetMinutes, mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

export function dayNumberOf(wallMs: number): number {
  return Math.floor(wallMs / DAY_MS);
}

/** 0 = Sunday, like Date.getDay; day 0 (1970-01-01) was a Thursday. */
export function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

function formatMinutes(minutesOfDay: number): string {
  const hours = Math.floor(minutesOfDay / 60);
  const minutes = minutesOfDay % 60;
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

/**
 * A coming instant as a person reads it on their own clock: "Mon 22:00" within the next week,
 * with the date ("Mon 2025-03-10 22:00") when further out, where a weekday alone would mislead.
 */
export function describeInstant(utcOffsetMinutes: UtcOffset, utcMs: number, nowMs: number): string {
  const wallMs = wallFromUtc(utcOffsetMinutes, utcMs);
  const day = dayNumberOf(wallMs);
  const weekday = WEEKDAY_NAMES[weekdayOf(day)];
  const time = formatMinutes(Math.floor((wallMs - day * DAY_MS) / MINUTE_MS));
  if (utcMs - nowMs < 7 * DAY_MS) return `${weekday} ${time}`;
  return `${weekday} ${new Date(day * DAY_MS).toISOString().slice(0, 10)} ${time}`;
}

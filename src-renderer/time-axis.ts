// A chart's time axis, labelled by the span shown: ticks on round steps (1 s, 5 s, 1 min, 1 h,
// 1 day…) chosen so that about `maxTicks` fit, each label as fine as its step and no finer. Ticks
// are distinct multiples of a step the label can tell apart, so no two read the same (recharts'
// own ticks, at fractions of a second, printed "07:37:03" six times over).

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const STEPS = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  30 * DAY,
  90 * DAY,
  180 * DAY,
  365 * DAY,
];

export interface TimeAxis {
  /** Tick times (ms since the epoch), ascending. */
  ticks: number[];
  label: (t: number) => string;
}

/**
 * Ticks and labels for times from `fromMs` to `toMs`. Steps are whole local seconds, minutes and
 * hours (a time zone's offset is whole minutes); days are whole UTC days, labelled by local date.
 */
export function timeAxis(fromMs: number, toMs: number, maxTicks = 6): TimeAxis {
  const span = Math.max(0, toMs - fromMs);
  const step = STEPS.find((s) => span / s <= Math.max(1, maxTicks - 1)) ?? STEPS.at(-1)!;
  const offset = step < DAY ? -new Date(fromMs).getTimezoneOffset() * MINUTE : 0;
  const first = Math.ceil((fromMs + offset) / step) * step - offset;
  const ticks: number[] = [];
  for (let t = first; t <= toMs; t += step) ticks.push(t);
  if (ticks.length === 0) ticks.push(fromMs); // a span shorter than a second: one label
  const options: Intl.DateTimeFormatOptions =
    step < MINUTE
      ? { hour: '2-digit', minute: '2-digit', second: '2-digit' }
      : step < DAY
        ? { hour: '2-digit', minute: '2-digit', ...(sameDay(ticks) ? {} : { month: 'short', day: 'numeric' }) }
        : step < 365 * DAY
          ? { month: 'short', day: 'numeric' }
          : { year: 'numeric', month: 'short', day: 'numeric' };
  const format = new Intl.DateTimeFormat([], options);
  return { ticks, label: (t) => format.format(t) };
}

/** Whether the ticks fall on one local date (else times of day alone would repeat). */
function sameDay(ticks: number[]): boolean {
  return new Date(ticks[0]!).toDateString() === new Date(ticks.at(-1)!).toDateString();
}

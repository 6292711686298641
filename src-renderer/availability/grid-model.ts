// The weekly grid's logic, apart from React: which cells the windows paint, the window a painted
// rectangle becomes, and what is left of windows when a rectangle is erased. Windows are weekly
// and in local wall-clock time (WeeklyWindow in core/availability); a window whose end is at or
// before its start runs past midnight, so its minutes are worked out on the circular week.
import type { WeeklyWindow } from '../../src-main/core/availability/index.js';

export const HOURS = 24;
const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

/** The order the grid shows its rows in: Monday first (day numbers as Date.getDay: 0 = Sunday). */
export const ROW_DAYS: readonly number[] = [1, 2, 3, 4, 5, 6, 0];
export const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

export interface Cell {
  day: number;
  hour: number;
}

/** A painted rectangle: some days (as rows), and the hours fromHour..toHour inclusive. */
export interface GridRect {
  days: number[];
  fromHour: number;
  toHour: number;
}

/** What a window offers besides its times, carried over when it is cut into pieces. */
export type WindowCaps = Pick<WeeklyWindow, 'cpu_cores' | 'ram_gb' | 'gpu_vram_gb'>;
/** A window to add: the node gives it an id. */
export type NewWindow = Omit<WeeklyWindow, 'window_id'>;

/** The rectangle between the cell where the drag began and the one it is over now. */
export function rectBetween(anchor: Cell, current: Cell, rowDays: readonly number[] = ROW_DAYS): GridRect {
  const a = rowDays.indexOf(anchor.day);
  const b = rowDays.indexOf(current.day);
  return {
    days: rowDays.slice(Math.min(a, b), Math.max(a, b) + 1),
    fromHour: Math.min(anchor.hour, current.hour),
    toHour: Math.max(anchor.hour, current.hour),
  };
}

export function rectContains(rect: GridRect, cell: Cell): boolean {
  return rect.days.includes(cell.day) && cell.hour >= rect.fromHour && cell.hour <= rect.toHour;
}

const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60) % 24).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** The weekly window a painted rectangle stands for: its days, from the first hour to the end of the last. */
export function windowFromRect(rect: GridRect, caps: WindowCaps = {}): NewWindow {
  return {
    days: [...rect.days].sort((x, y) => x - y),
    start: hhmm(rect.fromHour * 60),
    // The hour after the last painted one; 24:00 is written 00:00 (an end at or before the start is the next day).
    end: hhmm(((rect.toHour + 1) * 60) % MINUTES_PER_DAY),
    ...definedCaps(caps),
  };
}

/** The minutes of the week (0 = Sunday 00:00) a window covers. */
export function weekMinutes(window: Pick<WeeklyWindow, 'days' | 'start' | 'end'>): Uint8Array {
  const covered = new Uint8Array(MINUTES_PER_WEEK);
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const length = end > start ? end - start : end + MINUTES_PER_DAY - start;
  for (const day of window.days) {
    const from = day * MINUTES_PER_DAY + start;
    for (let m = from; m < from + length; m++) covered[m % MINUTES_PER_WEEK] = 1;
  }
  return covered;
}

/** Which cells (day × hour) the windows touch: painted[day][hour]. */
export function paintedCells(windows: ReadonlyArray<Pick<WeeklyWindow, 'days' | 'start' | 'end'>>): boolean[][] {
  const painted = Array.from({ length: 7 }, () => new Array<boolean>(HOURS).fill(false));
  for (const window of windows) {
    const covered = weekMinutes(window);
    for (let m = 0; m < MINUTES_PER_WEEK; m++) {
      if (covered[m]) painted[Math.floor(m / MINUTES_PER_DAY)]![Math.floor((m % MINUTES_PER_DAY) / 60)] = true;
    }
  }
  return painted;
}

/** The change that erases a rectangle: the windows it touches go, the parts of them outside it come back. */
export interface WindowEdit {
  remove: string[];
  add: NewWindow[];
}

export function eraseRect(windows: readonly WeeklyWindow[], rect: GridRect): WindowEdit {
  const edit: WindowEdit = { remove: [], add: [] };
  for (const window of windows) {
    const covered = weekMinutes(window);
    let touched = false;
    for (const day of rect.days) {
      for (
        let m = day * MINUTES_PER_DAY + rect.fromHour * 60;
        m < day * MINUTES_PER_DAY + (rect.toHour + 1) * 60;
        m++
      ) {
        if (covered[m]) touched = true;
        covered[m] = 0;
      }
    }
    if (!touched) continue;
    edit.remove.push(window.window_id);
    edit.add.push(...windowsCovering(covered, window));
  }
  return edit;
}

/**
 * Windows that together cover exactly the given minutes: each unbroken run of the circular week is
 * cut into pieces of at most a day from where it begins, and pieces with the same times on
 * different days share one window.
 */
export function windowsCovering(covered: Uint8Array, caps: WindowCaps = {}): NewWindow[] {
  const firstGap = covered.indexOf(0);
  if (firstGap < 0) return [{ days: [0, 1, 2, 3, 4, 5, 6], start: '00:00', end: '00:00', ...definedCaps(caps) }];
  const pieces = new Map<string, number[]>(); // "start|end" → days
  // Walk the week once, starting in a gap, so no run is split by where the array begins.
  let runStart = -1;
  for (let i = 1; i <= MINUTES_PER_WEEK; i++) {
    const m = (firstGap + i) % MINUTES_PER_WEEK;
    if (covered[m] && runStart < 0) runStart = firstGap + i;
    if (!covered[m] && runStart >= 0) {
      for (let from = runStart; from < firstGap + i; from += MINUTES_PER_DAY) {
        const length = Math.min(MINUTES_PER_DAY, firstGap + i - from);
        const startOfDay = from % MINUTES_PER_DAY;
        const key = `${hhmm(startOfDay)}|${hhmm((startOfDay + length) % MINUTES_PER_DAY)}`;
        pieces.set(key, [...(pieces.get(key) ?? []), Math.floor(from / MINUTES_PER_DAY) % 7]);
      }
      runStart = -1;
    }
  }
  return [...pieces].map(([key, days]) => {
    const [start, end] = key.split('|') as [string, string];
    return { days: days.sort((x, y) => x - y), start, end, ...definedCaps(caps) };
  });
}

function definedCaps(caps: WindowCaps): WindowCaps {
  return {
    ...(caps.cpu_cores !== undefined ? { cpu_cores: caps.cpu_cores } : {}),
    ...(caps.ram_gb !== undefined ? { ram_gb: caps.ram_gb } : {}),
    ...(caps.gpu_vram_gb !== undefined ? { gpu_vram_gb: caps.gpu_vram_gb } : {}),
  };
}

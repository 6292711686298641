// How numbers, sizes and times read in the UI. Credits are counted in millicredits everywhere in
// the node and shown as credits with three decimals, as meshctl prints them.
import { formatCredits } from '../src-main/core/ledger/credits.js';

const MILLI = 1000;

export { formatCredits };

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** What a person typed as credits ("1", "0.25", "2.500"), as whole millicredits. */
export function parseCredits(text: string): Parsed<number> {
  const match = /^\s*(\d{1,12})(?:\.(\d{0,3}))?\s*$/.exec(text);
  if (!match)
    return { ok: false, error: `"${text.trim()}" is not an amount of credits (like 2 or 0.125; at most 3 decimals)` };
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(3, '0'));
  return { ok: true, value: whole * MILLI + fraction };
}

/** A 0..1 weight as the trust column shows it: two decimals. */
export function formatWeight(weight: number): string {
  return weight.toFixed(2);
}

export function formatPercent(pct: number, digits = 0): string {
  return `${pct.toFixed(digits)}%`;
}

/** GiB (the node's unit for RAM and VRAM), e.g. 15.62 → "15.6 GB". */
export function formatGiB(gib: number): string {
  return `${gib >= 100 ? Math.round(gib) : Number(gib.toFixed(1))} GB`;
}

/** Large counts compactly: 950 → "950", 12_300 → "12.3 k", 4.2e9 → "4.2 G". */
export function formatCount(n: number): string {
  const units: Array<[number, string]> = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, unit] of units) if (Math.abs(n) >= size) return `${Number((n / size).toFixed(1))} ${unit}`;
  return String(Math.round(n));
}

/** Seconds as "850 ms", "12.4 s", "3 min 5 s", "2 h 10 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${Number(seconds.toFixed(1))} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** How long ago an ISO time was, from `nowMs`: "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function formatAgo(iso: string, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** A message as a sentence: the node writes some in lower case to fit inside its own lines. */
export function asSentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A peer id shortened for tables: the head and the tail, which is what people compare. */
export function shortPeerId(peerId: string): string {
  return peerId.length <= 16 ? peerId : `${peerId.slice(0, 8)}…${peerId.slice(-6)}`;
}

/** A frame's file name as meshctl writes it: frame-0001.png. */
export function frameFileName(frame: number): string {
  return `frame-${String(frame).padStart(4, '0')}.png`;
}

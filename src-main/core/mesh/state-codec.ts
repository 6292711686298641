// The folded state as plain data, and back: what a snapshot holds (node/journal/state-snapshots.ts),
// so that a start loads it and folds only the events journaled after it. Generic over the state's
// own fields: Maps, Sets, arrays and records travel as they are (a structured clone keeps them), and
// a part held by a class with private fields says itself what it saves (SnapshotPart). A field of
// any other class is refused when the snapshot is taken, so a new one cannot be lost silently.
import { CheckBook } from './checks.js';
import { compactJob } from './compaction.js';
import type { SnapshotPart } from './records.js';
import { MeshState } from './state.js';

/** Bump to have every older snapshot ignored (the journal is then folded in full once). */
const STATE_FORMAT = 1;

/** The state's fields as plain data. Throws naming the field if one holds an instance of a class that is no SnapshotPart. */
export function stateToData(state: MeshState): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(state)) {
    if (key === 'me') continue;
    if (isPart(value)) data[key] = value.toSnapshot();
    else {
      assertPlain(value, key);
      data[key] = value;
    }
  }
  return data;
}

/** The state `stateToData` saved (check its fingerprint first: fields this code lacks would be loaded as they are). */
export function stateFromData(me: string, data: Record<string, unknown>): MeshState {
  const state = new MeshState(me);
  const fields = state as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(data)) {
    const current = fields[key];
    if (isPart(current)) current.restoreSnapshot(value);
    else fields[key] = value;
  }
  return state;
}

/**
 * What a snapshot must match to be loaded: the format, this code's state fields, and a hash of the
 * code that folds them (the state's class, its checks, compaction), so a snapshot made by code that
 * folds differently, or whose records have other fields, is never mixed with this code's fold.
 */
export function stateFingerprint(): string {
  const keys = Object.keys(new MeshState('')).filter((key) => key !== 'me');
  const code = [MeshState, CheckBook, compactJob].map(String).join('\n');
  return `${STATE_FORMAT}:${fnv1a(code)}:${keys.sort().join(',')}`;
}

/** FNV-1a, 32 bits, in hex: enough to tell two versions of the code apart. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16);
}

function isPart(value: unknown): value is SnapshotPart {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<SnapshotPart>).toSnapshot === 'function' &&
    typeof (value as Partial<SnapshotPart>).restoreSnapshot === 'function'
  );
}

const PLAIN = new Set<unknown>([Object.prototype, null, Array.prototype, Map.prototype, Set.prototype]);

/** Throws if `value` holds an object a structured clone would not give back as it is (a class instance, a function). */
function assertPlain(value: unknown, path: string): void {
  if (typeof value === 'function') throw new Error(`state.${path} is a function: a snapshot cannot hold it`);
  if (typeof value !== 'object' || value === null) return;
  if (!PLAIN.has(Object.getPrototypeOf(value)))
    throw new Error(`state.${path} is an instance of a class: make it a SnapshotPart or plain data`);
  if (value instanceof Map) for (const [k, v] of value) assertPlain(v, `${path}[${String(k)}]`);
  else if (value instanceof Set) for (const v of value) assertPlain(v, `${path}{}`);
  else if (Array.isArray(value)) for (const v of value) assertPlain(v, `${path}[]`);
  else for (const [k, v] of Object.entries(value)) assertPlain(v, `${path}.${k}`);
}

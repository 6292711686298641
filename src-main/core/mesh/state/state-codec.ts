// The folded state as plain data, and back: what a snapshot holds (node/journal/state-snapshots.ts),
// so that a start loads it and folds only the events journaled after it. Generic over the state's
// own fields: Maps, Sets, arrays, byte arrays and records travel as they are (the snapshot's
// encoding keeps them, node/journal/snapshot-encoding.ts), and
// a part held by a class with private fields says itself what it saves (SnapshotPart). A field of
// any other class is refused when the snapshot is taken, so a new one cannot be lost silently. The
// state's private indexes are not saved: they are rebuilt from the fields they index (reindex).
import type { SnapshotPart } from './records.js';
import { MeshState } from './state.js';

/**
 * Bump when what `MeshState.apply` (or compaction, or a class-held part) makes of the same events
 * changes, a record's fields included, or how a snapshot stores the data (3: compressed; 4: a
 * provider's offers no longer in the state, its assignments keep their slot; 5: our own encoding,
 * not v8.serialize; 6: a job's committed credits count a settle at what it paid, as its ledger does, and a
 * release lowers what an assignment holds, and a job may be paused); fields
 * of the state itself are in the fingerprint anyway. Every older snapshot is then ignored, and the
 * journal folded in full once.
 */
const STATE_FORMAT = 6;

/** The state's fields as plain data. Throws naming the field if one holds an instance of a class that is no SnapshotPart. */
export function stateToData(state: MeshState): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(state)) {
    if (key === 'me') continue;
    if (isPart(value)) data[key] = value.toSnapshot();
    else {
      const problem = unplain(value);
      if (problem !== undefined) throw new Error(`state.${key}${problem}`);
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
  state.reindex();
  return state;
}

/**
 * What a snapshot must match to be loaded: the format and this code's state fields. (Not a hash of
 * the folding code: the bundles of meshctl and of the desktop app may print it differently.)
 */
export function stateFingerprint(): string {
  const keys = Object.keys(new MeshState('')).filter((key) => key !== 'me');
  return `${STATE_FORMAT}:${keys.sort().join(',')}`;
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

/**
 * Where `value` holds what a structured clone would not give back as it is (a class instance, a
 * function): the path to it below `value` and why, or undefined when nowhere. The path is built on
 * the way out only, not for every value checked: a big state is checked in a fifth of the time.
 */
function unplain(value: unknown): string | undefined {
  if (typeof value === 'function') return ' is a function: a snapshot cannot hold it';
  if (typeof value !== 'object' || value === null) return undefined;
  if (!PLAIN.has(Object.getPrototypeOf(value)))
    return ' is an instance of a class: make it a SnapshotPart or plain data';
  let problem: string | undefined;
  if (value instanceof Map) {
    for (const [k, v] of value) if ((problem = unplain(v)) !== undefined) return `[${String(k)}]${problem}`;
  } else if (value instanceof Set) {
    for (const v of value) if ((problem = unplain(v)) !== undefined) return `{}${problem}`;
  } else if (Array.isArray(value)) {
    for (const v of value) if ((problem = unplain(v)) !== undefined) return `[]${problem}`;
  } else {
    const record = value as Record<string, unknown>;
    for (const k in record) if ((problem = unplain(record[k])) !== undefined) return `.${k}${problem}`;
  }
  return undefined;
}

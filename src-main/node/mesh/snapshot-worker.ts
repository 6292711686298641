// The thread that writes a running node's snapshots (snapshot-thread.ts runs it): it opens the
// journal's database on a connection of its own, loads the last snapshot, folds the events after
// it up to the seq it is given, and saves the result, unless a newer snapshot is there by then.
// The node's main thread gives nothing but the seq: a big state's snapshot (seconds to encode at
// 100,000 units) never holds it. At the lowest CPU priority, as the unit threads: nobody waits on it.
import { MeshState } from '../../core/mesh/state.js';
import { lowerThisThreadsPriority } from '../exec/thread-priority.js';
import { openDatabase } from '../journal/database.js';
import { EventStore } from '../journal/event-store.js';
import { StateSnapshots } from '../journal/state-snapshots.js';

lowerThisThreadsPriority();

export interface SnapshotTask {
  dbPath: string;
  /** The node's peer id (the state's `me`). */
  me: string;
  /** Fold the journal up to this seq, committed before the task was given. */
  seq: number;
  /** When the snapshot is taken (ISO), as the node's clock says. */
  at: string;
}

export interface SnapshotDone {
  /** The snapshot's size in bytes; 0 when a newer one was there (not replaced). */
  bytes: number;
  /** Events folded after the snapshot loaded. */
  folded: number;
}

export default function writeSnapshot({ dbPath, me, seq, at }: SnapshotTask): SnapshotDone {
  const db = openDatabase(dbPath, { busyTimeoutMs: 30_000 });
  try {
    const snapshots = new StateSnapshots(db);
    const loaded = snapshots.load(me, seq);
    const state = 'state' in loaded ? loaded.state : new MeshState(me);
    let folded = 0;
    for (const { seq: eventSeq, event } of new EventStore(db).events('state' in loaded ? loaded.seq : 0)) {
      if (eventSeq > seq) break;
      state.apply(event);
      folded++;
    }
    return { bytes: snapshots.writeIfNewer(state, seq, at), folded };
  } finally {
    db.close();
  }
}

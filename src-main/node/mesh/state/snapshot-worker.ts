// The thread that makes a running node's snapshots (snapshot-thread.ts runs it): it opens the
// journal's database on a connection of its own, loads the last snapshot, folds the events after
// it up to the seq it is given, and encodes and compresses the result. The node's main thread
// gives nothing but the seq: a big state's snapshot (seconds to encode at 100,000 units) never
// holds it. At the lowest CPU priority, as the unit threads: nobody waits on it. It only reads:
// the row is written by the caller, on the journal's own connection (snapshot-thread.ts).
import { MeshState } from '../../../core/mesh/state/state.js';
import { lowerThisThreadsPriority } from '../../exec/thread-priority.js';
import { openDatabase } from '../../journal/database.js';
import { EventStore } from '../../journal/event-store.js';
import { snapshotBody, StateSnapshots } from '../../journal/state-snapshots.js';

lowerThisThreadsPriority();

export interface SnapshotTask {
  dbPath: string;
  /** The node's peer id (the state's `me`). */
  me: string;
  /** Fold the journal up to this seq, committed before the task was given. */
  seq: number;
}

export interface SnapshotFolded {
  /** The state at `seq`, as a snapshot's row holds it (snapshotBody). */
  body: Uint8Array;
  /** Events folded after the snapshot loaded. */
  folded: number;
}

export default function foldSnapshot({ dbPath, me, seq }: SnapshotTask): SnapshotFolded {
  const db = openDatabase(dbPath);
  try {
    const loaded = new StateSnapshots(db).load(me, seq);
    const state = 'state' in loaded ? loaded.state : new MeshState(me);
    let folded = 0;
    for (const { seq: eventSeq, event } of new EventStore(db).events('state' in loaded ? loaded.seq : 0)) {
      if (eventSeq > seq) break;
      state.apply(event);
      folded++;
    }
    return { body: snapshotBody(state), folded };
  } finally {
    db.close();
  }
}

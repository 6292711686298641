// Runs snapshot-worker.ts: one thread, started for a snapshot and ended SNAPSHOT_IDLE_MS after it,
// so an idle node holds no isolate (nor a copy of its state) for it. The thread folds and encodes;
// the row is written here, on the journal's own connection: the thread runs at the lowest CPU
// priority (on a busy machine a few percent of a core), and writing a big row there (72 MB for a
// million-unit job) would hold the database's write lock past the main thread's 5 s wait, the
// journal refusing the events of those seconds as `database is locked`.
import type { StateSnapshots } from '../../journal/state-snapshots.js';
import { oneThread } from '../basics/one-thread.js';
import type { SnapshotFolded, SnapshotTask } from './snapshot-worker.js';

const SNAPSHOT_IDLE_MS = 5_000;

export class SnapshotThread {
  readonly #pool = oneThread<SnapshotTask, SnapshotFolded>(
    'src-main/node/mesh/state/snapshot-worker.js',
    SNAPSHOT_IDLE_MS,
  );

  /**
   * Has the thread fold the journal up to `task.seq`, then saves the snapshot in `snapshots`
   * (writeIfNewer: not over one of a later seq). Resolves with its size (0: not saved) and the
   * events folded.
   */
  async write(
    task: SnapshotTask & { at: string },
    snapshots: Pick<StateSnapshots, 'writeIfNewer'>,
  ): Promise<{ bytes: number; folded: number }> {
    const { body, folded } = await this.#pool.run({ dbPath: task.dbPath, me: task.me, seq: task.seq });
    return { bytes: snapshots.writeIfNewer(task.me, task.seq, body, task.at), folded };
  }

  /** Ends the thread; a snapshot it is folding is dropped. */
  async close(): Promise<void> {
    await this.#pool.close({ force: true });
  }
}

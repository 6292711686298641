// Runs snapshot-worker.ts: one thread, started for a snapshot and ended SNAPSHOT_IDLE_MS after it,
// so an idle node holds no isolate (nor a copy of its state) for it.
import { oneThread } from './one-thread.js';
import type { SnapshotDone, SnapshotTask } from './snapshot-worker.js';

const SNAPSHOT_IDLE_MS = 5_000;

export class SnapshotThread {
  readonly #pool = oneThread<SnapshotTask, SnapshotDone>('src-main/node/mesh/snapshot-worker.js', SNAPSHOT_IDLE_MS);

  write(task: SnapshotTask): Promise<SnapshotDone> {
    return this.#pool.run(task);
  }

  /** Ends the thread; a snapshot it is writing is dropped, or saved if it got that far (writeIfNewer). */
  async close(): Promise<void> {
    await this.#pool.close({ force: true });
  }
}

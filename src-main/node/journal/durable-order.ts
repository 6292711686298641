// A step that must survive a power cut (StepOptions.full) resolves once the WAL holding it is on
// disk. The fsync runs on libuv's threads: done inside the commit (synchronous=FULL) it held the
// main thread for the disk's flush, milliseconds on an SSD and tens on a spinning disk, once per
// results message a provider signs. Commits still resolve in the order they were made, because
// the node folds each step into its state as it resolves, in journal order.
import fs from 'node:fs';

export class DurableOrder {
  /** The last commit still waiting to resolve; undefined when none is. */
  #tail: Promise<void> | undefined;
  #fd: number | undefined;
  #closed = false;

  constructor(
    /** The database's `-wal` file: a commit in WAL mode is an append to it. */
    private readonly walPath: string,
    /** If the WAL cannot be synced itself: a checkpoint that syncs it (and the database), on this thread. */
    private readonly syncByCheckpoint: () => void,
  ) {}

  /** Calls `resolve` after every earlier commit's, and once the WAL is on disk when `durable`. */
  settle(durable: boolean, resolve: () => void): void {
    if (!durable && this.#tail === undefined) return resolve();
    const synced = durable ? this.#syncWal() : undefined;
    // Neither waits for can reject (a failed sync falls back to a checkpoint), nor does `resolve` throw.
    const tail: Promise<void> = Promise.all([this.#tail, synced]).then(() => {
      resolve();
      if (this.#tail !== tail) return;
      this.#tail = undefined;
      if (this.#closed) this.#closeFile();
    });
    this.#tail = tail;
  }

  /** No more commits; the file closes once the syncs under way are done. */
  close(): void {
    this.#closed = true;
    if (this.#tail === undefined) this.#closeFile();
  }

  #syncWal(): Promise<void> {
    return new Promise((done) => {
      try {
        this.#fd ??= fs.openSync(this.walPath, 'r');
      } catch {
        this.#checkpoint();
        return done();
      }
      fs.fdatasync(this.#fd, (err) => {
        if (err) this.#checkpoint();
        done();
      });
    });
  }

  #checkpoint(): void {
    try {
      this.syncByCheckpoint();
    } catch {
      // closed meanwhile: its close checkpointed the WAL
    }
  }

  #closeFile(): void {
    if (this.#fd === undefined) return;
    fs.closeSync(this.#fd);
    this.#fd = undefined;
  }
}

// The journal's write queue: steps queued in one turn of the event loop (or until `maxBatch`
// events) go into one transaction, a step never split across two; each step's promise resolves
// with its events' outcomes once its transaction has committed (or is on disk, for a FULL step).
import { storageFailure, type Failure } from './errors.js';
import type { Journaled } from './journal-input.js';

/**
 * What an event counts against `maxBatch`: one per EVENT_BYTES of its JSON (at least one), so an
 * event of one thing (a trust change, an offer, a ledger entry: 100-500 bytes) is one, and a batch
 * event (a settlement's 300 ledger entries) counts about as the events it stands for. Counted one
 * each, 250 of those went into one transaction that held the main thread for over half a second
 * at the end of a 100,000-unit job.
 */
const EVENT_BYTES = 512;
const eventWeight = (item: Journaled): number => Math.max(1, Math.ceil(item.body.length / EVENT_BYTES));
/**
 * The journal writes transactions for this long on one turn of the event loop (a scheduled flush,
 * or steps reaching `maxBatch`), then leaves the rest to the next turn: what was queued behind a
 * burst (a job's settlements arriving together) is written a transaction or two at a time, with
 * the loop turning between. `flush()` writes everything.
 */
const FLUSH_SLICE_MS = 8;
/**
 * How long a step that commits FULL waits for others to share its fsync: a small part of the
 * fsync itself (about 7 ms on the test VM), so a stream of results, one a unit, commits a few
 * units per fsync instead of one.
 */
const FULL_COALESCE_MS = 2;

/** One logical step: its events go into one transaction, never split across two. */
interface Step<O> {
  items: Journaled[];
  /** What it counts against `maxBatch` (eventWeight). */
  weight: number;
  /** Resolved once on disk (see StepOptions). */
  full: boolean;
  resolve: (outcomes: (O | Failure)[]) => void;
}

/** What the queue writes with: `O`, an item's outcome (the journal's AppendOutcome). */
export interface GroupCommitTarget<O> {
  /** Writes the items in one transaction; throws (rolled back) on a storage error. */
  commit(items: readonly Journaled[], full: boolean): O[];
  /** Runs `resolve` once a transaction just written is as durable as its steps asked (DurableOrder). */
  settle(written: boolean, full: boolean, resolve: () => void): void;
  /** Whether the journal is closed: a scheduled flush then writes nothing. */
  closed(): boolean;
}

export class GroupCommit<O> {
  readonly #maxBatch: number;
  #queue: Step<O>[] = [];
  /** Events in the queue (by weight). */
  #queued = 0;
  #flushScheduled = false;
  /** How long sliced flushes have written on this turn of the event loop. */
  #flushedThisTurnMs = 0;

  constructor(
    maxBatch: number,
    private readonly target: GroupCommitTarget<O>,
  ) {
    this.#maxBatch = Math.max(1, Math.floor(maxBatch));
  }

  /** Queues one step; resolves with its items' outcomes, in order, once committed. */
  add(items: Journaled[], full: boolean): Promise<(O | Failure)[]> {
    return new Promise<(O | Failure)[]>((resolve) => {
      const weight = items.reduce((sum, item) => sum + eventWeight(item), 0);
      this.#queue.push({ items, weight, full, resolve });
      this.#queued += weight;
      if (this.#queued >= this.#maxBatch) this.#flushFor(FLUSH_SLICE_MS);
      else if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        // A FULL step waits for the disk (milliseconds): steps arriving meanwhile share its fsync.
        if (full) setTimeout(this.#scheduledFlush, FULL_COALESCE_MS);
        else setImmediate(this.#scheduledFlush);
      }
    });
  }

  /**
   * Writes every queued step, whole steps per transaction (up to `maxBatch` events each, counted
   * by eventWeight, but never cutting a step), then resolves their promises.
   */
  flush(): void {
    this.#flushFor(Infinity);
  }

  /** As flush, for about `sliceMs`: what is left is written on the next turn of the event loop. */
  #flushFor(sliceMs: number): void {
    // The slice is a turn's: messages handled in one turn (a burst of settlements read together)
    // each reach maxBatch, and each flushing its own slice made that turn last a second.
    const start = performance.now() - this.#flushedThisTurnMs;
    if (this.#flushedThisTurnMs === 0 && sliceMs !== Infinity) setImmediate(() => (this.#flushedThisTurnMs = 0));
    try {
      this.#writeQueue(start, sliceMs);
    } finally {
      if (sliceMs !== Infinity) this.#flushedThisTurnMs = performance.now() - start;
    }
  }

  #writeQueue(start: number, sliceMs: number): void {
    while (this.#queue.length > 0) {
      if (performance.now() - start >= sliceMs) {
        this.#scheduleFlush();
        return;
      }
      let weight = 0;
      let take = 0;
      while (take < this.#queue.length && (take === 0 || weight + this.#queue[take]!.weight <= this.#maxBatch))
        weight += this.#queue[take++]!.weight;
      const steps = this.#queue.splice(0, take);
      this.#queued -= weight;
      const items = steps.flatMap((step) => step.items);
      const full = steps.some((step) => step.full);
      let outcomes: (O | Failure)[];
      let written = true;
      try {
        outcomes = this.target.commit(items, full);
      } catch (err) {
        const failed = storageFailure(err); // the transaction rolled back: none of these steps is written
        outcomes = items.map(() => failed);
        written = false;
      }
      this.target.settle(written, full, () => {
        let at = 0;
        for (const step of steps) {
          step.resolve(outcomes.slice(at, at + step.items.length));
          at += step.items.length;
        }
      });
    }
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(this.#scheduledFlush);
  }

  #scheduledFlush = (): void => {
    this.#flushScheduled = false;
    if (!this.target.closed()) this.#flushFor(FLUSH_SLICE_MS);
  };
}

// The executor's watchdog over one batch in a worker (executor.ts): the worker writes which unit it
// is on, and since when, into shared memory; the watchdog reads it and fires once that unit has run
// past its own wall-time limit.
import { epochMs } from './worker.js';

/** The progress index before the worker has begun a batch. */
export const NOT_STARTED = -1;

/**
 * Fires `onLate` once the unit a worker is on has run past its own limit. Until the worker starts
 * the batch (a fresh worker first loads its code) no unit's clock runs.
 */
export class Watchdog {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly batch: readonly { timeoutMs: number }[],
    private readonly index: Int32Array,
    private readonly startedAt: Float64Array,
    private readonly onLate: () => void,
  ) {
    this.arm(epochMs() + this.shortestLimitFrom(0));
  }

  /** The shortest limit among the units from `first` on; none of them can pass it sooner. */
  private shortestLimitFrom(first: number): number {
    return Math.min(...this.batch.slice(first).map((p) => p.timeoutMs));
  }

  private arm(deadline: number): void {
    this.timer = setTimeout(() => this.check(), Math.max(0, deadline - epochMs()));
  }

  private check(): void {
    const at = Atomics.load(this.index, 0);
    const now = epochMs();
    if (at === NOT_STARTED) return this.arm(now + this.shortestLimitFrom(0));
    if (at >= this.batch.length) return; // all ended: the outcomes are on their way
    const deadline = this.startedAt[0]! + this.batch[at]!.timeoutMs;
    if (now >= deadline) return this.onLate();
    // Look again at the running unit's deadline, or sooner if a later unit has a shorter limit.
    this.arm(Math.min(deadline, now + this.shortestLimitFrom(at + 1)));
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

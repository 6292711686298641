// The requester's units decided again later: an output still to be fetched, a check that could not
// run yet, a verdict whose journal step failed (the disk full, an I/O error).
import { RecordError, type NodeContext } from '../context/node-context.js';

/** A unit is decided again after this long. */
const DECIDE_AGAIN_MS = 5_000;

export class DecideLater {
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Failed journal steps already logged (one error is every verdict of its step's). */
  readonly #failedSteps = new WeakSet<RecordError>();
  #stopped = false;

  constructor(
    private readonly ctx: Pick<NodeContext, 'log' | 'background'>,
    private readonly decide: (unitId: string) => Promise<void>,
  ) {}

  /** Decides the unit again in DECIDE_AGAIN_MS. */
  unit(unitId: string): void {
    if (this.#stopped) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.ctx.background(`deciding ${unitId}`, this.decide(unitId));
    }, DECIDE_AGAIN_MS);
    timer.unref();
    this.#timers.add(timer);
  }

  /**
   * The journal failed the verdict's step: none of it was kept, nor its receipt's link; the unit is
   * decided again later. Said once for the units of one failed step. Any other error is thrown on.
   */
  notJournaled(unitId: string, err: unknown): void {
    if (!(err instanceof RecordError) || !err.storageFailed) throw err;
    if (!this.#failedSteps.has(err)) {
      this.#failedSteps.add(err);
      this.ctx.log(
        `verdicts not journaled (${err.refused[0]!.message}); deciding them again in ${DECIDE_AGAIN_MS / 1000} s`,
      );
    }
    this.unit(unitId);
  }

  /** No more units are decided again. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}

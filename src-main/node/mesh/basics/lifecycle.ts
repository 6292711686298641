// What a service needs to stop cleanly: the work still in flight (to wait for before closing what
// it uses), and what was opened (to close in reverse order, on stop or when a start fails halfway).
import { describeError } from '../../../core/errors.js';

/** Promises nobody else awaits, kept until they settle, so a stop can wait for them. */
export class InFlight {
  readonly #work = new Set<Promise<unknown>>();

  /** Keeps `work` until it settles, and returns it unchanged. */
  track<T>(work: Promise<T>): Promise<T> {
    const settled: Promise<boolean> = work.then(
      () => this.#work.delete(settled),
      () => this.#work.delete(settled),
    );
    this.#work.add(settled);
    return work;
  }

  get size(): number {
    return this.#work.size;
  }

  /** Resolves once everything tracked has settled, including what was tracked while waiting. */
  async settled(): Promise<void> {
    while (this.#work.size > 0) await Promise.all(this.#work);
  }
}

/** What was opened, closed in reverse order; a close that fails is logged and the rest still close. */
export class Opened {
  readonly #closers: { what: string; close: () => unknown }[] = [];

  constructor(private readonly log: (message: string) => void) {}

  add(what: string, close: () => unknown): void {
    this.#closers.push({ what, close });
  }

  async closeAll(): Promise<void> {
    for (const { what, close } of this.#closers.splice(0).reverse()) {
      try {
        await close();
      } catch (err) {
        this.log(`closing ${what} failed: ${describeError(err)}`);
      }
    }
  }
}

// A timer for watching state that only events change: it runs `tick` every `everyMs` while `tick`
// says there is something to watch (assignments held, deadlines pending), and stops when there is
// none, so an idle node has no such timer at all. Any change to the state goes through
// MeshNode.record, which calls wake(): the timer starts again with the work that needs it.
export class WatchTimer {
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  /** `tick` does the check and returns whether anything is left to watch. */
  constructor(
    private readonly tick: () => boolean,
    private readonly everyMs: number,
  ) {}

  /** Ticks now, and from then on while there is something to watch. */
  start(): void {
    this.#stopped = false;
    this.#run();
  }

  /** The state changed: watch again (from the next interval) unless already watching. */
  wake(): void {
    if (this.#stopped || this.#timer) return;
    this.#timer = setTimeout(() => this.#run(), this.everyMs);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #run(): void {
    this.#timer = undefined;
    if (this.#stopped || !this.tick()) return;
    this.#timer = setTimeout(() => this.#run(), this.everyMs);
  }
}

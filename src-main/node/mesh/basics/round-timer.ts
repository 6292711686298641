// When a node's periodic work runs (its offer rounds, acceptance rounds, commitment publications):
// soon, but at least a gap after the last began, so that what comes meanwhile is taken together;
// or at the end of this turn when asked for `now` (a new job, an idle provider: waiting would
// leave cores idle).
export class RoundTimer {
  #timer: NodeJS.Timeout | undefined;
  #lastAt = -Infinity;
  #stopped = false;

  constructor(
    private readonly gapMs: number,
    /** The least wait when not `now`: the rest of this turn's changes join the round. */
    private readonly minWaitMs: number,
    private readonly round: () => void,
  ) {}

  soon(now = false): void {
    if (this.#stopped) return;
    if (this.#timer) {
      if (!now) return;
      clearTimeout(this.#timer);
    }
    const wait = now ? 0 : Math.max(this.minWaitMs, this.#lastAt + this.gapMs - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#lastAt = performance.now();
      this.round();
    }, wait);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}

/** Keys OncePerGap remembers; past this, all are forgotten (each may then pass once more). */
const KEYS_KEPT = 1024;

/**
 * Lets each key through at most once a gap: what brings a round forward (a peer's new job, its
 * offers) must not become a way for that peer to run rounds back to back.
 */
export class OncePerGap {
  readonly #lastAt = new Map<string, number>();
  readonly #givenBackAt = new Map<string, number>();

  constructor(private readonly gapMs: number) {}

  take(key: string): boolean {
    const nowMs = performance.now();
    if (nowMs - (this.#lastAt.get(key) ?? -Infinity) < this.gapMs) return false;
    if (this.#lastAt.size >= KEYS_KEPT) this.#lastAt.clear();
    this.#lastAt.set(key, nowMs);
    return true;
  }

  /**
   * The key's pass was spent on nothing (the round it brought forward gave it nothing): it may
   * pass once more within the gap, but is given back at most once a gap, so a key passes at most
   * twice a gap.
   */
  giveBack(key: string): void {
    const nowMs = performance.now();
    if (nowMs - (this.#givenBackAt.get(key) ?? -Infinity) < this.gapMs) return;
    if (this.#givenBackAt.size >= KEYS_KEPT) this.#givenBackAt.clear();
    this.#givenBackAt.set(key, nowMs);
    this.#lastAt.delete(key);
  }
}

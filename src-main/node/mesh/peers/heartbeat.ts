// The commitment's heartbeat: my commitment goes out again every 2 s while I have open units
// (offers lapse, providers re-offer on it); with none, at doubling intervals up to a minute, until
// the next change wakes it back to 2 s.
import { Backoff } from '../basics/backoff.js';

const COMMITMENT_HEARTBEAT_MS = 2000;
const IDLE_HEARTBEAT_MAX_MS = 60_000;

export class Heartbeat {
  #timer: NodeJS.Timeout | undefined;
  readonly #interval = new Backoff(COMMITMENT_HEARTBEAT_MS, IDLE_HEARTBEAT_MAX_MS);
  #stopped = false;

  /** `idle`: whether I have no open units now; `beat`: what each beat does. */
  constructor(
    private readonly idle: () => boolean,
    private readonly beat: () => void,
  ) {}

  start(): void {
    this.#schedule();
  }

  /** Something changed: back to the shortest interval. */
  wake(): void {
    if (this.#interval.ms === this.#interval.first || this.#timer === undefined || this.#stopped) return;
    clearTimeout(this.#timer);
    this.#interval.reset();
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      if (this.idle()) this.#interval.double();
      else this.#interval.reset();
      this.beat();
      this.#schedule();
    }, this.#interval.ms);
  }
}

// A pause that doubles each time it is taken, from its first length up to its longest, and starts
// over at its first when what it waits on moves again: a retry of what keeps failing, or a beat
// with nothing new to say, costs less the longer it lasts, and is back at its pace at once.
export class Backoff {
  #ms: number;

  constructor(
    /** The first pause, and the one after a reset (ms). */
    readonly first: number,
    /** The longest pause (ms); without it the pause doubles for good. */
    readonly longest = Infinity,
  ) {
    this.#ms = first;
  }

  /** The pause to take now (ms). */
  get ms(): number {
    return this.#ms;
  }

  /** The next pause: twice this one, up to the longest. */
  double(): number {
    this.#ms = Math.min(this.#ms * 2, this.longest);
    return this.#ms;
  }

  /** Back to the first pause. */
  reset(): void {
    this.#ms = this.first;
  }
}

// Assignments of mine that a step is about to change, between the moment it decides from the state
// and the moment its events are journaled (and folded): a result being taken, a deadline refund or
// a cancel being made. Each reads the state, then waits for the journal; without a claim two could
// decide on the same assignment: a result that arrives as its deadline passes could be both taken
// (and judged, its unit verified) and refunded as late, the provider unpaid for the output used.
export class AssignmentClaims {
  readonly #claimed = new Set<string>();

  /** Claims those of `ids` no other step holds; returns them (release them once journaled). */
  claim(ids: Iterable<string>): Set<string> {
    const mine = new Set<string>();
    for (const id of ids) {
      if (this.#claimed.has(id)) continue;
      this.#claimed.add(id);
      mine.add(id);
    }
    return mine;
  }

  /** Runs `work` holding every assignment `of()` names (#claimEvery); releases them once it ends. */
  async whileHolding<T>(of: () => readonly string[], work: () => Promise<T>): Promise<T> {
    const mine = await this.#claimEvery(of);
    try {
      return await work();
    } finally {
      this.release(mine);
    }
  }

  /**
   * Claims every assignment `of()` names, waiting (5 ms at a time) while another step holds one,
   * until none is left unclaimed; asked again after each wait, since what it names may change.
   */
  async #claimEvery(of: () => readonly string[]): Promise<Set<string>> {
    const mine = new Set<string>();
    for (;;) {
      const wanted = of().filter((id) => !mine.has(id));
      if (wanted.length === 0) return mine;
      for (const id of this.claim(wanted)) mine.add(id);
      if (wanted.some((id) => !mine.has(id))) await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  release(ids: Iterable<string>): void {
    for (const id of ids) this.#claimed.delete(id);
  }
}

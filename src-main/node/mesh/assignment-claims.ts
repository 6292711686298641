// Assignments of mine that a step is about to change, between the moment it decides from the state
// and the moment its events are journaled (and folded): a result being taken, a deadline refund
// being made. Each reads the state, then waits for the journal; without a claim both could decide
// on the same assignment, and a result that arrived as its deadline passed was both taken (and
// judged, its unit verified) and refunded as late, the provider unpaid for the output used.
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

  release(ids: Iterable<string>): void {
    for (const id of ids) this.#claimed.delete(id);
  }
}

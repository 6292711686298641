// My held escrows by my side in them, and of those the ones with no result yet (in flight): what
// deadline checks, offer rounds and reconciles walk. Their cost then follows the work in flight,
// not the results a big job holds, accepted unchecked, until it completes (thousands for a job of
// thousands). Rebuilt from the state after a snapshot restore or a compaction; not saved.
import type { AssignmentRecord } from './records.js';

/** My side in an assignment: `requester` for my units, `provider` for theirs that I run. */
export type Side = 'requester' | 'provider';

export class HeldIndex {
  readonly #held = { requester: new Map<string, AssignmentRecord>(), provider: new Map<string, AssignmentRecord>() };
  readonly #inFlight = {
    requester: new Map<string, AssignmentRecord>(),
    provider: new Map<string, AssignmentRecord>(),
  };

  /** What the escrows of each requester's units I run come to, while held: what its credit with me counts. */
  readonly #heldFrom = new Map<string, number>();

  constructor(private readonly me: string) {}

  /** Its escrow is now held (`held`), or closed (settled or refunded). */
  track(assignment: AssignmentRecord, held: boolean): void {
    const id = assignment.acceptance.assignment_id;
    for (const side of this.#sides(assignment)) {
      if (side === 'provider' && held !== this.#held.provider.has(id)) {
        const { requester_peer: requester, price } = assignment.acceptance;
        const sum = (this.#heldFrom.get(requester) ?? 0) + (held ? price : -price);
        if (sum === 0) this.#heldFrom.delete(requester);
        else this.#heldFrom.set(requester, sum);
      }
      if (held) {
        this.#held[side].set(id, assignment);
        if (!assignment.result) this.#inFlight[side].set(id, assignment);
      } else {
        this.#held[side].delete(id);
        this.#inFlight[side].delete(id);
      }
    }
  }

  /** Its result is in. */
  resultIn(assignment: AssignmentRecord): void {
    for (const side of this.#sides(assignment)) this.#inFlight[side].delete(assignment.acceptance.assignment_id);
  }

  held(side: Side): ReadonlyMap<string, AssignmentRecord> {
    return this.#held[side];
  }

  inFlight(side: Side): ReadonlyMap<string, AssignmentRecord> {
    return this.#inFlight[side];
  }

  heldFrom(requester: string): number {
    return this.#heldFrom.get(requester) ?? 0;
  }

  #sides({ acceptance }: AssignmentRecord): Side[] {
    const sides: Side[] = [];
    if (acceptance.requester_peer === this.me) sides.push('requester');
    if (acceptance.provider_peer === this.me) sides.push('provider');
    return sides;
  }
}

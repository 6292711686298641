// Which penalties reach the journal. A peer's bad messages are counted in memory as they come; the
// journal gets at most one `peer.penalized` per peer per window, carrying how many it stands for,
// and at most MAX_JOURNALED_PER_WINDOW of them across all peers, so that no stream of bad frames,
// and no crowd of fresh identities, can grow the journal faster than that. Time is an argument.

/** One journaled penalty per peer per this long. */
export const PENALTY_WINDOW_MS = 10 * 60_000;
/** Journaled penalties across all peers per window; past it, penalties are only counted. */
export const MAX_JOURNALED_PER_WINDOW = 100;
/** Peers tracked at once; past this the least recently penalized is forgotten. */
const MAX_TRACKED = 10_000;

interface PeerPenalties {
  /** When this peer's current window opened (its last journaled penalty). */
  windowStartMs: number;
  /** Penalties since the last journaled one, not yet in the journal. */
  pending: number;
}

export class PenaltyBook {
  readonly #peers = new Map<string, PeerPenalties>();
  #globalWindowStartMs = -Infinity;
  #journaledInWindow = 0;

  /**
   * Notes one penalty of `peer` at `nowMs`. Returns the count to journal now (this one and those
   * held back since the last), or undefined when it is only counted.
   */
  note(peer: string, nowMs: number): number | undefined {
    const entry = this.#peers.get(peer);
    if (entry !== undefined && nowMs - entry.windowStartMs < PENALTY_WINDOW_MS) {
      entry.pending++;
      return undefined;
    }
    if (nowMs - this.#globalWindowStartMs >= PENALTY_WINDOW_MS) {
      this.#globalWindowStartMs = nowMs;
      this.#journaledInWindow = 0;
    }
    const count = (entry?.pending ?? 0) + 1;
    if (this.#journaledInWindow >= MAX_JOURNALED_PER_WINDOW) {
      this.#remember(peer, { windowStartMs: entry?.windowStartMs ?? -Infinity, pending: count });
      return undefined;
    }
    this.#journaledInWindow++;
    this.#remember(peer, { windowStartMs: nowMs, pending: 0 });
    return count;
  }

  #remember(peer: string, entry: PeerPenalties): void {
    this.#peers.delete(peer);
    this.#peers.set(peer, entry);
    if (this.#peers.size > MAX_TRACKED) this.#peers.delete(this.#peers.keys().next().value!);
  }
}

// Results a requester holds: it accepted them unchecked and pays them all when their job completes,
// pushing the settlement then. Should that push be lost (I was away), I ask again by resending
// results: the reply is their settlement. I ask a batch at a time: a requester that just connected,
// or every RETRY_MS, gets one message of my oldest held results; while the replies settle them I
// go on at once, and while it still holds them I wait. Never all at once: a 200,000-unit job's held
// results are over a thousand messages, and that load on each reconnection drops the connection again.
// Each requester's held results are kept in the order it said so, so an ask reads its batch from
// the front and never walks the rest (a walk of 100,000 held holds the main thread ~70 ms).
import { MAX_RESULTS_PER_MESSAGE } from '../../../core/protocol/messages.js';

export class HeldResults {
  /** When a requester said it holds my result of each assignment, and which. */
  readonly #held = new Map<string, { since: number; requester: string }>();
  /** The same assignments by requester, oldest first. */
  readonly #byRequester = new Map<string, Set<string>>();
  /** When I last asked each requester about what it holds. */
  readonly #askedAt = new Map<string, number>();
  readonly #asking = new Set<string>();

  constructor(
    private readonly retryMs: number,
    /** Sends these results again; resolves once answered (the answer applied). */
    private readonly resend: (assignmentIds: string[]) => Promise<void>,
    private readonly isHeld: (assignmentId: string) => boolean,
    private readonly wake: () => void,
  ) {}

  /** `requester` said it holds my result of `assignmentId`. */
  held(assignmentId: string, requester: string, nowMs: number): void {
    if (this.#held.has(assignmentId)) return;
    this.#held.set(assignmentId, { since: nowMs, requester });
    const ids = this.#byRequester.get(requester);
    if (ids) ids.add(assignmentId);
    else this.#byRequester.set(requester, new Set([assignmentId]));
  }

  /** When the requester said it holds the result; undefined if it did not. */
  since(assignmentId: string): number | undefined {
    return this.#held.get(assignmentId)?.since;
  }

  has(assignmentId: string): boolean {
    return this.#held.has(assignmentId);
  }

  /** Its escrow closed: nothing more to ask. */
  forget(assignmentId: string): void {
    const requester = this.#held.get(assignmentId)?.requester;
    if (requester === undefined) return;
    this.#held.delete(assignmentId);
    const ids = this.#byRequester.get(requester)!;
    ids.delete(assignmentId);
    if (ids.size === 0) this.#byRequester.delete(requester);
  }

  /** Asks each requester due (or `connected`) about one batch of the results it holds, oldest first. */
  ask(nowMs: number, connected?: string): void {
    for (const [requester, ids] of this.#byRequester) {
      if (this.#asking.has(requester)) continue;
      if (!this.#askedAt.has(requester)) this.#askedAt.set(requester, nowMs); // the first ask waits too
      if (requester !== connected && nowMs - this.#askedAt.get(requester)! < this.retryMs) continue;
      const batch: string[] = [];
      for (const id of ids) {
        if (!this.isHeld(id))
          this.forget(id); // closed some other way
        else if (batch.push(id) === MAX_RESULTS_PER_MESSAGE) break;
      }
      if (batch.length > 0) this.#askAbout(requester, batch, nowMs);
    }
  }

  #askAbout(requester: string, ids: string[], nowMs: number): void {
    this.#askedAt.set(requester, nowMs);
    this.#asking.add(requester);
    const answered = (): void => {
      this.#asking.delete(requester);
      // Settled: the job is done there, so go on with the next batch now.
      if (ids.some((id) => !this.isHeld(id))) {
        this.#askedAt.set(requester, -Infinity);
        this.wake();
      }
    };
    this.resend(ids).then(answered, answered);
  }
}

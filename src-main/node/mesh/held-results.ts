// Results a requester holds: it accepted them unchecked and pays them all when their job completes,
// pushing the settlement then. Should that push be lost (I was away), I ask again by resending
// results: the reply is their settlement. I ask a batch at a time: a requester that just connected,
// or every RETRY_MS, gets one message of my oldest held results; while the replies settle them I
// go on at once, and while it still holds them I wait. Resending them all on every connect cost a
// 200,000-unit job its end: 160,000 held results, over a thousand messages each time the
// connection came back, and the load dropped the connection again.
import { MAX_RESULTS_PER_MESSAGE } from '../../core/protocol/messages.js';
import type { AssignmentRecord } from '../../core/mesh/records.js';

export class HeldResults {
  /** When each requester said it holds my result of each assignment. */
  readonly #since = new Map<string, number>();
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

  /** The requester said it holds my result of `assignmentId`. */
  held(assignmentId: string, nowMs: number): void {
    if (!this.#since.has(assignmentId)) this.#since.set(assignmentId, nowMs);
  }

  /** When the requester said it holds the result; undefined if it did not. */
  since(assignmentId: string): number | undefined {
    return this.#since.get(assignmentId);
  }

  has(assignmentId: string): boolean {
    return this.#since.has(assignmentId);
  }

  forget(assignmentId: string): void {
    this.#since.delete(assignmentId);
  }

  /** Asks each requester due (or `connected`) about one batch of the results it holds. */
  ask(held: readonly AssignmentRecord[], nowMs: number, connected?: string): void {
    const byRequester = new Map<string, string[]>();
    for (const { acceptance } of held) {
      if (!this.#since.has(acceptance.assignment_id)) continue;
      const requester = acceptance.requester_peer;
      if (this.#asking.has(requester)) continue;
      if (!this.#askedAt.has(requester)) this.#askedAt.set(requester, nowMs); // the first ask waits too
      if (requester !== connected && nowMs - this.#askedAt.get(requester)! < this.retryMs) continue;
      const ids = byRequester.get(requester) ?? [];
      if (ids.length < MAX_RESULTS_PER_MESSAGE) ids.push(acceptance.assignment_id);
      byRequester.set(requester, ids);
    }
    for (const [requester, ids] of byRequester) {
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
}

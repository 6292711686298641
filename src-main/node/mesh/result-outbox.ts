// The provider's results on their way to their requesters: the units that end within a few
// milliseconds of each other go in one `results` message per requester, answered by one
// settlement, so a stream of tiny units costs a message, a signature and a journal commit per
// batch, not per unit.
import {
  MAX_INLINE_OUTPUT_BYTES_PER_MESSAGE,
  MAX_RESULTS_PER_MESSAGE,
  type MessageBody,
  type ResultItem,
} from '../../core/protocol/messages.js';
import type { NodeContext } from './context.js';
import { InlineBudget } from './inline-blobs.js';

/** How long a finished unit's result waits for others to share its message. */
const GATHER_MS = 5;

interface Waiting {
  ids: string[];
  timer: NodeJS.Timeout;
  /** Resolved once the message carrying these results has been answered (or failed). */
  sent: Promise<void>;
  done: () => void;
}

export class ResultOutbox {
  /** Results waiting to go, by requester. */
  readonly #waiting = new Map<string, Waiting>();
  #stopped = false;

  constructor(
    private readonly ctx: NodeContext,
    /** The requester's answer: how it closed these assignments. */
    private readonly onSettlement: (requester: string, settlement: MessageBody<'settlement'>) => Promise<void>,
  ) {}

  /** Sends the assignment's result (with its receipt) soon; resolves once its message was answered. */
  send(requester: string, assignmentId: string): Promise<void> {
    if (this.#stopped) return Promise.resolve(); // a unit that ended while the node stopped: its result goes after the restart
    let waiting = this.#waiting.get(requester);
    if (!waiting) {
      let done!: () => void;
      const sent = new Promise<void>((resolve) => (done = resolve));
      const timer = setTimeout(() => this.#flush(requester), GATHER_MS);
      this.#waiting.set(requester, (waiting = { ids: [], timer, sent, done }));
    }
    if (!waiting.ids.includes(assignmentId)) waiting.ids.push(assignmentId);
    if (waiting.ids.length >= MAX_RESULTS_PER_MESSAGE) {
      clearTimeout(waiting.timer);
      this.#flush(requester);
    }
    return waiting.sent;
  }

  /** Nothing more goes out; what waits is dropped (it is sent again after a restart). */
  stop(): void {
    this.#stopped = true;
    for (const waiting of this.#waiting.values()) {
      clearTimeout(waiting.timer);
      waiting.done();
    }
    this.#waiting.clear();
  }

  #flush(requester: string): void {
    const waiting = this.#waiting.get(requester);
    if (!waiting) return;
    this.#waiting.delete(requester);
    const results = this.#items(waiting.ids);
    const sending =
      results.length === 0
        ? Promise.resolve()
        : this.ctx.send(requester, 'results', { results }).then(async (reply) => {
            if (reply?.type === 'settlement')
              await this.onSettlement(requester, reply.body as MessageBody<'settlement'>);
          });
    this.ctx.background(`sending ${results.length} results to ${requester}`, sending.finally(waiting.done));
  }

  /** Each result with its receipt, and its output inline while the message has room for it. */
  #items(ids: readonly string[]): ResultItem[] {
    const { state, blobs } = this.ctx;
    const budget = new InlineBudget(blobs, MAX_INLINE_OUTPUT_BYTES_PER_MESSAGE);
    const items: ResultItem[] = [];
    for (const id of ids) {
      const result = state.assignments.get(id)?.result;
      const receipt = result && state.executionOf(id);
      if (!result || !receipt?.sig) continue;
      const output = budget.take(result.output_cid);
      items.push({
        result,
        receipt: { receipt: receipt.receipt, sig: receipt.sig },
        ...(output !== undefined ? { output_base64: output } : {}),
      });
    }
    return items;
  }
}

// The requester's verdicts, signed in batches: the verdicts reached in the same turn of the event
// loop (a `results` message's units are decided together) go in one verification receipt, one
// signature and one link of my chain for all of them, not one per unit; and they are journaled
// with it, with what they pay and refund, as one step. The verdict events go first, side by side,
// so that the step journals them as one `units.verified` (journal-step.ts); the rest keep their
// order after them. One step, so one FULL commit: a receipt journaled apart from its verdicts would
// be a commit of its own, and a crash between the two would leave the receipt without them.
import { LIMITS, type Verdict } from '../../../core/schemas/index.js';
import type { ChainedReceipt } from '../../receipts/index.js';
import { iso, type NewEvent, type NodeContext } from '../context/node-context.js';
import { signAndJournal } from '../settlement/outgoing-receipts.js';

/** A receipt's verdicts as JSON, at most: a settlement carries whole receipts (settlement-messages.ts). */
export const MAX_VERDICT_BYTES_PER_RECEIPT = 64 * 1024;

interface Waiting {
  verdict: Verdict;
  /** What the verdict journals: its `unit.verified`, and what it pays and refunds. */
  events: readonly NewEvent[];
  bytes: number;
  resolve: (receipt: ChainedReceipt) => void;
  reject: (err: unknown) => void;
}

export class VerdictReceipts {
  #waiting: Waiting[] = [];
  #bytes = 0;

  constructor(private readonly ctx: Pick<NodeContext, 'receipts' | 'now' | 'record' | 'background' | 'signal'>) {}

  /**
   * Resolves with the verification receipt that signs this verdict, with those reached beside it,
   * once it is journaled with `events`; rejects, with the others of its step, if the journal refuses it.
   */
  sign(verdict: Verdict, events: readonly NewEvent[] = []): Promise<ChainedReceipt> {
    const bytes = JSON.stringify(verdict).length;
    if (this.#bytes + bytes > MAX_VERDICT_BYTES_PER_RECEIPT) this.#flush();
    return new Promise((resolve, reject) => {
      if (this.#waiting.length === 0) setImmediate(() => this.#flush());
      this.#waiting.push({ verdict, events, bytes, resolve, reject });
      this.#bytes += bytes;
      if (this.#waiting.length >= LIMITS.verdictsPerReceipt) this.#flush();
    });
  }

  #flush(): void {
    const batch = this.#waiting;
    if (batch.length === 0) return;
    this.#waiting = [];
    this.#bytes = 0;
    const events = batch.flatMap((w) => w.events);
    const verdicts = events.filter((e) => e.type === 'unit.verified');
    const steps = [...verdicts, ...events.filter((e) => e.type !== 'unit.verified')];
    this.#signAndStore(
      batch.map((w) => w.verdict),
      steps,
    ).then(
      (receipt) => batch.forEach((w) => w.resolve(receipt)),
      (err: unknown) => batch.forEach((w) => w.reject(err)),
    );
  }

  /** Journaled once here, not with each verdict: its event would be checked again with each. */
  #signAndStore(verdicts: Verdict[], events: readonly NewEvent[]): Promise<ChainedReceipt> {
    return signAndJournal(this.ctx, { kind: 'verification_batch', timestamp: iso(this.ctx.now()), verdicts }, events);
  }
}

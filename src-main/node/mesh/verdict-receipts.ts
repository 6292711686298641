// The requester's verdicts, signed in batches: the verdicts reached in the same turn of the event
// loop (a `results` message's units are decided together) go in one verification receipt, one
// signature and one link of my chain for all of them, not one per unit.
import { LIMITS, type Verdict } from '../../core/schemas/index.js';
import type { ChainedReceipt } from '../receipts/index.js';
import { iso, type NodeContext } from './context.js';
import { signAndJournal } from './outgoing-receipts.js';

/** A receipt's verdicts as JSON, at most: a settlement carries whole receipts (settlement.ts). */
export const MAX_VERDICT_BYTES_PER_RECEIPT = 64 * 1024;

interface Waiting {
  verdict: Verdict;
  bytes: number;
  resolve: (receipt: ChainedReceipt) => void;
  reject: (err: unknown) => void;
}

export class VerdictReceipts {
  #waiting: Waiting[] = [];
  #bytes = 0;

  constructor(private readonly ctx: Pick<NodeContext, 'receipts' | 'now' | 'record'>) {}

  /** Resolves with the verification receipt that signs this verdict, with those reached beside it, once it is journaled. */
  sign(verdict: Verdict): Promise<ChainedReceipt> {
    const bytes = JSON.stringify(verdict).length;
    if (this.#bytes + bytes > MAX_VERDICT_BYTES_PER_RECEIPT) this.#flush();
    return new Promise((resolve, reject) => {
      if (this.#waiting.length === 0) setImmediate(() => this.#flush());
      this.#waiting.push({ verdict, bytes, resolve, reject });
      this.#bytes += bytes;
      if (this.#waiting.length >= LIMITS.verdictsPerReceipt) this.#flush();
    });
  }

  #flush(): void {
    const batch = this.#waiting;
    if (batch.length === 0) return;
    this.#waiting = [];
    this.#bytes = 0;
    this.#signAndStore(batch.map((w) => w.verdict)).then(
      (receipt) => batch.forEach((w) => w.resolve(receipt)),
      (err: unknown) => batch.forEach((w) => w.reject(err)),
    );
  }

  /** Journaled once here, not with each verdict: its event would be checked again with each. */
  #signAndStore(verdicts: Verdict[]): Promise<ChainedReceipt> {
    return signAndJournal(this.ctx, { kind: 'verification_batch', timestamp: iso(this.ctx.now()), verdicts });
  }
}

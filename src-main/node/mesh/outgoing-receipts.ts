// Receipts this node sends: each signed into my chain and journaled before it leaves (a receipt a
// peer holds must survive me: signed again after a loss, my chain would fork), and the room a
// message has for the whole receipts it carries.
import type { SignedReceipt } from '../../core/protocol/messages.js';
import type { StoredReceipt } from '../../core/mesh/state.js';
import type { ChainedReceipt, ReceiptFields } from '../receipts/index.js';
import type { NewEvent, NodeContext } from './context.js';

/**
 * Signs the next receipt of my chain and journals it, after `before` in the same commit (what it
 * speaks of); resolves once it is journaled.
 */
export async function signAndJournal(
  ctx: Pick<NodeContext, 'receipts' | 'record'>,
  fields: ReceiptFields,
  before: readonly NewEvent[] = [],
): Promise<ChainedReceipt> {
  const chained = await ctx.receipts.next(fields);
  await ctx.record([
    ...before,
    {
      type: 'receipt.stored',
      event_id: `receipt/${chained.cid}`,
      cid: chained.cid,
      receipt: chained.receipt,
      sig: chained.signed.sig,
    },
  ]);
  return chained;
}

/** The receipts one message carries, each once, within a budget of JSON bytes (the first always fits). */
export class ReceiptRoom {
  readonly #receipts = new Map<string, SignedReceipt>();
  #bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Whether the message carries this receipt: already, or now; false when it has no room left. */
  take({ cid, receipt, sig }: StoredReceipt & { sig: string }): boolean {
    if (this.#receipts.has(cid)) return true;
    const signed = { receipt, sig };
    const bytes = JSON.stringify(signed).length;
    if (this.#receipts.size > 0 && this.#bytes + bytes > this.maxBytes) return false;
    this.#receipts.set(cid, signed);
    this.#bytes += bytes;
    return true;
  }

  list(): SignedReceipt[] {
    return [...this.#receipts.values()];
  }
}

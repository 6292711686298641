// Receipts this node sends: each signed into my chain and journaled before it leaves (a receipt a
// peer holds must survive me: signed again after a loss, my chain would fork), and the room a
// message has for the whole receipts it carries.
import { setTimeout as sleep } from 'node:timers/promises';
import type { SignedReceipt } from '../../../core/protocol/messages.js';
import type { StoredReceipt } from '../../../core/mesh/state/state.js';
import type { ChainedReceipt, ReceiptFields } from '../../receipts/index.js';
import { RecordError, type NewEvent, type NodeContext } from '../context/node-context.js';
import { Backoff } from '../basics/backoff.js';

/** A receipt that must still reach my journal is tried again, the pause doubling up to a minute. */
const FIRST_RETRY_MS = 1000;
const LONGEST_RETRY_MS = 60_000;

type ReceiptContext = Pick<NodeContext, 'receipts' | 'record' | 'background' | 'signal'>;

/**
 * Signs the next receipt of my chain and journals it, after `before` in the same commit (what it
 * speaks of); resolves once it is journaled. A step the journal refuses (the disk full, an I/O
 * error) rejects, and its receipt leaves no gap in my chain: it is dropped from the chain while
 * nothing is signed on it yet (the next takes its place), else journaled alone once the journal
 * takes it, since a later receipt names it.
 */
export async function signAndJournal(
  ctx: ReceiptContext,
  fields: ReceiptFields,
  before: readonly NewEvent[] = [],
): Promise<ChainedReceipt> {
  const chained = await ctx.receipts.next(fields);
  const stored: NewEvent = {
    type: 'receipt.stored',
    event_id: `receipt/${chained.cid}`,
    cid: chained.cid,
    receipt: chained.receipt,
    sig: chained.signed.sig,
  };
  try {
    await ctx.record([...before, stored]);
  } catch (err) {
    if (!ctx.receipts.dropped(chained))
      ctx.background(`journaling my receipt ${chained.receipt.seq}`, journalAlone(ctx, stored));
    throw err;
  }
  return chained;
}

/** Journals a receipt of mine that later ones name, until the journal takes it or the node stops. */
async function journalAlone(ctx: ReceiptContext, stored: NewEvent): Promise<void> {
  const pause = new Backoff(FIRST_RETRY_MS, LONGEST_RETRY_MS);
  for (; !ctx.signal.aborted; pause.double()) {
    await sleep(pause.ms, undefined, { signal: ctx.signal }).catch(() => undefined);
    if (ctx.signal.aborted) return;
    try {
      return await ctx.record([stored]);
    } catch (err) {
      // Only a failing disk is worth waiting out; any other refusal would come again.
      if (!(err instanceof RecordError) || !err.storageFailed) throw err;
    }
  }
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

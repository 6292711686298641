// Each author's receipts form a hash chain: receipt n has seq n and names the CID of receipt n-1
// as `prev` (null for the first). A peer holding a chain can check that none was changed,
// reordered, dropped from the middle or inserted, without trusting whoever handed it over.
import type { ExecutionBatchReceipt, Receipt, VerificationBatchReceipt } from '../../core/schemas/index.js';
import type { Identity } from '../identity/identity.js';
import {
  decodeSignedReceipt,
  signatureMatches,
  signReceipt,
  type ReceiptCheckFailure,
  type SignedReceipt,
} from './signed.js';

/** A receipt as the caller describes it; the chain fills in author, seq and prev. */
export type ReceiptFields =
  Omit<ExecutionBatchReceipt, 'author' | 'seq' | 'prev'> | Omit<VerificationBatchReceipt, 'author' | 'seq' | 'prev'>;

/** Where a chain stands: its last receipt's CID and seq. */
export interface ChainHead {
  cid: string;
  seq: number;
}

export interface ChainedReceipt {
  signed: SignedReceipt;
  cid: string;
  receipt: Receipt;
}

/** This node's own chain of receipts, continuing from `last` (its head when the node stopped). */
export class ReceiptChain {
  private last: ChainHead | undefined;
  /** Settles when the latest next() has; each next() waits for the one before it. */
  private tail: Promise<unknown> = Promise.resolve();
  /** True from the moment a receipt's seq and prev are read until the chain's head is that receipt. */
  private signing = false;

  constructor(
    private readonly identity: Identity,
    last?: ChainHead,
  ) {
    this.last = last;
  }

  /**
   * Signs the next receipt of the chain. Calls are served in order, so concurrent callers still
   * get consecutive seqs, each linked to the one before. Rejects with a ReceiptError when the
   * fields make no valid receipt; the chain then stays where it was.
   */
  next(fields: ReceiptFields): Promise<ChainedReceipt> {
    const appended = this.tail.then(() => this.append(fields));
    this.tail = appended.catch(() => undefined); // a refused receipt must not stall the ones after it
    return appended;
  }

  /**
   * A receipt of mine its journal step failed to keep. While it is still the head, with nothing
   * signed on it, the chain steps back past it: the next receipt takes its seq and prev, and it was
   * never a link. Returns false when a later receipt already names it: it is a link then, and must
   * be journaled still, or my journaled chain would have a gap.
   */
  dropped(receipt: ChainedReceipt): boolean {
    if (this.signing || this.last?.cid !== receipt.cid) return false;
    const { seq, prev } = receipt.receipt;
    this.last = prev === null ? undefined : { cid: prev, seq: seq - 1 };
    return true;
  }

  private async append(fields: ReceiptFields): Promise<ChainedReceipt> {
    const receipt = {
      ...fields,
      author: this.identity.peerId,
      seq: this.last === undefined ? 0 : this.last.seq + 1,
      prev: this.last?.cid ?? null,
    };
    this.signing = true;
    try {
      const { signed, cid } = await signReceipt(this.identity, receipt);
      this.last = { cid, seq: signed.receipt.seq };
      return { signed, cid, receipt: signed.receipt };
    } finally {
      this.signing = false;
    }
  }
}

export type ChainCheck = { ok: true; author: string; length: number; head: string } | ReceiptCheckFailure;

/**
 * Checks a run of one author's receipts, in order: each valid and signed by that author, seqs
 * consecutive from `start.seq` (0 by default), each `prev` the CID of the receipt before (the
 * first's is `start.prev`, null by default). `head` is the last receipt's CID: a chain cut short
 * at its end is still a valid chain, so compare `head` or `length` with what you expected.
 */
export async function verifyChain(
  receipts: readonly unknown[],
  options: { start?: { seq: number; prev: string | null } } = {},
): Promise<ChainCheck> {
  if (receipts.length === 0) return { ok: false, code: 'empty', error: 'no receipts to verify' };
  const start = options.start ?? { seq: 0, prev: null };
  let author: string | undefined;
  let prev = start.prev;
  for (const [index, value] of receipts.entries()) {
    const fail = (code: ReceiptCheckFailure['code'], error: string): ReceiptCheckFailure => ({
      ok: false,
      code,
      error: `receipt ${index}: ${error}`,
      index,
    });
    const decoded = decodeSignedReceipt(value);
    if (!decoded.ok) return fail(decoded.code, decoded.error);
    const { receipt } = decoded.value.signed;
    author ??= receipt.author;
    if (receipt.author !== author) return fail('wrong_author', `by ${receipt.author}, but the chain is by ${author}`);
    const seq = start.seq + index;
    if (receipt.seq !== seq) return fail('wrong_seq', `has seq ${receipt.seq}, expected ${seq}`);
    if (receipt.prev !== prev) return fail('wrong_prev', `links to ${receipt.prev}, expected ${prev}`);
    if (!(await signatureMatches(decoded.value))) return fail('bad_signature', `signature is not ${author}'s`);
    prev = decoded.value.cid;
  }
  return { ok: true, author: author!, length: receipts.length, head: prev! };
}

// The state's receipt chains (MeshState.receipts) and what it looks up in them: which CIDs it
// holds, my verdict on each unit and the execution receipt that covers each assignment of mine.
// The chains are snapshotted with the state; this index is rebuilt from them (MeshState.reindex).
import { verdictsIn, type NodeEventOf } from '../../schemas/index.js';
import type { StoredReceipt } from './records.js';

export class ReceiptIndex {
  /** The CIDs in the chains: a receipt stored twice is kept once, without a search of its chain. */
  readonly #cids = new Set<string>();
  readonly #myVerifications = new Map<string, StoredReceipt>();
  readonly #myExecutions = new Map<string, StoredReceipt>();

  /** The index of `chains` as they are (after a restore or a compaction). */
  constructor(
    private readonly me: string,
    chains: ReadonlyMap<string, readonly StoredReceipt[]>,
  ) {
    for (const chain of chains.values()) for (const { cid } of chain) this.#cids.add(cid);
    for (const stored of chains.get(me) ?? []) this.#indexMine(stored);
  }

  /** Applies a `receipt.stored` to `chains`: the receipts the state keeps, each once. */
  store(chains: Map<string, StoredReceipt[]>, event: NodeEventOf<'receipt.stored'>): void {
    // Others' execution receipts are proof I keep in the journal (receipts.verify reads them
    // there); nothing decides on them once their results are taken. Held here, they would be
    // the largest part of a big job's state.
    const { kind, author } = event.receipt;
    if (author !== this.me && (kind === 'execution' || kind === 'execution_batch')) return;
    if (this.#cids.has(event.cid)) return;
    this.#cids.add(event.cid);
    const stored = { cid: event.cid, receipt: event.receipt, sig: event.sig };
    const chain = chains.get(author);
    if (!chain) chains.set(author, [stored]);
    else chain.push(stored);
    if (author === this.me) this.#indexMine(stored);
  }

  /** My latest verification receipt for a unit, if I decided it. */
  verificationOf(unitId: string): StoredReceipt | undefined {
    return this.#myVerifications.get(unitId);
  }

  /** My execution receipt for an assignment of mine, once I journaled its result. */
  executionOf(assignmentId: string): StoredReceipt | undefined {
    return this.#myExecutions.get(assignmentId);
  }

  #indexMine(stored: StoredReceipt): void {
    const { receipt } = stored;
    if (receipt.kind === 'execution') this.#myExecutions.set(receipt.assignment_id, stored);
    else if (receipt.kind === 'execution_batch')
      for (const { assignment_id } of receipt.results) this.#myExecutions.set(assignment_id, stored);
    else for (const { unit_id } of verdictsIn(receipt)) this.#myVerifications.set(unit_id, stored);
  }
}

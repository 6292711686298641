// What the node reads from the derived tables rather than from its state: the units of a
// compacted job (core/mesh/compaction.ts; a batched job's verdicts from batched_verdicts), and
// receipt chains in full (the state keeps only the receipts of work not yet compacted).
import type { NodeEventOf } from '../../core/schemas/index.js';
import { parseUnitId } from '../../core/mesh/unit-table.js';
import type { Db } from './database.js';
import { batchedVerdicts } from './projections/batched-verdicts.js';
import type { EventStore } from './event-store.js';

export interface ArchivedUnit {
  status: 'created' | 'verified' | 'rejected';
  consensus_hash: string | null;
}

export type ArchivedReceipt = Pick<NodeEventOf<'receipt.stored'>, 'cid' | 'receipt' | 'sig'>;

export class Archive {
  readonly #unit;
  readonly #outputs;
  readonly #authors;
  readonly #chain;
  readonly #verdicts;

  constructor(
    db: Db,
    private readonly events: EventStore,
  ) {
    this.#unit = db.prepare<[string, string], ArchivedUnit>(
      'SELECT status, consensus_hash FROM units WHERE unit_id = ? AND job_id = ?',
    );
    this.#outputs = db
      .prepare<[string], string>(
        "SELECT consensus_hash FROM units WHERE job_id = ? AND status = 'verified' AND consensus_hash IS NOT NULL",
      )
      .pluck();
    this.#verdicts = batchedVerdicts(db);
    this.#authors = db.prepare<[], string>('SELECT author FROM receipt_authors ORDER BY author').pluck();
    this.#chain = db
      .prepare<[string], number>(
        `SELECT event_seq FROM receipts WHERE author_no = (SELECT author_no FROM receipt_authors WHERE author = ?)
         ORDER BY chain_seq, event_seq`,
      )
      .pluck();
  }

  /** One unit of a job; undefined when the job has no such unit. */
  unit(jobId: string, unitId: string): ArchivedUnit | undefined {
    const row = this.#unit.get(unitId, jobId);
    if (row) return row;
    const batched = parseUnitId(unitId);
    return batched?.jobId === jobId ? this.#verdicts.get(jobId, batched.index) : undefined;
  }

  /** The verified outputs (CIDs) of a job's units: what garbage collection keeps of a compacted job. */
  verifiedOutputs(jobId: string): string[] {
    return [...this.#outputs.all(jobId), ...this.#verdicts.verifiedOutputs(jobId)];
  }

  /** Everyone whose receipts I stored. */
  receiptAuthors(): string[] {
    return this.#authors.all();
  }

  /** An author's receipts that I stored, by their seq in its chain. */
  receiptsOf(author: string): ArchivedReceipt[] {
    return this.#chain.all(author).map((seq) => {
      const { cid, receipt, sig } = this.events.eventAt(seq) as NodeEventOf<'receipt.stored'>;
      return { cid, receipt, ...(sig !== undefined ? { sig } : {}) };
    });
  }
}

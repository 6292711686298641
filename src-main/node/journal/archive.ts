// What the node reads from the derived tables rather than from its state: the units of a
// compacted job (core/mesh/state/compaction.ts; a batched job's verdicts from batched_verdicts; who ran
// each and how long from unit_details, written as the job was compacted), the blobs compacted
// jobs' units still need (compacted_needs, likewise), the verdicts behind their refunds as
// rejected (kept_rejections, likewise; ledger-reads.ts answers with them), and receipt chains in full (the state keeps
// only the receipts of work not yet compacted).
import type { KeptNeed } from '../../core/mesh/rules/blob-needs.js';
import type { NodeEventOf } from '../../core/schemas/index.js';
import { parseUnitId } from '../../core/mesh/state/unit-table.js';
import type { Db } from './database.js';
import { batchedVerdicts } from './projections/batched-verdicts.js';
import type { EventStore } from './event-store.js';

export interface ArchivedUnit {
  status: 'created' | 'verified' | 'rejected';
  consensus_hash: string | null;
}

/** What a compacted job's unit (a pack, in a packed job) keeps beyond its outcome: who ran it, and how long. */
export interface UnitDetails {
  providers: string[];
  estimated_fuel: number | null;
  estimated_seconds: number | null;
  seconds: number | null;
  fuel: number | null;
  device: 'cpu' | 'gpu' | null;
}

/** Rows of unit_details, compacted_needs or kept_rejections written in one transaction: a big job's are written a slice at a time. */
const ROWS_PER_TRANSACTION = 5_000;

export type ArchivedReceipt = Pick<NodeEventOf<'receipt.stored'>, 'cid' | 'receipt' | 'sig'>;

export class Archive {
  readonly #unit;
  readonly #outputs;
  readonly #authors;
  readonly #chain;
  readonly #verdicts;
  readonly #details;
  readonly #keepDetails;
  readonly #keepNeed;
  readonly #needs;
  readonly #dropNeeds;
  readonly #keepRejection;

  constructor(
    private readonly db: Db,
    private readonly events: EventStore,
  ) {
    this.#details = db.prepare<[string, number], Omit<UnitDetails, 'providers'> & { providers: string }>(
      `SELECT providers, estimated_fuel, estimated_seconds, seconds, fuel, device
       FROM unit_details WHERE job_id = ? AND unit_no = ?`,
    );
    this.#keepNeed = db.prepare(
      `INSERT OR REPLACE INTO compacted_needs (job_id, cid, role, kind, since, held_for) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.#needs = db.prepare<
      [KeptNeed['role']],
      { cid: string; role: KeptNeed['role']; kind: KeptNeed['kind']; since: number; held_for: string | null }
    >('SELECT cid, role, kind, since, held_for FROM compacted_needs WHERE role = ?');
    this.#dropNeeds = db.prepare<{ provider: number; requester: number }>(
      `DELETE FROM compacted_needs WHERE since < CASE role WHEN 'provider' THEN @provider ELSE @requester END`,
    );
    this.#keepRejection = db.prepare(
      'INSERT OR REPLACE INTO kept_rejections (assignment_id, receipt_cid) VALUES (?, ?)',
    );
    this.#keepDetails = db.prepare(
      `INSERT OR REPLACE INTO unit_details
       (job_id, unit_no, providers, estimated_fuel, estimated_seconds, seconds, fuel, device)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
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

  /** Who ran a compacted job's unit `unitNo` (its pack's number, in a packed job), and how long; null when none did. */
  details(jobId: string, unitNo: number): UnitDetails | null {
    const row = this.#details.get(jobId, unitNo);
    return row ? { ...row, providers: JSON.parse(row.providers) as string[] } : null;
  }

  /**
   * Keeps the details of a job's units before it is compacted (rows are replaced: a compaction cut
   * short by a crash writes them again), a slice a transaction, yielding between slices.
   */
  keepDetails(jobId: string, units: Iterable<[unitNo: number, UnitDetails]>): Promise<void> {
    return this.#inSlices(units, ([unitNo, d]) => {
      const { estimated_fuel, estimated_seconds, seconds, fuel, device } = d;
      const providers = JSON.stringify(d.providers);
      this.#keepDetails.run(jobId, unitNo, providers, estimated_fuel, estimated_seconds, seconds, fuel, device);
    });
  }

  /** Keeps what a job's units still need of the blob store as it is compacted; as keepDetails. */
  keepNeeds(jobId: string, needs: Iterable<KeptNeed>): Promise<void> {
    return this.#inSlices(needs, (n) =>
      this.#keepNeed.run(jobId, n.cid, n.role, n.kind, Math.round(n.since), n.heldFor ?? null),
    );
  }

  /** Keeps the verification receipts behind a job's refunds as rejected as it is compacted (ledger-reads.ts closings); as keepDetails. */
  keepRejections(rejections: Iterable<[assignmentId: string, receiptCid: string]>): Promise<void> {
    return this.#inSlices(rejections, ([assignmentId, cid]) => this.#keepRejection.run(assignmentId, cid));
  }

  /** Writes rows a slice a transaction: a big job's compaction leaves the event loop free between them. */
  async #inSlices<T>(rows: Iterable<T>, write: (row: T) => void): Promise<void> {
    const slice = this.db.transaction((items: T[]) => items.forEach(write));
    let items: T[] = [];
    for (const row of rows) {
      items.push(row);
      if (items.length < ROWS_PER_TRANSACTION) continue;
      slice(items);
      items = [];
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (items.length > 0) slice(items);
  }

  /** What compacted jobs' units still need in one role (core/mesh/rules/blob-needs.ts reads each for its role's retention). */
  keptNeeds(role: KeptNeed['role']): KeptNeed[] {
    return this.#needs
      .all(role)
      .map(({ held_for, ...need }) => (held_for === null ? need : { ...need, heldFor: held_for }));
  }

  /** Forgets the kept needs whose retention began before these times (ms): garbage collection passed them. */
  dropNeedsBefore(before: { provider: number; requester: number }): void {
    this.#dropNeeds.run(before);
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

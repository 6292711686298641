// Projections of the work a job goes through that the node reads back (archive.ts): unit.created /
// unit.verified (units.verified) / unit.reopened → units (a compacted job's outputs), receipt.stored → receipts
// (receipt chains in full), job.deleted → a deleted job's unit_details and kept needs gone. The other work events are read by the node's state only. A batched
// job's units (units.created) have no row in `units`: their verdicts go to batched_verdicts
// (batched-verdicts.ts).
//
// These events record facts named by their ids, so the first record of an id wins and a later
// event reusing the id changes nothing (`ON CONFLICT DO NOTHING`); only unit.verified and
// unit.reopened update a row, and only the status they are about.
import type { NodeEventOf, UnitVerdict } from '../../../core/schemas/index.js';
import { parseUnitId } from '../../../core/mesh/state/unit-table.js';
import type { Db } from '../database.js';
import { batchedVerdicts } from './batched-verdicts.js';

export function workProjections(db: Db) {
  const insertUnit = db.prepare(`
    INSERT INTO units (unit_id, job_id, algorithm_id, algorithm_version, redundancy, status, created_at, event_seq)
    VALUES (?, ?, ?, ?, ?, 'created', ?, ?) ON CONFLICT DO NOTHING`);
  const verifyUnit = db.prepare('UPDATE units SET status = ?, consensus_hash = ?, verified_at = ? WHERE unit_id = ?');
  const reopenUnit = db.prepare(
    "UPDATE units SET status = 'created', consensus_hash = NULL, verified_at = NULL WHERE unit_id = ?",
  );
  const verdicts = batchedVerdicts(db);
  // unit_details and compacted_needs are written as a job is compacted (archive.ts), not by a projection; a deleted job's go with it.
  const dropDetails = db.prepare('DELETE FROM unit_details WHERE job_id = ?');
  const dropNeeds = db.prepare("DELETE FROM compacted_needs WHERE job_id = ? AND role = 'requester'");
  const insertAuthor = db.prepare('INSERT INTO receipt_authors (author) VALUES (?) ON CONFLICT DO NOTHING');
  // The journal keeps one event per receipt CID (its event id names the CID): no row repeats.
  const insertReceipt = db.prepare(`
    INSERT INTO receipts (author_no, chain_seq, event_seq)
    VALUES ((SELECT author_no FROM receipt_authors WHERE author = ?), ?, ?)`);

  const putVerdict = (v: UnitVerdict, at: string): void => {
    if (verifyUnit.run(v.verdict, v.consensus_hash, at, v.unit_id).changes > 0) return;
    const batched = parseUnitId(v.unit_id);
    if (batched) verdicts.put(batched.jobId, batched.index, v.verdict === 'verified', v.consensus_hash);
  };

  return {
    'unit.created'({ unit, at }: NodeEventOf<'unit.created'>, seq: number): void {
      insertUnit.run(
        unit.unit_id,
        unit.job_id,
        unit.algorithm_id,
        unit.algorithm_version,
        unit.verification_redundancy,
        at,
        seq,
      );
    },
    'unit.verified'(e: NodeEventOf<'unit.verified'>): void {
      putVerdict(e, e.at);
    },
    'units.verified'(e: NodeEventOf<'units.verified'>): void {
      for (const verdict of e.verdicts) putVerdict(verdict, e.at);
    },
    'unit.reopened'(e: NodeEventOf<'unit.reopened'>): void {
      if (reopenUnit.run(e.unit_id).changes > 0) return;
      const batched = parseUnitId(e.unit_id);
      if (batched) verdicts.remove(batched.jobId, batched.index);
    },
    'receipt.stored'({ receipt: r }: NodeEventOf<'receipt.stored'>, seq: number): void {
      insertAuthor.run(r.author);
      insertReceipt.run(r.author, r.seq, seq);
    },
    // Read by the node's state only.
    'job.submitted'(): void {},
    'units.created'(): void {},
    'job.compacted'(): void {},
    // Its units' rows stay (the ledger's and receipts' rows name them); who ran them and how long, shown for the job only, go.
    'job.deleted'(e: NodeEventOf<'job.deleted'>): void {
      dropDetails.run(e.job_id);
      dropNeeds.run(e.job_id); // as blobNeeds: a deleted job's module and inputs are not kept
    },
    'job.cancelled'(): void {},
    'job.budget_set'(): void {},
    'job.paused'(): void {},
    'unit.checked'(): void {},
    'frame.rendered'(): void {},
    'acceptance.refused'(): void {},
    'offer.recorded'(): void {},
    'rounds.reserved'(): void {},
    'offer.accepted'(): void {},
    'offers.accepted'(): void {},
    'result.recorded'(): void {},
    'results.recorded'(): void {},
  };
}

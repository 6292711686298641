// Projections of the work a job goes through: job.submitted → jobs, unit.created / unit.verified →
// units, offer.recorded → offers, offer.accepted → assignments (and the offer marked accepted),
// unit.reopened → units, result.recorded → results, receipt.stored → receipts.
//
// These events record facts named by their ids, so the first record of an id wins and a later
// event reusing the id changes nothing (`ON CONFLICT DO NOTHING`); only unit.verified,
// unit.reopened and offer.accepted update a row, and only the status they are about.
import type { NodeEventOf } from '../../../core/schemas/index.js';
import type { Db } from '../database.js';

export function workProjections(db: Db) {
  const insertJob = db.prepare(`
    INSERT INTO jobs (job_id, requester, name, unit_count, redundancy, budget, deadline, submitted_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`);
  const insertUnit = db.prepare(`
    INSERT INTO units (unit_id, job_id, algorithm_id, algorithm_version, redundancy, status, created_at, event_seq)
    VALUES (?, ?, ?, ?, ?, 'created', ?, ?) ON CONFLICT DO NOTHING`);
  const deleteJob = db.prepare('DELETE FROM jobs WHERE job_id = ?');
  const verifyUnit = db.prepare('UPDATE units SET status = ?, consensus_hash = ?, verified_at = ? WHERE unit_id = ?');
  const reopenUnit = db.prepare(
    "UPDATE units SET status = 'created', consensus_hash = NULL, verified_at = NULL WHERE unit_id = ?",
  );
  const insertOffer = db.prepare(`
    INSERT INTO offers (offer_id, unit_id, job_id, requester, provider, slot_id, tier, price, round, status, recorded_at, event_seq)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) ON CONFLICT DO NOTHING`);
  const insertAssignment = db.prepare(`
    INSERT INTO assignments (assignment_id, offer_id, unit_id, job_id, requester, provider, price, role, deadline, accepted_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`);
  const markOfferAccepted = db.prepare("UPDATE offers SET status = 'accepted' WHERE unit_id = ? AND offer_id = ?");
  const insertResult = db.prepare(`
    INSERT INTO results (result_id, unit_id, assignment_id, computed_by, output_cid, verification_hash, fuel, recorded_at, event_seq)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`);
  const insertReceipt = db.prepare(`
    INSERT INTO receipts (cid, kind, author, chain_seq, prev, unit_id, job_id, stored_at, event_seq)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`);

  return {
    'job.submitted'({ job, at }: NodeEventOf<'job.submitted'>): void {
      insertJob.run(
        job.job_id,
        job.requester,
        job.name,
        job.unit_count,
        job.redundancy,
        job.budget,
        job.deadline ?? null,
        at,
      );
    },
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
      verifyUnit.run(e.verdict, e.consensus_hash, e.at, e.unit_id);
    },
    'unit.reopened'(e: NodeEventOf<'unit.reopened'>): void {
      reopenUnit.run(e.unit_id);
    },
    'units.created'(): void {}, // read by the node's state: a batched job's units (core/mesh/unit-table.ts)
    'unit.checked'(): void {}, // read by the node's state: providers' check records and convictions
    'job.cancelled'(): void {}, // read by the node's state; the units' escrows are refunded by ledger entries
    // Its units stay: the ledger's and receipts' rows name them.
    'job.deleted'(e: NodeEventOf<'job.deleted'>): void {
      deleteJob.run(e.job_id);
    },
    'frame.rendered'(): void {}, // read by the node's state: which frames of a render job are done
    'acceptance.refused'(): void {}, // read by the node's state: why a provider refused (its escrow is refunded by a ledger entry)
    'offer.recorded'({ offer: o, at }: NodeEventOf<'offer.recorded'>, seq: number): void {
      insertOffer.run(
        o.offer_id,
        o.unit_id,
        o.job_id,
        o.requester_peer,
        o.provider_peer,
        o.slot_id,
        o.tier,
        o.price,
        o.round,
        at,
        seq,
      );
    },
    'offer.accepted'({ acceptance, at }: NodeEventOf<'offer.accepted'>): void {
      const { changes } = insertAssignment.run(
        acceptance.assignment_id,
        acceptance.offer_id,
        acceptance.unit_id,
        acceptance.job_id,
        acceptance.requester_peer,
        acceptance.provider_peer,
        acceptance.price,
        acceptance.role,
        acceptance.deadline,
        at,
      );
      if (changes > 0) markOfferAccepted.run(acceptance.unit_id, acceptance.offer_id);
    },
    'result.recorded'({ result: r, at }: NodeEventOf<'result.recorded'>, seq: number): void {
      insertResult.run(
        r.result_id,
        r.work_unit_id,
        r.assignment_id,
        r.computed_by_peer,
        r.output_cid,
        r.verification_hash,
        r.fuel ?? null,
        at,
        seq,
      );
    },
    'receipt.stored'({ cid, receipt: r, at }: NodeEventOf<'receipt.stored'>, seq: number): void {
      insertReceipt.run(cid, r.kind, r.author, r.seq, r.prev, r.unit_id, r.job_id, at, seq);
    },
  };
}

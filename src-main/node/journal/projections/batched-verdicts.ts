// A batched job's verdicts (journal/schema-history.ts, version 10): one small row a decided unit, its
// job by number and itself by index, its consensus hash as the sha256 a raw CID names (or the text,
// for any other hash). What archive.ts reads of a compacted batched job.
import { cidOfSha256, sha256OfCid } from '../../../core/mesh/state/input-cids.js';
import type { Db } from '../database.js';

/** A verdict as the archive shows it. */
export interface StoredVerdict {
  status: 'verified' | 'rejected';
  consensus_hash: string | null;
}

type HashCell = Uint8Array | string | null;

function stored(hash: string | null): Buffer | string | null {
  const digest = hash === null ? undefined : sha256OfCid(hash);
  return digest ? Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength) : hash;
}
const read = (cell: HashCell): string | null =>
  cell === null ? null : typeof cell === 'string' ? cell : cidOfSha256(cell);

export function batchedVerdicts(db: Db) {
  const jobNo = db.prepare<[string], number>('SELECT job_no FROM verdict_jobs WHERE job_id = ?').pluck();
  const insertJob = db.prepare('INSERT INTO verdict_jobs (job_id) VALUES (?)');
  const put = db.prepare(`
    INSERT INTO batched_verdicts (job_no, idx, verified, hash) VALUES (?, ?, ?, ?)
    ON CONFLICT (job_no, idx) DO UPDATE SET verified = excluded.verified, hash = excluded.hash`);
  const remove = db.prepare('DELETE FROM batched_verdicts WHERE job_no = ? AND idx = ?');
  const one = db.prepare<[string, number], { verified: number; hash: HashCell }>(`
    SELECT verified, hash FROM batched_verdicts WHERE job_no = (SELECT job_no FROM verdict_jobs WHERE job_id = ?) AND idx = ?`);
  const verified = db
    .prepare<[string], HashCell>(
      `SELECT hash FROM batched_verdicts
       WHERE job_no = (SELECT job_no FROM verdict_jobs WHERE job_id = ?) AND verified = 1 AND hash IS NOT NULL`,
    )
    .pluck();

  return {
    put(jobId: string, index: number, isVerified: boolean, hash: string | null): void {
      const no = jobNo.get(jobId) ?? Number(insertJob.run(jobId).lastInsertRowid);
      put.run(no, index, isVerified ? 1 : 0, stored(hash));
    },
    remove(jobId: string, index: number): void {
      const no = jobNo.get(jobId);
      if (no !== undefined) remove.run(no, index);
    },
    get(jobId: string, index: number): StoredVerdict | undefined {
      const row = one.get(jobId, index);
      return row && { status: row.verified === 1 ? 'verified' : 'rejected', consensus_hash: read(row.hash) };
    },
    /** The CIDs of the job's verified outputs. */
    verifiedOutputs(jobId: string): string[] {
      return verified.all(jobId).flatMap((cell) => {
        const hash = read(cell);
        return hash === null ? [] : [hash];
      });
    },
  };
}

// Finished jobs leave the state: a job whose every escrow has closed, finished longer ago than the
// retention, is reduced to what its user keeps (the job, its frames, its totals and refusals; the
// journal's tables keep its units' outcomes, outputs, providers and times); its units,
// assignments, offers and receipts leave memory, so the state (and the snapshot a start loads)
// grows with the work in progress, not with all the work ever done. The journal keeps every event,
// and the `units` table each unit's verdict and output, which the API reads for a compacted job.
// A conviction does not reopen such a job (backtrack.ts leaves completed jobs alone).
import { framesOfJob } from '../../kinds/frames.js';
import type { Receipt } from '../../schemas/index.js';
import type { AssignmentRecord, CompactableState, JobRecord, JobSummary } from './records.js';

/**
 * Default retention: a finished job is compacted once its last payment is this old. What its user
 * reads of its units (outcomes, outputs, providers, times) and its refusals are kept through
 * compaction, and the blobs they need (blob-needs.ts), so only a provider whose settlement was
 * lost needs the job whole: it asks again when it reconnects, and is answered from the state
 * until then, from the journal's ledger after (a refund as rejected with its verdict: rejectionsOf). Minutes, not
 * days: a finished job of 100,000 units kept whole makes each start 6× as long as an empty node's.
 */
export const DEFAULT_RETENTION_MS = 10 * 60_000;

/**
 * The jobs to compact at `nowMs`: mine, completed (render jobs: every frame assembled) or
 * cancelled; and jobs of others I worked on as a provider. In both, nothing may be held in escrow,
 * and the last escrow closed (or the job completed) at least `retentionMs` ago.
 */
export function compactableJobs(state: CompactableState, nowMs: number, retentionMs: number): string[] {
  const byJob = new Map<string, AssignmentRecord[]>();
  for (const assignment of state.assignments.values()) {
    const list = byJob.get(assignment.acceptance.job_id);
    if (list) list.push(assignment);
    else byJob.set(assignment.acceptance.job_id, [assignment]);
  }
  const due: string[] = [];
  for (const [jobId, record] of state.jobs) {
    if (record.summary || !finished(record)) continue;
    const last = lastClosed(byJob.get(jobId) ?? [], Date.parse(record.completedAt ?? record.submittedAt));
    if (last !== undefined && last <= nowMs - retentionMs) due.push(jobId);
  }
  for (const [jobId, assignments] of byJob) {
    if (state.jobs.has(jobId) || assignments[0]!.acceptance.requester_peer === state.me) continue;
    const last = lastClosed(assignments, 0);
    if (last !== undefined && last <= nowMs - retentionMs) due.push(jobId);
  }
  return due;
}

function finished(record: JobRecord): boolean {
  if (record.cancelled) return true;
  if (record.completedAt === undefined) return false;
  return record.frames.size === framesOfJob(record.job);
}

/** When the last of the assignments closed (ms), no earlier than `floor`; undefined while one is held. */
function lastClosed(assignments: readonly AssignmentRecord[], floor: number): number | undefined {
  let last = floor;
  for (const { escrow, closing, acceptedAt } of assignments) {
    if (escrow === 'held') return undefined;
    last = Math.max(last, Date.parse(closing?.at ?? acceptedAt));
  }
  return last;
}

/**
 * What a job's refunds as rejected rest on, kept as it is compacted: each such assignment of mine
 * (as requester) and the CID of my verification receipt for its unit, which its provider needs to
 * take the refund (node/mesh/settlement/settlement-intake.ts), should it ask once the job left the state.
 */
export function* rejectionsOf(
  state: Pick<CompactableState, 'me' | 'assignments'> & { verificationOf(unitId: string): { cid: string } | undefined },
  jobId: string,
): Generator<[assignmentId: string, receiptCid: string]> {
  for (const { acceptance, closing } of state.assignments.values()) {
    if (acceptance.job_id !== jobId || acceptance.requester_peer !== state.me) continue;
    if (closing?.kind !== 'refund' || closing.reason !== 'rejected') continue;
    const receipt = state.verificationOf(acceptance.unit_id);
    if (receipt) yield [acceptance.assignment_id, receipt.cid];
  }
}

/**
 * Applies a `job.compacted`: everything of the job's units leaves the state but the job record (and
 * its counts). The state's indexes of what left are rebuilt after it (MeshState.reindex).
 */
export function compactJob(state: CompactableState, jobId: string, summary: JobSummary | undefined): void {
  const record = state.jobs.get(jobId);
  if (record) record.summary = summary ?? { verified: 0, failed: 0, spent: 0 };
  state.units.dropJob(jobId);
  // Deleted as they are met, with no sets of what left: at 100,000 units, building those would be a
  // third of the apply, which holds the main thread.
  for (const [id, assignment] of state.assignments) {
    if (assignment.acceptance.job_id !== jobId) continue;
    state.assignments.delete(id);
    dropUnit(state, assignment.acceptance.unit_id);
    if (assignment.result) state.checks.outcomes.delete(assignment.result.result_id);
  }
  // A unit offered for but never assigned is named by its offers only.
  for (const [unitId, offers] of state.offersByUnit)
    if (offers.values().next().value?.job_id === jobId) dropUnit(state, unitId);
  // An output's results name assignments: those of the job just left the state.
  for (const [cid, ids] of state.resultsByOutput) {
    const kept = ids.filter((id) => state.assignments.has(id));
    if (kept.length === 0) state.resultsByOutput.delete(cid);
    else if (kept.length < ids.length) state.resultsByOutput.set(cid, kept);
  }
  // A receipt leaves with the last job it names that still has work in the state.
  const jobsLeft = new Set<string>();
  for (const { acceptance } of state.assignments.values()) jobsLeft.add(acceptance.job_id);
  const gone = (receipt: Receipt): boolean => {
    const jobs = jobsOf(receipt);
    return jobs.includes(jobId) && jobs.every((job) => !jobsLeft.has(job));
  };
  for (const [author, chain] of state.receipts) {
    // Each chain's last receipt stays: the next one links to it (my own chain continues from it).
    const kept = chain.filter((r, i) => !gone(r.receipt) || i === chain.length - 1);
    if (kept.length < chain.length) state.receipts.set(author, kept);
  }
}

/** What the state keeps of a unit of a job being compacted (called once for each of its assignments: deletes repeat harmlessly). */
function dropUnit(state: CompactableState, unitId: string): void {
  state.assignmentsByUnit.delete(unitId);
  state.checks.truths.delete(unitId);
  state.checks.truthFuel.delete(unitId);
  const offers = state.offersByUnit.get(unitId);
  if (!offers) return;
  for (const offerId of offers.keys()) state.offerReceivedAt.delete(offerId);
  state.offersByUnit.delete(unitId);
}

/** The jobs a receipt speaks of. */
function jobsOf(receipt: Receipt): string[] {
  if (receipt.kind === 'execution_batch') return receipt.results.map((r) => r.job_id);
  if (receipt.kind === 'verification_batch') return receipt.verdicts.map((v) => v.job_id);
  return [receipt.job_id];
}

// How a job and its units look through the API, from the node's state; a compacted job
// (core/mesh/compaction.ts) from its summary and the journal's `units` table.
import type { JobView, UnitView } from '../../core/api/contract.js';
import type { JobSummary } from '../../core/mesh/records.js';
import type { JobRecord, MeshState } from '../../core/mesh/state.js';
import { parseUnitId, unitIdOf } from '../../core/mesh/unit-table.js';
import { LIMITS } from '../../core/schemas/index.js';
import type { Archive, ArchivedUnit } from '../journal/archive.js';
import { tallyOf } from './job-tally.js';
import { agreedFailure } from './unit-output.js';

/** What a finished job keeps once compacted. */
export function jobSummary(state: MeshState, record: JobRecord): JobSummary {
  const { verified, failed, spent } = tallyOf(state, record);
  return { verified, failed, spent };
}

/** `awaitingAgreement`: the requester's count of the job's units waiting for another provider to agree (Requester.awaitingAgreement). */
export function jobView(state: MeshState, record: JobRecord, awaitingAgreement = 0): JobView {
  const { verified, failed, held, spent, refusals } = tallyOf(state, record);
  // A render job is done when its frames are assembled, not just its tiles verified.
  const render = record.job.render;
  const framesDone = !render || failed > 0 || record.frames.size === render.last_frame - render.first_frame + 1;
  const done = record.completedAt !== undefined && framesDone;
  return {
    job_id: record.job.job_id,
    name: record.job.name,
    algorithm: record.job.algorithm_id ?? 'wasm',
    state: record.cancelled ? 'cancelled' : done ? (failed > 0 ? 'failed' : 'completed') : 'running',
    units_total: record.job.unit_count,
    units_verified: verified,
    units_failed: failed,
    units_awaiting_agreement: done || record.cancelled ? 0 : awaitingAgreement,
    redundancy: record.job.redundancy,
    budget: record.job.budget,
    held,
    spent,
    manual_accept: record.job.manual_accept ?? false,
    open_to_strangers: record.job.open_to_strangers ?? false,
    submitted_at: record.submittedAt,
    completed_at: done ? record.completedAt! : null,
    refusals,
  };
}

/** A page of a job's units from `from`, at most LIMITS.unitsPerPage; a compacted job's from the journal's units table. */
export function unitPage(state: MeshState, archive: Archive, record: JobRecord, from: number): UnitView[] {
  const last = Math.min(record.created, from + LIMITS.unitsPerPage);
  return Array.from({ length: Math.max(0, last - from) }, (_, i) => {
    const id = unitIdOf(record.job.job_id, from + i);
    return record.summary ? archivedUnitView(archive, record, id, from + i) : unitView(state, id);
  });
}

/** One unit of the job, or undefined when the job has none of that id. */
export function unitOfJob(state: MeshState, archive: Archive, record: JobRecord, unitId: string): UnitView | undefined {
  const jobId = record.job.job_id;
  if (!record.summary) return state.units.get(unitId)?.unit.job_id === jobId ? unitView(state, unitId) : undefined;
  const index = parseUnitId(unitId);
  if (index?.jobId !== jobId || index.index >= record.created) return undefined;
  return archivedUnitView(archive, record, unitId, index.index);
}

function unitView(state: MeshState, id: string): UnitView {
  const u = state.units.get(id)!;
  const active = state.activeAssignments(id);
  const winner = active.find(
    (assignment) => assignment.result && assignment.result.verification_hash === u.consensusHash,
  );
  const failure = u.verdict === 'rejected' ? 'no_agreement' : (agreedFailure(u.consensusHash) ?? null);
  return {
    unit_id: id,
    index: u.index,
    status: failure ? 'failed' : u.verdict === 'verified' ? 'verified' : active.length > 0 ? 'assigned' : 'open',
    failure,
    providers: active.map((assignment) => assignment.acceptance.provider_peer),
    consensus_hash: u.consensusHash ?? null,
    // A result's hash is its output's CID; with my own run as the verdict, no provider's result need carry it.
    output_cid: u.verdict === 'verified' ? (u.consensusHash ?? null) : null,
    estimated_fuel: u.unit.estimated_fuel ?? null,
    estimated_seconds: winner?.estimatedSeconds ?? null,
    seconds: winner?.result?.computation_time_seconds ?? null,
    fuel: winner?.result?.fuel ?? null,
    device: winner?.result ? (winner.result.device ?? 'cpu') : null,
  };
}

/** A unit of a compacted job: its outcome and output are kept; who ran it, and how long, are in the journal only. */
function archivedUnitView(archive: Archive, record: JobRecord, unitId: string, index: number): UnitView {
  // A batched unit has a row once it has a verdict (projections/work.ts).
  const unit: ArchivedUnit = archive.unit(record.job.job_id, unitId) ?? { status: 'created', consensus_hash: null };
  const failure = unit.status === 'rejected' ? 'no_agreement' : (agreedFailure(unit.consensus_hash) ?? null);
  return {
    unit_id: unitId,
    index,
    status: failure ? 'failed' : unit.status === 'verified' ? 'verified' : 'open',
    failure,
    providers: [],
    consensus_hash: unit.consensus_hash,
    output_cid: unit.status === 'verified' ? unit.consensus_hash : null,
    estimated_fuel: null,
    estimated_seconds: null,
    seconds: null,
    fuel: null,
    device: null,
  };
}

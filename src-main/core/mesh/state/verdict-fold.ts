// How a unit's verdict moves the state, and how a reopened unit (its verdict rested on a convicted
// provider's result) goes back to undecided: the unit's progress, its job's count of decided
// units, and the reputation of the providers whose results carried the verdict.
import type { Outcome } from '../../trust/index.js';
import type { NodeEventOf, UnitVerdict } from '../../schemas/index.js';
import { frameLayoutOf, frameOfUnit } from '../../kinds/frames.js';
import type { AssignmentRecord, JobRecord } from './records.js';
import type { SharedValues } from './shared-values.js';
import type { UnitTable } from './unit-table.js';

/** The parts of MeshState a verdict changes or reads. */
export interface VerdictFolded {
  readonly units: UnitTable;
  readonly jobs: Map<string, JobRecord>;
  assignmentsOf(unitId: string): AssignmentRecord[];
}

export function foldVerdict(
  state: VerdictFolded,
  shared: SharedValues,
  verdict: UnitVerdict,
  /** When its event was journaled. */
  at: string,
  /** Counts an agreeing provider's result in its reputation. */
  outcome: (peer: string, outcome: Outcome, at: string) => void,
): void {
  const record = state.units.get(verdict.unit_id);
  const progress = state.units.progress(verdict.unit_id);
  if (!record || !progress || record.verdict) return;
  const assignments = state.assignmentsOf(verdict.unit_id);
  shared.verdict(verdict, assignments);
  const hash = verdict.consensus_hash;
  progress.verdict = verdict.verdict;
  progress.consensusHash = hash;
  progress.verifiedAt = shared.of(at);
  const agreeing =
    verdict.agreeing_results ??
    assignments.flatMap(({ result }) => (result && result.verification_hash === hash ? [result.result_id] : []));
  // Copies of their length: an array built by push holds room for 16 items, and a big job keeps
  // two a unit (about 250 bytes a unit of room never used).
  progress.agreeing = agreeing.slice();
  progress.unchecked = verdict.unchecked_results?.slice() ?? [];
  if (verdict.failed_units !== undefined) progress.failedUnits = verdict.failed_units;
  // Reputation: results that carry the verdict count as verified. Only a check convicts (unit.checked).
  for (const { result } of assignments) {
    if (result && agreeing.includes(result.result_id)) outcome(result.computed_by_peer, 'verified', at);
  }
  const job = state.jobs.get(record.unit.job_id);
  if (!job || record.index < 0) return; // a unit journaled before its job is not one of its units
  // Counted, not searched: a job of a million units is checked in constant time at each verdict.
  // A big job's units are journaled in several steps: it is complete once all of them are in.
  if (++job.decided >= job.created && job.created >= job.job.unit_count) job.completedAt = at;
}

export function foldReopened(state: VerdictFolded, event: NodeEventOf<'unit.reopened'>): void {
  const record = state.units.get(event.unit_id);
  const progress = state.units.progress(event.unit_id);
  if (!record?.verdict || !progress) return;
  progress.verdict = undefined;
  progress.consensusHash = undefined;
  progress.verifiedAt = undefined;
  progress.agreeing = undefined;
  progress.unchecked = undefined;
  progress.failedUnits = undefined;
  progress.reopened = (record.reopened ?? 0) + 1;
  const job = state.jobs.get(record.unit.job_id);
  if (!job) return;
  if (record.index >= 0) {
    job.decided--;
    state.units.reopened(job.job.job_id, record.index);
  }
  job.completedAt = undefined;
  // A tile's frame was stitched with the withdrawn tile (a frame composited from the withdrawn unit):
  // it is made again once the unit is verified again.
  const frame = frameOfUnit(frameLayoutOf(job.job), record.index) ?? job.frameOfUnit?.get(record.index);
  if (frame !== undefined) job.frames.delete(frame);
}

// Which blobs a node still needs, and until when: what garbage collection keeps (node/blobs/
// collector.ts) and what the storage view counts. Pure: the state and the retention settings in,
// a map out; the clock is the caller's.
//
// As requester: an open job's module, inputs and results' outputs are needed while it is open;
// once it completes or is cancelled its module and inputs (and outputs no verdict kept) stay for
// `inputMs`, and the verified outputs and finished frames until the user deletes the job.
// As provider: a unit's module, input and my output are needed until it is settled or refunded, or
// the requester holds my result, and for `providerMs` after.
import { unitIdsOf, type MeshState } from './state.js';
import { unitIdOf } from './unit-table.js';

export type BlobKind = 'module' | 'input' | 'output';

export interface BlobNeed {
  kind: BlobKind;
  /** Until when (ms since the epoch) it is needed; Infinity while open work or a kept output names it. */
  until: number;
  /** As provider: the requesters I hold it for (their quotas count it); none as requester only. */
  heldFor?: Set<string>;
}

export interface Retention {
  providerMs: number;
  inputMs: number;
  /**
   * As provider: when the requester said it holds my result of an assignment still open (accepted
   * unchecked, paid when its job ends): from then it needs nothing more of mine for it.
   */
  deliveredAt?: (assignmentId: string) => number | undefined;
  /** A compacted job's verified outputs (its units left the state; the journal's `units` table has them). */
  compactedOutputs?: (jobId: string) => Iterable<string>;
}

export function blobNeeds(state: MeshState, retention: Retention): Map<string, BlobNeed> {
  const needs = new Map<string, BlobNeed>();
  const need = needIn(needs);
  for (const record of state.jobs.values()) {
    if (record.job.requester !== state.me) continue;
    const closedAt = record.completedAt ?? (record.cancelled ? record.cancelledAt : undefined);
    const open = closedAt === undefined;
    const inputsUntil = open ? Infinity : Date.parse(closedAt) + retention.inputMs;
    // A batched job's input is one blob (its units' input CIDs name slices of it, not blobs), and its
    // units share its first unit's module: their records are not made one by one (a million of them).
    need(record.input?.cid, 'input', inputsUntil);
    need(record.job.render?.submit_cid, 'input', inputsUntil); // a render job's submit, for a restart mid-pre-pass
    if (record.input && record.created > 0)
      need(state.units.get(unitIdOf(record.job.job_id, 0))?.unit.module_cid, 'module', inputsUntil);
    for (const unitId of unitIdsOf(record)) {
      if (!record.input) {
        const unit = state.units.get(unitId)?.unit;
        if (!unit) continue;
        need(unit.module_cid, 'module', inputsUntil);
        need(unit.input_cid, 'input', inputsUntil);
      }
      const agreeing = open ? undefined : state.units.progressOf(unitId)?.agreeing;
      for (const { result } of state.assignmentsOf(unitId)) {
        const kept = open || (agreeing?.includes(result?.result_id ?? '') ?? false);
        need(result?.output_cid, 'output', kept ? Infinity : inputsUntil);
      }
    }
    if (record.summary)
      for (const cid of retention.compactedOutputs?.(record.job.job_id) ?? []) need(cid, 'output', Infinity);
    for (const png of record.frames.values()) need(png, 'output', Infinity);
  }
  return providerNeeds(state, retention, needs);
}

/**
 * What I hold as provider (added to `needs`): the only needs with a `heldFor`, so all a count of
 * the quotas reads. It walks the assignments in the state (work in progress), not my jobs' units
 * or the outputs of compacted jobs (history).
 */
export function providerNeeds(
  state: MeshState,
  retention: Pick<Retention, 'providerMs' | 'deliveredAt'>,
  needs = new Map<string, BlobNeed>(),
): Map<string, BlobNeed> {
  const need = needIn(needs);
  for (const { acceptance, closing, result } of state.assignments.values()) {
    if (acceptance.provider_peer !== state.me) continue;
    const done = closing ? Date.parse(closing.at) : retention.deliveredAt?.(acceptance.assignment_id);
    const until = done === undefined ? Infinity : done + retention.providerMs;
    const requester = acceptance.requester_peer;
    const unit = state.units.get(acceptance.unit_id)?.unit;
    need(unit?.module_cid, 'module', until, requester);
    need(unit?.input_cid, 'input', until, requester);
    need(result?.output_cid, 'output', until, requester);
  }
  return needs;
}

/** Adds a need to `needs`: the first kind stays, the latest `until` wins, the requesters add up. */
function needIn(needs: Map<string, BlobNeed>) {
  return (cid: string | undefined, kind: BlobKind, until: number, heldFor?: string) => {
    if (cid === undefined) return;
    let entry = needs.get(cid);
    if (!entry) needs.set(cid, (entry = { kind, until }));
    else entry.until = Math.max(entry.until, until);
    if (heldFor !== undefined) (entry.heldFor ??= new Set()).add(heldFor);
  };
}

// Which blobs a node still needs, and until when: what garbage collection keeps (node/blobs/
// collector.ts) and what the storage view counts. Pure: the state and the retention settings in,
// a map out; the clock is the caller's.
//
// As requester: an open job's module, inputs and results' outputs (a WASI unit's stderr among
// them) are needed while it is open;
// once it completes or is cancelled its module and inputs (and outputs no verdict kept) stay for
// `inputMs`, and the verified outputs and finished frames until the user deletes the job.
// As provider: a unit's module, input and my output are needed until it is settled or refunded, or
// the requester holds my result, and for `providerMs` after.
// A compacted job's units are no longer in the state: what they still needed is kept apart as it is
// compacted (keptNeedsOf, the journal's `compacted_needs`), each for its role's retention.
import type { AssignmentRecord, JobRecord } from '../state/records.js';
import { unitIdsOf, type MeshState } from '../state/state.js';
import { unitIdOf } from '../state/unit-table.js';

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
  /** What compacted jobs' units still needed in a role when they left the state (keptNeedsOf). */
  compactedNeeds?: (role: KeptNeed['role']) => Iterable<KeptNeed>;
}

/** A blob a compacted job's units still needed, kept outside the state: needed for its role's retention after `since`. */
export interface KeptNeed {
  cid: string;
  kind: BlobKind;
  /** `requester`: my job's module, inputs, or an output no verdict kept (inputMs); `provider`: what I fetched and computed (providerMs). */
  role: 'requester' | 'provider';
  /** When its retention starts (ms since the epoch): the job's end, or the assignment's close. */
  since: number;
  /** As provider: the requester I hold it for. */
  heldFor?: string;
}

export function blobNeeds(state: MeshState, retention: Retention): Map<string, BlobNeed> {
  const needs = new Map<string, BlobNeed>();
  const need = needIn(needs);
  for (const record of state.jobs.values()) {
    if (record.job.requester !== state.me) continue;
    const closedAt = closedAtOf(record);
    const inputsUntil = closedAt === undefined ? Infinity : closedAt + retention.inputMs;
    need(record.input?.cid, 'input', inputsUntil);
    need(record.job.render?.submit_cid, 'input', inputsUntil); // a render job's submit, for a restart mid-pre-pass
    for (const { cid, kind, kept } of unitBlobs(state, record)) need(cid, kind, kept ? Infinity : inputsUntil);
    if (record.summary)
      for (const cid of retention.compactedOutputs?.(record.job.job_id) ?? []) need(cid, 'output', Infinity);
    for (const png of record.frames.values()) need(png, 'output', Infinity);
  }
  for (const kept of retention.compactedNeeds?.('requester') ?? [])
    need(kept.cid, kept.kind, kept.since + retention.inputMs);
  return providerNeeds(state, retention, needs);
}

/** When my job ended (ms): completed or cancelled; undefined while it is open. */
function closedAtOf(record: JobRecord): number | undefined {
  const closedAt = record.completedAt ?? (record.cancelled ? record.cancelledAt : undefined);
  return closedAt === undefined ? undefined : Date.parse(closedAt);
}

/**
 * The blobs my job's units in the state name: their module and inputs, and their results' outputs;
 * `kept`: needed for good (an open job's all, a finished job's outputs its verdicts kept).
 */
function* unitBlobs(state: MeshState, record: JobRecord): Generator<{ cid: string; kind: BlobKind; kept: boolean }> {
  const open = closedAtOf(record) === undefined;
  // A batched job's input is one blob (its units' input CIDs name slices of it, not blobs), and its
  // units share its first unit's module: their records are not made one by one (a million of them).
  const batchModule = record.input && state.units.get(unitIdOf(record.job.job_id, 0))?.unit.module_cid;
  if (batchModule) yield { cid: batchModule, kind: 'module', kept: open };
  // Likewise the dataset they share (a WASI job's files).
  const batchDataset = record.input && state.units.get(unitIdOf(record.job.job_id, 0))?.unit.required_dataset;
  if (batchDataset) yield { cid: batchDataset, kind: 'input', kept: open };
  if (record.summary) return; // compacted: its units left the state
  for (const unitId of unitIdsOf(record)) {
    if (!record.input) {
      const unit = state.units.get(unitId)?.unit;
      if (!unit) continue;
      if (unit.module_cid) yield { cid: unit.module_cid, kind: 'module', kept: open };
      if (unit.input_cid) yield { cid: unit.input_cid, kind: 'input', kept: open };
      if (unit.required_dataset) yield { cid: unit.required_dataset, kind: 'input', kept: open };
    }
    const agreeing = open ? undefined : state.units.progressOf(unitId)?.agreeing;
    for (const { result } of state.assignmentsOf(unitId)) {
      if (!result) continue;
      const kept = open || (agreeing?.includes(result.result_id) ?? false);
      yield { cid: result.output_cid, kind: 'output', kept };
      if (result.stderr_cid) yield { cid: result.stderr_cid, kind: 'output', kept };
    }
  }
}

/**
 * What a finished job's units still need, kept apart as it is compacted (they leave the state):
 * of my job, its module and inputs, and the outputs no verdict kept (its verified outputs are kept
 * for good from the journal's `units`: compactedOutputs); of my part in another's job, what I
 * fetched and computed for each assignment, from when it closed.
 */
export function keptNeedsOf(state: MeshState, jobId: string): KeptNeed[] {
  const kept = new Map<string, KeptNeed>();
  const keep = (need: KeptNeed) => {
    const key = `${need.role} ${need.cid}`;
    const known = kept.get(key);
    if (!known || known.since < need.since) kept.set(key, need);
  };
  const record = state.jobs.get(jobId);
  const closedAt = record && record.job.requester === state.me ? closedAtOf(record) : undefined;
  if (record && closedAt !== undefined)
    for (const { cid, kind, kept: forGood } of unitBlobs(state, record))
      if (!forGood) keep({ cid, kind, role: 'requester', since: closedAt });
  for (const assignment of state.assignments.values()) {
    const { acceptance, closing } = assignment;
    if (acceptance.job_id !== jobId || acceptance.provider_peer !== state.me || !closing) continue;
    const since = Date.parse(closing.at);
    for (const { cid, kind } of assignmentBlobs(state, assignment))
      keep({ cid, kind, role: 'provider', since, heldFor: acceptance.requester_peer });
  }
  return [...kept.values()];
}

/** What I fetched and computed for an assignment of mine as provider: its unit's module and input, my output (and stderr). */
function* assignmentBlobs(
  state: MeshState,
  { acceptance, result }: AssignmentRecord,
): Generator<{ cid: string; kind: BlobKind }> {
  const unit = state.units.get(acceptance.unit_id)?.unit;
  if (unit?.module_cid) yield { cid: unit.module_cid, kind: 'module' };
  if (unit?.input_cid) yield { cid: unit.input_cid, kind: 'input' };
  if (unit?.required_dataset) yield { cid: unit.required_dataset, kind: 'input' };
  if (result) yield { cid: result.output_cid, kind: 'output' };
  if (result?.stderr_cid) yield { cid: result.stderr_cid, kind: 'output' };
}

/**
 * What I hold as provider (added to `needs`): the only needs with a `heldFor`, so all a count of
 * the quotas reads. It walks the assignments in the state (work in progress), and what my
 * compacted ones still need, not my jobs' units or the outputs of compacted jobs (history).
 */
export function providerNeeds(
  state: MeshState,
  retention: Pick<Retention, 'providerMs' | 'deliveredAt' | 'compactedNeeds'>,
  needs = new Map<string, BlobNeed>(),
): Map<string, BlobNeed> {
  const need = needIn(needs);
  for (const kept of retention.compactedNeeds?.('provider') ?? [])
    need(kept.cid, kept.kind, kept.since + retention.providerMs, kept.heldFor);
  for (const assignment of state.assignments.values()) {
    const { acceptance, closing } = assignment;
    if (acceptance.provider_peer !== state.me) continue;
    const done = closing ? Date.parse(closing.at) : retention.deliveredAt?.(acceptance.assignment_id);
    const until = done === undefined ? Infinity : done + retention.providerMs;
    for (const { cid, kind } of assignmentBlobs(state, assignment)) need(cid, kind, until, acceptance.requester_peer);
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

// A job's units' outcomes and money, as its view shows them, kept up to date event by event: the UI
// asks for every job's view on each refresh, and a walk of a job's units on each would hold the main
// thread (~90 ms for 100,000 units). A job submitted while the node runs is counted from its
// submission, its new units adding nothing; one the node started with is walked once, a slice of
// units at a time between other work (countJobs); and each later event that touches a unit already
// counted moves its tally by that unit's change.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { JobView } from '../../../core/api/contract.js';
import { workerPart } from '../../../core/ledger/index.js';
import type { JobSummary } from '../../../core/mesh/state/records.js';
import { unitIdsOf, type AssignmentRecord, type JobRecord, type MeshState } from '../../../core/mesh/state/state.js';
import { heldOf } from '../../../core/mesh/state/records.js';
import { parseUnitId } from '../../../core/mesh/state/unit-table.js';
import { unitsAt } from '../../../core/mesh/rules/packs.js';
import { ledgerEntriesOf, MAX_JOB_REFUSALS, verdictsOf, type NodeEvent } from '../../../core/schemas/index.js';
import { agreedFailure } from '../units/unit-run.js';

type Refusal = JobView['refusals'][number];
export type Tally = JobSummary & { held: number; refusals: Refusal[] };

/** What one unit adds to its job's tally. */
interface UnitPart {
  verified: number;
  failed: number;
  held: number;
  spent: number;
  /** Its assignments' refusals, by assignment id, each with the job's units it held (a pack's). */
  refusals: ReadonlyMap<string, { provider: string; reason: string; at: string; units: number }>;
}

/** A unit's part is taken before and after each event that touches it: most have no refusal, and need no map of their own. */
const NO_REFUSALS: UnitPart['refusals'] = new Map();

/** A job's running tally: per provider, the units it refused and its last reason. */
interface Kept {
  verified: number;
  failed: number;
  held: number;
  spent: number;
  refusals: Map<string, Refusal>;
  /** Its units counted so far, from the first: the walk goes on from here. */
  walked: number;
}

/** Units walked between two turns of the event loop: 1.6 ms of the main thread, 6.4 at most (2,000: 4-11). */
const SLICE_UNITS = 1_000;

/** Each job's tally, once its walk began (keyed by the record: a restored state starts anew). */
const kept = new WeakMap<JobRecord, Kept>();

/** The job's tally: from its summary once compacted, else kept (the rest of its walk done now, if any is left). */
export function tallyOf(state: MeshState, record: JobRecord): Tally {
  if (record.summary) return { ...record.summary, held: 0, refusals: record.summary.refusals ?? [] };
  const tally = keptOf(record);
  walkOn(state, record, tally, Infinity);
  const refusals = [...tally.refusals.values()]
    .sort((a, b) => (a.last_at < b.last_at ? 1 : -1))
    .slice(0, MAX_JOB_REFUSALS);
  const { verified, failed, held, spent } = tally;
  return { verified, failed, held, spent, refusals };
}

/**
 * Walks the tally of each job in the state, a slice of units at a time with the event loop's turns
 * between, so that the UI's first view after a start finds it counted and no task runs long.
 */
export async function countJobs(state: MeshState, stopped: () => boolean): Promise<void> {
  for (const record of state.jobs.values()) {
    if (record.summary) continue;
    const tally = keptOf(record);
    while (!stopped() && walkOn(state, record, tally, SLICE_UNITS)) await nextTurn();
  }
}

/** Applies an event to the state, and moves the kept tally of each job whose units it touches, once walked. */
export function applyEvent(state: MeshState, event: NodeEvent): void {
  const moving = [...unitsTouched(state, event)].flatMap((unitId) => {
    const at = parseUnitId(unitId);
    const record = at && state.jobs.get(at.jobId);
    const tally = record && kept.get(record);
    // A unit not walked yet is counted, as it is then, when the walk gets to it.
    return tally && at.index < tally.walked
      ? [{ unitId, record, index: at.index, tally, before: unitPart(state, record, unitId, at.index) }]
      : [];
  });
  const growing = jobGrowing(event);
  const createdBefore = growing === undefined ? 0 : (state.jobs.get(growing)?.created ?? 0);
  state.apply(event);
  for (const { unitId, record, index, tally, before } of moving)
    move(tally, before, unitPart(state, record, unitId, index));
  if (growing !== undefined) countNewUnits(state.jobs.get(growing), createdBefore);
}

/** The job an event submits, or adds units to. */
function jobGrowing(event: NodeEvent): string | undefined {
  if (event.type === 'job.submitted') return event.job.job_id;
  if (event.type === 'units.created') return event.job_id;
  return event.type === 'unit.created' ? event.unit.job_id : undefined;
}

/**
 * A job's units made after `createdBefore` (none when it was just submitted): a new unit has no
 * verdict and no assignment, so it adds nothing, and a tally counted up to them stays counted
 * without a walk (else a 100,000-unit job's first view would walk all its units at once, ~180 ms).
 */
function countNewUnits(record: JobRecord | undefined, createdBefore: number): void {
  if (!record || record.summary) return;
  const tally = createdBefore === 0 ? keptOf(record) : kept.get(record);
  if (tally?.walked === createdBefore) tally.walked = record.created;
}

/** The units whose outcome or money the event may change (none for most events). */
function unitsTouched(state: MeshState, event: NodeEvent): Set<string> {
  if (event.type === 'unit.reopened') return new Set([event.unit_id]);
  const verdicts = verdictsOf(event);
  if (verdicts.length > 0) return new Set(verdicts.map((v) => v.unit_id));
  const assignments =
    event.type === 'acceptance.refused' ? [event.assignment_id] : ledgerEntriesOf(event).map((e) => e.assignment_id);
  const units = new Set<string>();
  for (const id of assignments) {
    const unitId = state.assignments.get(id)?.acceptance.unit_id;
    if (unitId !== undefined) units.add(unitId);
  }
  return units;
}

const NOTHING: UnitPart = { verified: 0, failed: 0, held: 0, spent: 0, refusals: NO_REFUSALS };

function keptOf(record: JobRecord): Kept {
  let tally = kept.get(record);
  if (!tally) kept.set(record, (tally = { verified: 0, failed: 0, held: 0, spent: 0, refusals: new Map(), walked: 0 }));
  return tally;
}

/** Counts up to `units` more of the job's units; whether any are left. */
function walkOn(state: MeshState, record: JobRecord, tally: Kept, units: number): boolean {
  const end = Math.min(record.created, tally.walked + units);
  for (const id of unitIdsOf(record, tally.walked)) {
    if (tally.walked >= end) break;
    move(tally, NOTHING, unitPart(state, record, id, tally.walked));
    tally.walked++;
  }
  return tally.walked < record.created;
}

/** What unit `index` of the job adds (a pack: each of its units, core/mesh/rules/packs.ts). */
function unitPart(state: MeshState, record: JobRecord, unitId: string, index: number): UnitPart {
  const unit = state.units.progressOf(unitId);
  const failed = unit?.verdict === 'rejected' || agreedFailure(unit?.consensusHash) !== undefined;
  const units = unitsAt(record, index);
  const failedUnits = failed ? units : (unit?.failedUnits ?? 0);
  let held = 0;
  let spent = 0;
  let refusals: Map<string, { provider: string; reason: string; at: string; units: number }> | undefined;
  for (const assignment of state.assignmentsOf(unitId)) {
    if (assignment.escrow === 'held') held += heldOf(assignment);
    else if (assignment.escrow === 'paid') spent += paidOut(assignment);
    if (assignment.refusal)
      (refusals ??= new Map()).set(assignment.acceptance.assignment_id, {
        provider: assignment.acceptance.provider_peer,
        ...assignment.refusal,
        units,
      });
  }
  return {
    verified: !failed && unit?.verdict === 'verified' ? units - failedUnits : 0,
    failed: failedUnits,
    held,
    spent,
    refusals: refusals ?? NO_REFUSALS,
  };
}

/**
 * Moves the tally by a unit's change from one part to another (a walk: from nothing). A refusal is
 * never taken back (its assignment keeps it), so only one the unit did not have counts anew.
 */
function move(tally: Kept, from: UnitPart, to: UnitPart): void {
  tally.verified += to.verified - from.verified;
  tally.failed += to.failed - from.failed;
  tally.held += to.held - from.held;
  tally.spent += to.spent - from.spent;
  for (const [id, { provider, reason, at, units: refused }] of to.refusals) {
    const seen = tally.refusals.get(provider);
    const units = (seen?.units ?? 0) + (from.refusals.has(id) ? 0 : refused);
    // The latest refusal's reason; between two at the same moment, the greater reason, in any order.
    const latest = !seen || at > seen.last_at || (at === seen.last_at && reason >= seen.reason);
    tally.refusals.set(provider, latest ? { provider, reason, units, last_at: at } : { ...seen, units });
  }
}

/** What a settled assignment paid out: its worker's part, and the verifier shares it earned as a reward. */
function paidOut(assignment: AssignmentRecord): number {
  const { closing, reward } = assignment;
  const toWorker =
    closing?.kind === 'settle'
      ? workerPart(closing.amount ?? heldOf(assignment), closing.worker_share_bps)
      : heldOf(assignment);
  return toWorker + (reward?.amount ?? 0);
}

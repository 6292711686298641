// How a job and its units look through the API, from the node's state; a compacted job
// (core/mesh/state/compaction.ts) from its summary and the journal's tables (`units`, and
// `unit_details`, which its compaction wrote from the views below).
import type { JobView, OfferView, UnitView } from '../../../core/api/contract.js';
import type { Offer } from '../../../core/schemas/index.js';
import type { JobSummary } from '../../../core/mesh/state/records.js';
import { unitIdsOf, type JobRecord, type MeshState } from '../../../core/mesh/state/state.js';
import { parseUnitId, unitIdOf } from '../../../core/mesh/state/unit-table.js';
import { framesOfJob } from '../../../core/kinds/frames.js';
import { LIMITS } from '../../../core/schemas/index.js';
import type { Archive, ArchivedUnit, UnitDetails } from '../../journal/archive.js';
import { packOf, unitsAt, unitsInPack, unitsOfJob, unitsPerPackOf } from '../../../core/mesh/rules/packs.js';
import { tallyOf } from './job-tally.js';
import type { PackOutputs } from '../units/pack-outputs.js';
import { agreedFailure } from '../units/unit-run.js';

/** What a finished job keeps once compacted: its totals, and its refusals. */
export function jobSummary(state: MeshState, record: JobRecord): JobSummary {
  const { verified, failed, spent, refusals } = tallyOf(state, record);
  return { verified, failed, spent, ...(refusals.length > 0 ? { refusals } : {}) };
}

/**
 * What a job's units keep through its compaction beyond their outcomes (Archive.keepDetails): for
 * each unit of the state (each pack, in a packed job) that had a provider, its view's providers,
 * estimates and times.
 */
export function* unitDetailsOf(state: MeshState, record: JobRecord): Generator<[number, UnitDetails]> {
  for (const id of unitIdsOf(record)) {
    if (!state.units.get(id)) continue;
    const { index, providers, estimated_fuel, estimated_seconds, seconds, fuel, device } = unitView(state, id);
    if (providers.length > 0 || estimated_fuel !== null)
      yield [index, { providers, estimated_fuel, estimated_seconds, seconds, fuel, device }];
  }
}

/**
 * `live`, from the requester's round (Requester.liveOf): the job's units waiting for another
 * provider to agree, and why the job is not moving, if something stands in its way.
 */
export function jobView(
  state: MeshState,
  record: JobRecord,
  { awaitingAgreement = 0, waiting }: { awaitingAgreement?: number; waiting?: string } = {},
): JobView {
  const { verified, failed, held, spent, refusals } = tallyOf(state, record);
  // A render job (or a tiled Blender job) is done when its frames are assembled, not just its tiles verified.
  const framesDone = failed > 0 || record.frames.size === framesOfJob(record.job);
  const done = record.completedAt !== undefined && framesDone;
  return {
    job_id: record.job.job_id,
    name: record.job.name,
    algorithm: record.job.algorithm_id ?? 'wasm',
    state: stateOf(record, done, failed),
    units_total: unitsOfJob(record),
    units_created: unitsCreated(record),
    units_per_pack: unitsPerPackOf(record.job),
    units_verified: verified,
    units_failed: failed,
    units_awaiting_agreement: done || record.cancelled ? 0 : awaitingAgreement,
    redundancy: record.job.redundancy,
    budget: record.job.budget,
    held,
    spent,
    budget_needed: done || record.cancelled ? null : (record.paused?.needed ?? null),
    manual_accept: record.job.manual_accept ?? false,
    open_to_strangers: record.job.open_to_strangers ?? false,
    submitted_at: record.submittedAt,
    completed_at: done ? record.completedAt! : null,
    cancel_reason: record.cancelReason ?? null,
    waiting: done || record.cancelled ? null : (waiting ?? null),
    refusals,
  };
}

/** A job's state as its view says it: a paused job is running, short of budget. */
function stateOf(record: JobRecord, done: boolean, failed: number): JobView['state'] {
  if (record.cancelled) return 'cancelled';
  if (done) return failed > 0 ? 'failed' : 'completed';
  return record.paused ? 'paused' : 'running';
}

/** How a job's units are read: from the state, or the journal's archive once compacted; a packed job's outputs from its packs'. */
export interface UnitSources {
  state: MeshState;
  archive: Archive;
  packs: PackOutputs;
}

/** The job's units journaled so far, as the user counts them. */
export function unitsCreated(record: JobRecord): number {
  return Math.min(unitsOfJob(record), record.created * unitsPerPackOf(record.job));
}

/** A page of a job's units from `from`, at most LIMITS.unitsPerPage; a compacted job's from the journal's units table. */
export function unitPage(from: UnitSources, record: JobRecord, first: number): UnitView[] {
  const last = Math.min(unitsCreated(record), first + LIMITS.unitsPerPage);
  // A pack's view is made once for the page, not once for each of its units.
  const packs = new Map<number, UnitView>();
  return Array.from({ length: Math.max(0, last - first) }, (_, i) => unitAt(from, record, first + i, packs));
}

/** One unit of the job, or undefined when the job has none of that id. */
export function unitOfJob(from: UnitSources, record: JobRecord, unitId: string): UnitView | undefined {
  const at = parseUnitId(unitId);
  if (at?.jobId !== record.job.job_id || at.index >= unitsCreated(record)) return undefined;
  return unitAt(from, record, at.index);
}

/** Unit `index` of the job: itself, or its place in its pack (`packs`: the views of packs made so far). */
function unitAt(from: UnitSources, record: JobRecord, index: number, packs = new Map<number, UnitView>()): UnitView {
  const perPack = unitsPerPackOf(record.job);
  const { pack, place } = packOf(index, perPack);
  let view = packs.get(pack);
  if (!view) {
    const id = unitIdOf(record.job.job_id, pack);
    view = record.summary ? archivedUnitView(from.archive, record, id, pack) : unitView(from.state, id);
    if (perPack > 1) packs.set(pack, view);
  }
  if (perPack === 1) return view;
  const units = unitsInPack(pack, perPack, unitsOfJob(record));
  const output = view.output_cid === null ? undefined : from.packs.of(view.output_cid)?.[place];
  return unitInPack(view, unitIdOf(record.job.job_id, index), index, output && from.packs.cidOf(output), units);
}

/**
 * A unit of a pack, from the pack's view: its outcome and output are its own (its entry in the
 * pack's output); the seconds and fuel the pack took, it shares evenly with the pack's other units.
 */
function unitInPack(
  pack: UnitView,
  unitId: string,
  index: number,
  /** Its entry's CID in the pack's output; undefined when that is not in my store. */
  cid: string | undefined,
  units: number,
): UnitView {
  const share = (value: number | null, round = (n: number) => n) => (value === null ? null : round(value / units));
  const view: UnitView = {
    ...pack,
    unit_id: unitId,
    index,
    estimated_seconds: share(pack.estimated_seconds),
    seconds: share(pack.seconds),
    fuel: share(pack.fuel, Math.round),
  };
  if (pack.status !== 'verified') return view;
  if (!cid) return { ...view, consensus_hash: null, output_cid: null }; // the pack's output is not in my store
  const failure = agreedFailure(cid) ?? null;
  return { ...view, status: failure ? 'failed' : 'verified', failure, consensus_hash: cid, output_cid: cid };
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

/** A unit of a compacted job: its outcome and output from `units`, who ran it and how long from `unit_details`. */
function archivedUnitView(archive: Archive, record: JobRecord, unitId: string, index: number): UnitView {
  // A batched unit has a row once it has a verdict (projections/work.ts).
  const unit: ArchivedUnit = archive.unit(record.job.job_id, unitId) ?? { status: 'created', consensus_hash: null };
  const failure = unit.status === 'rejected' ? 'no_agreement' : (agreedFailure(unit.consensus_hash) ?? null);
  const { providers, ...estimatesAndTimes } = archive.details(record.job.job_id, index) ?? NO_DETAILS;
  return {
    unit_id: unitId,
    index,
    status: failure ? 'failed' : unit.status === 'verified' ? 'verified' : 'open',
    failure,
    providers,
    consensus_hash: unit.consensus_hash,
    output_cid: unit.status === 'verified' ? unit.consensus_hash : null,
    ...estimatesAndTimes,
  };
}

/** A compacted unit that no provider ran (its job cancelled first), or one compacted before its details were kept. */
const NO_DETAILS: UnitDetails = {
  providers: [],
  estimated_fuel: null,
  estimated_seconds: null,
  seconds: null,
  fuel: null,
  device: null,
};

/**
 * The live offers on a job's units, as the API shows them: a pack's offer is named by its first
 * unit, as the user counts them, and says how many units it covers.
 */
export function offerViews(state: MeshState, jobId: string, offers: readonly Offer[], now: number): OfferView[] {
  const job = state.jobs.get(jobId);
  const perPack = job ? unitsPerPackOf(job.job) : 1;
  return offers.map((o) => {
    const index = parseUnitId(o.unit_id)?.index ?? 0;
    const covers =
      perPack === 1 || !job
        ? { unit_id: o.unit_id, units: 1 }
        : { unit_id: unitIdOf(jobId, index * perPack), units: unitsAt(job, index) };
    return {
      offer_id: o.offer_id,
      ...covers,
      provider: o.provider_peer,
      price: o.price,
      estimated_seconds: o.estimated_seconds,
      reputation: state.reputationOf(o.provider_peer, now),
      trust: state.myTrustIn(o.provider_peer),
      tier: o.tier,
      expected_end: o.expected_end,
    };
  });
}

// What a requester asks of providers: the work requests its commitment lists (a few open units of
// each running job, and how many more are open), and the units a provider pulls beyond them.
import type { JobRecord } from '../../../core/mesh/state/state.js';
import { unitGroupsOf, type MessageBody } from '../../../core/protocol/messages.js';
import { LIMITS, type WorkRequest, type WorkUnit } from '../../../core/schemas/index.js';
import { iso, type NodeContext } from '../context/node-context.js';
import type { OpenUnits } from './open-units.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type WorkRequestsNeeds = Pick<NodeContext, 'me' | 'now' | 'state'>;

/** Open units a commitment lists of each job; providers pull the rest (onPull). */
const LISTED_PER_JOB = 8;
/** How long a unit lent to one provider by a pull is lent to others only when nothing else is open. */
const LEND_MS = 5000;
/**
 * The most bytes of units one commitment lists, and one `units` reply carries (as JSON): half of
 * what either message may be, so the rest of it always fits.
 */
const MAX_UNIT_BYTES = 1024 * 1024;

/** The first of `units` whose JSON fits in `budget.bytes`, which they use up. */
function withinBytes(units: WorkUnit[], budget: { bytes: number }): WorkUnit[] {
  for (let i = 0; i < units.length; i++) {
    budget.bytes -= JSON.stringify(units[i]).length;
    if (budget.bytes < 0) return units.slice(0, i);
  }
  return units;
}

export class WorkRequests {
  /** Units lately lent by a pull: to whom, and when; oldest first. */
  readonly #lent = new Map<string, { to: string; at: number }>();

  constructor(
    private readonly ctx: WorkRequestsNeeds,
    private readonly open: OpenUnits,
    private readonly jobs: {
      /** My running jobs (for strangers: those open to them). */
      runningJobs(strangersOnly: boolean): Iterable<JobRecord>;
      /** Whether the provider has a live offer for the unit. */
      hasOfferFrom(provider: string, unitId: string): boolean;
    },
  ) {}

  /**
   * My work requests for the peers I trust (every job), or for anyone (the jobs open to strangers):
   * a job's first LISTED_PER_JOB open units, and its count of undecided units when more may be open,
   * which providers pull (onPull). A commitment stays small however big the jobs are.
   */
  list(audience: 'trusted' | 'strangers'): WorkRequest[] {
    const requests: WorkRequest[] = [];
    const budget = { bytes: MAX_UNIT_BYTES };
    for (const record of this.jobs.runningJobs(audience === 'strangers')) {
      const units = withinBytes(this.open.of(record, LISTED_PER_JOB), budget);
      if (units.length === 0 && budget.bytes < 0) break;
      if (units.length === 0) continue;
      const { job } = record;
      requests.push({
        request_id: job.job_id,
        requester_id: this.ctx.me,
        job_id: job.job_id,
        work_units: units,
        ...(units.length === LISTED_PER_JOB || budget.bytes < 0
          ? { open_units: Math.max(units.length, record.created - record.decided) }
          : {}),
        timestamp: iso(this.ctx.now()),
        ...(job.deadline !== undefined ? { deadline: job.deadline } : {}),
      });
      if (requests.length >= LIMITS.requestsPerCommitment || budget.bytes < 0) break;
    }
    return requests.sort((a, b) => b.work_units[0]!.priority - a.work_units[0]!.priority);
  }

  /**
   * A provider pulling more units of a job: open units it neither holds nor has offered for, those
   * lent to no other provider in the last LEND_MS first, so providers pulling at once get different
   * ones. Only for a job of mine that is running, not paused, and open to the provider (I trust it,
   * or the job is open to strangers), as its commitment would be.
   */
  onPull(from: string, { job_id: jobId, max }: MessageBody<'pull'>): MessageBody<'units'> {
    const { state } = this.ctx;
    const record = state.myRunningJob(jobId);
    const trusted = (state.trust.get(from)?.weight ?? 0) > 0;
    if (!record || record.paused || !(trusted || record.job.open_to_strangers === true)) return { groups: [] };
    const nowMs = this.ctx.now();
    // Oldest first (a unit lent again moves to the end): the walk stops at the first still lent.
    for (const [id, lent] of this.#lent) {
      if (nowMs - lent.at < LEND_MS) break;
      this.#lent.delete(id);
    }
    const theirs = (unitId: string) =>
      state.activeAssignments(unitId).some((a) => a.acceptance.provider_peer === from) ||
      this.jobs.hasOfferFrom(from, unitId);
    // A unit lent to this puller lately is not lent to it again: it pulls only once it has offered
    // for all it was lent, so such a unit is one whose offer is still on its way to me (lent again,
    // a third of the units sent would go twice).
    const lentTo = (unitId: string) => this.#lent.get(unitId)?.to;
    const found = this.open.of(record, max, (id) => lentTo(id) === undefined && !theirs(id), from);
    if (found.length < max) {
      const taken = new Set(found.map((u) => u.unit_id));
      const lentToOthers = (id: string) => {
        const to = lentTo(id);
        return to !== undefined && to !== from && !taken.has(id) && !theirs(id);
      };
      found.push(...this.open.of(record, max - found.length, lentToOthers));
    }
    const units = withinBytes(found, { bytes: MAX_UNIT_BYTES });
    for (const unit of units) {
      this.#lent.delete(unit.unit_id);
      this.#lent.set(unit.unit_id, { to: from, at: nowMs });
    }
    return { groups: unitGroupsOf(units) };
  }
}

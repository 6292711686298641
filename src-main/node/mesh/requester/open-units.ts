// The requester's units that want workers now, as a pull, a commitment and the accept round ask for
// them: a job's units in order from the first without a verdict, passing those that have all the
// workers they want. A big job has a pipeline's worth of units in flight per provider (up to 3,000
// tiny ones), and a walk that passed them all would make a pull of a few dozen units cost as much
// as thousands. So a walk starts below where the last one found its first unit that was neither
// decided nor full, and from the first undecided unit again once that is WALK_AGAIN_MS old, so a
// unit that lost a worker meanwhile (a refund, a conviction, results that disagreed and ask for
// more) waits that long at most before it is handed out again. A pull's walk starts past where the
// same puller's last one ended, as fresh: the units between are those lent to it lately, which it
// passes anyway (a provider's pipeline of them, walked at each of its pulls).
import { unitIdsOf, type JobRecord } from '../../../core/mesh/state/state.js';
import type { WorkUnit } from '../../../core/schemas/index.js';
import type { NodeContext } from '../context/node-context.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type OpenUnitsNeeds = Pick<NodeContext, 'now' | 'state'>;

const WALK_AGAIN_MS = 1_000;
/** Jobs whose walk is remembered before stale ones are dropped. */
const JOBS_KEPT = 64;
/** Pullers and jobs whose walk is remembered: a job may have hundreds of providers pulling. */
const PULLS_KEPT = 1024;

export class OpenUnits {
  /** Per job: each unit below `index` had a verdict or all its workers when a walk begun at `since` passed it. */
  readonly #fullBelow = new Map<string, { index: number; since: number }>();
  /** Per puller and job: where its last pull's walk ended (as #fullBelow, for one puller). */
  readonly #pulledUpTo = new Map<string, { index: number; since: number }>();

  constructor(
    private readonly ctx: OpenUnitsNeeds,
    /** Extra replicas an undecided unit asks for, beside its job's redundancy (Verdicts.extraReplicas). */
    private readonly extraReplicas: (unitId: string) => number,
  ) {}

  /**
   * Up to `limit` units of the job that want workers now and that `accept` lets through, in unit
   * order; for `puller`, from where its last walk ended (those before are passed by `accept`).
   */
  of(record: JobRecord, limit: number, accept: (unitId: string) => boolean = () => true, puller?: string): WorkUnit[] {
    const { state } = this.ctx;
    const jobId = record.job.job_id;
    const first = state.units.firstUndecided(jobId, record.created);
    const now = this.ctx.now();
    let known = this.#fullBelow.get(jobId);
    if (!known || now - known.since >= WALK_AGAIN_MS) known = { index: first, since: now };
    let index = Math.max(first, known.index);
    const pullerKey = puller === undefined ? undefined : `${puller} ${jobId}`;
    let pulled = pullerKey === undefined ? undefined : this.#pulledUpTo.get(pullerKey);
    if (!pulled || now - pulled.since >= WALK_AGAIN_MS) pulled = { index, since: now };
    // Past the units this walk does not look at, it learns nothing of what is full below.
    let fullBelow: number | undefined = pulled.index > index ? known.index : undefined;
    index = Math.max(index, pulled.index);
    const open: WorkUnit[] = [];
    for (const id of unitIdsOf(record, index)) {
      if (open.length >= limit) break;
      // Judged by id; a WorkUnit is made only for a unit handed out (a pull passes about two units
      // lent lately for each it returns). A unit's redundancy is its job's (job-split.ts, render-jobs.ts).
      const full = state.activeCount(id) >= record.job.redundancy + this.extraReplicas(id);
      if (full || state.units.progressOf(id)?.verdict) {
        index++;
        continue;
      }
      fullBelow ??= index;
      const unit = accept(id) ? state.units.get(id)?.unit : undefined;
      if (unit) open.push(unit);
      index++;
    }
    remember(this.#fullBelow, JOBS_KEPT, jobId, { index: fullBelow ?? index, since: known.since });
    if (pullerKey !== undefined) remember(this.#pulledUpTo, PULLS_KEPT, pullerKey, { index, since: pulled.since });
    return open;
  }

  /** The unit, unless it has its verdict or all the workers it wants (checked before the unit is made). */
  stillWanted(unitId: string): WorkUnit | undefined {
    const { state } = this.ctx;
    if (state.units.progressOf(unitId)?.verdict) return undefined;
    const active = state.activeAssignments(unitId).length;
    const unit = state.units.get(unitId)?.unit;
    return unit && active < this.wanted(unit) ? unit : undefined;
  }

  /** The workers a unit wants: its redundancy, and more while its results disagree. */
  wanted(unit: WorkUnit): number {
    return unit.verification_redundancy + this.extraReplicas(unit.unit_id);
  }
}

/** Sets the walk under `key` as the newest (Map order is oldest first), dropping the oldest past `kept`. */
function remember(
  walks: Map<string, { index: number; since: number }>,
  kept: number,
  key: string,
  walked: { index: number; since: number },
): void {
  walks.delete(key);
  walks.set(key, walked);
  if (walks.size > kept) walks.delete(walks.keys().next().value!);
}

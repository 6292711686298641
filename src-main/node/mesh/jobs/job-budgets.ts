// A job's budget: the acceptor takes no offer past what it has left (core/scheduler/accept.ts),
// and the results accepted unchecked are held until the job completes. So a job whose budget is
// spent before its units are done, nothing of it in flight, would wait for ever, "running", its
// held results never paid. Its user may set the budget anew at any time (`meshctl job budget`);
// a job left out of budget is cancelled, saying why, once every offer for it has been over budget
// for OUT_OF_BUDGET_MS: long enough for a person who sees it wait to raise it, short enough that
// its providers are not kept from their pay. A cancel pays what was delivered and refunds the
// rest (requester.ts), as a user's would.
import { formatCredits } from '../../../core/ledger/index.js';
import { unitsPerPackOf } from '../../../core/mesh/rules/packs.js';
import { ApiError } from '../../api/errors.js';
import type { JobRecord } from '../../../core/mesh/state/state.js';
import type { NodeContext } from '../context/node-context.js';
import { cheapestOf, type JobRound } from './job-rounds.js';

/** How long every offer for a job with nothing in flight must have been over its budget before it is ended. */
const OUT_OF_BUDGET_MS = 120_000;

/** A job out of budget, while it waits for its user: since when, and the cheapest price it was asked. */
interface OutOfBudget {
  since: number;
  cheapest: number;
}

export class JobBudgets {
  /** Since when each job has had only offers over its budget, and nothing in flight. */
  readonly #out = new Map<string, OutOfBudget>();

  constructor(
    private readonly ctx: Pick<NodeContext, 'state' | 'me' | 'now' | 'background' | 'record' | 'emit'>,
    private readonly cancel: (jobId: string, reason: string) => Promise<void>,
    /** A new budget takes effect: offers are weighed again at once. */
    private readonly changed: () => void,
    private readonly waitMs = OUT_OF_BUDGET_MS,
  ) {}

  /** After each acceptance round: ends the jobs that have been out of budget long enough. */
  round(jobs: ReadonlyMap<string, JobRound>): void {
    const now = this.ctx.now();
    for (const [jobId, { accepted, refused }] of jobs) {
      if (accepted) {
        this.#out.delete(jobId);
        continue;
      }
      // Out of budget: every offer for it over what it has left.
      if (refused.length === 0 || refused.some(({ refusal }) => refusal.code !== 'over_budget')) continue;
      const record = this.ctx.state.myRunningJob(jobId);
      if (!record || this.#inFlight(jobId)) {
        this.#out.delete(jobId); // a unit in flight may yet be refunded, and its credits used
        continue;
      }
      const out = { since: this.#out.get(jobId)?.since ?? now, cheapest: cheapestOf(refused) };
      this.#out.set(jobId, out);
      if (now - out.since < this.waitMs) continue;
      this.#out.delete(jobId);
      this.ctx.background(`ending job ${jobId}, out of budget`, this.cancel(jobId, this.#reason(record, out)));
    }
  }

  /** Why a job is out of budget, in words: its budget, what it has committed, and what it was asked. */
  #reason(record: JobRecord, { cheapest }: OutOfBudget): string {
    const { budget, job_id } = record.job;
    const committed = this.ctx.state.committedTo(job_id);
    const perPack = unitsPerPackOf(record.job);
    const what = perPack === 1 ? 'a unit' : `a pack of ${perPack} units`;
    return `its budget of ${formatCredits(budget)} credits ran out (${formatCredits(committed)} held or spent): the cheapest offer asked ${formatCredits(cheapest)} for ${what}, over the ${formatCredits(budget - committed)} left`;
  }

  /** Why a running job waits on its budget, and what its user can do, or undefined when it does not. */
  why(record: JobRecord): string | undefined {
    const jobId = record.job.job_id;
    const out = this.#out.get(jobId);
    if (!out) return undefined;
    // A time, not a countdown: the UI shows a view until the next event, and a countdown would go stale.
    const at = new Date(out.since + this.waitMs).toISOString().replace(/\.\d+Z$/, 'Z');
    return `out of budget: ${this.#reason(record, out)}. Raise it before ${at} (meshctl job budget ${jobId} <credits>, or Budget on its card in the UI), or the job is cancelled then and what was delivered paid`;
  }

  /** Sets a running job of mine's budget anew; refused under what it has held or spent. */
  async set(jobId: string, budget: number): Promise<void> {
    const record = this.ctx.state.jobs.get(jobId);
    if (!record || record.job.requester !== this.ctx.me) throw new ApiError('not_found', `no job ${jobId} of mine`);
    if (!this.ctx.state.isMyRunningJob(record))
      throw new ApiError('conflict', `job ${jobId} has ended: its budget no longer matters`);
    const committed = this.ctx.state.committedTo(jobId);
    if (budget < committed)
      throw new ApiError(
        'bad_request',
        `budget: ${formatCredits(budget)} is under the ${formatCredits(committed)} credits job ${jobId} has held or spent already`,
      );
    if (budget === record.job.budget) return;
    await this.ctx.record([{ type: 'job.budget_set', job_id: jobId, budget }]);
    this.#out.delete(jobId);
    this.ctx.emit('job.budget_set', { job_id: jobId, budget });
    this.changed();
  }

  /** Whether an assignment of the job waits for its result (a refund of it would give credits back). */
  #inFlight(jobId: string): boolean {
    for (const { acceptance } of this.ctx.state.inFlightAs('requester').values())
      if (acceptance.job_id === jobId) return true;
    return false;
  }
}

// A job's budget: the acceptor takes no offer past what it has left (core/scheduler/accept.ts),
// and the results accepted unchecked are held until the job completes. So a job whose budget is
// spent before its units are done, nothing of it in flight, would wait for ever, "running", its
// held results never paid. It is cancelled instead, saying why, once every offer for it has been
// over budget for OUT_OF_BUDGET_MS (a cheaper provider's offer would have come by then: each
// provider offers again at every commitment of mine, every 2 s while I have open units). A cancel
// pays what was delivered and refunds the rest (requester.ts), as a user's would.
import { formatCredits } from '../../core/ledger/index.js';
import { unitsPerPackOf } from '../../core/mesh/packs.js';
import type { NodeContext } from './context.js';
import { cheapestOf, type JobRound } from './job-rounds.js';

/** How long every offer for a job with nothing in flight must have been over its budget before it is ended. */
const OUT_OF_BUDGET_MS = 10_000;

export class JobBudgets {
  /** Since when each job has had only offers over its budget, and nothing in flight. */
  readonly #since = new Map<string, number>();

  constructor(
    private readonly ctx: Pick<NodeContext, 'state' | 'now' | 'background'>,
    private readonly cancel: (jobId: string, reason: string) => Promise<void>,
  ) {}

  /** After each acceptance round: ends the jobs that have been out of budget long enough. */
  round(jobs: ReadonlyMap<string, JobRound>): void {
    const now = this.ctx.now();
    for (const [jobId, { accepted, refused }] of jobs) {
      if (accepted) {
        this.#since.delete(jobId);
        continue;
      }
      // Out of budget: every offer for it over what it has left.
      if (refused.length === 0 || refused.some(({ refusal }) => refusal.code !== 'over_budget')) continue;
      const record = this.ctx.state.jobs.get(jobId);
      if (!record || record.cancelled || record.completedAt || this.#inFlight(jobId)) {
        this.#since.delete(jobId); // a unit in flight may yet be refunded, and its credits used
        continue;
      }
      const since = this.#since.get(jobId) ?? now;
      this.#since.set(jobId, since);
      if (now - since < OUT_OF_BUDGET_MS) continue;
      this.#since.delete(jobId);
      const { budget } = record.job;
      const committed = this.ctx.state.committedTo(jobId);
      const perPack = unitsPerPackOf(record.job);
      const what = perPack === 1 ? 'a unit' : `a pack of ${perPack} units`;
      const reason = `its budget of ${formatCredits(budget)} credits ran out (${formatCredits(committed)} held or spent): the cheapest offer asked ${formatCredits(cheapestOf(refused))} for ${what}, over the ${formatCredits(budget - committed)} left`;
      this.ctx.background(`ending job ${jobId}, out of budget`, this.cancel(jobId, reason));
    }
  }

  /** Whether an assignment of the job waits for its result (a refund of it would give credits back). */
  #inFlight(jobId: string): boolean {
    for (const { acceptance } of this.ctx.state.inFlightAs('requester').values())
      if (acceptance.job_id === jobId) return true;
    return false;
  }
}

// A job's own deadline (`--deadline`): no provider takes a unit of a job past it
// (core/scheduler/allocate.ts), so a job of mine still unfinished then would wait for ever,
// "running". It is cancelled at its deadline instead, saying why, as a user's cancel would: what
// was delivered is paid, the rest refunded (requester.ts cancel). One timer, for the soonest
// deadline of my running jobs, armed at start and after each submit; none while no job has one.
import { refusePassed } from '../../api/errors.js';
import type { NodeContext } from '../context/node-context.js';

/** The longest a Node timer waits (about 24.8 days): a later deadline is looked at again then. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

export class JobDeadlines {
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly ctx: Pick<NodeContext, 'state' | 'now' | 'background'>,
    private readonly cancel: (jobId: string, reason: string) => Promise<void>,
  ) {}

  /** Cancels my running jobs past their deadline, and arms the timer for the soonest of the others. */
  watch(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#stopped) return;
    const now = this.ctx.now();
    let soonest = Infinity;
    for (const { job } of this.ctx.state.myRunningJobs()) {
      if (job.deadline === undefined) continue;
      const at = Date.parse(job.deadline);
      if (at > now) soonest = Math.min(soonest, at);
      else
        this.ctx.background(
          `cancelling job ${job.job_id} at its deadline`,
          this.cancel(job.job_id, `its deadline, ${job.deadline}, passed before it finished`),
        );
    }
    if (soonest === Infinity) return;
    this.#timer = setTimeout(() => this.watch(), Math.min(soonest - now, LONGEST_TIMER_MS));
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}

/** A deadline already past is refused at submit, as a bad request: no provider would take a unit of the job. */
export function refusePassedDeadline(deadline: string | undefined, nowMs: number): void {
  if (deadline !== undefined)
    refusePassed('deadline', deadline, nowMs, "a job's deadline is when its units must be done");
}

// A job's budget: the acceptor takes no offer past what it has left (core/scheduler/accept.ts). A
// job whose every offer asks more than that, with nothing of it in flight and no result of it
// waiting for a verdict (whose release or settle would give some back), pauses: `job.paused`
// journals the budget it needs to finish, at the cheapest of those offers (core/scheduler/quote.ts),
// and its units are offered to no provider. It goes on when its user sets its budget anew (`meshctl
// job budget`, Raise on its card in the UI). Its results accepted unchecked stay held meanwhile,
// each at its price, and are paid when it completes, or at once if it is cancelled.
import { formatCredits } from '../../../core/ledger/index.js';
import { unitsPerPackOf } from '../../../core/mesh/rules/packs.js';
import { expectedPrice, quoteOf, type QuotedUnit } from '../../../core/scheduler/quote.js';
import { offerPrice } from '../../../core/scheduler/pricing.js';
import type { Offer, WorkUnit } from '../../../core/schemas/index.js';
import { ApiError } from '../../api/errors.js';
import { unitIdsOf, type JobRecord } from '../../../core/mesh/state/state.js';
import type { NodeContext } from '../context/node-context.js';
import type { JobRound } from './job-rounds.js';

/** Whether offer `a` asks less than `b`: by its fuel rate when both bill by fuel (their units differ), else by price. */
function cheaper(a: Offer, b: Offer): boolean {
  if (a.fuel_price && b.fuel_price && a.fuel_price.per_gfuel !== b.fuel_price.per_gfuel)
    return a.fuel_price.per_gfuel < b.fuel_price.per_gfuel;
  return a.price < b.price;
}

export class JobBudgets {
  /** Jobs whose pause is being journaled: a round meanwhile does not pause them again. */
  readonly #pausing = new Set<string>();

  constructor(
    private readonly ctx: Pick<NodeContext, 'state' | 'me' | 'background' | 'record' | 'emit'>,
    /** A job paused or given a new budget: its units are offered again, or no longer, and offers weighed again. */
    private readonly changed: () => void,
    /** Whether a unit's results wait for another provider to agree (verdicts.ts): no verdict is coming soon. */
    private readonly awaitingAgreement: (unitId: string) => boolean = () => false,
  ) {}

  /** After each acceptance round: pauses the jobs it found short of budget. */
  round(jobs: ReadonlyMap<string, JobRound>): void {
    for (const [jobId, { accepted, refused }] of jobs) {
      if (accepted || refused.length === 0 || refused.some(({ refusal }) => refusal.code !== 'over_budget')) continue;
      const record = this.ctx.state.myRunningJob(jobId);
      if (!record || record.paused || this.#pausing.has(jobId) || this.#unsettled(jobId)) continue;
      const cheapest = refused.reduce((low, { offer }) => (cheaper(offer, low) ? offer : low), refused[0]!.offer);
      this.#pausing.add(jobId);
      this.ctx.background(
        `pausing job ${jobId}, short of budget`,
        this.#pause(record, cheapest).finally(() => this.#pausing.delete(jobId)),
      );
    }
  }

  async #pause(record: JobRecord, cheapest: Offer): Promise<void> {
    const { job_id: jobId, budget } = record.job;
    const committed = this.ctx.state.committedTo(jobId);
    const needed = Math.max(committed + this.#toFinish(record, cheapest), committed + cheapest.price);
    const perPack = unitsPerPackOf(record.job);
    const what = perPack === 1 ? 'a unit' : `a pack of ${perPack} units`;
    const reason = `its budget of ${formatCredits(budget)} credits ran short (${formatCredits(committed)} held or spent): the cheapest offer asks ${formatCredits(cheapest.price)} for ${what}, over the ${formatCredits(budget - committed)} left`;
    await this.ctx.record([{ type: 'job.paused', job_id: jobId, needed, reason }]);
    this.ctx.emit('job.paused', { job_id: jobId, needed });
    this.changed();
  }

  /**
   * What the job's units without a verdict are expected to hold and pay at the terms of `offer`
   * (billed by fuel: its rate on each unit's estimate, under each unit's own cap at that rate, as
   * its provider would offer it; else its price), each run by the job's redundancy, with room for
   * one escrow at its cap (core/scheduler/quote.ts).
   */
  #toFinish(record: JobRecord, offer: Offer): number {
    const { state } = this.ctx;
    const left = Math.max(0, record.job.unit_count - record.decided);
    const rate = offer.fuel_price;
    const quoted = (unit: WorkUnit | undefined): QuotedUnit => {
      const terms =
        rate && unit?.estimated_fuel !== undefined ? offerPrice({ per_core_second: 0, ...rate }, unit, 0) : offer;
      return { price: expectedPrice(terms, unit?.estimated_fuel), cap: terms.price };
    };
    const sample: QuotedUnit[] = [];
    // A unit's own estimate counts only when the offer bills by fuel; a batched job's units share one.
    if (rate && !record.input)
      for (const id of unitIdsOf(record))
        if (!state.units.progressOf(id)?.verdict) sample.push(quoted(state.units.get(id)?.unit));
    if (sample.length === 0) sample.push(quoted(state.units.get(offer.unit_id)?.unit));
    return quoteOf(sample, left, record.job.redundancy).budget;
  }

  /**
   * Whether a unit of the job is in flight, or has results in that wait for a verdict (not for
   * another provider's agreement, which may never come): its release or settle may give back some
   * of the budget, and the job takes offers again. Walks the held escrows only when the job is short.
   */
  #unsettled(jobId: string): boolean {
    const { state } = this.ctx;
    for (const { acceptance } of state.inFlightAs('requester').values()) if (acceptance.job_id === jobId) return true;
    for (const { acceptance, result } of state.heldAs('requester').values()) {
      if (acceptance.job_id !== jobId || !result) continue;
      const unitId = acceptance.unit_id;
      if (!state.units.progressOf(unitId)?.verdict && !this.awaitingAgreement(unitId)) return true;
    }
    return false;
  }

  /** Why a paused job waits, and what its user can do, or undefined when it is not paused. */
  why(record: JobRecord): string | undefined {
    const { paused, job } = record;
    if (!paused || !this.ctx.state.isMyRunningJob(record)) return undefined;
    const more = paused.needed - job.budget;
    return `paused: ${paused.reason}. To finish it needs a budget of about ${formatCredits(paused.needed)} (${formatCredits(Math.max(0, more))} more) at that offer's rate: meshctl job budget ${job.job_id} ${formatCredits(paused.needed)}, or Raise on its card in the UI`;
  }

  /** Sets a running job of mine's budget anew (a paused one goes on); refused under what it has held or spent. */
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
    if (budget === record.job.budget && !record.paused) return;
    await this.ctx.record([{ type: 'job.budget_set', job_id: jobId, budget }]);
    this.ctx.emit('job.budget_set', { job_id: jobId, budget });
    this.changed();
  }
}

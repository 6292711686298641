// Why a running job of mine is not moving, in words for its user (the job view's `waiting`): too
// few providers I can use for its redundancy, or every offer for it refused for the same reason
// (over its price cap, from peers I do not trust). A job waits for these rather than end: prices
// change and providers come back. Read from the last acceptance round and the commitments heard.
import { formatCredits } from '../../core/ledger/index.js';
import type { JobRecord } from '../../core/mesh/state.js';
import type { Refusal, RefusalCode } from '../../core/scheduler/accept.js';
import type { NodeContext } from './context.js';
import type { AcceptanceRound } from './job-budgets.js';

/** Refusals that say something about the job (the others are the round's own bookkeeping: busy, taken, met). */
const TELLING: ReadonlySet<RefusalCode> = new Set(['over_max_price', 'untrusted', 'convicted', 'unreasonable']);

/** A round's telling refusals for one job: the first one's reason, how many shared it, the cheapest price they asked. */
interface Refused {
  refusal: Refusal;
  count: number;
  cheapest: number;
  /** The unit's price cap, for a refusal over it. */
  maxPrice?: number;
}

export class JobWaits {
  /** Per job, the refusals of the last round that weighed offers for it and took none. */
  readonly #refused = new Map<string, Refused>();

  constructor(private readonly ctx: Pick<NodeContext, 'state' | 'me' | 'commitments' | 'now'>) {}

  /** After each acceptance round. */
  round({ offers, acceptances, refusals }: AcceptanceRound): void {
    const byId = new Map(offers.map((offer) => [offer.offer_id, offer]));
    const seen = new Map<string, Refused>();
    for (const refusal of refusals) {
      const offer = byId.get(refusal.offer_id);
      if (!offer || !TELLING.has(refusal.code)) continue;
      const last = seen.get(offer.job_id);
      if (last?.refusal.code === refusal.code) {
        last.count++;
        last.cheapest = Math.min(last.cheapest, offer.price);
      } else if (!last) {
        const maxPrice = this.ctx.state.units.get(offer.unit_id)?.unit.max_price;
        seen.set(offer.job_id, {
          refusal,
          count: 1,
          cheapest: offer.price,
          ...(maxPrice !== undefined ? { maxPrice } : {}),
        });
      }
    }
    for (const { job_id } of acceptances) {
      seen.delete(job_id);
      this.#refused.delete(job_id);
    }
    for (const [jobId, refused] of seen) this.#refused.set(jobId, refused);
    for (const jobId of this.#refused.keys()) {
      const record = this.ctx.state.jobs.get(jobId);
      if (!record || record.cancelled || record.completedAt) this.#refused.delete(jobId);
    }
  }

  /** Why the job is not moving, or undefined when nothing stands in its way (or it has ended). */
  why(record: JobRecord): string | undefined {
    const { job } = record;
    if (record.cancelled || record.completedAt) return undefined;
    const strangersToo = job.open_to_strangers ?? false;
    const providers = this.#providersFor(strangersToo);
    if (providers === 0 && !strangersToo && !this.#trustsAnyone())
      return 'you trust no peer: nothing is computed for you until you do (meshctl trust set), or the job is open to strangers';
    if (providers < job.redundancy)
      return providers === 0
        ? 'no provider that works for you offers its cores now'
        : `each unit needs ${job.redundancy} different providers, and ${providers} ${providers === 1 ? 'that works for you offers' : 'that work for you offer'} cores now`;
    const refused = this.#refused.get(job.job_id);
    if (!refused) return undefined;
    const { refusal, count, cheapest, maxPrice } = refused;
    const offers = `${count} ${count === 1 ? 'offer' : 'offers'} not taken`;
    if (refusal.code === 'over_max_price' && maxPrice !== undefined)
      return `${offers}: the cheapest asks ${formatCredits(cheapest)} credits ${(job.units_per_pack ?? 1) > 1 ? 'for a pack of units' : 'for a unit'}, over its maximum of ${formatCredits(maxPrice)}`;
    if (refusal.code === 'untrusted')
      return `${offers}: they come from peers you do not trust, and the job is not open to strangers`;
    return `${offers}: ${refusal.message}`;
  }

  #trustsAnyone(): boolean {
    for (const [peer, { weight }] of this.ctx.state.trust) if (peer !== this.ctx.me && weight > 0) return true;
    return false;
  }

  /** Peers that offer their cores now and trust me, that I would take work from (not convicted; trusted, unless the job is open to strangers). */
  #providersFor(strangersToo: boolean): number {
    const { state, me } = this.ctx;
    const nowMs = this.ctx.now();
    let count = 0;
    for (const [peer, commitment] of this.ctx.commitments) {
      if (peer === me || commitment.availability_slots.length === 0 || !(commitment.trust_weights[me]! > 0)) continue;
      if (state.checks.isConvicted(peer)) continue;
      if (strangersToo || state.effectiveTrustIn(peer, nowMs) > 0) count++;
    }
    return count;
  }
}

// What each acceptance round did, job by job: whether it took an offer for the job, and why it
// refused the others. A job's budget (job-budgets.ts) and what it waits for (job-waits.ts) are read
// from it, grouped once a round.
import type { Refusal } from '../../../core/scheduler/accept.js';
import type { Acceptance, Offer } from '../../../core/schemas/index.js';

/** What an acceptance round did: the offers it weighed, those it took, and why it refused the others. */
export interface AcceptanceRound {
  offers: readonly Offer[];
  acceptances: readonly Acceptance[];
  refusals: readonly Refusal[];
}

/** One job's part of a round. */
export interface JobRound {
  accepted: boolean;
  refused: { refusal: Refusal; offer: Offer }[];
}

export function roundByJob({ offers, acceptances, refusals }: AcceptanceRound): Map<string, JobRound> {
  const byId = new Map(offers.map((offer) => [offer.offer_id, offer]));
  const jobs = new Map<string, JobRound>();
  const of = (jobId: string): JobRound => {
    let job = jobs.get(jobId);
    if (!job) jobs.set(jobId, (job = { accepted: false, refused: [] }));
    return job;
  };
  for (const { job_id } of acceptances) of(job_id).accepted = true;
  for (const refusal of refusals) {
    const offer = byId.get(refusal.offer_id);
    if (offer) of(offer.job_id).refused.push({ refusal, offer });
  }
  return jobs;
}

/** The lowest price the offers asked. */
export const cheapestOf = (refused: readonly { offer: Offer }[]): number =>
  refused.reduce((low, { offer }) => Math.min(low, offer.price), Infinity);

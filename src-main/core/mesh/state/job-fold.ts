// How a job's own events move the state: submitted, its units created (in batches, or one by one
// as a provider journaled them before they rode with their acceptances), its budget set anew,
// paused short of budget, cancelled. Compaction and deletion are the state's (state.ts): they
// touch its indexes too.
import type { NodeEventOf } from '../../schemas/index.js';
import { digestsFromBase64 } from './input-cids.js';
import type { JobRecord } from './records.js';
import type { UnitTable } from './unit-table.js';

/** The parts of MeshState a job's events change. */
export interface JobFolded {
  readonly jobs: Map<string, JobRecord>;
  readonly units: UnitTable;
}

type JobEvent = NodeEventOf<
  'job.submitted' | 'units.created' | 'job.budget_set' | 'job.paused' | 'job.cancelled' | 'unit.created'
>;

export function foldJobEvent(state: JobFolded, event: JobEvent): void {
  switch (event.type) {
    case 'job.submitted': {
      const { job, template, input } = event;
      if (state.jobs.has(job.job_id)) return;
      state.jobs.set(job.job_id, {
        job,
        created: 0,
        decided: 0,
        ...(input ? { input } : {}),
        submittedAt: event.at,
        cancelled: false,
        frames: new Map(),
      });
      if (template) state.units.addBatched(job.job_id, job.requester, template, job.unit_count);
      return;
    }
    case 'units.created': {
      const job = state.jobs.get(event.job_id);
      if (job) job.created += state.units.append(event.job_id, event.first, digestsFromBase64(event.input_digests));
      return;
    }
    case 'job.budget_set': {
      const job = state.jobs.get(event.job_id);
      if (!job) return;
      job.job = { ...job.job, budget: event.budget };
      delete job.paused; // it goes on: offers are weighed against its new budget
      return;
    }
    case 'job.paused': {
      const job = state.jobs.get(event.job_id);
      if (job) job.paused = { at: event.at, needed: event.needed, reason: event.reason };
      return;
    }
    case 'job.cancelled': {
      const job = state.jobs.get(event.job_id);
      if (job) {
        job.cancelled = true;
        job.cancelledAt ??= event.at;
        if (event.reason !== undefined) job.cancelReason ??= event.reason;
      }
      return;
    }
    case 'unit.created': {
      const job = state.jobs.get(event.unit.job_id);
      // A provider journaled the units it was assigned this way before they rode with their acceptances.
      const added = state.units.add({
        unit: event.unit,
        requester: job?.job.requester ?? '',
        index: job?.created ?? -1,
      });
      if (added && job) job.created++;
      return;
    }
  }
}

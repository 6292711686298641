// A render submit answers once its job and first step of frames are journaled: their pre-pass
// finds what would break the whole job (a scene the kernel refuses, a tile over the fuel limit) as
// the submit's error. The rest of its frames are estimated and journaled after, a step at a time,
// while the first ones render, so a submit does not wait for the whole pre-pass (~4.7 s for 100
// frames at 1080p). A later frame that breaks a limit cancels the job, saying why (job status). A
// restart resumes the pre-pass where it stopped, from the submit the job stored.
import type { SubmitRender } from '../../../core/api/contract.js';
import type { JobRecord } from '../../../core/mesh/state/state.js';
import type { Job, RenderSpec, WorkUnit } from '../../../core/schemas/index.js';
import { ApiError } from '../../api/errors.js';
import type { Executor } from '../../exec/index.js';
import { describeError } from '../../../core/errors.js';
import type { NewEvent, NodeContext } from '../context/node-context.js';
import {
  openPrepassPool,
  planRenderJob,
  renderFrameSteps,
  renderUnitsOf,
  storedRenderSubmit,
  sizeUnits,
  type PrepassPool,
  type RenderPlan,
} from './render-jobs.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type RenderSubmitsNeeds = Pick<NodeContext, 'blobs' | 'log' | 'me' | 'state'>;

/** What a render submit asks of the requester. */
export interface RenderJournal {
  /** Journals the job with its first units in one step, and says so. */
  journal(job: Job, events: NewEvent[]): Promise<{ job_id: string; units: number }>;
  /** Journals a further step of units. */
  journalStep(events: NewEvent[]): Promise<void>;
  cancel(jobId: string, reason: string): Promise<void>;
}

const created = (units: readonly WorkUnit[]): NewEvent[] => units.map((unit) => ({ type: 'unit.created', unit }));

export class RenderSubmits {
  /** Jobs whose later frames are being estimated. */
  readonly #estimating = new Set<Promise<void>>();
  #stopped = false;

  constructor(
    private readonly ctx: RenderSubmitsNeeds,
    private readonly executor: Executor,
    private readonly requester: RenderJournal,
  ) {}

  /** `jobId`: its id, when the caller derives it (a workflow's step). */
  async submit(
    spec: SubmitRender,
    jobId?: string,
  ): Promise<{ job_id: string; units: number; frames: number; tile: number }> {
    const plan = await planRenderJob(this.ctx, spec, undefined, await sizeUnits(this.executor, spec), jobId);
    const [first, ...rest] = renderFrameSteps(plan);
    // A pool of its own only for a first step big by itself (one 4K frame in 16-px tiles): such a
    // pool takes ~0.5 s to start, longer than a step of ~1,000 tiles on mine.
    const prepass = openPrepassPool(this.executor, plan, first!);
    let units: WorkUnit[];
    try {
      units = await renderUnitsOf(this.ctx, plan, prepass.pool, first!);
    } finally {
      await prepass.close();
    }
    const submitted = await this.requester.journal(plan.job, [
      { type: 'job.submitted', job: plan.job },
      ...created(units),
    ]);
    this.#estimateLater(plan, rest);
    return { ...submitted, frames: spec.last_frame - spec.first_frame + 1, tile: plan.job.render!.tile };
  }

  /**
   * After a restart: a render job of mine whose later frames were still being estimated gets the
   * rest of its units, from the submit it stored; false if that is gone (the job is then cancelled).
   */
  async resume(record: JobRecord, render: RenderSpec): Promise<boolean> {
    const spec = storedRenderSubmit(this.ctx, render);
    if (!spec) return false;
    const plan = await planRenderJob(this.ctx, spec, record.job);
    // Steps are whole frames, journaled in order: the frames made are the job's first ones.
    const framesMade = record.created / plan.tiles.length;
    this.#estimateLater(
      plan,
      renderFrameSteps(plan).filter(([first]) => first! >= spec.first_frame + framesMade),
    );
    return true;
  }

  /** Estimates and journals these steps of the job's frames in the background, on a pool for all of them. */
  #estimateLater(plan: RenderPlan, steps: number[][]): void {
    if (steps.length === 0) return;
    const estimating = this.#estimate(plan, steps, openPrepassPool(this.executor, plan, steps.flat())).finally(() =>
      this.#estimating.delete(estimating),
    );
    this.#estimating.add(estimating);
  }

  /** No more steps; resolves once the steps under way have ended (the next start resumes them). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#estimating);
  }

  async #estimate(plan: RenderPlan, steps: number[][], prepass: PrepassPool): Promise<void> {
    const jobId = plan.job.job_id;
    try {
      for (const frames of steps) {
        if (this.#stopped || this.ctx.state.jobs.get(jobId)?.cancelled !== false) return;
        const units = await renderUnitsOf(this.ctx, plan, prepass.pool, frames);
        if (this.#stopped || this.ctx.state.jobs.get(jobId)?.cancelled !== false) return;
        await this.requester.journalStep(created(units));
      }
    } catch (err) {
      if (this.#stopped) return; // its pool closed under it: the next start resumes the job
      const reason = err instanceof ApiError ? err.message : `its units could not be made: ${describeError(err)}`;
      this.ctx.log(`render job ${jobId} cancelled: ${reason}`);
      await this.requester.cancel(jobId, reason).catch((cancelErr: unknown) => {
        // The journal refuses this too: the next start cancels it.
        this.ctx.log(`render job ${jobId} could not be cancelled: ${describeError(cancelErr)}`);
      });
    } finally {
      await prepass.close();
    }
  }
}

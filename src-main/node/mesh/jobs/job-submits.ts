// A job's submission, the requester's first step: a batched job split from its input and
// journaled a batch a step, a render job estimated a step of frames at a time (render-submits.ts);
// a submit that a crash cut short is finished at the next start; my jobs' own deadlines watched.
import type { SubmitJob, SubmitJobTerms, SubmitRender } from '../../../core/api/contract.js';
import type { Job } from '../../../core/schemas/index.js';
import { ApiError } from '../../api/errors.js';
import type { Executor } from '../../exec/index.js';
import { RecordError, type NewEvent, type NodeContext } from '../context/node-context.js';
import { JobDeadlines, refusePassedDeadline } from './job-deadlines.js';
import { inPieces, missingUnits, oneAStep, splitJob, unitBatches } from './job-split.js';
import { RenderSubmits } from '../render/render-submits.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type JobSubmitsNeeds = Pick<
  NodeContext,
  | 'background'
  | 'blobs'
  | 'circles'
  | 'commitmentChanged'
  | 'emit'
  | 'kinds'
  | 'log'
  | 'me'
  | 'now'
  | 'record'
  | 'state'
>;

export class JobSubmits {
  readonly #renders: RenderSubmits;
  /** My jobs' own deadlines: a job unfinished at its deadline is cancelled, saying so. */
  readonly #jobDeadlines: JobDeadlines;

  constructor(
    private readonly ctx: JobSubmitsNeeds,
    private readonly executor: Executor,
    private readonly cancel: (jobId: string, reason: string) => Promise<void>,
  ) {
    this.#jobDeadlines = new JobDeadlines(ctx, cancel);
    this.#renders = new RenderSubmits(ctx, executor, {
      journal: (job, events) => this.#journal(job, events),
      journalStep: (events) => this.#journalSteps([events]),
      cancel,
    });
  }

  /** My jobs' deadlines are watched (from the start, and once a job with one is submitted). */
  watchDeadlines(): void {
    this.#jobDeadlines.watch();
  }

  /** No more deadline checks nor estimate steps; resolves once the steps under way have ended. */
  async stop(): Promise<void> {
    this.#jobDeadlines.stop();
    await this.#renders.stop();
  }

  async submit({ input_base64, ...spec }: SubmitJob): Promise<{ job_id: string; units: number }> {
    const input = Buffer.from(input_base64, 'base64');
    return this.submitStream(spec, inPieces(input), input.byteLength);
  }

  /**
   * A job whose input arrives as a stream (`declaredBytes`: its Content-Length, when sent); `jobId`:
   * its id, when the caller derives it (a workflow's step), which is then submitted once only.
   */
  async submitStream(
    spec: SubmitJobTerms,
    input: AsyncIterable<Uint8Array>,
    declaredBytes?: number,
    jobId?: string,
  ): Promise<{ job_id: string; units: number }> {
    refusePassedDeadline(spec.deadline, this.ctx.now());
    if (jobId !== undefined && this.ctx.state.jobs.has(jobId))
      throw new ApiError('bad_request', `job ${jobId} was submitted already`);
    const {
      job,
      template,
      input: stored,
      digests,
      units,
    } = await splitJob(this.ctx, this.#inCircle(spec), input, declaredBytes, this.executor, jobId);
    // The job and its first batch of units are one step, each further batch a step of its own, so
    // that the node answers others between them (a million units in one step held its main thread
    // 1.6 s). A submit that a crash cut short is finished at the next start (#finishSubmits).
    const batches = unitBatches(job.job_id, digests);
    const first = batches.next().value as NewEvent; // a job has a unit at least (splitJob)
    const submitted = await this.#journal(job, [{ type: 'job.submitted', job, template, input: stored }, first], units);
    await this.#journalSteps(oneAStep(batches));
    if (job.deadline !== undefined) this.#jobDeadlines.watch();
    return submitted;
  }

  /** A job's terms in its circle, if it names one: refused unless I am a member; its redundancy at least the circle's. */
  #inCircle<T extends { circle?: string; redundancy: number }>(terms: T): T {
    const { circle } = terms;
    if (circle === undefined) return terms;
    if (!this.ctx.circles.isMember(circle, this.ctx.me))
      throw new ApiError('bad_request', `circle ${circle}: you are not a member of it (meshctl circle list)`);
    const { redundancy } = this.ctx.circles.policyOf(circle).verification;
    return { ...terms, redundancy: Math.max(terms.redundancy, redundancy) };
  }

  /** Journals a job's further units, a step each: the node answers others between them. */
  async #journalSteps(steps: Iterable<NewEvent[]>): Promise<void> {
    await this.#journaled("the job's units", async () => {
      for (const step of steps) await this.ctx.record(step);
    });
  }

  /** Runs `work`, whose journal refusing a step is an internal error to the caller, saying `what`. */
  async #journaled(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (err instanceof RecordError) throw new ApiError('internal', `${what} could not be journaled: ${err.message}`);
      throw err;
    }
  }

  /** My batched jobs whose units a crash left partly journaled get the rest, from their stored input. */
  async finish(): Promise<void> {
    for (const record of this.ctx.state.myRunningJobs()) {
      const { job } = record;
      if (record.created >= job.unit_count) continue;
      // A batched job's units are made again from its stored input; a render job's from its stored submit.
      const render = job.render;
      if (render) {
        const resumed = await this.#renders.resume(record, render);
        if (!resumed)
          await this.cancel(
            job.job_id,
            'the node stopped while it estimated its frames, and the submit is gone (submit it again)',
          );
        this.ctx.log(
          `render job ${job.job_id} had ${record.created} of its ${job.unit_count} units after a restart: ${resumed ? 'estimating the rest' : 'its submit is gone, cancelled'}`,
        );
        continue;
      }
      const missing = record.input ? await missingUnits(this.ctx.blobs, record) : undefined;
      if (missing) await this.#journalSteps(oneAStep(missing));
      else
        await this.cancel(
          job.job_id,
          'the node stopped before it had made every unit, and the input is gone (submit it again)',
        );
      const why = missing
        ? 'the rest journaled'
        : record.input
          ? 'its input is gone, cancelled'
          : 'cancelled (submit it again)';
      this.ctx.log(`job ${job.job_id} had ${record.created} of its ${job.unit_count} units after a restart: ${why}`);
    }
  }

  /**
   * A render job: its first frames estimated (the pre-pass runs here) and journaled, the rest after
   * it answers (render-submits.ts); `jobId` as submitStream's.
   */
  async submitRender(
    spec: SubmitRender,
    jobId?: string,
  ): Promise<{ job_id: string; units: number; frames: number; tile: number }> {
    refusePassedDeadline(spec.deadline, this.ctx.now());
    if (jobId !== undefined && this.ctx.state.jobs.has(jobId))
      throw new ApiError('bad_request', `job ${jobId} was submitted already`);
    const submitted = await this.#renders.submit(this.#inCircle(spec), jobId);
    if (spec.deadline !== undefined) this.#jobDeadlines.watch();
    return submitted;
  }

  /**
   * Journals a job with its units (a render job's all, a batched job's first batch) in one step, and
   * says so; `units`: as the user counts them (a packed job's `unit_count` counts its packs).
   */
  async #journal(job: Job, events: NewEvent[], units = job.unit_count): Promise<{ job_id: string; units: number }> {
    await this.#journaled('the job', () => this.ctx.record(events));
    this.ctx.emit('job.submitted', { job_id: job.job_id, units });
    this.ctx.commitmentChanged(true);
    return { job_id: job.job_id, units };
  }
}

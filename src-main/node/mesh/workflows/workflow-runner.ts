// Workflows run on their requester (docs/WORKFLOWS.md): a document checked at submit (its graph:
// core/workflow/graph.ts), then planned from its journaled facts (core/workflow/planner.ts) again
// and again: each action journaled as a fact before it is done (a step's job id derived from the
// workflow, the step and the attempt), each running step's job watched until it ends. A node that
// stops at any point plans from the same facts at its next start: it finds the jobs it started
// (submitting one the stop cut off before its submit), and recomputes nothing verified.
import { randomBytes } from 'node:crypto';
import type { Graph } from '../../../core/workflow/graph.js';
import type { Step, Workflow } from '../../../core/workflow/document.js';
import {
  applyFact,
  foldFacts,
  jobIdOf,
  workflowOfJob,
  type WorkflowFact,
  type WorkflowRecord,
} from '../../../core/workflow/facts.js';
import { plan, type Plan } from '../../../core/workflow/planner.js';
import type { Value } from '../../../core/workflow/references.js';
import { ApiError } from '../../api/errors.js';
import type { Journal } from '../../journal/index.js';
import { WorkflowStore, type StoredWorkflow } from '../../journal/workflow-store.js';
import { WatchTimer } from '../basics/watch-timer.js';
import type { NodeContext } from '../context/node-context.js';
import type { JobSubmits } from '../jobs/job-submits.js';
import { PackOutputs } from '../units/pack-outputs.js';
import { StepJobs, unitsOf, type GivenFiles, type PreparedStep, type StepJobsNeeds } from './step-jobs.js';
import { check, failure, filesIn, fits, shareOf } from './workflow-rules.js';

/** How often running steps' jobs are looked at. */
const WATCH_MS = 100;

/** A workflow being run: its checked document, inputs, and each started step's job as prepared. */
export interface LiveWorkflow {
  stored: StoredWorkflow;
  workflow: Workflow;
  graph: Graph;
  inputs: Record<string, Value>;
  prepared: Map<string, PreparedStep>;
  /** Its facts folded: read from the store once, then kept as each is appended (#append). */
  record: WorkflowRecord;
  /** Its input files' bytes as its run was given them, until its first steps have started (a restart reads the store). */
  given?: GivenFiles;
}

/** Ended workflows whose folded facts are kept for their views. */
const ENDED_VIEWS = 16;

export class WorkflowRunner {
  readonly #live = new Map<string, LiveWorkflow>();
  /**
   * Ended workflows lately viewed, as their facts fold (which no longer change): a UI or a script
   * asking for one every 20 ms would otherwise read and check all its facts each time (a fan-out's
   * are 10,000 files), at most ENDED_VIEWS of them.
   */
  readonly #ended = new Map<string, LiveWorkflow>();
  /** Workflows being advanced now: one advance at a time each. */
  readonly #busy = new Map<string, Promise<void>>();
  /** Workflows to advance again once their advance under way ends: a step's job ended meanwhile. */
  readonly #again = new Set<string>();
  readonly #timer = new WatchTimer(() => this.#tick(), WATCH_MS);
  /** Workflows cancelled since this start: an advance under way starts none of its steps after the cancel. */
  readonly #cancelled = new Set<string>();
  /** The blobs running workflows hold (holds), as of #heldAt. */
  #held = new Set<string>();
  #heldAt = -Infinity;

  constructor(
    private readonly ctx: Pick<NodeContext, 'log' | 'now' | 'background' | 'events'>,
    private readonly store: WorkflowStore,
    private readonly jobs: StepJobs,
    private readonly cancelJob: (jobId: string, reason: string) => Promise<void>,
  ) {}

  /** A step's job ended: its workflow goes on now, not at its next look (up to WATCH_MS later). */
  readonly #jobEnded = (jobId: string): void => {
    const workflowId = workflowOfJob(jobId);
    if (workflowId !== undefined && this.#live.has(workflowId)) this.#advanceSoon(workflowId, true);
  };

  /** Resumes every workflow that had not ended: each plans from its facts. */
  start(): void {
    for (const stored of this.store.all()) {
      if (stored.endedAt !== undefined) continue;
      const checked = check(stored.document);
      const record = foldFacts(this.store.facts(stored.workflowId));
      this.#live.set(stored.workflowId, {
        stored,
        ...checked,
        inputs: JSON.parse(stored.inputs),
        prepared: new Map(),
        record,
      });
    }
    this.ctx.events.on('job.ended', this.#jobEnded);
    this.#timer.start();
  }

  /** No more advances; resolves once those under way have ended. */
  async stop(): Promise<void> {
    this.ctx.events.off('job.ended', this.#jobEnded);
    this.#timer.stop();
    await Promise.allSettled(this.#busy.values());
    this.store.flush(); // the memo's rows not written yet, before the journal closes
  }

  /**
   * Submits a workflow: refused at once when its document or graph is (the message names the step).
   * `given`: its input files' bytes by CID, stored already: its first steps start from them.
   */
  run(
    document: string,
    inputs: Record<string, Value>,
    noCache: boolean,
    given?: GivenFiles,
  ): { workflow_id: string; steps: number } {
    const { workflow, graph } = check(document);
    for (const [name, { type }] of Object.entries(workflow.inputs)) {
      const value = inputs[name];
      if (value === undefined) throw new ApiError('bad_request', `input "${name}" (${type}) was not given`);
      if (!fits(type, value)) throw new ApiError('bad_request', `input "${name}" is not a ${type}`);
    }
    const stored: StoredWorkflow = {
      workflowId: `wf-${randomBytes(6).toString('hex')}`,
      document,
      inputs: JSON.stringify(inputs),
      noCache,
      submittedAt: this.ctx.now(),
    };
    this.store.add(stored);
    const record = foldFacts([]);
    this.#live.set(stored.workflowId, { stored, workflow, graph, inputs, prepared: new Map(), record, given });
    this.ctx.log(`workflow ${stored.workflowId}: submitted, ${workflow.steps.length} steps`);
    this.#timer.wake();
    this.#advanceSoon(stored.workflowId);
    return { workflow_id: stored.workflowId, steps: workflow.steps.length };
  }

  /** Stops new work: no step starts; running steps' jobs are cancelled (their running units end and are paid). */
  async cancel(workflowId: string): Promise<void> {
    const live = this.#live.get(workflowId);
    if (!live) throw new ApiError('not_found', `no running workflow ${workflowId}`);
    this.#append(live, [{ type: 'workflow.cancelled', reason: 'cancelled by its user' }]);
    this.#cancelled.add(workflowId);
    await this.#busy.get(workflowId); // a start under way is submitted first, then cancelled below
    for (const at of live.record.steps.values())
      if (at.jobId !== undefined && !at.output && !at.failed && this.jobs.submitted(at.jobId))
        await this.cancelJob(at.jobId, 'its workflow was cancelled');
    this.#advanceSoon(workflowId);
  }

  /** A workflow as its facts say it now, with each step's job as prepared. */
  view(workflowId: string): { live: LiveWorkflow; record: WorkflowRecord; plan: Plan } | undefined {
    const live = this.#live.get(workflowId) ?? this.#endedView(workflowId);
    return live && { live, record: live.record, plan: plan(live.graph, live.inputs, live.record) };
  }

  #keepEnded(workflowId: string, live: LiveWorkflow): LiveWorkflow {
    if (this.#ended.size >= ENDED_VIEWS) this.#ended.delete(this.#ended.keys().next().value!);
    this.#ended.set(workflowId, live);
    return live;
  }

  #endedView(workflowId: string): LiveWorkflow | undefined {
    const kept = this.#ended.get(workflowId);
    if (kept) return kept;
    const stored = this.store.get(workflowId);
    if (!stored) return undefined;
    const live = {
      stored,
      ...check(stored.document),
      inputs: JSON.parse(stored.inputs) as Record<string, Value>,
      prepared: new Map<string, PreparedStep>(),
      record: foldFacts(this.store.facts(workflowId)),
    };
    return this.#keepEnded(workflowId, live);
  }

  /** Whether a workflow not yet ended holds the blob: an input, a step's module by CID, or a step's output (read again when a second old). */
  holds(cid: string): boolean {
    if (this.ctx.now() - this.#heldAt > 1000) {
      this.#held = new Set();
      for (const live of this.#live.values()) {
        for (const value of Object.values(live.inputs)) for (const file of filesIn(value)) this.#held.add(file.cid);
        for (const at of live.record.steps.values())
          for (const file of [...(at.output?.files ?? []), ...(at.output?.written ?? [])]) this.#held.add(file.cid);
        for (const step of live.workflow.steps)
          if (typeof step.uses === 'object' && 'module' in step.uses && 'cid' in step.uses.module)
            this.#held.add(step.uses.module.cid);
      }
      this.#heldAt = this.ctx.now();
    }
    return this.#held.has(cid);
  }

  /** Every workflow's id, oldest first. */
  ids(): string[] {
    return this.store.all().map(({ workflowId }) => workflowId);
  }

  /** Resolves once the workflow has no advance under way (tests and the CLI's wait read its view after). */
  settled(workflowId: string): Promise<void> {
    return this.#busy.get(workflowId) ?? Promise.resolve();
  }

  #tick(): boolean {
    for (const id of this.#live.keys()) this.#advanceSoon(id);
    return this.#live.size > 0;
  }

  /** Advances the workflow unless an advance is under way; `again`: then once more after it (it may have looked already). */
  #advanceSoon(workflowId: string, again = false): void {
    if (this.#busy.has(workflowId)) {
      if (again) this.#again.add(workflowId);
      return;
    }
    const advance = this.#advance(workflowId)
      .catch((err: unknown) =>
        this.ctx.log(`workflow ${workflowId}: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(() => {
        this.#busy.delete(workflowId);
        if (this.#again.delete(workflowId) && this.#live.has(workflowId)) this.#advanceSoon(workflowId);
      });
    this.#busy.set(workflowId, advance);
    this.ctx.background(`workflow ${workflowId}`, advance);
  }

  /** Journals what its running steps' jobs came to, then each action the plan asks for, until it asks for none. */
  async #advance(workflowId: string): Promise<void> {
    const live = this.#live.get(workflowId);
    if (!live) return;
    for (;;) {
      const { record } = live;
      const ended = await this.#watchRunning(live, record);
      const next = plan(live.graph, live.inputs, record);
      if (ended.length === 0 && next.actions.length === 0) {
        if (next.outcome !== 'running') {
          this.store.ended(workflowId, this.ctx.now());
          this.#live.delete(workflowId);
          this.#keepEnded(workflowId, { ...live, prepared: new Map() }); // its facts as folded: final
          this.ctx.log(`workflow ${workflowId}: ${next.outcome}`);
        }
        return;
      }
      this.#append(live, ended);
      for (const action of next.actions) await this.#act(live, action);
      delete live.given; // the steps its inputs start have started: the memory is not held for later ones
    }
  }

  /** Facts for the running steps whose jobs ended; a job its started fact names but the stop cut off is submitted now. */
  async #watchRunning(live: LiveWorkflow, record: WorkflowRecord): Promise<WorkflowFact[]> {
    const facts: WorkflowFact[] = [];
    for (const [id, at] of record.steps) {
      if (at.jobId === undefined || at.output || at.failed) continue;
      const step = live.graph.steps.get(id)!;
      let prepared = live.prepared.get(id);
      try {
        if (!prepared) {
          prepared = this.#prepare(live, step, at.params!, at.input!, at.cached);
          live.prepared.set(id, prepared);
        }
        const outcome = await this.jobs.outcome(at, prepared);
        if (outcome === undefined && !this.jobs.submitted(at.jobId)) {
          if (record.cancelled === undefined) await this.#submitOnce(at.jobId, prepared);
          else facts.push(failure(id, at.attempt, 'the workflow was cancelled before its job was submitted'));
        }
        if (outcome && 'output' in outcome) facts.push({ type: 'step.done', step: id, output: outcome.output });
        else if (outcome) facts.push({ type: 'step.failed', step: id, attempt: at.attempt, ...outcome });
      } catch (err) {
        facts.push(failure(id, at.attempt, err));
      }
    }
    return facts;
  }

  async #act(live: LiveWorkflow, action: Plan['actions'][number]): Promise<void> {
    const id = live.stored.workflowId;
    if (action.kind === 'condition') {
      this.#append(live, [{ type: 'step.condition', step: action.step, outcome: action.outcome }]);
      return;
    }
    if (action.kind === 'skip') {
      this.#append(live, [{ type: 'step.skipped', step: action.step, reason: action.reason }]);
      return;
    }
    if (action.kind === 'fail') {
      this.#append(live, [failure(action.step, 0, action.reason)]);
      return;
    }
    if (this.#cancelled.has(id)) return; // planned before the cancel: the next plan starts nothing
    const step = live.graph.steps.get(action.step)!;
    const jobId = jobIdOf(id, action.step, action.attempt);
    let prepared: PreparedStep;
    try {
      prepared = this.#prepare(live, step, action.params, action.input);
    } catch (err) {
      this.#append(live, [failure(action.step, action.attempt, err)]);
      return;
    }
    // A step whose every unit the memo had runs no job: its output is journaled at once, with no
    // started fact to carry its items and the memo's outputs again (a fan-out's 10,000 of each: a
    // rerun's largest cost). Anything else, or an output gone since, starts as any step does.
    if (prepared.kind === 'batch' && prepared.cached.length === prepared.units.length) {
      const outcome = await this.jobs.outcome({ attempt: action.attempt }, prepared).catch(() => undefined);
      if (outcome && 'output' in outcome) {
        this.#append(live, [{ type: 'step.done', step: action.step, output: outcome.output }]);
        return;
      }
    }
    // Journaled before the job starts: a restart finds it by this id, or submits it.
    const { step: stepId, attempt, params, input } = action;
    this.#append(live, [
      {
        type: 'step.started',
        step: stepId,
        attempt,
        job_id: jobId,
        params,
        input: [...input],
        cached: prepared.cached,
      },
    ]);
    live.prepared.set(action.step, prepared);
    this.ctx.log(
      `workflow ${id}: step ${stepId} started as ${jobId}: ${unitsOf(prepared)} units, ${prepared.cached.length} from the memo`,
    );
    try {
      await this.#submitOnce(jobId, prepared);
    } catch (err) {
      this.#append(live, [failure(action.step, action.attempt, err)]);
    }
  }

  /** Journals facts, then folds them into the workflow's record. */
  #append(live: LiveWorkflow, facts: readonly WorkflowFact[]): void {
    this.store.append(live.stored.workflowId, facts);
    for (const fact of facts) applyFact(live.record, fact);
  }

  #prepare(
    live: LiveWorkflow,
    step: Step,
    params: Parameters<StepJobs['prepare']>[1],
    input: Parameters<StepJobs['prepare']>[2],
    journaled?: Parameters<StepJobs['prepare']>[4],
  ): PreparedStep {
    const budget = step.budget ?? shareOf(live.workflow);
    return this.jobs.prepare(
      step,
      params,
      input,
      { budget, noCache: live.stored.noCache, inputs: live.inputs, given: live.given },
      journaled,
    );
  }

  /** Submits a step's job unless it is in the state already (a restart re-attaches to it). */
  async #submitOnce(jobId: string, prepared: PreparedStep): Promise<void> {
    if (this.jobs.submitted(jobId)) return;
    await this.jobs.submit(prepared, jobId);
  }
}

/** The node's workflow runner, its facts and memo in the journal's database (on its connection). */
export function openWorkflows(
  ctx: StepJobsNeeds & Pick<NodeContext, 'now' | 'background' | 'events'>,
  journal: Pick<Journal, 'connection' | 'archive'>,
  /** Where a step's job is submitted, and cancelled. */
  requester: {
    submits: Pick<JobSubmits, 'submitStream' | 'submitRender'>;
    cancel(jobId: string, reason: string): Promise<void>;
  },
): WorkflowRunner {
  const store = new WorkflowStore(journal.connection);
  const sources = { state: ctx.state, archive: journal.archive, packs: new PackOutputs(ctx.blobs) };
  const steps = new StepJobs(ctx, store, requester.submits, sources);
  return new WorkflowRunner(ctx, store, steps, (jobId, reason) => requester.cancel(jobId, reason));
}

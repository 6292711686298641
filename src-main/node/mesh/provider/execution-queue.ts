// The provider's execution queue: accepted assignments wait here, then each fetches its blobs
// (inline with its acceptance, from my store, from recent inputs, or from the requester), runs in
// by its kind's runtime (node/kinds: the sandbox, the GPU, Blender in its own), and has its output stored (a WASI unit's stderr too, named by its
// result's stderr_cid, outside what is verified); its result goes to the outbox, which journals it
// with the receipt of the message that carries it (result-outbox.ts). What every honest run would
// fail the same way is reported as the unit's output.
import { CodedError, describeError } from '../../../core/errors.js';
import type { WorkResult } from '../../../core/schemas/index.js';
import { cidOfBytes } from '../../blobs/cid.js';
import { DEFAULT_LIMITS, type Executor } from '../../exec/index.js';
import type { KindRun } from '../../kinds/seam.js';
import { GpuError } from '../../gpu/gpu-executor.js';
import type { GpuService } from '../../gpu/gpu-service.js';
import { resultIdOf } from '../../../core/protocol/messages.js';
import { BytesByCid } from '../basics/bytes-by-cid.js';
import { unitOutput } from '../units/unit-run.js';
import { iso, type NodeContext } from '../context/node-context.js';
import { OncePerGap } from '../basics/round-timer.js';
import type { SampleProgress } from '../../../core/blender/progress.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type ExecutionQueueNeeds = Pick<
  NodeContext,
  'blobs' | 'emit' | 'fetchBlob' | 'kinds' | 'log' | 'me' | 'now' | 'quota' | 'state'
>;

/** Alike failures of assignments are logged once in this long. */
const FAILURE_LOG_GAP_MS = 10_000;
/** Blobs kept in memory a while: a render job's tiles share their frame's scene, a job's units their module. */
const RECENT_BLOB_BYTES = 64 << 20;
/** A unit estimated at most this long (reference seconds) is tiny... */
const TINY_UNIT_SECONDS = 0.05;
/** ...and this many tiny units with their input in hand may be under way at once. */
const MAX_TINY_RUNNING = 256;
/** What the queue asks of the provider once a unit has ended. */
export interface ExecutionHooks {
  /** It has its result: journal it (with its receipt) and send it to the requester. */
  sendResult(assignmentId: string, fresh: WorkResult): Promise<void>;
  /** It could not run here (stopped, or failed for this machine's reasons): hand it back. */
  handBack(requester: string, assignmentId: string): Promise<void>;
  /** An assignment has ended: my slots have room for another round. */
  roundSoon(): void;
  /** A render's progress (a Blender unit's `Sample n/m`), for its requester; `undefined`: it has ended. */
  progress(requester: string, assignmentId: string, progress: SampleProgress | undefined): void;
}

export class ExecutionQueue {
  /**
   * Failures logged, one per requester and kind a gap: a requester out of reach fails every unit of
   * it that needs a blob from it (after my restart, a whole pipeline's: 990 lines); they run again
   * when it connects (Provider.reconcile).
   */
  readonly #failuresLogged = new OncePerGap(FAILURE_LOG_GAP_MS);
  /** Assignments waiting to run, in the order they came (a set: a provider's pipeline queues thousands). */
  readonly #queue = new Set<string>();
  /** Assignments fetching or running: at most `concurrency`. */
  readonly #running = new Set<string>();
  /**
   * Those of them whose kind's units are heavy (a Blender process each): at most the executor's
   * workers. Blender runs outside the executor's pool (one thread a process), so the pool's queue
   * does not hold the ones past its workers back: a node of one worker would otherwise render
   * `concurrency` frames at once.
   */
  readonly #heavyRunning = new Set<string>();
  /** Assignments anywhere between leaving the queue and their result being sent. */
  readonly #busy = new Set<string>();
  /** Inputs that came inline with their acceptances, by CID, until their unit has run. */
  readonly #inline = new Map<string, Uint8Array>();
  /** Modules and fetched inputs used lately, least recently used first, at most RECENT_BLOB_BYTES in all. */
  readonly #recent = new BytesByCid(RECENT_BLOB_BYTES);
  /** Stops each running assignment's unit (sharing switched off, or paused). */
  readonly #aborts = new Map<string, AbortController>();
  /** Each assignment between leaving the queue and its end, to wait for when units are stopped. */
  readonly #runs = new Map<string, Promise<void>>();
  #stopped = false;

  constructor(
    private readonly ctx: ExecutionQueueNeeds,
    private readonly executor: Executor,
    /** Assignments run at once: the executor's workers plus a small queue. */
    private readonly concurrency: number,
    private readonly gpu: GpuService | undefined,
    private readonly hooks: ExecutionHooks,
  ) {}

  get running(): number {
    return this.#running.size;
  }

  get queued(): number {
    return this.#queue.size;
  }

  /** Whether the assignment is queued, running, or returning its result. */
  has(assignmentId: string): boolean {
    return this.#busy.has(assignmentId) || this.#queue.has(assignmentId);
  }

  /** Queues an assignment of mine that has no result yet. */
  enqueue(assignmentId: string): void {
    if (this.#stopped || this.has(assignmentId)) return;
    this.#queue.add(assignmentId);
    this.#pump();
  }

  /** An input that came with its acceptance, kept until its unit has run. */
  keepInline(cid: string, bytes: Uint8Array): void {
    this.#inline.set(cid, bytes);
  }

  /** Takes an assignment out of the queue (it was closed before it ran). */
  drop(assignmentId: string): void {
    this.#queue.delete(assignmentId);
  }

  /**
   * Stops every unit running in the sandbox or on the GPU (its worker is replaced) and empties the
   * queue: the ids stopped, the ids that were queued, and when every running assignment has ended.
   */
  stopAll(): { aborted: string[]; queued: string[]; ended: Promise<unknown> } {
    const ended = Promise.all([...this.#running].flatMap((id) => this.#runs.get(id) ?? []));
    const aborted = [...this.#aborts.keys()];
    for (const abort of this.#aborts.values()) abort.abort();
    const queued = [...this.#queue];
    this.#queue.clear();
    return { aborted, queued, ended };
  }

  /** No more units start; the running ones are stopped (they run again after a restart). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.stopAll().ended;
  }

  /**
   * Starts queued assignments while there is room. An assignment holds its place while it fetches
   * and runs; storing, signing and returning its result go on outside it, so the workers never
   * wait on the requester's answer.
   */
  #pump(): void {
    for (const id of this.#queue) {
      if (this.#stopped || !this.#hasRoomFor(id)) return;
      const heavy = this.#isHeavy(id);
      if (heavy && this.#heavyRunning.size >= this.executor.workers) continue; // others may start meanwhile
      this.#queue.delete(id);
      this.#running.add(id);
      this.#busy.add(id);
      if (heavy) this.#heavyRunning.add(id);
      const free = () => {
        this.#heavyRunning.delete(id);
        if (this.#running.delete(id)) this.#pump();
      };
      const run = this.#run(id, free)
        .catch((err) => {
          if (!this.#stopped && this.#failuresLogged.take(this.#failureKey(id, err)))
            this.ctx.log(
              `assignment ${id} failed: ${describeError(err)} (alike failures logged once in ${FAILURE_LOG_GAP_MS / 1000} s)`,
            );
        })
        .finally(() => {
          free();
          this.#busy.delete(id);
          this.#runs.delete(id);
          this.hooks.roundSoon();
        });
      this.#runs.set(id, run);
    }
  }

  /**
   * `concurrency` units at once; past it, tiny units whose input is in hand (it came inline) up to
   * MAX_TINY_RUNNING, so the executor gets enough of them at once to batch them into its workers:
   * four at a time, a millisecond's unit would wait on the round trip to a worker, not on the CPU.
   */
  #hasRoomFor(assignmentId: string): boolean {
    if (this.#running.size < this.concurrency) return true;
    if (this.#running.size >= MAX_TINY_RUNNING) return false;
    const unit = this.ctx.state.units.get(this.ctx.state.assignments.get(assignmentId)?.acceptance.unit_id ?? '')?.unit;
    return (
      unit !== undefined &&
      unit.estimated_duration_seconds <= TINY_UNIT_SECONDS &&
      unit.input_cid !== undefined &&
      this.#inline.has(unit.input_cid)
    );
  }

  #isHeavy(assignmentId: string): boolean {
    const unitId = this.ctx.state.assignments.get(assignmentId)?.acceptance.unit_id;
    const algorithmId = this.ctx.state.units.get(unitId ?? '')?.unit.algorithm_id;
    return algorithmId !== undefined && this.ctx.kinds.of(algorithmId)?.runtime.heavy === true;
  }

  #failureKey(assignmentId: string, err: unknown): string {
    const requester = this.ctx.state.assignments.get(assignmentId)?.acceptance.requester_peer;
    return `${requester} ${err instanceof CodedError ? err.code : 'error'}`;
  }

  async #run(assignmentId: string, free: () => void): Promise<void> {
    const { state } = this.ctx;
    const assignment = state.assignments.get(assignmentId);
    const unit = assignment && state.units.get(assignment.acceptance.unit_id)?.unit;
    if (!assignment || !unit || assignment.escrow !== 'held' || assignment.result || !state.sharing) {
      if (unit?.input_cid) this.#inline.delete(unit.input_cid);
      return;
    }
    const requester = assignment.acceptance.requester_peer;
    this.ctx.emit('unit.started', { job_id: unit.job_id, unit_id: unit.unit_id, requester });
    const started = this.ctx.now();
    const runtime = this.ctx.kinds.of(unit.algorithm_id)?.runtime;
    if (!runtime) {
      // No kind of mine runs it (my offers never named it): handed back, for a provider that does.
      this.ctx.log(`assignment ${assignmentId}: no kind of work here runs ${unit.algorithm_id}`);
      free();
      await this.hooks.handBack(requester, assignmentId);
      return;
    }
    const module = unit.module_cid
      ? await this.#blob(requester, unit.module_cid, runtime.moduleLimit, true)
      : new Uint8Array();
    const input = unit.input_cid
      ? await this.#blob(requester, unit.input_cid, DEFAULT_LIMITS.maxInputBytes, false)
      : new Uint8Array();
    if (unit.input_cid) this.#inline.delete(unit.input_cid);
    // A unit's files (a WASI job's): one blob for the whole job, kept like its module.
    const files =
      runtime.filesLimit !== undefined && unit.required_dataset
        ? await this.#blob(requester, unit.required_dataset, runtime.filesLimit, true)
        : undefined;
    const abort = new AbortController();
    this.#aborts.set(assignmentId, abort);
    if (!this.ctx.state.sharing || this.#stopped) abort.abort(); // switched off (or stopped) while its blobs were on their way
    let progressed = false;
    const run: KindRun = {
      unit,
      module,
      input,
      ...(files ? { files } : {}),
      signal: abort.signal,
      cpu: this.executor,
      gpu: this.gpu,
      onProgress: (p: SampleProgress) => {
        progressed = true;
        this.hooks.progress(requester, assignmentId, p);
      },
    };
    const ran = await unitOutput(runtime, run, () => this.ctx.now(), started);
    if (progressed) this.hooks.progress(requester, assignmentId, undefined);
    this.#aborts.delete(assignmentId);
    free();
    if (ran instanceof Error) {
      if (this.#stopped) return; // stopped with the node: run again after the restart, not handed back
      if (ran instanceof GpuError) this.ctx.log(`assignment ${assignmentId} failed on the GPU: ${ran.message}`);
      await this.hooks.handBack(requester, assignmentId);
      return;
    }
    const { output, fuel, wallMs: runMs, device } = ran;
    if (this.ctx.quota?.take(requester, cidOfBytes(output), output.byteLength) === false) {
      // Its output would pass the requester's quota on my disk: handed back, offered again once collected.
      this.ctx.log(`assignment ${assignmentId}: ${this.ctx.quota.refusal(requester) ?? 'over its quota'}`);
      await this.hooks.handBack(requester, assignmentId);
      return;
    }
    const outputCid = await this.ctx.blobs.put(output);
    const hash = outputCid;
    const stderrCid = await this.#keepStderr(requester, ran.stderr);
    const result = {
      result_id: resultIdOf(assignmentId),
      work_unit_id: unit.unit_id,
      assignment_id: assignmentId,
      computed_by_peer: this.ctx.me,
      output_cid: outputCid,
      output_bytes: output.length,
      computation_time_seconds: runMs / 1000,
      resources_used: unit.required_resources,
      verification_hash: hash,
      timestamp: iso(this.ctx.now()),
      ...(fuel !== undefined ? { fuel } : {}),
      ...(device ? { device } : {}),
      ...(stderrCid ? { stderr_cid: stderrCid } : {}),
    };
    // Journaled with the receipt of its `results` message, signed for the others in it too (result-outbox.ts).
    await this.hooks.sendResult(assignmentId, result);
  }

  /**
   * A WASI unit's stderr, stored to go back with its result: none when it wrote none, or when it
   * would pass the requester's quota on my disk (a diagnostic, it is not worth handing the unit back).
   */
  async #keepStderr(requester: string, stderr: Uint8Array | undefined): Promise<string | undefined> {
    if (!stderr || stderr.byteLength === 0) return undefined;
    if (this.ctx.quota?.take(requester, cidOfBytes(stderr), stderr.byteLength) === false) return undefined;
    return this.ctx.blobs.put(stderr);
  }

  /** Whether a unit's input is in hand already: inline with its acceptance, or a recent unit's (data locality). */
  holdsInput(cid: string): boolean {
    return this.#inline.has(cid) || this.#recent.has(cid);
  }

  /**
   * A blob from my store or the requester. Modules are kept (their units come by the hundred): on
   * disk, and in memory while used, so a unit neither reads nor hashes its module again
   * (prepare.ts knows the bytes). Inputs only for a while in memory, for the other units that
   * share them (a frame's tiles).
   */
  async #blob(peer: string, cid: string, maxBytes: number, keep: boolean): Promise<Uint8Array> {
    const inline = this.#inline.get(cid);
    if (inline && inline.byteLength <= maxBytes) return inline;
    const recent = this.#recent.get(cid);
    if (recent && recent.byteLength <= maxBytes) {
      this.#recent.put(cid, recent); // now the most recently used
      return recent;
    }
    const stored = this.ctx.blobs.get(cid);
    if (stored) {
      if (keep) this.#recent.put(cid, stored);
      return stored;
    }
    const bytes = await this.ctx.fetchBlob(peer, cid, maxBytes); // checked against the CID as it arrived
    // Kept within the requester's quota on my disk; past it, held in memory for this run only.
    if (keep && (this.ctx.quota?.take(peer, cid, bytes.byteLength) ?? true))
      await this.ctx.blobs.putVerified(cid, bytes);
    this.#recent.put(cid, bytes);
    return bytes;
  }
}

// The executor the node calls: run(unit) → { output, outputHash, fuel, wallMs } or an ExecError.
//
// Units wait in our own queue and go to piscina only when a worker is idle, so a unit's wall-time
// limit counts from when it starts, not from when it was queued. When small units pile up, an idle
// worker takes several at once as one batch: one thread hop for many of them. How many depends on
// how long that module's units have been taking, so big units (render tiles) still go one by one
// and spread evenly over the workers. A watchdog per
// batch reads which unit the worker is on (shared memory) and aborts the batch when that unit
// passes its limit; piscina then replaces the worker, the unit ends as Timeout, and the rest of
// the batch goes back to the front of the queue (units are deterministic, so rerunning is safe).
import { describeError } from '../../core/errors.js';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { $ZodError } from 'zod/v4/core';
import { builtFile } from '../../core/build-layout.js';
import { ExecError, toExecError } from './errors.js';
import { resolveLimits, type UnitLimits } from './limits.js';
import { encodeParams } from './params.js';
import { ModuleCache, type PreparedModule } from './prepare.js';
import type { ModuleKind } from './metering.js';
import { toUnitConfig, WasiRequestSchema, type WasiRequest, type WasiUnitConfig } from './wasi/program.js';
import { NOT_STARTED, Watchdog } from './watchdog.js';
import { SharedInputs } from './shared-inputs.js';
import type { WorkerBatch, WorkerOutcome, WorkerUnit } from './worker.js';

export interface ExecUnit {
  /** The module's bytes as the unit names it (unmetered). */
  module: Uint8Array;
  /** JSON params, handed to the module as canonical UTF-8 JSON. */
  params?: unknown;
  input: Uint8Array;
  limits?: Partial<UnitLimits>;
  /** Aborting ends the unit with Aborted at once: taken off the queue, or its worker replaced. */
  signal?: AbortSignal;
  /** Runs the module as a WASI command (wasi/): input is stdin; output encodes exit code, stdout, /out. */
  wasi?: WasiRequest;
}

export interface ExecSuccess {
  output: Uint8Array;
  /** SHA-256 of the output, hex. */
  outputHash: string;
  fuel: number;
  wallMs: number;
  /** A WASI program's exit code, and the first 64 KiB of its stderr (not compared between nodes). */
  exitCode?: number;
  stderr?: Uint8Array;
}

export interface ExecutorOptions {
  /** Worker threads; defaults to one per core. */
  workers?: number;
  /** Units waiting beyond this are refused with QueueFull. */
  queueLimit?: number;
  /** The most units one worker takes in one hop. */
  maxBatch?: number;
  /** Where metered modules are kept across starts (the data dir's `metered-modules/`); none: in memory only. */
  meteredDir?: string;
}

/** A batch should take about this long: long enough to hide the thread hop, short enough to share. */
const BATCH_TARGET_MS = 2;

/** A worker thread with no unit for this long ends; the next unit starts a fresh one (tens of ms). */
const WORKER_IDLE_MS = 10_000;

interface Pending {
  unit: WorkerUnit;
  timeoutMs: number;
  resolve: (result: ExecSuccess) => void;
  reject: (err: ExecError) => void;
  signal?: AbortSignal;
  /** Set while the unit's batch runs: stops that batch. */
  stopBatch?: () => void;
}

export class Executor {
  private readonly pool: Piscina;
  private readonly modules: ModuleCache;
  /** Big inputs' shared memory, used again by the next units. */
  private readonly inputs = new SharedInputs();
  private readonly queue: Pending[] = [];
  /** Units admitted but waiting for their module to be prepared; they count toward the queue limit. */
  private preparing = 0;
  /** Admissions queue in the order they came, however long each module takes to prepare. */
  private admitted: Promise<unknown> = Promise.resolve();
  /** Recent wall time per unit, by module hash (an exponential moving average). */
  private readonly unitMs = new Map<string, number>();
  private idleWorkers: number;
  private closed = false;
  /** Running batches piscina dropped (aborted, or the pool destroyed); each may yet answer once, late. */
  private dropped = 0;
  readonly workers: number;

  private constructor(
    private readonly options: Required<Omit<ExecutorOptions, 'meteredDir'>>,
    meteredDir: string | undefined,
  ) {
    this.modules = new ModuleCache({ diskDir: meteredDir });
    this.workers = options.workers;
    this.idleWorkers = options.workers;
    this.pool = new Piscina({
      filename: builtFile(import.meta.url, 'src-main/node/exec/worker.js'),
      // Threads start with work and end when idle long: an idle node holds no isolates.
      minThreads: 0,
      maxThreads: options.workers,
      idleTimeout: WORKER_IDLE_MS,
      // Node's default, stated: the unit ABI's call-depth limit (determinism.ts) is sized to stop a
      // unit well before V8 overflows a stack this big, whatever the tier.
      resourceLimits: { stackSizeMb: 4 },
    });
    // Piscina settles a running task it drops (aborted, or destroyed by close) and closes its worker's
    // port. But if that happens inside the port's own message dispatch (a continuation of an outcome
    // from that worker), Node still delivers the answers already queued on the port, and piscina
    // reports such an answer as this 'error'. It is stale: runBatch has already settled or requeued
    // that batch's units. Any other error, or more of these than dropped batches, stays fatal.
    this.pool.on('error', (err: Error) => {
      if (this.dropped === 0 || !err.message.startsWith('Unexpected message from Worker')) throw err;
      this.dropped--;
    });
  }

  static start(options: ExecutorOptions = {}): Executor {
    const workers = options.workers ?? availableParallelism();
    if (!Number.isInteger(workers) || workers < 1)
      throw new RangeError(`workers must be a positive integer, not ${workers}`);
    return new Executor(
      { workers, queueLimit: options.queueLimit ?? 10_000, maxBatch: options.maxBatch ?? 64 },
      options.meteredDir,
    );
  }

  /** Runs one unit in the pool. Rejects with an ExecError. */
  async run(request: ExecUnit): Promise<ExecSuccess> {
    if (request.signal?.aborted) throw aborted();
    const checked = this.check(request);
    // A worker's start is the longest part of a first unit: asked for before new bytes are hashed
    // (a 20 MB module's hash, ~11 ms), not at every unit (piscina lists its threads anew when asked).
    if (!this.modules.hashed(request.module)) this.warmAWorker();
    // A cached module queues the unit at once, unless admissions before it still wait for theirs.
    const kind: ModuleKind = checked.wasi ? 'wasi' : 'abi';
    const ready = this.preparing === 0 ? this.modules.preparedNow(request.module, checked.limits, kind) : undefined;
    if (ready) return this.enqueue(checked, ready, request.signal);
    this.warmAWorker();
    this.preparing++;
    const prepared = this.modules.prepare(request.module, checked.limits, kind);
    prepared.catch(() => {}); // its failure is awaited below, after the admissions before it
    const turn = this.admitted.then(() => prepared);
    this.admitted = turn.catch(() => {});
    let module: PreparedModule;
    try {
      module = await turn;
    } catch (err) {
      throw this.closed ? closedError() : err;
    } finally {
      this.preparing--;
    }
    if (this.closed) throw closedError();
    if (request.signal?.aborted) throw aborted();
    return this.enqueue(checked, module, request.signal);
  }

  /**
   * Runs no code: makes the checks a unit's module passes before it runs (prepare.ts: size,
   * validation, the ABI's imports and exports, the instruction set, memory and tables) under the
   * default limits, those a provider runs a job's units under. Rejects with the ExecError each of
   * the module's units would end with (BadModule, ForbiddenImport, MemoryLimit); the module stays
   * cached, so its first unit does not prepare it again.
   */
  async checkModule(module: Uint8Array, kind: ModuleKind = 'abi'): Promise<{ preparedMs: number }> {
    if (this.closed) throw closedError();
    const prepared = await this.modules.prepare(module, resolveLimits(undefined), kind);
    return { preparedMs: prepared.preparedMs ?? 0 };
  }

  private enqueue(checked: Checked, module: PreparedModule, signal: AbortSignal | undefined): Promise<ExecSuccess> {
    return new Promise((resolve, reject) => {
      // The listener goes once the unit has ended: a signal that outlives many units (a node's own,
      // for its checks) would otherwise keep one per unit, and each add walks them all.
      const onAbort = () => this.abort(pending);
      const done = () => signal?.removeEventListener('abort', onAbort);
      const pending: Pending = {
        ...toQueue(checked, module, this.inputs),
        resolve: (success) => (done(), resolve(success)),
        reject: (err) => (done(), reject(err)),
        signal,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(pending);
      this.dispatch();
    });
  }

  /** An aborted unit leaves the queue, or stops the batch it is in (the rest of which runs again). */
  private abort(pending: Pending): void {
    const queued = this.queue.indexOf(pending);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      pending.reject(aborted());
    } else pending.stopBatch?.();
  }

  /** Stops the pool; units still waiting end with Closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(closedError());
    await Promise.all([this.pool.destroy(), this.modules.close()]);
  }

  /** Checks everything that can be checked before the module is prepared. */
  private check(request: ExecUnit): Checked {
    if (this.closed) throw closedError();
    const waiting = this.queue.length + this.preparing;
    if (waiting >= this.options.queueLimit) {
      throw new ExecError(
        'QueueFull',
        `${waiting} units are already waiting (the limit is ${this.options.queueLimit})`,
      );
    }
    let limits: UnitLimits;
    let params: Uint8Array;
    let wasi: WasiUnitConfig | undefined;
    try {
      limits = resolveLimits(request.limits);
      params = encodeParams(request.params === undefined ? {} : request.params);
      wasi = request.wasi && toUnitConfig(WasiRequestSchema.parse(request.wasi));
    } catch (err) {
      const message =
        err instanceof $ZodError
          ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
          : describeError(err);
      throw new ExecError('BadRequest', message);
    }
    if (!(request.input instanceof Uint8Array) || !(request.module instanceof Uint8Array)) {
      throw new ExecError('BadRequest', 'module and input must be byte arrays');
    }
    if (request.input.length > limits.maxInputBytes) {
      throw new ExecError(
        'InputTooLarge',
        `input is ${request.input.length} bytes, over the limit of ${limits.maxInputBytes}`,
      );
    }
    return { limits, params, input: request.input, wasi };
  }

  /**
   * Starts a worker thread, if none runs, while a unit's module is hashed and prepared: its start
   * (tens of ms, the thread's isolate and modules) then overlaps the module's read from disk or its
   * metering, and its compile here (prepare.ts).
   */
  private warmAWorker(): void {
    if (this.pool.threads.length > 0 || this.closed) return;
    const nothing: WorkerBatch = { units: [], progress: new SharedArrayBuffer(16) };
    this.pool.run(nothing).catch(() => {}); // a pool closed meanwhile: nothing was to be done
  }

  private dispatch(): void {
    while (this.idleWorkers > 0 && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchSize());
      this.idleWorkers--;
      this.runBatch(batch)
        .catch((err: unknown) => {
          // A fault of the executor's own, not of a unit: the batch's units fail with it rather than wait forever.
          const message = `the executor failed: ${err instanceof Error ? err.message : String(err)}`;
          for (const pending of batch) pending.reject(new ExecError('Trap', message));
        })
        .finally(() => {
          this.idleWorkers++;
          if (!this.closed) this.dispatch();
        });
    }
  }

  /**
   * Units of the module at the head of the queue that fill about BATCH_TARGET_MS, never more than
   * an even share of the backlog per idle worker, so a burst still spreads over every core.
   */
  private batchSize(): number {
    const head = this.queue[0]!.unit.moduleHash;
    const unitMs = this.unitMs.get(head);
    const fill = unitMs === undefined ? 1 : Math.max(1, Math.floor(BATCH_TARGET_MS / Math.max(unitMs, 1e-3)));
    let size = 0;
    const cap = Math.min(this.options.maxBatch, fill, Math.ceil(this.queue.length / this.idleWorkers));
    while (size < cap && this.queue[size]?.unit.moduleHash === head) size++;
    return size;
  }

  private learn(moduleHash: string, wallMs: number): void {
    const previous = this.unitMs.get(moduleHash);
    this.unitMs.set(moduleHash, previous === undefined ? wallMs : previous * 0.8 + wallMs * 0.2);
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    const progress = new SharedArrayBuffer(16);
    const index = new Int32Array(progress, 0, 1);
    const startedAt = new Float64Array(progress, 8, 1);
    index[0] = NOT_STARTED;
    const abort = new AbortController();
    const watchdog = new Watchdog(batch, index, startedAt, () => abort.abort());
    for (const pending of batch) pending.stopBatch = () => abort.abort();
    let requeued: Pending[] = []; // what runs again keeps its input
    try {
      // batchSize() keeps a batch to one module. Waiting for its compile here costs a first unit
      // nothing: it started as the module was prepared, and ends before a starting worker is ready.
      const compiling = this.modules.compiled(batch[0]!.unit.moduleHash);
      const compiled = compiling && (await compiling);
      const task: WorkerBatch = { units: batch.map((p) => p.unit), progress, ...(compiled && { compiled }) };
      const outcomes = (await this.pool.run(task, { signal: abort.signal })) as WorkerOutcome[];
      outcomes.forEach((outcome, i) => {
        if (outcome.ok) this.learn(batch[i]!.unit.moduleHash, outcome.wallMs);
        settle(batch[i]!, outcome);
      });
    } catch (err) {
      if (abort.signal.aborted || this.closed) this.dropped++;
      if (!abort.signal.aborted) {
        const message = this.closed ? 'the executor was closed' : `the worker failed: ${describeError(err)}`;
        for (const pending of batch) pending.reject(new ExecError(this.closed ? 'Closed' : 'Trap', message));
        return;
      }
      const cancelled = batch.filter((p) => p.signal?.aborted);
      for (const p of cancelled) p.reject(aborted());
      // Stopped for a unit that was aborted, or for the one that ran late.
      const timedOut = cancelled.length > 0 ? undefined : batch[Atomics.load(index, 0)]!;
      timedOut?.reject(
        new ExecError('Timeout', `ran past its wall-time limit of ${timedOut.timeoutMs} ms; its worker was replaced`),
      );
      requeued = batch.filter((p) => p !== timedOut && !cancelled.includes(p));
      this.queue.unshift(...requeued);
    } finally {
      watchdog.stop();
      for (const pending of batch) {
        pending.stopBatch = undefined;
        if (!requeued.includes(pending)) this.inputs.give(pending.unit.input);
      }
    }
  }
}

const aborted = () => new ExecError('Aborted', 'the unit was aborted');
const closedError = () => new ExecError('Closed', 'the executor was closed');

interface Checked {
  limits: UnitLimits;
  params: Uint8Array;
  input: Uint8Array;
  wasi: WasiUnitConfig | undefined;
}

function toQueue(
  { limits, params, input, wasi }: Checked,
  module: PreparedModule,
  inputs: SharedInputs,
): Pick<Pending, 'unit' | 'timeoutMs'> {
  return {
    timeoutMs: limits.timeoutMs,
    unit: {
      moduleHash: module.hash,
      module: module.bytes,
      hasStart: module.hasStart,
      memory: module.memory!, // prepare() refuses a module without one
      params: forTheWorker(params, inputs),
      input: forTheWorker(input, inputs),
      fuel: limits.fuel,
      maxOutputBytes: limits.maxOutputBytes,
      ...(wasi && { wasi }),
    },
  };
}

/**
 * Bytes at least this big go to the worker in shared memory (shared-inputs.ts): a copy here.
 * postMessage clones a view's whole buffer, not its bytes: a unit's 16 MiB of a 64 MiB input cost
 * a clone of the 64 (a crypto unit's hand-over took longer than its run).
 */
const SHARED_BYTES = 1 << 20;

/** `bytes` as the worker should be handed them: shared if big, else a view of nothing more (a clone of a pooled Buffer's view copies its 8 KiB slab). */
function forTheWorker(bytes: Uint8Array, inputs: SharedInputs): Uint8Array {
  if (bytes.buffer instanceof SharedArrayBuffer) return bytes;
  if (bytes.byteLength >= SHARED_BYTES) return inputs.take(bytes);
  return bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes); // a copy: a Buffer's slice is a view
}

function settle(pending: Pending, outcome: WorkerOutcome): void {
  if (outcome.ok) {
    pending.resolve({
      output: outcome.output,
      outputHash: outcome.outputHash,
      fuel: outcome.fuel,
      wallMs: outcome.wallMs,
      ...(outcome.exitCode !== undefined && { exitCode: outcome.exitCode, stderr: outcome.stderr }),
    });
  } else {
    pending.reject(toExecError(outcome));
  }
}

// The node's GPU executor: units go to the runner page one at a time, each with a time limit.
// The GPU cannot be interrupted, so a unit that runs past its limit, a lost device or a page that
// answers nonsense ends that unit with a typed error and restarts the runner (a fresh page, a fresh
// device); the next unit runs on the fresh one. Replies are validated before they are believed.
import { CodedError, describeError } from '../../core/errors.js';
import {
  RunnerReplySchema,
  type AdapterInfo,
  type AdapterLimits,
  type GpuErrorCode,
  type RunnerReply,
  type RunnerRequest,
  type ShaderSpec,
} from '../../core/gpu/index.js';
import type { TileParams } from '../../core/render/index.js';
import type { RunnerChannel } from './channel.js';
import { TimeoutError, withTimeout } from './timeout.js';

/** Failures every honest GPU would reproduce: the unit's params, input or shader are at fault. */
export const DETERMINISTIC_GPU_FAILURES: ReadonlySet<GpuErrorCode> = new Set([
  'bad_params',
  'bad_input',
  'shader_compile',
  'limit',
]);

export class GpuError extends CodedError<GpuErrorCode> {
  override readonly name = 'GpuError';
}

export interface GpuRun {
  output: Uint8Array;
  /** Time the page measured around the unit's GPU work, and the node's wall time for the call. */
  gpuMs: number;
  wallMs: number;
}

export interface GpuRunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

const PROBE_TIMEOUT_MS = 30_000;

export class GpuExecutor {
  /** Scenes the current page holds (sent since its last restart). */
  readonly #scenes = new Set<string>();
  #queue: Promise<unknown> = Promise.resolve();
  #nextId = 1;
  #closed = false;
  /** Set when a restart failed: the runner is gone and every unit fails with this. */
  #broken: string | undefined;
  /** Restarts so far (each after a unit that wedged or lost the device). */
  restarts = 0;

  private constructor(
    private readonly channel: RunnerChannel,
    readonly adapter: AdapterInfo,
    readonly limits: AdapterLimits,
  ) {}

  /** Probes the page's adapter; throws GpuError('no_adapter') when it has none. */
  static async open(channel: RunnerChannel): Promise<GpuExecutor> {
    const reply = RunnerReplySchema.safeParse(
      await withTimeout(channel.send({ id: 0, op: 'probe' }), PROBE_TIMEOUT_MS),
    );
    if (!reply.success) throw new GpuError('runner_failed', 'the GPU runner answered its probe with nonsense');
    if (!reply.data.ok)
      throw new GpuError(
        'error' in reply.data ? reply.data.error.code : 'runner_failed',
        'error' in reply.data ? reply.data.error.message : 'no probe',
      );
    if (!('adapter' in reply.data))
      throw new GpuError('runner_failed', 'the GPU runner answered its probe without an adapter');
    return new GpuExecutor(channel, reply.data.adapter, reply.data.limits);
  }

  get runner(): RunnerChannel['kind'] {
    return this.channel.kind;
  }

  /** Why the executor can no longer run units (its runner could not be restarted), or undefined. */
  get broken(): string | undefined {
    return this.#broken;
  }

  /** One render tile of the scene blob `scene` (content id `sceneKey`): RGBA8, w×h×4 bytes. */
  renderTile(sceneKey: string, scene: Uint8Array, params: TileParams, options: GpuRunOptions): Promise<GpuRun> {
    return this.#enqueue(async () => {
      const started = performance.now();
      const send = (withScene: boolean) =>
        this.#call(
          {
            id: this.#nextId++,
            op: 'render',
            scene_key: sceneKey,
            params: { ...params },
            ...(withScene ? { scene } : {}),
          },
          options,
        );
      let reply = await send(!this.#scenes.has(sceneKey));
      if (!reply.ok && 'need_scene' in reply) reply = await send(true);
      this.#scenes.add(sceneKey);
      return this.#output(reply, params.w * params.h * 4, started);
    });
  }

  /** A user's WGSL shader (core/gpu/shader.ts): the output buffer's bytes. */
  runShader(spec: ShaderSpec, input: Uint8Array, options: GpuRunOptions): Promise<GpuRun> {
    return this.#enqueue(async () => {
      const started = performance.now();
      return this.#output(
        await this.#call({ id: this.#nextId++, op: 'shader', spec, input }, options),
        spec.buffer_size,
        started,
      );
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.channel.close();
  }

  /** Units run one at a time: the page has one device, and a unit's time limit counts from its start. */
  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => {
      if (this.#closed) throw new GpuError('runner_failed', 'the GPU executor is closed');
      if (this.#broken) throw new GpuError('runner_failed', this.#broken);
      return work();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Sends one request within the unit's time; anything but a well-formed reply restarts the runner. */
  async #call(request: RunnerRequest, { timeoutMs, signal }: GpuRunOptions): Promise<RunnerReply> {
    let raw: unknown;
    try {
      raw = await withTimeout(this.channel.send(request), timeoutMs, signal);
    } catch (err) {
      const code: GpuErrorCode = err instanceof TimeoutError ? 'timeout' : 'runner_failed';
      const message =
        err instanceof TimeoutError
          ? `the unit ran past its ${timeoutMs} ms`
          : signal?.aborted
            ? 'the unit was stopped'
            : `the runner page failed: ${describeError(err)}`;
      await this.#restart();
      throw new GpuError(code, `${message}; the GPU runner was restarted`);
    }
    const reply = RunnerReplySchema.safeParse(raw);
    if (!reply.success || reply.data.id !== request.id) {
      await this.#restart();
      throw new GpuError('runner_failed', 'the GPU runner answered with nonsense; it was restarted');
    }
    if (!reply.data.ok && 'error' in reply.data && reply.data.error.code === 'device_lost') {
      await this.#restart();
      throw new GpuError('device_lost', `${reply.data.error.message}; the GPU runner was restarted`);
    }
    return reply.data;
  }

  #output(reply: RunnerReply, expectedBytes: number, started: number): GpuRun {
    if (!reply.ok)
      throw 'error' in reply
        ? new GpuError(reply.error.code, reply.error.message)
        : new GpuError('runner_failed', 'the runner lost the scene twice');
    if (!('output' in reply)) throw new GpuError('runner_failed', 'the runner sent no output');
    if (reply.output.byteLength !== expectedBytes)
      throw new GpuError(
        'runner_failed',
        `the runner sent ${reply.output.byteLength} bytes; the unit makes ${expectedBytes}`,
      );
    return { output: reply.output, gpuMs: reply.gpu_ms, wallMs: performance.now() - started };
  }

  async #restart(): Promise<void> {
    this.#scenes.clear();
    this.restarts++;
    try {
      await this.channel.restart();
    } catch (err) {
      this.#broken = `the GPU runner could not be restarted: ${describeError(err)}`;
    }
  }
}

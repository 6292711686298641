// The requester's frames (docs/ARCHITECTURE.md, "Kinds of work"): each kind whose units' outputs make
// frames (its KindFrames, node/kinds/seam.ts) makes them once their units are verified. This hands
// each verdict on a unit of my jobs to its kind's frames, gives a job's frames to the API, resumes
// them all after a restart, and keeps one PNG thread for them all.
import { parseUnitId } from '../../../core/mesh/state/unit-table.js';
import type { JobRecord } from '../../../core/mesh/state/state.js';
import type { FramesNode, FramesView, KindFrames } from '../../kinds/seam.js';
import type { NodeContext } from '../context/node-context.js';
import { PngThread } from './png-thread.js';

export class FrameOutputs {
  readonly #byKind = new Map<string, KindFrames>();
  /** Frames are encoded off the main thread; the thread starts with the first frame. */
  #png: PngThread | undefined;
  #stopped = false;

  constructor(
    private readonly ctx: FramesNode['ctx'] & Pick<NodeContext, 'kinds'>,
    archive: FramesNode['archive'],
  ) {
    const node: FramesNode = {
      ctx,
      archive,
      png: () => (this.#stopped ? undefined : (this.#png ??= new PngThread())),
    };
    for (const kind of ctx.kinds.all()) {
      const frames = kind.frames?.(node);
      if (frames) this.#byKind.set(kind.name, frames);
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#png?.close().catch(() => {}); // a frame being encoded is made again after the restart
  }

  /** A unit reached its verdict: if its job is mine and its kind makes frames, its frame is made if it was the last. */
  async onVerdict(unitId: string): Promise<void> {
    const at = parseUnitId(unitId);
    const job = at && this.ctx.state.jobs.get(at.jobId);
    if (!job || job.job.requester !== this.ctx.me) return;
    await this.#of(job)?.onVerdict(job, at.index);
  }

  /** My job's frames; undefined when its kind makes none. */
  view(job: JobRecord): FramesView | undefined {
    return this.#of(job)?.view(job);
  }

  /** After a restart, or when a provider comes back: the frames not yet made. */
  async resume(): Promise<void> {
    for (const frames of this.#byKind.values()) await frames.resume();
  }

  #of(job: JobRecord): KindFrames | undefined {
    const kind = this.ctx.kinds.of(job.job.algorithm_id ?? '');
    return kind && this.#byKind.get(kind.name);
  }
}

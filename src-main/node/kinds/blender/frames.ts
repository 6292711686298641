// The requester's side of a tiled Blender job after verification (docs/BLENDER.md): when the last
// tile of a frame is verified (each was checked by my own re-render of a crop of it, and is in my
// blob store, as every verified output is), the frame's tile PNGs are decoded, stitched at their
// exact pixel borders (core/blender/tiles.ts), encoded as one PNG, stored and journaled
// (`frame.rendered`), as a render job's frames are: `jobs.frame` and `meshctl job output` give the
// frames, not the tiles. A unit's frame follows from its index (core/kinds/frames.ts, the one layout).
// A composited Blender job's units are a view layer's render before the compositor, each checked
// by a crop: once one is verified, my Blender runs the file's compositor over it (its frame as a
// render of the whole file makes it, bit for bit) and the frame is stored and journaled alike, one
// at a time (a Blender each).
import { stitch, tileGrid } from '../../../core/blender/tiles.js';
import { frameLayoutOf, frameOfUnit, framesIn, unitsOfFrame } from '../../../core/kinds/frames.js';
import type { JobRecord } from '../../../core/mesh/state/state.js';
import { unitIdOf } from '../../../core/mesh/state/unit-table.js';
import { describeError } from '../../../core/errors.js';
import { decodeRgba } from '../../blender/png.js';
import { compositeUnit } from '../../blender/unit.js';
import { myBlenderUnit } from '../../mesh/units/my-blender-unit.js';
import { tiledFrames } from '../frames-view.js';
import type { FramesNode, FramesView, KindFrames } from '../seam.js';
import { compositedFrames } from './composited-frames.js';

export class BlenderFrames implements KindFrames {
  readonly #busy = new Set<string>();
  /** Composites run one after another: each is a Blender. */
  #compositing: Promise<void> = Promise.resolve();

  readonly #ctx: FramesNode['ctx'];

  constructor(private readonly node: FramesNode) {
    this.#ctx = node.ctx;
  }

  /** Unit `index` of a tiled (or composited) Blender job reached its verdict: its frame is stitched if it was the last (composited). */
  async onVerdict(job: JobRecord, index: number): Promise<void> {
    const frame = frameOfUnit(frameLayoutOf(job.job), index);
    if (frame !== undefined) await this.#finishFrame(job, frame);
    else if (job.job.blender_composite) await this.#composite(job, index);
  }

  view(job: JobRecord): FramesView {
    const tiles = job.job.blender_tiles ?? null;
    const layout = frameLayoutOf(job.job);
    const frames = !layout ? [] : tiles ? tiledFrames(this.node, job, layout) : compositedFrames(this.#ctx, job);
    return { width: tiles?.width ?? null, height: tiles?.height ?? null, tile: null, tiles, frames };
  }

  /** After a restart: the frames whose units are all verified but that were not stitched (or composited). */
  async resume(): Promise<void> {
    for (const job of this.#ctx.state.jobs.values()) {
      if (job.job.requester !== this.#ctx.me || job.cancelled || job.summary) continue;
      const layout = frameLayoutOf(job.job);
      if (job.job.blender_tiles) {
        for (const frame of framesIn(layout!)) if (!job.frames.has(frame)) await this.#finishFrame(job, frame);
      } else if (job.job.blender_composite)
        for (let i = 0; i < job.created; i++) if (!job.frameOfUnit?.has(i)) await this.#composite(job, i);
    }
  }

  async #finishFrame(job: JobRecord, frame: number): Promise<void> {
    const tiles = job.job.blender_tiles!;
    const jobId = job.job.job_id;
    const key = `${jobId}#${frame}`;
    const range = unitsOfFrame(frameLayoutOf(job.job)!, frame);
    if (!range || job.frames.has(frame) || this.#busy.has(key)) return;
    if (range.to > job.created) return; // its units are not all made yet
    const records = Array.from({ length: range.to - range.from }, (_, t) =>
      this.#ctx.state.units.get(unitIdOf(jobId, range.from + t)),
    );
    if (records.some((r) => r?.verdict !== 'verified' || !r.consensusHash)) return;
    const { width, height } = tiles;
    const pngs = records.map((r) => this.#ctx.blobs.get(r!.consensusHash!));
    if (pngs.some((png) => png === undefined))
      return this.#ctx.log(`frame ${frame} of ${jobId}: a verified tile is missing from my blob store`);
    this.#busy.add(key);
    try {
      const rects = tileGrid(width, height, tiles.cols, tiles.rows);
      const rgba = stitch(
        width,
        height,
        pngs.map((png, t) => ({ rect: rects[t]!, image: decodeRgba(png!) })),
      );
      const encoder = this.node.png();
      if (!encoder) return; // stopped: stitched after the restart (resume)
      const png = await encoder.encode(width, height, rgba.data);
      // A frame stitched again after a tile was reopened is a new event.
      await this.#store(
        job,
        frame,
        png,
        records.reduce((n, r) => n + (r!.reopened ?? 0), 0),
      );
    } catch (err) {
      this.#ctx.log(`frame ${frame} of ${jobId} cannot be stitched: ${describeError(err)}`);
    } finally {
      this.#busy.delete(key);
    }
  }

  /** Unit `index` of a composited job, once verified: its frame composited by my Blender from its render (one composite at a time). */
  #composite(job: JobRecord, index: number): Promise<void> {
    const jobId = job.job.job_id;
    const key = `${jobId}/${index}`;
    const record = this.#ctx.state.units.progressOf(unitIdOf(jobId, index));
    if (record?.verdict !== 'verified' || !record.consensusHash || this.#busy.has(key)) return Promise.resolve();
    this.#busy.add(key);
    const run = async () => {
      try {
        const unit = this.#ctx.state.units.get(unitIdOf(jobId, index));
        const raw = unit?.consensusHash ? this.#ctx.blobs.get(unit.consensusHash) : undefined;
        if (!unit || !raw || unit.verdict !== 'verified' || job.frameOfUnit?.has(index)) return;
        const mine = await myBlenderUnit(this.#ctx, unit.unit, 'cannot composite the frame of');
        if (!mine) return;
        // Composited as its render was checked, or now (after a restart).
        const png = this.#ctx.blender?.previews.takeComposite(unit.consensusHash!) ?? (await compositeUnit(mine, raw));
        await this.#store(job, mine.frame, png, unit.reopened ?? 0, index);
      } catch (err) {
        this.#ctx.log(`unit ${index} of ${jobId} cannot be composited: ${describeError(err)}`);
      } finally {
        this.#busy.delete(key);
      }
    };
    return (this.#compositing = this.#compositing.then(run));
  }

  /** The frame's PNG stored and journaled (`frame.rendered`), and said; the job completed when it was its last. */
  async #store(job: JobRecord, frame: number, png: Uint8Array, reopened: number, unitIndex?: number): Promise<void> {
    const jobId = job.job.job_id;
    const pngCid = await this.#ctx.blobs.put(png);
    await this.#ctx.record([
      {
        type: 'frame.rendered',
        event_id: `frame/${jobId}/${frame}${reopened > 0 ? `/${reopened}` : ''}`,
        job_id: jobId,
        frame,
        png_cid: pngCid,
        ...(unitIndex !== undefined ? { unit_index: unitIndex } : {}),
      },
    ]);
    const total = frameLayoutOf(job.job)?.count ?? 0;
    this.#ctx.emit('render.frame', {
      job_id: jobId,
      frame,
      png_cid: pngCid,
      frames_done: job.frames.size,
      frames_total: total,
    });
    if (job.frames.size === total && job.completedAt) this.#ctx.emit('job.completed', { job_id: jobId });
  }
}

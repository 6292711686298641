// The requester's side of a render job after verification: each verified tile is fetched from a
// provider whose result agreed (the output's CID is its consensus hash, so the bytes are checked
// as they arrive), announced as a `render.tile` event for a UI's mosaic, and when a frame's last
// tile is in, the frame is stitched, encoded as a PNG, stored and journaled (`frame.rendered`).
// A frame's tiles are its units by the one frame layout (core/kinds/frames.ts).
import { frameLayoutOf, frameOfUnit, framesIn, unitsOfFrame, type FrameLayout } from '../../../core/kinds/frames.js';
import type { JobRecord } from '../../../core/mesh/state/state.js';
import { unitIdOf } from '../../../core/mesh/state/unit-table.js';
import { stitchTiles, type Tile } from '../../../core/render/index.js';
import { blobFromHolders } from '../../mesh/context/node-context.js';
import { Backoff } from '../../mesh/basics/backoff.js';
import { tileFetchCap } from '../../mesh/units/unit-run.js';
import type { FramesNode, FramesView, KindFrames } from '../seam.js';
import { tiledFrames } from '../frames-view.js';

const frameKey = (job: JobRecord, frame: number) => `${job.job.job_id}#${frame}`;

export class RenderFrames implements KindFrames {
  /**
   * Per frame being assembled (`job#frame`), its tiles still without a verdict: a frame is checked
   * whole once none is left. Checked at every verdict, a 4K frame of 32,400 tiles would read its
   * tiles' records ~5·10⁸ times (163 s for the frame). Made from the records when first asked for, so it
   * may be dropped at any time: once its frame is stored, it is.
   */
  readonly #undecided = new Map<string, Set<string>>();
  readonly #busy = new Set<string>();
  /** A tile no provider could send (a stream cut mid-reply) is tried again, from a second, backing off to a minute. */
  readonly #retry = new Backoff(1_000, 60_000);
  #retryTimer: NodeJS.Timeout | undefined;

  readonly #ctx: FramesNode['ctx'];

  constructor(private readonly node: FramesNode) {
    const ctx = (this.#ctx = node.ctx);
    ctx.events.on('peer.connected', () => ctx.background('assembling frames', this.resume()));
    ctx.signal.addEventListener('abort', () => clearTimeout(this.#retryTimer), { once: true });
  }

  /** Tile `index` of my render job reached its verdict: fetch it, then finish its frame if it was the last. */
  async onVerdict(job: JobRecord, index: number): Promise<void> {
    const unitId = unitIdOf(job.job.job_id, index);
    const record = this.#ctx.state.units.get(unitId);
    const layout = frameLayoutOf(job.job);
    const frame = frameOfUnit(layout, index);
    if (!record?.consensusHash || !layout || frame === undefined) return;
    if (!(await this.#fetchTile(unitId, record.consensusHash))) return this.#retryLater();
    const { x, y, w, h } = tileOf(record.unit.params);
    this.#ctx.emit('render.tile', {
      job_id: job.job.job_id,
      frame,
      unit_id: unitId,
      x,
      y,
      w,
      h,
      output_cid: record.consensusHash,
    });
    const undecided = this.#undecidedIn(job, layout, frame);
    undecided.delete(unitId);
    if (undecided.size === 0) await this.#finishFrame(job, layout, frame);
  }

  view(job: JobRecord): FramesView {
    const render = job.job.render!;
    const layout = frameLayoutOf(job.job)!;
    return {
      width: render.width,
      height: render.height,
      tile: render.tile,
      tiles: null,
      frames: tiledFrames(this.node, job, layout),
    };
  }

  #undecidedIn(job: JobRecord, layout: FrameLayout, frame: number): Set<string> {
    const key = frameKey(job, frame);
    let undecided = this.#undecided.get(key);
    if (!undecided) {
      const open = tileIds(job, layout, frame).filter((id) => !this.#ctx.state.units.progressOf(id)?.consensusHash);
      this.#undecided.set(key, (undecided = new Set(open)));
    }
    return undecided;
  }

  /** After a restart, or when a provider comes back: tiles not yet fetched and frames not yet assembled. */
  async resume(): Promise<void> {
    let missing = false;
    for (const job of this.#ctx.state.jobs.values()) {
      if (!job.job.render || job.job.requester !== this.#ctx.me || job.cancelled) continue;
      const layout = frameLayoutOf(job.job)!;
      for (const frame of framesIn(layout)) {
        if (job.frames.has(frame)) continue;
        for (const unitId of tileIds(job, layout, frame)) {
          const hash = this.#ctx.state.units.get(unitId)?.consensusHash;
          if (hash && !this.#ctx.blobs.has(hash) && !(await this.#fetchTile(unitId, hash))) missing = true;
        }
        await this.#finishFrame(job, layout, frame);
      }
    }
    if (missing) this.#retryLater();
    else this.#retry.reset();
  }

  #retryLater(): void {
    if (this.#ctx.signal.aborted || this.#retryTimer !== undefined) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (!this.#ctx.signal.aborted) this.#ctx.background('assembling frames', this.resume());
    }, this.#retry.ms);
    this.#retryTimer.unref();
    this.#retry.double();
  }

  /** The verified tile in my blob store, from any provider whose result agreed; false if none could send it. */
  async #fetchTile(unitId: string, cid: string): Promise<boolean> {
    const holders = this.#ctx.state
      .activeAssignments(unitId)
      .filter((assignment) => assignment.result?.output_cid === cid)
      .map((assignment) => assignment.acceptance.provider_peer);
    const cap = tileFetchCap(this.#ctx.state.units.get(unitId)?.unit);
    return (await blobFromHolders(this.#ctx, cid, holders, cap)) !== undefined;
  }

  async #finishFrame(job: JobRecord, layout: FrameLayout, frame: number): Promise<void> {
    const key = frameKey(job, frame);
    const render = job.job.render!;
    if (job.frames.has(frame) || this.#busy.has(key)) return;
    // Every tile's verdict first (memory only): reading the tiles at each verdict read a frame's
    // tiles quadratically (a 60-tile frame, ~1,800 reads of 16 KiB).
    const ids = tileIds(job, layout, frame);
    if (ids.length < layout.unitsPerFrame) return; // its tiles are not all made yet
    const records = ids.map((id) => this.#ctx.state.units.get(id));
    if (records.some((record) => !record?.consensusHash)) return;
    const tiles: { tile: Tile; rgba: Uint8Array }[] = [];
    let reopened = 0; // a frame assembled again after a tile was reopened is a new event
    for (const record of records) {
      reopened += record!.reopened ?? 0;
      const rgba = this.#ctx.blobs.get(record!.consensusHash!);
      if (!rgba) return; // a tile still on its way: its own verdict finishes the frame
      tiles.push({ tile: tileOf(record!.unit.params), rgba });
    }
    // Once stopped, no thread is started: the frame is assembled after the restart (resume()).
    const encoder = this.node.png();
    if (!encoder) return;
    this.#busy.add(key);
    try {
      const rgba = stitchTiles(render.width, render.height, tiles);
      if (!rgba.ok) {
        this.#ctx.log(`frame ${frame} of ${job.job.job_id} cannot be assembled: ${rgba.error}`);
        return;
      }
      const png = await encoder.encode(render.width, render.height, rgba.value);
      const pngCid = await this.#ctx.blobs.put(png);
      await this.#ctx.record([
        {
          type: 'frame.rendered',
          event_id: `frame/${job.job.job_id}/${frame}${reopened > 0 ? `/${reopened}` : ''}`,
          job_id: job.job.job_id,
          frame,
          png_cid: pngCid,
        },
      ]);
      this.#undecided.delete(key);
      this.#ctx.emit('render.frame', {
        job_id: job.job.job_id,
        frame,
        png_cid: pngCid,
        frames_done: job.frames.size,
        frames_total: layout.count,
      });
      if (job.frames.size === layout.count) this.#ctx.emit('job.completed', { job_id: job.job.job_id });
    } finally {
      this.#busy.delete(key);
    }
  }
}

/** The ids of a frame's tiles journaled so far (a render submit journals a frame's in one step: render-jobs.ts). */
function tileIds(job: JobRecord, layout: FrameLayout, frame: number): string[] {
  const range = unitsOfFrame(layout, frame);
  if (!range) return [];
  const ids: string[] = [];
  for (let i = range.from; i < Math.min(range.to, job.created); i++) ids.push(unitIdOf(job.job.job_id, i));
  return ids;
}

/** A tile's place in its frame, as its unit's params say. */
function tileOf(params: Record<string, unknown> | undefined): Tile {
  const p = params ?? {};
  return { x: Number(p['x']), y: Number(p['y']), w: Number(p['w']), h: Number(p['h']) };
}

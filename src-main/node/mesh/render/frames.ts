// The requester's side of a render job after verification: each verified tile is fetched from a
// provider whose result agreed (the output's CID is its consensus hash, so the bytes are checked
// as they arrive), announced as a `render.tile` event for a UI's mosaic, and when a frame's last
// tile is in, the frame is stitched, encoded as a PNG, stored and journaled (`frame.rendered`).
// A tiled Blender job's frames are stitched alike, from its tiles' PNGs (blender-frames.ts).
import { stitchTiles, tileOutputBytes, type Tile } from '../../../core/render/index.js';
import { unitIdsOf, type JobRecord } from '../../../core/mesh/state/state.js';
import { parseUnitId } from '../../../core/mesh/state/unit-table.js';
import type { WorkUnit } from '../../../core/schemas/index.js';
import { blobFromHolders, type NodeContext } from '../context/node-context.js';
import { PngThread } from './png-thread.js';
import { BlenderFrames } from './blender-frames.js';
import { Backoff } from '../basics/backoff.js';
import { MAX_FAILURE_OUTPUT_BYTES } from '../units/unit-run.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type FramesNeeds = Pick<
  NodeContext,
  'background' | 'blender' | 'blobs' | 'emit' | 'events' | 'fetchBlob' | 'log' | 'me' | 'record' | 'signal' | 'state'
>;

/** The most a tile's output may be: its w × h × 4 bytes, or a failure's `{"error": …}`. Nothing bigger is fetched. */
export function tileFetchCap(unit: WorkUnit | undefined): number {
  return Math.max(tileOutputBytes(unit?.params), MAX_FAILURE_OUTPUT_BYTES);
}

interface TileUnit {
  unitId: string;
  frame: number;
  tile: Tile;
}

interface TileIndex {
  byFrame: Map<number, TileUnit[]>;
  byUnit: Map<string, TileUnit>;
  /** The job's units indexed: its first `indexed`. */
  indexed: number;
}

const frameKey = (job: JobRecord, frame: number) => `${job.job.job_id}#${frame}`;

export class FrameAssembler {
  /** Each render job's units by frame, and each unit's: built on first use, extended as the job's units are journaled. */
  readonly #index = new Map<string, TileIndex>();
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
  #stopped = false;
  /** Frames are encoded off the main thread; the thread starts with the first frame. */
  #png: PngThread | undefined;
  readonly #blender: BlenderFrames;

  constructor(private readonly ctx: FramesNeeds) {
    ctx.events.on('peer.connected', () => ctx.background('assembling frames', this.resume()));
    this.#blender = new BlenderFrames(ctx, () => (this.#stopped ? undefined : (this.#png ??= new PngThread())));
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#png?.close().catch(() => {}); // a frame being encoded is assembled again after the restart
  }

  /** A unit reached its verdict: if it is a render tile, fetch it, then finish its frame if it was the last. */
  async onVerdict(unitId: string): Promise<void> {
    // Not a render job's: asked of every unit, and a batched job's unit record is made when asked for.
    const at = parseUnitId(unitId);
    const ofJob = at && this.ctx.state.jobs.get(at.jobId);
    if (at && (ofJob?.job.blender_tiles || ofJob?.job.blender_composite))
      return this.#blender.onVerdict(ofJob, at.index);
    if (at && !ofJob?.job.render) return;
    const record = this.ctx.state.units.get(unitId);
    const job = record && this.ctx.state.jobs.get(record.unit.job_id);
    if (!record?.consensusHash || !job?.job.render) return;
    const unit = this.#indexOf(job).byUnit.get(unitId);
    if (!unit) return;
    if (!(await this.#fetchTile(unitId, record.consensusHash))) return this.#retryLater();
    const { x, y, w, h } = unit.tile;
    this.ctx.emit('render.tile', {
      job_id: job.job.job_id,
      frame: unit.frame,
      unit_id: unitId,
      x,
      y,
      w,
      h,
      output_cid: record.consensusHash,
    });
    const undecided = this.#undecidedIn(job, unit.frame);
    undecided.delete(unitId);
    if (undecided.size === 0) await this.#finishFrame(job, unit.frame);
  }

  #undecidedIn(job: JobRecord, frame: number): Set<string> {
    const key = frameKey(job, frame);
    let undecided = this.#undecided.get(key);
    if (!undecided) {
      const tiles = this.framesOf(job).get(frame) ?? [];
      const open = tiles.filter((u) => !this.ctx.state.units.progressOf(u.unitId)?.consensusHash);
      this.#undecided.set(key, (undecided = new Set(open.map((u) => u.unitId))));
    }
    return undecided;
  }

  /** After a restart, or when a provider comes back: tiles not yet fetched and frames not yet assembled. */
  async resume(): Promise<void> {
    await this.#blender.resume();
    let missing = false;
    for (const job of this.ctx.state.jobs.values()) {
      if (!job.job.render || job.job.requester !== this.ctx.me || job.cancelled) continue;
      for (const [frame, units] of this.framesOf(job)) {
        if (job.frames.has(frame)) continue;
        for (const u of units) {
          const hash = this.ctx.state.units.get(u.unitId)?.consensusHash;
          if (hash && !this.ctx.blobs.has(hash) && !(await this.#fetchTile(u.unitId, hash))) missing = true;
        }
        await this.#finishFrame(job, frame);
      }
    }
    if (missing) this.#retryLater();
    else this.#retry.reset();
  }

  #retryLater(): void {
    if (this.#stopped || this.#retryTimer !== undefined) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (!this.#stopped) this.ctx.background('assembling frames', this.resume());
    }, this.#retry.ms);
    this.#retryTimer.unref();
    this.#retry.double();
  }

  /** A render job's units journaled so far, by frame (from their params); a frame's come in one step (render-jobs.ts). */
  framesOf(job: JobRecord): Map<number, TileUnit[]> {
    return this.#indexOf(job).byFrame;
  }

  #indexOf(job: JobRecord): TileIndex {
    let index = this.#index.get(job.job.job_id);
    if (!index) this.#index.set(job.job.job_id, (index = { byFrame: new Map(), byUnit: new Map(), indexed: 0 }));
    if (index.indexed === job.created) return index;
    const { byFrame: frames, byUnit } = index;
    for (const unitId of unitIdsOf(job, index.indexed)) {
      const p = this.ctx.state.units.get(unitId)?.unit.params ?? {};
      const frame = Number(p['frame']);
      const unit = {
        unitId,
        frame,
        tile: { x: Number(p['x']), y: Number(p['y']), w: Number(p['w']), h: Number(p['h']) },
      };
      const tiles = frames.get(frame);
      if (tiles) tiles.push(unit);
      else frames.set(frame, [unit]);
      byUnit.set(unitId, unit);
    }
    index.indexed = job.created;
    return index;
  }

  /** The verified tile in my blob store, from any provider whose result agreed; false if none could send it. */
  async #fetchTile(unitId: string, cid: string): Promise<boolean> {
    const holders = this.ctx.state
      .activeAssignments(unitId)
      .filter((assignment) => assignment.result?.output_cid === cid)
      .map((assignment) => assignment.acceptance.provider_peer);
    const cap = tileFetchCap(this.ctx.state.units.get(unitId)?.unit);
    return (await blobFromHolders(this.ctx, cid, holders, cap)) !== undefined;
  }

  async #finishFrame(job: JobRecord, frame: number): Promise<void> {
    const key = frameKey(job, frame);
    const render = job.job.render!;
    const units = this.framesOf(job).get(frame) ?? [];
    // Once stopped, no thread is started: the frame is assembled after the restart (resume()).
    if (this.#stopped || job.frames.has(frame) || this.#busy.has(key)) return;
    // Every tile's verdict first (memory only): reading the tiles at each verdict read a frame's
    // tiles quadratically (a 60-tile frame, ~1,800 reads of 16 KiB).
    const records = units.map((u) => this.ctx.state.units.get(u.unitId));
    if (records.some((record) => !record?.consensusHash)) return;
    const tiles: { tile: Tile; rgba: Uint8Array }[] = [];
    let reopened = 0; // a frame assembled again after a tile was reopened is a new event
    for (const [i, u] of units.entries()) {
      const record = records[i]!;
      reopened += record.reopened ?? 0;
      const rgba = this.ctx.blobs.get(record.consensusHash!);
      if (!rgba) return; // a tile still on its way: its own verdict finishes the frame
      tiles.push({ tile: u.tile, rgba });
    }
    this.#busy.add(key);
    try {
      const rgba = stitchTiles(render.width, render.height, tiles);
      if (!rgba.ok) {
        this.ctx.log(`frame ${frame} of ${job.job.job_id} cannot be assembled: ${rgba.error}`);
        return;
      }
      this.#png ??= new PngThread();
      const png = await this.#png.encode(render.width, render.height, rgba.value);
      const pngCid = await this.ctx.blobs.put(png);
      await this.ctx.record([
        {
          type: 'frame.rendered',
          event_id: `frame/${job.job.job_id}/${frame}${reopened > 0 ? `/${reopened}` : ''}`,
          job_id: job.job.job_id,
          frame,
          png_cid: pngCid,
        },
      ]);
      this.#undecided.delete(key);
      const total = render.last_frame - render.first_frame + 1;
      this.ctx.emit('render.frame', {
        job_id: job.job.job_id,
        frame,
        png_cid: pngCid,
        frames_done: job.frames.size,
        frames_total: total,
      });
      if (job.frames.size === total) this.ctx.emit('job.completed', { job_id: job.job.job_id });
    } finally {
      this.#busy.delete(key);
    }
  }
}

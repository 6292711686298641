// The live mosaics of render jobs: for each job the Jobs page has open, every frame's verified
// tiles painted where they belong, then the finished frame's PNG. Opening a job (or reloading the
// page) paints what is already there — finished frames from their PNGs, verified tiles from their
// outputs — and render.tile / render.frame events keep it current from then on.
import type { ApiEvent } from '../../src-main/core/api/contract.js';
import { everyUnit } from '../../src-main/core/api/unit-pages.js';
import { CallError, type MeshTransport } from '../api/transport.js';
import { bytesOfBase64 } from '../base64.js';
import { blitTile, placeUnit, type Tile } from '../jobs/tile-placement.js';
import { splitFrame } from '../../src-main/core/render/tiles.js';
import type { FrameMosaic, GetState, SetState } from './types.js';

/** Frames a job's mosaic shows; the rest of a long animation is saved with `meshctl results fetch`. */
export const MOSAIC_FRAMES = 48;
/** Tile outputs and PNGs fetched at once. */
const FETCHES_AT_ONCE = 4;

export class MosaicKeeper {
  /** Tile rectangles from render.tile events, by unit id: where a tile goes without guessing. */
  readonly #tileRects = new Map<string, Tile>();
  readonly #watched = new Set<string>();
  /** Events that came while a job's mosaic was being set up, handled once it is. */
  readonly #pending = new Map<string, ApiEvent[]>();
  /** Units painted or being fetched, per `${job}#${frame}`: each tile is fetched once. */
  readonly #painted = new Map<string, Set<string>>();
  readonly #limit = concurrencyLimit(FETCHES_AT_ONCE);
  readonly #report = (error: unknown) => this.get().reportError(error);

  constructor(
    private readonly transport: MeshTransport,
    private readonly set: SetState,
    private readonly get: GetState,
  ) {}

  async watch(jobId: string): Promise<void> {
    if (this.#watched.has(jobId)) return;
    this.#watched.add(jobId);
    this.#pending.set(jobId, []);
    try {
      await this.#load(jobId);
    } catch (error) {
      // Not watched, so opening the job again tries again.
      this.unwatch(jobId);
      this.get().reportError(error);
    }
  }

  unwatch(jobId: string): void {
    this.#watched.delete(jobId);
    this.#pending.delete(jobId);
    for (const key of this.#painted.keys()) if (key.startsWith(`${jobId}#`)) this.#painted.delete(key);
    this.set((s) => {
      const { [jobId]: _gone, ...rest } = s.mosaics;
      return { mosaics: rest };
    });
  }

  /** After the event stream was lost: what was missed is read again. */
  async reloadAll(): Promise<void> {
    const jobs = [...this.#watched];
    for (const jobId of jobs) this.unwatch(jobId);
    await Promise.all(jobs.map((jobId) => this.watch(jobId)));
  }

  onEvent(event: ApiEvent): void {
    const { job_id: jobId, unit_id: unitId, x, y, w, h } = event.data;
    if (typeof jobId !== 'string') return;
    if (
      event.type === 'render.tile' &&
      typeof unitId === 'string' &&
      [x, y, w, h].every((v) => typeof v === 'number')
    ) {
      this.#tileRects.set(unitId, { x: x as number, y: y as number, w: w as number, h: h as number });
    }
    if (!this.#watched.has(jobId)) return;
    const pending = this.#pending.get(jobId);
    if (pending) pending.push(event);
    else this.#handle(jobId, event);
  }

  #handle(jobId: string, event: ApiEvent): void {
    const frame = event.data['frame'];
    if (typeof frame !== 'number') return;
    if (event.type === 'render.frame') this.#loadPng(jobId, frame).catch(this.#report);
    const unitId = event.data['unit_id'];
    const rect = typeof unitId === 'string' ? this.#tileRects.get(unitId) : undefined;
    if (event.type === 'render.tile' && typeof unitId === 'string' && rect)
      this.#paintTile(jobId, frame, unitId, rect).catch(this.#report);
  }

  async #load(jobId: string): Promise<void> {
    const { width, height, tile, frames } = await this.transport.call('jobs.frames', { job_id: jobId });
    if (width === null || height === null || tile === null) return; // not a render job's tiles (a Blender job's: jobs-slice.ts)
    const shown = frames.slice(0, MOSAIC_FRAMES);
    for (const f of shown) this.#painted.set(`${jobId}#${f.frame}`, new Set());
    const mosaicFrames: FrameMosaic[] = shown.map((f) => ({
      frame: f.frame,
      tilesTotal: f.tiles_total,
      tilesDone: 0,
      pixels: null,
      png: null,
      version: 0,
    }));
    this.set((s) => ({
      mosaics: { ...s.mosaics, [jobId]: { width, height, frames: mosaicFrames, framesTotal: frames.length } },
    }));
    for (const event of this.#pending.get(jobId) ?? []) this.#handle(jobId, event);
    this.#pending.delete(jobId);

    const finished = shown.filter((f) => f.png_cid !== null);
    const partial = new Set(shown.filter((f) => f.png_cid === null && f.tiles_verified > 0).map((f) => f.frame));
    await Promise.all(finished.map((f) => this.#loadPng(jobId, f.frame)));
    const first = frames[0];
    if (partial.size === 0 || !first) return;

    // Tiles already verified in frames not yet finished: fetch each, then work out where it goes.
    const units = await everyUnit(
      async (from) =>
        (await this.transport.call('jobs.status', { job_id: jobId, units: true, units_from: from })).units,
    );
    const verified = units
      .filter((u) => u.status === 'verified' && u.output_cid !== null)
      .map((u) => ({ unitId: u.unit_id, ...placeUnit(u.index, first.frame, first.tiles_total) }))
      .filter((u) => partial.has(u.frame) && this.#claim(jobId, u.frame, u.unitId));
    const outputs = await Promise.all(verified.map((u) => this.#fetchTile(jobId, u.frame, u.unitId)));
    const tiles = splitFrame(width, height, tile);
    verified.forEach((u, i) => {
      const rect = this.#tileRects.get(u.unitId) ?? (tiles.ok ? tiles.value[u.tileIndex] : undefined);
      const rgba = outputs[i];
      if (rect && rgba) this.#blit(jobId, u.frame, rect, rgba);
    });
  }

  /** Marks a unit's tile as taken care of; false if it already was. */
  #claim(jobId: string, frame: number, unitId: string): boolean {
    const painted = this.#painted.get(`${jobId}#${frame}`);
    if (!painted || painted.has(unitId)) return false;
    painted.add(unitId);
    return true;
  }

  /** A tile's RGBA bytes; undefined (and free to be fetched again) if the node cannot give them now. */
  async #fetchTile(jobId: string, frame: number, unitId: string): Promise<Uint8Array | undefined> {
    try {
      const reply = await this.#limit(() => this.transport.call('jobs.output', { job_id: jobId, unit_id: unitId }));
      return bytesOfBase64(reply.output_base64);
    } catch (error) {
      this.#painted.get(`${jobId}#${frame}`)?.delete(unitId);
      // Verified but not yet fetched by the node (conflict, unavailable): its render.tile event brings it later.
      if (!(error instanceof CallError && (error.code === 'conflict' || error.code === 'unavailable')))
        this.get().reportError(error);
      return undefined;
    }
  }

  async #paintTile(jobId: string, frame: number, unitId: string, rect: Tile): Promise<void> {
    if (!this.#claim(jobId, frame, unitId)) return;
    const rgba = await this.#fetchTile(jobId, frame, unitId);
    if (rgba) this.#blit(jobId, frame, rect, rgba);
  }

  #blit(jobId: string, frame: number, rect: Tile, rgba: Uint8Array): void {
    this.#updateFrame(jobId, frame, (f, mosaic) => {
      if (f.png !== null) return f; // the finished frame is already there
      const pixels = f.pixels ?? new Uint8ClampedArray(mosaic.width * mosaic.height * 4);
      const error = blitTile(pixels, mosaic.width, rect, rgba);
      if (error) {
        this.get().reportError(`frame ${frame}: ${error}`);
        return f;
      }
      return { ...f, pixels, tilesDone: Math.min(f.tilesTotal, f.tilesDone + 1), version: f.version + 1 };
    });
  }

  async #loadPng(jobId: string, frame: number): Promise<void> {
    if (!this.#watched.has(jobId)) return;
    const reply = await this.#limit(() => this.transport.call('jobs.frame', { job_id: jobId, frame }));
    this.#updateFrame(jobId, frame, (f) => ({
      ...f,
      png: reply.png_base64,
      pixels: null,
      tilesDone: f.tilesTotal,
      version: f.version + 1,
    }));
  }

  #updateFrame(
    jobId: string,
    frame: number,
    change: (f: FrameMosaic, mosaic: { width: number; height: number }) => FrameMosaic,
  ): void {
    this.set((s) => {
      const mosaic = s.mosaics[jobId];
      if (!mosaic) return s;
      return {
        mosaics: {
          ...s.mosaics,
          [jobId]: { ...mosaic, frames: mosaic.frames.map((f) => (f.frame === frame ? change(f, mosaic) : f)) },
        },
      };
    });
  }
}

/** Runs at most `max` of the given tasks at a time, the others in order as places free up. */
function concurrencyLimit(max: number): <T>(work: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (work) => {
    // A finishing task hands its place straight to the next in line, so no newcomer slips in between.
    if (active < max) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

// A Blender job's frames as its card's mosaic shows them (the same TileMosaic as a render job's):
// each frame rendered whole by one unit, so it is waiting, rendering (with its provider's latest
// `Sample n/m`, from unit.progress events), failed, or done, its PNG the unit's verified output
// (fetched once; an EXR frame's 8-bit PNG preview, blender.preview); or, for a job of tiles, each
// frame's tiles verified and those rendering (each with its provider's `Sample n/m`), then its PNG
// once stitched.
import type { MethodResult } from '../../../src-main/core/api/contract.js';
import type { FrameMosaic, JobMosaic, RenderingTile, SampleCount } from '../../store/types.js';

type FramesView = MethodResult<'blender.frames'>;
type TiledView = MethodResult<'jobs.frames'>;
type UnitStatus = FramesView['frames'][number]['status'];

const STATE_WORDS: Record<UnitStatus, string> = {
  open: 'waiting',
  assigned: 'rendering',
  verified: 'verified',
  failed: 'failed',
  cancelled: 'cancelled',
};

/**
 * The mosaic for the job's frames now (the first `shown` of them), the PNGs already fetched kept
 * from `previous`; and the verified frames whose PNG is still to fetch, by their units.
 */
export function blenderMosaic(
  view: FramesView,
  previous: JobMosaic | undefined,
  shown: number,
): { mosaic: JobMosaic; fetch: Array<{ frame: number; unitId: string }> } {
  const had = new Map((previous?.frames ?? []).map((f) => [f.frame, f]));
  const fetch: Array<{ frame: number; unitId: string }> = [];
  const frames = view.frames.slice(0, shown).map((f): FrameMosaic => {
    const before = had.get(f.frame);
    const verified = f.status === 'verified';
    if (verified && !before?.png) fetch.push({ frame: f.frame, unitId: f.unit_id });
    const samples = f.status === 'assigned' && before?.unitId === f.unit_id ? before.samples : undefined;
    return {
      frame: f.frame,
      tilesTotal: 1,
      tilesDone: verified && before?.png ? 1 : 0,
      pixels: null,
      png: verified ? (before?.png ?? null) : null,
      version: before?.version ?? 0,
      state: samples ? samplesWords(samples) : STATE_WORDS[f.status],
      unitId: f.unit_id,
      ...(samples ? { samples } : {}),
    };
  });
  return {
    mosaic: { width: view.width, height: view.height, frames, framesTotal: view.frames_total },
    fetch,
  };
}

/**
 * A tiled job's mosaic (jobs.frames): each frame's tiles verified so far and those rendering
 * now (the samples told of a tile kept while it still renders; a tile no longer listed has ended),
 * then its PNG once the requester stitched it; and the stitched frames whose PNG is still to fetch
 * (jobs.frame).
 */
export function tiledBlenderMosaic(
  view: Pick<TiledView, 'frames'> & { tiles: NonNullable<TiledView['tiles']> },
  previous: JobMosaic | undefined,
  shown: number,
): { mosaic: JobMosaic; fetch: number[] } {
  const had = new Map((previous?.frames ?? []).map((f) => [f.frame, f]));
  const fetch: number[] = [];
  const frames = view.frames.slice(0, shown).map((f): FrameMosaic => {
    const before = had.get(f.frame);
    const stitched = f.png_cid !== null;
    if (stitched && !before?.png) fetch.push(f.frame);
    const rendering = (stitched ? [] : (f.rendering ?? [])).map((unitId): RenderingTile => {
      const samples = before?.rendering?.find((tile) => tile.unitId === unitId)?.samples;
      return samples ? { unitId, samples } : { unitId };
    });
    return {
      frame: f.frame,
      tilesTotal: f.tiles_total,
      tilesDone: f.tiles_verified,
      pixels: null,
      png: stitched ? (before?.png ?? null) : null,
      version: before?.version ?? 0,
      state: stitched ? 'verified' : tilesWords(f.tiles_verified, f.tiles_total, rendering),
      rendering,
    };
  });
  const { width, height } = view.tiles;
  return { mosaic: { width, height, frames, framesTotal: view.frames.length }, fetch };
}

const samplesWords = ({ sample, of }: SampleCount) => `rendering, sample ${sample} of ${of}`;

/**
 * A tiled frame's caption: "3 of 8 tiles", then how many render now and the samples their providers
 * told ("2 rendering (sample 12 of 32)", or "(samples 5–12 of 32)" when they differ).
 */
function tilesWords(verified: number, total: number, rendering: RenderingTile[]): string {
  const words = `${verified} of ${total} tiles`;
  if (rendering.length === 0) return words;
  const told = rendering.flatMap((tile) => (tile.samples ? [tile.samples] : []));
  const of = told[0]?.of;
  // Every tile of a job renders the job's samples; a count of another `of` would not read as a range.
  if (of === undefined || told.some((s) => s.of !== of)) return `${words}, ${rendering.length} rendering`;
  const least = Math.min(...told.map((s) => s.sample));
  const most = Math.max(...told.map((s) => s.sample));
  const samples = least === most ? `sample ${least}` : `samples ${least}–${most}`;
  return `${words}, ${rendering.length} rendering (${samples} of ${of})`;
}

/**
 * The mosaic with a unit's render at `sample` of `of` (its provider says: unit.progress): a whole
 * frame's, or a tile's of a frame that lists it rendering; undefined: no frame of the mosaic has
 * that unit rendering, or it has ended.
 */
export function withUnitProgress(mosaic: JobMosaic, unitId: string, sample: number, of: number): JobMosaic | undefined {
  const at = mosaic.frames.findIndex(
    (f) =>
      f.png === null &&
      f.state !== 'verified' &&
      (f.unitId === unitId || f.rendering?.some((tile) => tile.unitId === unitId)),
  );
  if (at < 0) return undefined;
  const frame = mosaic.frames[at]!;
  const samples = { sample, of };
  const frames = [...mosaic.frames];
  if (frame.rendering) {
    const rendering = frame.rendering.map((tile) => (tile.unitId === unitId ? { unitId, samples } : tile));
    frames[at] = { ...frame, rendering, state: tilesWords(frame.tilesDone, frame.tilesTotal, rendering) };
  } else frames[at] = { ...frame, samples, state: samplesWords(samples) };
  return { ...mosaic, frames };
}

/**
 * How much of a frame its bar shows done: all of it once its PNG is in; a whole Blender frame by its
 * render's samples; tiles by those done, a rendering tile counting the share of its samples told.
 */
export function frameShare(frame: FrameMosaic): number {
  if (frame.png !== null) return 1;
  const share = ({ sample, of }: SampleCount) => (of > 0 ? Math.min(1, sample / of) : 0);
  if (frame.samples) return share(frame.samples);
  if (frame.tilesTotal <= 0) return 0;
  const rendering = (frame.rendering ?? []).reduce((sum, tile) => sum + (tile.samples ? share(tile.samples) : 0), 0);
  return Math.min(1, (frame.tilesDone + rendering) / frame.tilesTotal);
}

/** The mosaic with one frame's PNG in. */
export function withFramePng(mosaic: JobMosaic, frame: number, png: string): JobMosaic {
  return {
    ...mosaic,
    frames: mosaic.frames.map((f) =>
      f.frame === frame ? { ...f, png, tilesDone: f.tilesTotal, version: f.version + 1 } : f,
    ),
  };
}

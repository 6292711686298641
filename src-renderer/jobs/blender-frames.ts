// A Blender job's frames as its card's mosaic shows them (the same TileMosaic as a render job's):
// each frame rendered whole by one unit, so it is waiting, rendering (with its provider's latest
// `Sample n/m`, from unit.progress events), failed, or done, its PNG the unit's verified output
// (fetched once; an EXR frame's 8-bit PNG preview, blender.preview).
import type { MethodResult } from '../../src-main/core/api/contract.js';
import type { FrameMosaic, JobMosaic } from '../store/types.js';

type FramesView = MethodResult<'blender.frames'>;
type TiledView = MethodResult<'jobs.blender_frames'>;
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
 * A tiled job's mosaic (jobs.blender_frames): each frame's tiles verified so far, then its PNG once
 * the requester stitched it; and the stitched frames whose PNG is still to fetch (jobs.frame).
 */
export function tiledBlenderMosaic(
  view: TiledView & { tiles: NonNullable<TiledView['tiles']> },
  previous: JobMosaic | undefined,
  shown: number,
): { mosaic: JobMosaic; fetch: number[] } {
  const had = new Map((previous?.frames ?? []).map((f) => [f.frame, f]));
  const fetch: number[] = [];
  const frames = view.frames.slice(0, shown).map((f): FrameMosaic => {
    const before = had.get(f.frame);
    const stitched = f.png_cid !== null;
    if (stitched && !before?.png) fetch.push(f.frame);
    return {
      frame: f.frame,
      tilesTotal: f.tiles_total,
      tilesDone: f.tiles_verified,
      pixels: null,
      png: stitched ? (before?.png ?? null) : null,
      version: before?.version ?? 0,
      state: stitched ? 'verified' : `${f.tiles_verified} of ${f.tiles_total} tiles`,
    };
  });
  const { width, height } = view.tiles;
  return { mosaic: { width, height, frames, framesTotal: view.frames.length }, fetch };
}

const samplesWords = ({ sample, of }: { sample: number; of: number }) => `rendering, sample ${sample} of ${of}`;

/** The mosaic with a frame's render at `sample` of `of` (its unit's provider says: unit.progress); undefined: no frame of the mosaic is that unit's, or it has ended. */
export function withUnitProgress(mosaic: JobMosaic, unitId: string, sample: number, of: number): JobMosaic | undefined {
  const at = mosaic.frames.findIndex((f) => f.unitId === unitId && f.png === null && f.state !== 'verified');
  if (at < 0) return undefined;
  const frames = [...mosaic.frames];
  frames[at] = { ...frames[at]!, samples: { sample, of }, state: samplesWords({ sample, of }) };
  return { ...mosaic, frames };
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

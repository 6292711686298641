// The Jobs page's form for a Blender job (docs/BLENDER.md), as meshctl's `submit-job --blend`
// makes one: the scene dropped (a .blend, a zip of its folder, or the folder: blender-scene.ts),
// preflighted by the node (blender.preflight), then the frames to render within the scene's range,
// the samples (the scene's unless typed), the frames' file (PNG, or EXR for frames only: tiles are
// stitched as 8-bit PNG), the budget and who may render it, turned into a jobs.submit request: the scene as the units' module, a unit a frame
// (its input the frame number). A Blender job's frames are checked by the requester re-rendering a
// crop of each (redundancy 1), not by replicas. The node preflights and checks it all again.
import type { MethodInput } from '../../../src-main/core/api/contract.js';
import type { BlenderPreflightView } from '../../../src-main/core/api/blender-methods.js';
import { checkWords, exrRefusal, frameCheckOf } from '../../../src-main/core/blender/crop-check.js';
import { consecutive, framesWords, parseFrames } from '../../../src-main/core/blender/frames.js';
import { MAX_PERCENTAGE, outputSize, sizeRefusal } from '../../../src-main/core/blender/preflight.js';
import { FRAME_BYTES, framesInput } from '../../../src-main/core/blender/unit.js';
import { LIMITS } from '../../../src-main/core/schemas/primitives.js';
import { MAX_TILES_SIDE } from '../../../src-main/core/schemas/blender-tiles.js';
import { base64OfBytes } from '../../base64.js';
import { parseCredits, shortPeerId, type Parsed } from '../../format.js';
import type { BlenderScene } from './blender-scene.js';

export type BlenderRequest = MethodInput<'jobs.submit'>;

export interface BlenderFields {
  first: string;
  last: string;
  /** Samples per pixel; empty: the scene's own. */
  samples: string;
  /** The resolution percentage; empty: the file's own. */
  percentage: string;
  /** In credits, as typed. */
  budget: string;
  /** Each frame cut into tiles, a unit each: `2x2`; empty: a unit per frame. */
  tiles: string;
  /** Each frame an 8-bit PNG, or OpenEXR (RGBA, half float): frames only. */
  format: 'png' | 'exr';
  strangers: boolean;
}

export const DEFAULT_BLENDER_FIELDS: BlenderFields = {
  first: '',
  last: '',
  samples: '',
  percentage: '',
  budget: '10',
  tiles: '',
  format: 'png',
  strangers: false,
};

/** The most frames the form submits at once (the mosaic shows them all). */
const MAX_FORM_FRAMES = 10_000;

function wholeNumber(label: string, text: string, min: number, max: number): Parsed<number> {
  const n = Number(text.trim());
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max)
    return { ok: false, error: `${label}: expected a whole number from ${min} to ${max}` };
  return { ok: true, value: n };
}

/** The grid typed (`2x2`: columns × rows), none when empty; refused where the preflight says tiles cannot match. */
function tileGridOf(text: string, preflight: BlenderPreflightView): Parsed<{ cols: number; rows: number } | null> {
  if (text.trim() === '') return { ok: true, value: null };
  const grid = /^\s*(\d{1,2})\s*[x×]\s*(\d{1,2})\s*$/.exec(text);
  const [cols, rows] = grid ? [Number(grid[1]), Number(grid[2])] : [0, 0];
  if (cols < 1 || rows < 1 || cols > MAX_TILES_SIDE || rows > MAX_TILES_SIDE)
    return { ok: false, error: `tiles: expected columns x rows, each 1 to ${MAX_TILES_SIDE}, such as 2x2` };
  if (!preflight.tiles)
    return { ok: false, error: `tiles: ${preflight.tiles_why_not ?? 'this scene renders whole frames only'}` };
  return { ok: true, value: { cols, rows } };
}

/** The form's frames once a preflight read the scene: all of the scene's, as a person would start. */
export function fieldsForScene(fields: BlenderFields, preflight: BlenderPreflightView): BlenderFields {
  const { frame_start: first, frame_end: last } = preflight.report;
  return { ...fields, first: String(first), last: String(last) };
}

/** The jobs.submit request for the scene, its preflight and the form, or the first thing wrong. */
export function blenderRequest(
  fields: BlenderFields,
  scene: BlenderScene | null,
  preflight: BlenderPreflightView | null,
): Parsed<BlenderRequest> {
  if (!scene || !preflight) return { ok: false, error: 'Drop the scene first: a .blend, its folder, or a .zip of it.' };
  if (preflight.refusals.length > 0) return { ok: false, error: `The scene is refused: ${preflight.refusals[0]}` };
  const { frame_start: start, frame_end: end } = preflight.report;
  const first = wholeNumber('first frame', fields.first, start, end);
  if (!first.ok) return first;
  const last = wholeNumber('last frame', fields.last, first.value, end);
  if (!last.ok) return last;
  // Every `step`th frame of the range, as the file's frame step says (Blender's own `-a`).
  const step = preflight.report.frame_step ?? 1;
  const parsed = parseFrames(`${first.value}-${last.value}`, step);
  if (!parsed.ok) return { ok: false, error: `frames: ${parsed.error}` };
  const { frames } = parsed;
  const count = frames.length;
  if (count > MAX_FORM_FRAMES) return { ok: false, error: `at most ${MAX_FORM_FRAMES} frames at once, not ${count}` };
  const samples = fields.samples.trim() === '' ? undefined : wholeNumber('samples', fields.samples, 1, 1 << 24);
  if (samples && !samples.ok) return samples;
  const percentage =
    fields.percentage.trim() === '' ? undefined : wholeNumber('resolution %', fields.percentage, 1, MAX_PERCENTAGE);
  if (percentage && !percentage.ok) return percentage;
  const tooSmall = percentage && sizeRefusal(preflight.report, percentage.value);
  if (tooSmall) return { ok: false, error: `resolution %: ${tooSmall}` };
  const tiles = tileGridOf(fields.tiles, preflight);
  if (!tiles.ok) return tiles;
  if (tiles.value && fields.format === 'exr')
    return {
      ok: false,
      error: 'EXR frames cannot be cut into tiles (tiles are stitched as 8-bit PNG): clear Tiles, or choose PNG',
    };
  const noExr = fields.format === 'exr' ? exrRefusal(frameCheckOf(preflight.report), preflight.by !== null) : undefined;
  if (noExr) return { ok: false, error: `${noExr}: choose PNG` };
  const budget = parseCredits(fields.budget);
  if (!budget.ok) return { ok: false, error: `budget: ${budget.error}` };
  if (tiles.value && !consecutive(frames))
    return { ok: false, error: `tiles: a tiled job's frames follow one another, and the file's frame step is ${step}` };
  const range = framesWords(frames);
  return {
    ok: true,
    value: {
      name: `${scene.file} ${range}`.slice(0, LIMITS.nameChars),
      blender: {
        ...scene,
        seed: 0,
        ...(samples ? { samples: samples.value } : {}),
        ...(tiles.value ? { tiles: tiles.value } : {}),
        ...(fields.format === 'exr' ? { format: 'exr' as const } : {}),
        ...(percentage ? { resolution_percentage: percentage.value } : {}),
      },
      chunk_bytes: FRAME_BYTES,
      input_base64: base64OfBytes(framesInput(frames)),
      redundancy: 1,
      budget: budget.value,
      open_to_strangers: fields.strangers,
    },
  };
}

/** The quote's request for a submit's: its frames counted, not sent (the node preflights the scene again). */
export function blenderEstimate({ input_base64: input, ...terms }: BlenderRequest): MethodInput<'jobs.estimate'> {
  const bytes = (input.length / 4) * 3 - (input.endsWith('==') ? 2 : input.endsWith('=') ? 1 : 0);
  return { ...terms, input_bytes: bytes };
}

/** The preflight's facts as the card lists them. */
export function preflightFacts(preflight: BlenderPreflightView): Array<[string, string]> {
  const r = preflight.report;
  const packed = r.images.filter((i) => i.packed).length;
  const step = r.frame_step ?? 1;
  const frames = Math.floor((r.frame_end - r.frame_start) / step) + 1;
  return [
    [
      'Frames',
      `${r.frame_start}–${r.frame_end}${step > 1 ? ` by ${step}` : ''} (${frames} frame${frames === 1 ? '' : 's'})`,
    ],
    [
      'Size',
      r.percentage === 100
        ? `${r.width}×${r.height}`
        : `${r.width}×${r.height} at ${r.percentage} %: ${outputSize(r).width}×${outputSize(r).height}`,
    ],
    ['Samples', String(r.samples)],
    ['Engine', r.engine],
    ['Saved by', `Blender ${r.saved_by.slice(0, 2).join('.')}; rendered by ${r.blender.join('.')}`],
    ['Images', `${r.images.length} (${packed} packed)`],
    ['Tiles', preflight.tiles ? 'yes' : (preflight.tiles_why_not ?? 'no')],
    ['Checked', checkWords(frameCheckOf(r), preflight.by !== null)],
    ['Read by', readBy(preflight)],
  ];
}

/** Whose Blender read the scene: this machine's, or a peer's when this machine has none. */
function readBy({ by, peers }: BlenderPreflightView): string {
  if (by === null) return "this machine's Blender";
  const name = peers.find((p) => p.peer_id === by)?.name ?? shortPeerId(by);
  return `${name}'s Blender (this machine has none: each frame is rendered by two providers and compared)`;
}

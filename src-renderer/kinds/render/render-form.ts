// The render form's fields, checked and turned into a render.submit request. The node checks the
// request again (and the scene in full); this catches what a person can fix in the form itself,
// with a message that names the field.
import type { MethodInput } from '../../../src-main/core/api/contract.js';
import { TILE_LIMITS } from '../../../src-main/core/schemas/render-job.js';
import { LIMITS } from '../../../src-main/core/schemas/primitives.js';
import type { GpuMode } from '../../../src-main/core/schemas/render-job.js';
import { MAX_REDUNDANCY } from '../../../src-main/core/schemas/work.js';
import { parseCredits, type Parsed } from '../../format.js';

export type RenderRequest = MethodInput<'render.submit'>;
export type Scene = RenderRequest['scene'];

export interface RenderFields {
  frames: string;
  width: string;
  height: string;
  spp: string;
  tile: string;
  redundancy: string;
  /** In credits, as typed. */
  budget: string;
  manual: boolean;
  /** Peers I have not trusted may compute it. */
  strangers: boolean;
  /** A unit a tile, however small (else tiles too small alone go several to a unit). */
  exactTiles: boolean;
  gpu: GpuMode;
}

/** The form's GPU choices, in the order the select lists them. */
export const GPU_CHOICES: ReadonlyArray<{ mode: GpuMode; label: string }> = [
  { mode: 'allowed', label: 'Allowed — use a GPU where a worker has one' },
  { mode: 'required', label: 'Required — GPU workers only' },
  { mode: 'forbidden', label: 'Forbidden — CPU only, bit-exact' },
];

export const DEFAULT_RENDER_FIELDS: RenderFields = {
  frames: '0-1',
  width: '320',
  height: '180',
  spp: '8',
  tile: '64',
  redundancy: '1',
  budget: '10',
  manual: false,
  strangers: false,
  exactTiles: false,
  gpu: 'allowed',
};

/** "3" or "1-4" (also "1–4" and "1 - 4") as the first and last frame. */
export function parseFrameRange(text: string): Parsed<{ first: number; last: number }> {
  const match = /^\s*(\d{1,7})\s*(?:[-–]\s*(\d{1,7})\s*)?$/.exec(text);
  if (!match) return { ok: false, error: `frames: "${text.trim()}" is not a frame or a range like 0-3` };
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  if (last < first) return { ok: false, error: `frames: the last frame (${last}) comes before the first (${first})` };
  return { ok: true, value: { first, last } };
}

function wholeNumber(label: string, text: string, min: number, max: number): Parsed<number> {
  const n = Number(text.trim());
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    return { ok: false, error: `${label}: expected a whole number from ${min} to ${max}` };
  }
  return { ok: true, value: n };
}

/**
 * The request for the form's fields and a scene, or the first thing wrong with the fields. The job
 * is named after the scene, its frames and size, e.g. "orbit, frames 0–3, 320×180".
 */
export function renderRequest(fields: RenderFields, scene: Scene, sceneName: string): Parsed<RenderRequest> {
  const frames = parseFrameRange(fields.frames);
  if (!frames.ok) return frames;
  const width = wholeNumber('width', fields.width, 1, TILE_LIMITS.frameSide);
  if (!width.ok) return width;
  const height = wholeNumber('height', fields.height, 1, TILE_LIMITS.frameSide);
  if (!height.ok) return height;
  const spp = wholeNumber('samples per pixel', fields.spp, 1, TILE_LIMITS.spp);
  if (!spp.ok) return spp;
  const tile = wholeNumber('tile size', fields.tile, 1, TILE_LIMITS.frameSide);
  if (!tile.ok) return tile;
  const redundancy = wholeNumber('redundancy', fields.redundancy, 1, MAX_REDUNDANCY);
  if (!redundancy.ok) return redundancy;
  const budget = parseCredits(fields.budget);
  if (!budget.ok) return { ok: false, error: `budget: ${budget.error}` };
  const { first, last } = frames.value;
  const name = `${sceneName}, ${first === last ? `frame ${first}` : `frames ${first}–${last}`}, ${width.value}×${height.value}`;
  return {
    ok: true,
    value: {
      name: name.slice(0, LIMITS.nameChars),
      scene,
      first_frame: first,
      last_frame: last,
      width: width.value,
      height: height.value,
      spp: spp.value,
      tile: tile.value,
      exact_tiles: fields.exactTiles,
      redundancy: redundancy.value,
      budget: budget.value,
      manual_accept: fields.manual,
      open_to_strangers: fields.strangers,
      gpu: fields.gpu,
    },
  };
}

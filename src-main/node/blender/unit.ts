// A Blender unit of the mesh, on this machine: its scene (the units' module: a .blend, or a zip of
// its folder) put in a fresh unit folder, then preflighted (the requester's, at submit), rendered
// in the sandbox (a provider's run: the PNG or EXR of the frame, or the PNG of its tile in a tiled
// job, is the unit's output), or a crop of it re-rendered in the same format to check a provider's
// frame or tile (the requester's check, verify.ts: an EXR's pixels mapped to 8-bit on both sides,
// the provider's decoded in the sandbox, exr.ts). The folder goes once the run is over.
import { randomInt } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SandboxLimits } from '../../core/blender/args.js';
import type { PixelRect, Rgba } from '../../core/blender/tiles.js';
import { IDENTICAL_SHARE, identicalShare } from '../../core/blender/compare.js';
import { pickCrops } from '../../core/blender/crops.js';
import type { SampleProgress } from '../../core/blender/progress.js';
import { SceneRefused } from '../../core/blender/scene-zip.js';
import type { BlenderUnitParams } from '../../core/blender/unit.js';
import { describeError } from '../../core/errors.js';
import { decodeExrInSandbox, exrRefused, pixelsRead, type Decoded } from './exr.js';
import { decodeRgba } from './png.js';
import { preflightInSandbox, type Preflight } from './preflight.js';
import { compositeInSandbox, renderFileInSandbox, renderTilesInSandbox } from './render.js';
import type { RunLimits } from './run.js';
import { bringScene } from './scene-folder.js';
import { compareCrops, type FrameVerdict, type OwnCrop } from './verify.js';

/** A unit's render: memory and files as render-local's defaults, an hour at most, two minutes without a line. */
const UNIT_LIMITS: SandboxLimits & Omit<RunLimits, 'signal'> = {
  memoryBytes: 8 * 2 ** 30,
  fileBytes: 256 * 2 ** 20,
  wallMs: 3_600_000,
  stallMs: 120_000,
};
/** The share of the frame's width and height a check's crop covers: a quarter of its pixels. */
const CROP_SIDE = 0.5;

/** A scene as a job carries it: its bytes, a .blend (`file`) or a zip holding `file` at its top. */
export interface JobScene {
  blender: string;
  /** The units' module: the scene. */
  scene: Uint8Array;
  params: Pick<BlenderUnitParams, 'file' | 'zip'>;
  signal?: AbortSignal;
}

/** A scene as a job names it, to be read (preflighted): its bytes, its .blend and whether it is a zip. */
export type SceneToRead = Pick<JobScene, 'scene' | 'params'>;

export interface BlenderUnit extends JobScene {
  params: BlenderUnitParams;
  frame: number;
  /** The tile of the frame it renders (core/blender/unit.ts unitWork); none: the whole frame. */
  tile?: PixelRect;
  /** Each `Sample n/m` line of its render. */
  onProgress?: (progress: SampleProgress) => void;
}

/** Runs `work` in a fresh unit folder holding the scene; the folder goes after. */
async function inUnitFolder<T>(unit: JobScene, work: (unitDir: string) => Promise<T>): Promise<T> {
  const root = await mkdtemp(join(tmpdir(), 'mesh-blender-unit-'));
  try {
    const unitDir = join(root, 'unit');
    await mkdir(unitDir);
    if (unit.params.zip) {
      // Unpacked by bringScene's checks: no names climbing out, no links, sizes as declared.
      const zip = join(root, 'scene.zip');
      await writeFile(zip, unit.scene);
      const file = await bringScene(zip, unitDir);
      if (file !== unit.params.file) throw new SceneRefused(`the zip's .blend is ${file}, not ${unit.params.file}`);
    } else await writeFile(join(unitDir, unit.params.file), unit.scene);
    return await work(unitDir);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** A job's scene preflighted (preflight.ts) as its units will find it; a zip that is refused says why. */
export async function preflightScene(scene: JobScene): Promise<Preflight> {
  try {
    return await inUnitFolder(scene, (unitDir) =>
      preflightInSandbox(scene.blender, unitDir, scene.params.file, scene.signal),
    );
  } catch (err) {
    if (err instanceof SceneRefused) return { ok: false, reason: err.message };
    throw err;
  }
}

/** The frame (or its tile) rendered in the sandbox: its file (PNG or EXR), and how long it took. */
export async function renderUnit(unit: BlenderUnit): Promise<{ output: Uint8Array; ms: number }> {
  return inUnitFolder(unit, async (unitDir) => {
    const { width, height } = unit.params;
    const done = await renderFileInSandbox({
      blender: unit.blender,
      unitDir,
      settings: {
        ...settingsOf(unit.params, unit.frame),
        ...(unit.tile ? { tile: { rect: unit.tile, width, height } } : {}),
      },
      limits: { ...UNIT_LIMITS, ...(unit.signal ? { signal: unit.signal } : {}) },
      ...(unit.onProgress ? { onProgress: unit.onProgress } : {}),
    });
    const what = unit.tile ? `frame ${unit.frame}, tile at (${unit.tile.x0}, ${unit.tile.y0})` : `frame ${unit.frame}`;
    if (!done.ok) throw new Error(`${what}: ${done.reason}`);
    return { output: done.output, ms: done.ms };
  });
}

/** A check's crop of a unit, re-rendered here: where it lies in the frame, its pixels, and how long it took. */
export interface CheckCrop extends OwnCrop {
  ms: number;
}

/**
 * A crop of each unit's frame (or tile) at a random place inside it, drawn here and unknown to its
 * provider, re-rendered in the sandbox at the units' seed and samples, all by one Blender (one
 * start: most of a small crop's time). The units are of one job (one scene, one settings). A crop
 * depends on nothing a provider sends, so the requester renders it as soon as its unit is accepted
 * (blender-check.ts); each crop's `ms` is its share of the run.
 */
export async function renderCheckCrops(units: readonly BlenderUnit[]): Promise<CheckCrop[]> {
  const [first] = units;
  if (!first) return [];
  const { width, height } = first.params;
  const rects = units.map((unit) => {
    const area = unitArea(unit);
    const [c] = pickCrops(area.x1 - area.x0, area.y1 - area.y0, 1, CROP_SIDE, () => randomInt(2 ** 32) / 2 ** 32);
    return { x0: c!.x0 + area.x0, y0: c!.y0 + area.y0, x1: c!.x1 + area.x0, y1: c!.y1 + area.y0 };
  });
  return inUnitFolder(first, async (unitDir) => {
    const done = await renderTilesInSandbox({
      blender: first.blender,
      unitDir,
      settings: settingsOf(first.params, first.frame),
      tiles: { rects, frames: units.map((unit) => unit.frame), width, height },
      limits: { ...UNIT_LIMITS, ...(first.signal ? { signal: first.signal } : {}) },
    });
    if (!done.ok) throw new Error(`the check's own render failed: ${done.reason}`);
    return done.images.map((image, i) => ({ rect: rects[i]!, image, ms: done.ms / units.length }));
  });
}

/**
 * A provider's frame (or tile) against my crop of it (verify.ts), with its 8-bit pixels when it is
 * one of its size; one that is not (no PNG, or no EXR Blender reads as RGBA of its size) disagrees.
 * A render before the compositor comes with its frame composited (`composite`).
 */
export async function compareWithCrop(
  unit: BlenderUnit,
  output: Uint8Array,
  own: CheckCrop,
): Promise<FrameVerdict & { image?: Rgba; why?: string; composite?: Uint8Array }> {
  const area = unitArea(unit);
  const [width, height] = [area.x1 - area.x0, area.y1 - area.y0];
  const raw = unit.params.raw_layer !== undefined;
  const provided: Decoded & { composite?: Uint8Array } = raw
    ? await readRaw(unit, output, width, height)
    : await decodeOutput(unit, output, width, height);
  if (!provided.ok) return { agrees: false, crops: [], ms: own.ms, why: provided.reason };
  const { image } = provided;
  if (image.width !== width || image.height !== height)
    return { agrees: false, crops: [], ms: own.ms, why: `${image.width}×${image.height}, not ${width}×${height}` };
  const composite = provided.composite ? { composite: provided.composite } : {};
  return { ...compareCrops(image, area, [own]), ms: own.ms, image, ...composite };
}

/**
 * A provider's render before the compositor, decoded and composited by one sandboxed Blender (one
 * start: most of a small frame's time): its 8-bit pixels, for its check, and the frame the
 * compositor makes of it, kept should the check pass.
 */
async function readRaw(
  unit: BlenderUnit,
  output: Uint8Array,
  width: number,
  height: number,
): Promise<{ ok: true; image: Rgba; composite: Uint8Array } | { ok: false; reason: string }> {
  const size = { width, height, raw: true };
  const refused = exrRefused(output, size);
  if (refused) return { ok: false, reason: refused };
  return inUnitFolder(unit, async (unitDir) => {
    const done = await compositeInSandbox({
      blender: unit.blender,
      unitDir,
      settings: settingsOf(unit.params, unit.frame),
      raw: output,
      decode: { width, height },
      limits: { ...UNIT_LIMITS, ...(unit.signal ? { signal: unit.signal } : {}) },
    });
    if (!done.ok || !done.pixels)
      return {
        ok: false,
        reason: `Blender read no RGBA image of ${width}×${height} from it${done.ok ? '' : `: ${done.reason}`}`,
      };
    const read = pixelsRead(done.pixels, size);
    return read.ok ? { ...read, composite: done.output } : read;
  });
}

/**
 * A mismatch confirmed before anyone is convicted: the unit rendered here whole, as its provider
 * was asked to (the frame, or its tile), and the provider's pixels (`provided`, already decoded at
 * the unit's size) compared with all of it. A crop can be wrong for a scene (an effect that reads
 * outside it); the whole render cannot.
 */
export async function confirmWhole(
  unit: BlenderUnit,
  provided: Rgba,
): Promise<{ agrees: boolean; share: number; ms: number }> {
  const { output, ms } = await renderUnit(unit);
  const area = unitArea(unit);
  const mine = await decodeOutput(unit, output, area.x1 - area.x0, area.y1 - area.y0);
  if (!mine.ok) throw new Error(`my own render of the whole ${unit.tile ? 'tile' : 'frame'} failed: ${mine.reason}`);
  const share = identicalShare(mine.image, provided);
  return { agrees: share >= IDENTICAL_SHARE, share, ms };
}

/** A unit's output as 8-bit pixels: a PNG decoded here, an EXR by Blender in the sandbox (exr.ts). */
async function decodeOutput(
  unit: BlenderUnit,
  output: Uint8Array,
  width: number,
  height: number,
): Promise<{ ok: true; image: Rgba } | { ok: false; reason: string }> {
  if (unit.params.format === 'exr') {
    const raw = unit.params.raw_layer !== undefined;
    return decodeExrInSandbox(unit.blender, output, { width, height, raw }, unit.signal);
  }
  try {
    return { ok: true, image: decodeRgba(output) };
  } catch (err) {
    return { ok: false, reason: `not a PNG of 8-bit RGBA: ${describeError(err)}` };
  }
}

/**
 * The frame of a unit whose output is its view layer's render before the compositor (`raw`,
 * checked already): the file's compositor run over it here, in the sandbox; the PNG it writes.
 */
export async function compositeUnit(unit: BlenderUnit, raw: Uint8Array): Promise<Uint8Array> {
  return inUnitFolder(unit, async (unitDir) => {
    const done = await compositeInSandbox({
      blender: unit.blender,
      unitDir,
      settings: settingsOf(unit.params, unit.frame),
      raw,
      limits: { ...UNIT_LIMITS, ...(unit.signal ? { signal: unit.signal } : {}) },
    });
    if (!done.ok) throw new Error(`frame ${unit.frame}: the compositor failed: ${done.reason}`);
    return done.output;
  });
}

/** What a unit's params say of a render of `frame` (core/blender/args.ts RenderSettings). */
function settingsOf(params: BlenderUnitParams, frame: number) {
  const { file, samples, seed, format = 'png', percentage, raw_layer: rawLayer } = params;
  return {
    file,
    frame,
    samples,
    seed,
    format,
    ...(percentage !== undefined ? { percentage } : {}),
    ...(rawLayer !== undefined ? { rawLayer } : {}),
  };
}

function unitArea(unit: BlenderUnit): PixelRect {
  return unit.tile ?? { x0: 0, y0: 0, x1: unit.params.width, y1: unit.params.height };
}

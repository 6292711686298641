// A Blender unit of the mesh, on this machine: its scene (the units' module: a .blend, or a zip of
// its folder) put in a fresh unit folder, then preflighted (the requester's, at submit), rendered
// in the sandbox (a provider's run: the PNG of the frame, or of its tile in a tiled job, is the
// unit's output), or a crop of it re-rendered to check a provider's frame or tile (the requester's
// check, verify.ts). The folder goes once the run is over.
import { randomInt } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SandboxLimits } from '../../core/blender/args.js';
import type { PixelRect } from '../../core/blender/tiles.js';
import { pickCrops } from '../../core/blender/crops.js';
import type { SampleProgress } from '../../core/blender/progress.js';
import type { BlenderUnitParams } from '../../core/blender/unit.js';
import { decodeRgba } from './png.js';
import { preflightInSandbox, type Preflight } from './preflight.js';
import { renderInSandbox, renderTilesInSandbox } from './render.js';
import type { RunLimits } from './run.js';
import { bringScene, SceneRefused } from './scene-folder.js';
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
    return await inUnitFolder(scene, (unitDir) => preflightInSandbox(scene.blender, unitDir, scene.params.file));
  } catch (err) {
    if (err instanceof SceneRefused) return { ok: false, reason: err.message };
    throw err;
  }
}

/** The frame (or its tile) rendered in the sandbox: its PNG, and how long it took. */
export async function renderUnit(unit: BlenderUnit): Promise<{ png: Uint8Array; ms: number }> {
  return inUnitFolder(unit, async (unitDir) => {
    const { file, samples, seed, width, height } = unit.params;
    const done = await renderInSandbox({
      blender: unit.blender,
      unitDir,
      settings: {
        file,
        frame: unit.frame,
        samples,
        seed,
        ...(unit.tile ? { tile: { rect: unit.tile, width, height } } : {}),
      },
      limits: { ...UNIT_LIMITS, ...(unit.signal ? { signal: unit.signal } : {}) },
      ...(unit.onProgress ? { onProgress: unit.onProgress } : {}),
    });
    const what = unit.tile ? `frame ${unit.frame}, tile at (${unit.tile.x0}, ${unit.tile.y0})` : `frame ${unit.frame}`;
    if (!done.ok) throw new Error(`${what}: ${done.reason}`);
    return { png: done.png, ms: done.ms };
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
  const { file, samples, seed, width, height } = first.params;
  const rects = units.map((unit) => {
    const area = unitArea(unit);
    const [c] = pickCrops(area.x1 - area.x0, area.y1 - area.y0, 1, CROP_SIDE, () => randomInt(2 ** 32) / 2 ** 32);
    return { x0: c!.x0 + area.x0, y0: c!.y0 + area.y0, x1: c!.x1 + area.x0, y1: c!.y1 + area.y0 };
  });
  return inUnitFolder(first, async (unitDir) => {
    const done = await renderTilesInSandbox({
      blender: first.blender,
      unitDir,
      settings: { file, frame: first.frame, samples, seed },
      tiles: { rects, frames: units.map((unit) => unit.frame), width, height },
      limits: { ...UNIT_LIMITS, ...(first.signal ? { signal: first.signal } : {}) },
    });
    if (!done.ok) throw new Error(`the check's own render failed: ${done.reason}`);
    return done.images.map((image, i) => ({ rect: rects[i]!, image, ms: done.ms / units.length }));
  });
}

/** A provider's frame (or tile) against my crop of it (verify.ts); one that is no PNG of its size disagrees. */
export function compareWithCrop(unit: BlenderUnit, png: Uint8Array, own: CheckCrop): FrameVerdict {
  const area = unitArea(unit);
  let provided;
  try {
    provided = decodeRgba(png);
  } catch {
    return { agrees: false, crops: [], ms: own.ms };
  }
  if (provided.width !== area.x1 - area.x0 || provided.height !== area.y1 - area.y0)
    return { agrees: false, crops: [], ms: own.ms };
  return { ...compareCrops(provided, area, [own]), ms: own.ms };
}

function unitArea(unit: BlenderUnit): PixelRect {
  return unit.tile ?? { x0: 0, y0: 0, x1: unit.params.width, y1: unit.params.height };
}

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
import type { BlenderUnitParams } from '../../core/blender/unit.js';
import { decodeRgba } from './png.js';
import { preflightInSandbox, type Preflight } from './preflight.js';
import { renderInSandbox } from './render.js';
import type { RunLimits } from './run.js';
import { bringScene, SceneRefused } from './scene-folder.js';
import { checkFrame, type FrameVerdict } from './verify.js';

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
    });
    const what = unit.tile ? `frame ${unit.frame}, tile at (${unit.tile.x0}, ${unit.tile.y0})` : `frame ${unit.frame}`;
    if (!done.ok) throw new Error(`${what}: ${done.reason}`);
    return { png: done.png, ms: done.ms };
  });
}

/**
 * A provider's frame (or tile) checked: a crop at a random place inside it (drawn here, unknown to
 * the provider) re-rendered at the same seed and samples and compared by its pixels (verify.ts). An
 * output that is no PNG of the frame's (or tile's) size disagrees without a render.
 */
export async function checkUnitFrame(unit: BlenderUnit, png: Uint8Array): Promise<FrameVerdict> {
  const { width, height } = unit.params;
  const area = unit.tile ?? { x0: 0, y0: 0, x1: width, y1: height };
  let provided;
  try {
    provided = decodeRgba(png);
  } catch {
    return { agrees: false, crops: [], ms: 0 };
  }
  if (provided.width !== area.x1 - area.x0 || provided.height !== area.y1 - area.y0)
    return { agrees: false, crops: [], ms: 0 };
  const crops = pickCrops(provided.width, provided.height, 1, CROP_SIDE, () => randomInt(2 ** 32) / 2 ** 32).map(
    (c) => ({ x0: c.x0 + area.x0, y0: c.y0 + area.y0, x1: c.x1 + area.x0, y1: c.y1 + area.y0 }),
  );
  return inUnitFolder(unit, (unitDir) =>
    checkFrame({
      blender: unit.blender,
      unitDir,
      file: unit.params.file,
      frame: unit.frame,
      samples: unit.params.samples,
      seed: unit.params.seed,
      width,
      height,
      provided,
      providedAt: area,
      crops,
      limits: { ...UNIT_LIMITS, ...(unit.signal ? { signal: unit.signal } : {}) },
    }),
  );
}

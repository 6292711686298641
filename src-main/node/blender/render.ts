// A frame or a tile rendered by the sandboxed Blender in the unit's folder, its file read back (a
// PNG also decoded), or several tiles by one Blender (one start for all: each PNG decoded, each
// EXR's float pixels, which that Blender read back, mapped to 8-bit); a failure says why in words
// (the time limit, the watchdog, the memory limit, Blender's last lines).
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  compositeArgs,
  outputName,
  PIXELS_OUTPUT,
  RAW_INPUT,
  renderArgs,
  tileOutputName,
  tilePixelsName,
  tilesRenderArgs,
  type RenderSettings,
  type SandboxLimits,
} from '../../core/blender/args.js';
import { exrTo8Bit } from '../../core/blender/exr.js';
import type { SampleProgress } from '../../core/blender/progress.js';
import type { Rgba } from '../../core/blender/tiles.js';
import { floatPixels } from './exr.js';
import { decodeRgba } from './png.js';
import { runSandboxed, type RunLimits, type RunResult } from './run.js';

export interface RenderJob {
  blender: string;
  /** The unit's folder: the scene (and its assets) in it; the frame's file is written there. */
  unitDir: string;
  settings: RenderSettings;
  limits: SandboxLimits & RunLimits;
  onProgress?: (progress: SampleProgress) => void;
}

export type Rendered = { ok: true; png: Uint8Array; image: Rgba; ms: number } | { ok: false; reason: string };
type RenderedFile = { ok: true; output: Uint8Array; ms: number } | { ok: false; reason: string };

const OUT_OF_MEMORY = /bad_alloc|out of memory|memory allocation failed|cannot allocate/i;
/** Exit statuses of a crash Blender's own handler reports (a segfault, an abort): 128 + the signal. */
const CRASHED = new Set([134, 139]);

/** Why a run that made no image failed, in words. */
function failureReason(run: RunResult, limits: SandboxLimits & RunLimits): string {
  if (run.killed === 'time') return `the render passed its time limit of ${limits.wallMs / 1000} s and was killed`;
  if (run.killed === 'stall') return `the render printed nothing for ${limits.stallMs / 1000} s and was killed`;
  if (run.killed === 'aborted') return 'the render was stopped';
  const how = run.signal ?? `exit ${run.code}`;
  const tail = run.output.trim().split('\n').slice(-3).join(' / ');
  // Past its address space, an allocation fails: Blender says so, or crashes on the null it got.
  if (
    OUT_OF_MEMORY.test(run.output) ||
    run.signal === 'SIGSEGV' ||
    run.signal === 'SIGABRT' ||
    CRASHED.has(run.code ?? 0)
  )
    return `Blender crashed (${how}), as a scene past the memory limit of ${(limits.memoryBytes / 2 ** 30).toFixed(1)} GiB does: ${tail}`;
  return `Blender failed (${how}): ${tail}`;
}

/** A PNG render, decoded. */
export async function renderInSandbox(job: RenderJob): Promise<Rendered> {
  const done = await renderFileInSandbox({ ...job, settings: { ...job.settings, format: 'png' } });
  return done.ok ? { ok: true, png: done.output, image: decodeRgba(done.output), ms: done.ms } : done;
}

/** A render in the settings' format (by renderArgs, or by `args` that write the same file): the file's bytes, as written. */
export async function renderFileInSandbox(job: RenderJob, args = renderArgs(job.settings)): Promise<RenderedFile> {
  const started = performance.now();
  const out = join(job.unitDir, outputName(job.settings.frame, job.settings.format));
  await rm(out, { force: true });
  const run = await runSandboxed(
    { blender: job.blender, unitDir: job.unitDir, limits: job.limits },
    args,
    job.limits,
    job.onProgress,
  );
  const ms = performance.now() - started;
  let output: Uint8Array;
  try {
    output = await readFile(out);
  } catch {
    return { ok: false, reason: failureReason(run, job.limits) };
  }
  if (run.code !== 0) return { ok: false, reason: failureReason(run, job.limits) };
  return { ok: true, output, ms };
}

export interface TilesJob extends Omit<RenderJob, 'settings'> {
  settings: Omit<RenderSettings, 'tile'>;
  tiles: Parameters<typeof tilesRenderArgs>[1];
}

/** Tiles (of one frame, or each of its own) rendered by one Blender (tilesRenderArgs), each decoded, in order. */
export async function renderTilesInSandbox(
  job: TilesJob,
): Promise<{ ok: true; images: Rgba[]; ms: number } | { ok: false; reason: string }> {
  const started = performance.now();
  const exr = job.settings.format === 'exr';
  // An EXR tile is read as the float pixels its Blender wrote of it.
  const outs = job.tiles.rects.map((_, i) => join(job.unitDir, exr ? tilePixelsName(i) : tileOutputName(i)));
  await Promise.all(outs.map((out) => rm(out, { force: true })));
  const run = await runSandboxed(
    { blender: job.blender, unitDir: job.unitDir, limits: job.limits },
    tilesRenderArgs(job.settings, job.tiles),
    job.limits,
    job.onProgress,
  );
  const ms = performance.now() - started;
  if (run.code !== 0) return { ok: false, reason: failureReason(run, job.limits) };
  const images: Rgba[] = [];
  for (const [i, out] of outs.entries()) {
    try {
      const bytes = await readFile(out);
      const rect = job.tiles.rects[i]!;
      const [w, h] = [rect.x1 - rect.x0, rect.y1 - rect.y0];
      images.push(
        exr ? exrTo8Bit(floatPixels(bytes), w, h, job.settings.rawLayer ? 'hdr' : 'display') : decodeRgba(bytes),
      );
    } catch {
      return { ok: false, reason: `tile ${i} was not written: ${failureReason(run, job.limits)}` };
    }
  }
  return { ok: true, images, ms };
}

/**
 * The file's compositor run over `raw`, a view layer's render before it (compositeArgs): the
 * frame's PNG, as a render of the whole file writes it (nothing is rendered); with `decode`, also
 * the float pixels of `raw` (absent when it is no RGBA image of that size).
 */
export async function compositeInSandbox(
  job: Omit<RenderJob, 'settings' | 'onProgress'> & {
    settings: Parameters<typeof compositeArgs>[0];
    raw: Uint8Array;
    decode?: { width: number; height: number };
  },
): Promise<RenderedFile & { pixels?: Uint8Array }> {
  await writeFile(join(job.unitDir, RAW_INPUT), job.raw);
  const pixelsFile = join(job.unitDir, PIXELS_OUTPUT);
  const args = compositeArgs(job.settings, job.decode);
  const done = await renderFileInSandbox({ ...job, settings: { ...job.settings, format: 'png' } }, args);
  if (!done.ok || !job.decode) return done;
  const pixels = await readFile(pixelsFile).catch(() => undefined);
  return pixels ? { ...done, pixels } : done;
}

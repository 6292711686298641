// A frame or a tile rendered by the sandboxed Blender in the unit's folder, its PNG read back and
// decoded; a failure says why in words (the time limit, the watchdog, the memory limit, Blender's
// last lines).
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { outputName, renderArgs, type RenderSettings, type SandboxLimits } from '../../core/blender/args.js';
import type { SampleProgress } from '../../core/blender/progress.js';
import type { Rgba } from '../../core/blender/tiles.js';
import { decodeRgba } from './png.js';
import { runSandboxed, type RunLimits, type RunResult } from './run.js';

export interface RenderJob {
  blender: string;
  /** The unit's folder: the scene (and its assets) in it; the PNG is written there. */
  unitDir: string;
  settings: RenderSettings;
  limits: SandboxLimits & RunLimits;
  onProgress?: (progress: SampleProgress) => void;
}

export type Rendered = { ok: true; png: Uint8Array; image: Rgba; ms: number } | { ok: false; reason: string };

const OUT_OF_MEMORY = /bad_alloc|out of memory|malloc.*(fail|return)|memory allocation failed|cannot allocate/i;

/** Why a run that made no image failed, in words. */
export function failureReason(run: RunResult, limits: RunLimits): string {
  if (run.killed === 'time') return `the render passed its time limit of ${limits.wallMs / 1000} s and was killed`;
  if (run.killed === 'stall') return `the render printed nothing for ${limits.stallMs / 1000} s and was killed`;
  const tail = run.output.trim().split('\n').slice(-3).join(' / ');
  if (OUT_OF_MEMORY.test(run.output) || run.signal === 'SIGSEGV' || run.signal === 'SIGABRT')
    return `the render hit the memory limit (${run.signal ?? `exit ${run.code}`}): ${tail}`;
  return `Blender failed (${run.signal ?? `exit ${run.code}`}): ${tail}`;
}

export async function renderInSandbox(job: RenderJob): Promise<Rendered> {
  const started = performance.now();
  const out = join(job.unitDir, outputName(job.settings.frame));
  await rm(out, { force: true });
  const run = await runSandboxed(
    { blender: job.blender, unitDir: job.unitDir, limits: job.limits },
    renderArgs(job.settings),
    job.limits,
    job.onProgress,
  );
  const ms = performance.now() - started;
  let png: Uint8Array;
  try {
    png = await readFile(out);
  } catch {
    return { ok: false, reason: failureReason(run, job.limits) };
  }
  if (run.code !== 0) return { ok: false, reason: failureReason(run, job.limits) };
  return { ok: true, png, image: decodeRgba(png), ms };
}

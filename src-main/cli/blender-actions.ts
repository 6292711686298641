// The actions of `meshctl blender …` (blender-commands.ts registers them): each finds Blender and
// its sandbox, brings the scene into a fresh unit folder, preflights it, and does its part.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDENTICAL_SHARE } from '../core/blender/compare.js';
import { pickCrops } from '../core/blender/crops.js';
import { describeError } from '../core/errors.js';
import { findBlender, type BlenderInstall } from '../node/blender/install.js';
import { renderFrameLocal } from '../node/blender/local.js';
import { outputSize, sizeRefusal, type PreflightReport } from '../core/blender/preflight.js';
import { preflightInSandbox } from '../node/blender/preflight.js';
import { decodeRgba } from '../node/blender/png.js';
import { bringScene } from '../node/blender/scene-folder.js';
import { checkFrame } from '../node/blender/verify.js';
import { encodeFramePng } from '../node/render/png.js';
import { preflightLines, readScene, type PreflightByNode } from './blender-scene.js';
import { progressOnStderr } from './progress.js';

export interface RenderOptions {
  blender?: string;
  frame: number;
  out: string;
  samples: number;
  seed: number;
  tiles?: { cols: number; rows: number };
  /** The resolution percentage; the file's own when not given. */
  resolutionPercentage?: number;
  memoryGib: number;
  timeLimit: number;
}

export interface VerifyOptions {
  blender?: string;
  frame: number;
  image: string;
  samples: number;
  seed: number;
  crops: number;
  /** The resolution percentage it was rendered at; the file's own when not given. */
  resolutionPercentage?: number;
}

/** The largest file a render may write: its PNG, and the 64 MiB file Blender sizes at start. */
const RENDER_FILE_BYTES = 256 * 2 ** 20;

function fail(command: string, message: string): number {
  console.error(`meshctl blender ${command}: ${message}`);
  return 1;
}

async function blenderOr(command: string, path: string | undefined): Promise<BlenderInstall | number> {
  const found = await findBlender(path);
  return found.ok ? found.install : fail(command, found.reason);
}

/** The scene brought into a fresh unit folder and preflighted: its file, report and verdict, or an exit code. */
async function preflighted(command: string, blender: string, scene: string, unitDir: string) {
  let file: string;
  try {
    file = await bringScene(scene, unitDir);
  } catch (err) {
    return fail(command, describeError(err));
  }
  const result = await preflightInSandbox(blender, unitDir, file);
  if (!result.ok) return fail(command, result.reason);
  for (const line of preflightLines(result.report, result.verdict)) console.log(line);
  if (result.verdict.refusals.length > 0) return fail(command, 'the scene is refused (above)');
  return { file, ...result };
}

/** The frame's pixels at `percentage`, or an error that says why there are none. */
function sizeOrThrow(report: PreflightReport, percentage: number): { width: number; height: number } {
  const refusal = sizeRefusal(report, percentage);
  if (refusal) throw new Error(`--resolution-percentage: ${refusal}`);
  return outputSize(report, percentage);
}

/** A crop's side as a share of the frame's: a quarter of its pixels. */
const CROP_SIDE = 0.5;
/** Draws from the system's random source (a provider must not guess the checked pixels). */
const random = (): number => randomInt(2 ** 47) / 2 ** 47;

export async function check(path: string | undefined): Promise<number> {
  const install = await blenderOr('check', path);
  if (typeof install === 'number') return install;
  console.log(
    `${install.algorithm}: Blender ${install.version.join('.')} (${install.build}) at ${install.path}, sandboxed`,
  );
  return 0;
}

export async function verify(scene: string, options: VerifyOptions): Promise<number> {
  const install = await blenderOr('verify', options.blender);
  if (typeof install === 'number') return install;
  const unitDir = await mkdtemp(join(tmpdir(), 'meshctl-blender-'));
  try {
    const checked = await preflighted('verify', install.path, scene, unitDir);
    if (typeof checked === 'number') return checked;
    const provided = decodeRgba(await readFile(options.image));
    const percentage = options.resolutionPercentage ?? checked.report.percentage;
    const { width, height } = sizeOrThrow(checked.report, percentage);
    if (provided.width !== width || provided.height !== height)
      return fail(
        'verify',
        `${options.image} is ${provided.width}×${provided.height}, the scene's frame ${width}×${height}`,
      );
    // A scene whose output reads outside a crop (a glare node, say) is checked by its whole frame: a crop cannot be.
    const { check: frameCheck } = checked.verdict;
    if (!frameCheck.crop) console.log(`no crop can check this scene (${frameCheck.why}): rendering the whole frame`);
    const crops = frameCheck.crop
      ? pickCrops(width, height, options.crops, CROP_SIDE, random)
      : [{ x0: 0, y0: 0, x1: width, y1: height }];
    const verdict = await checkFrame({
      blender: install.path,
      unitDir,
      file: checked.file,
      frame: options.frame,
      samples: options.samples,
      seed: options.seed,
      width,
      height,
      percentage,
      provided,
      providedAt: { x0: 0, y0: 0, x1: width, y1: height },
      crops,
      limits: { memoryBytes: 8 * 2 ** 30, fileBytes: RENDER_FILE_BYTES, wallMs: 3_600_000, stallMs: 600_000 },
    });
    for (const { rect, share } of verdict.crops)
      console.log(
        `crop (${rect.x0}, ${rect.y0})–(${rect.x1}, ${rect.y1}): ${(share * 100).toFixed(2)} % identical pixels`,
      );
    console.log(verdict.agrees ? 'agrees' : `disagrees: under ${IDENTICAL_SHARE * 100} % identical pixels`);
    return verdict.agrees ? 0 : 1;
  } catch (err) {
    return fail('verify', describeError(err));
  } finally {
    await rm(unitDir, { recursive: true, force: true });
  }
}

/** The scene read by this machine's Blender, or by the node (a provider's, where it has none either), and printed. */
export async function preflightOnly(scene: string, path: string | undefined, byNode: PreflightByNode): Promise<number> {
  try {
    const read = await readScene(scene, byNode, 'scene', path);
    for (const line of read.lines) console.log(line);
    return read.verdict.refusals.length > 0 ? fail('preflight', 'the scene is refused (above)') : 0;
  } catch (err) {
    return fail('preflight', describeError(err));
  }
}

export async function renderLocal(scene: string, options: RenderOptions): Promise<number> {
  const install = await blenderOr('render-local', options.blender);
  if (typeof install === 'number') return install;
  const unitDir = await mkdtemp(join(tmpdir(), 'meshctl-blender-'));
  const progress = progressOnStderr();
  try {
    const checked = await preflighted('render-local', install.path, scene, unitDir);
    if (typeof checked === 'number') return checked;
    const percentage = options.resolutionPercentage ?? checked.report.percentage;
    const { width, height } = sizeOrThrow(checked.report, percentage);
    const started = performance.now();
    const frame = await renderFrameLocal({
      blender: install.path,
      unitDir,
      file: checked.file,
      frame: options.frame,
      samples: options.samples,
      seed: options.seed,
      width,
      height,
      percentage,
      ...(options.tiles ? { tiles: options.tiles } : {}),
      limits: {
        memoryBytes: options.memoryGib * 2 ** 30,
        fileBytes: RENDER_FILE_BYTES,
        wallMs: options.timeLimit * 1000,
        stallMs: Math.min(options.timeLimit, 600) * 1000,
      },
      onProgress: (done, total, p) => progress.update(`tile ${done + 1}/${total}, sample ${p.sample}/${p.of}`),
    });
    await writeFile(options.out, encodeFramePng(width, height, frame.data));
    progress.done();
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const tiles = options.tiles ? `${options.tiles.cols}×${options.tiles.rows} tiles` : 'whole';
    console.log(
      `${options.out}: ${width}×${height}, frame ${options.frame}, ${options.samples} samples, ${tiles}, in ${seconds} s`,
    );
    return 0;
  } catch (err) {
    progress.done();
    return fail('render-local', describeError(err));
  } finally {
    await rm(unitDir, { recursive: true, force: true });
  }
}

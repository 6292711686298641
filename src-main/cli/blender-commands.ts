// `meshctl blender …`: Blender scenes on this machine, always in the sandbox (docs/BLENDER.md).
// `check`: whether this node can render Blender scenes (Blender, its version, the sandbox) or why
// not; `preflight <scene>`: what a .blend (or a folder with its assets) holds, its refusals and
// warnings; `render-local <scene>`: one frame, whole or as stitched tiles, written as a PNG — the
// reference a mesh render of it must match; `verify <scene> --image`: a frame rendered elsewhere
// checked as a requester checks a provider's, by random crops re-rendered here.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { IDENTICAL_SHARE } from '../core/blender/compare.js';
import { pickCrops } from '../core/blender/crops.js';
import type { PreflightReport, PreflightVerdict } from '../core/blender/preflight.js';
import { describeError } from '../core/errors.js';
import { findBlender, type BlenderInstall } from '../node/blender/install.js';
import { renderFrameLocal } from '../node/blender/local.js';
import { preflightInSandbox } from '../node/blender/preflight.js';
import { decodeRgba } from '../node/blender/png.js';
import { bringScene } from '../node/blender/scene-folder.js';
import { checkFrame } from '../node/blender/verify.js';
import { encodeFramePng } from '../node/render/png.js';
import { progressOnStderr } from './progress.js';

const integer = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max)
    throw new InvalidArgumentError(`expected a whole number in ${min}..${max}`);
  return n;
};

const grid = (value: string): { cols: number; rows: number } => {
  const m = /^(\d{1,3})x(\d{1,3})$/.exec(value.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new InvalidArgumentError('expected columns x rows, as 2x2');
  return { cols: Number(m[1]), rows: Number(m[2]) };
};

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

function printPreflight(report: PreflightReport, verdict: PreflightVerdict): void {
  const v = (parts: readonly number[]) => parts.join('.');
  console.log(`saved by Blender ${v(report.saved_by.slice(0, 2))}; rendered by ${v(report.blender)}`);
  console.log(
    `engine ${report.engine}, frames ${report.frame_start}–${report.frame_end}, ${report.width}×${report.height}, ${report.samples} samples`,
  );
  const packed = report.images.filter((i) => i.packed).length;
  console.log(`images: ${report.images.length} (${packed} packed); linked libraries: ${report.libraries.length}`);
  console.log(verdict.tiles ? 'tiles: yes' : `tiles: no, ${verdict.tilesWhyNot ?? ''}`);
  for (const warning of verdict.warnings) console.log(`warning: ${warning}`);
  for (const refusal of verdict.refusals) console.log(`refused: ${refusal}`);
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
  printPreflight(result.report, result.verdict);
  if (result.verdict.refusals.length > 0) return fail(command, 'the scene is refused (above)');
  return { file, ...result };
}

interface RenderOptions {
  blender?: string;
  frame: number;
  out: string;
  samples: number;
  seed: number;
  tiles?: { cols: number; rows: number };
  memoryGib: number;
  timeLimit: number;
}

interface VerifyOptions {
  blender?: string;
  frame: number;
  image: string;
  samples: number;
  seed: number;
  crops: number;
}

/** A crop's side as a share of the frame's: a quarter of its pixels. */
const CROP_SIDE = 0.5;
/** Draws from the system's random source (a provider must not guess the checked pixels). */
const random = (): number => randomInt(2 ** 47) / 2 ** 47;

export function registerBlenderCommands(program: Command): void {
  const blender = program
    .command('blender')
    .description('Blender scenes on this machine, in the sandbox (docs/BLENDER.md)');
  blender
    .command('check')
    .description('whether this node can render Blender scenes: Blender, its version and the sandbox')
    .option('--blender <path>', 'Blender’s executable (default: blender on PATH)')
    .action(async (options: { blender?: string }) => {
      const install = await blenderOr('check', options.blender);
      if (typeof install === 'number') process.exitCode = install;
      else
        console.log(
          `${install.algorithm}: Blender ${install.version.join('.')} (${install.build}) at ${install.path}, sandboxed`,
        );
    });
  blender
    .command('preflight')
    .description('what a .blend (or a folder with its assets) holds, its refusals and warnings')
    .argument('<scene>', 'a .blend, or a folder or zip holding one .blend and its assets')
    .option('--blender <path>', 'Blender’s executable (default: blender on PATH)')
    .action(async (scene: string, options: { blender?: string }) => {
      process.exitCode = await preflightOnly(scene, options.blender);
    });
  blender
    .command('render-local')
    .description('render one frame of a .blend on this machine, in the sandbox, and write it as a PNG')
    .argument('<scene>', 'a .blend, or a folder or zip holding one .blend and its assets')
    .requiredOption('--frame <n>', 'frame number', integer(0, 1_048_574))
    .requiredOption('--out <file>', 'where to write the PNG')
    .option('--samples <n>', 'samples per pixel', integer(1, 1 << 24), 64)
    .option('--seed <n>', 'the render’s seed', integer(0, 2 ** 31 - 1), 0)
    .option('--tiles <CxR>', 'render as columns × rows tiles, stitched (default: the whole frame)', grid)
    .option('--memory-gib <n>', 'the sandbox’s address-space limit, GiB', integer(1, 1024), 8)
    .option('--time-limit <s>', 'wall-clock limit of each render, seconds', integer(1, 86_400), 3600)
    .option('--blender <path>', 'Blender’s executable (default: blender on PATH)')
    .action(async (scene: string, options: RenderOptions) => {
      process.exitCode = await renderLocal(scene, options);
    });
  blender
    .command('verify')
    .description('check a frame rendered elsewhere, as a requester checks a provider’s: random crops re-rendered here')
    .argument('<scene>', 'a .blend, or a folder or zip holding one .blend and its assets')
    .requiredOption('--frame <n>', 'frame number', integer(0, 1_048_574))
    .requiredOption('--image <file>', 'the frame to check (PNG, 8-bit RGBA)')
    .requiredOption('--samples <n>', 'the samples it was to be rendered with', integer(1, 1 << 24))
    .option('--seed <n>', 'the seed it was to be rendered with', integer(0, 2 ** 31 - 1), 0)
    .option('--crops <n>', 'how many crops (each a quarter of the frame) to re-render', integer(1, 64), 2)
    .option('--blender <path>', 'Blender’s executable (default: blender on PATH)')
    .action(async (scene: string, options: VerifyOptions) => {
      process.exitCode = await verify(scene, options);
    });
}

async function verify(scene: string, options: VerifyOptions): Promise<number> {
  const install = await blenderOr('verify', options.blender);
  if (typeof install === 'number') return install;
  const unitDir = await mkdtemp(join(tmpdir(), 'meshctl-blender-'));
  try {
    const checked = await preflighted('verify', install.path, scene, unitDir);
    if (typeof checked === 'number') return checked;
    const provided = decodeRgba(await readFile(options.image));
    const { width, height } = checked.report;
    if (provided.width !== width || provided.height !== height)
      return fail(
        'verify',
        `${options.image} is ${provided.width}×${provided.height}, the scene's frame ${width}×${height}`,
      );
    const verdict = await checkFrame({
      blender: install.path,
      unitDir,
      file: checked.file,
      frame: options.frame,
      samples: options.samples,
      seed: options.seed,
      provided,
      crops: pickCrops(width, height, options.crops, CROP_SIDE, random),
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

async function preflightOnly(scene: string, path: string | undefined): Promise<number> {
  const install = await blenderOr('preflight', path);
  if (typeof install === 'number') return install;
  const unitDir = await mkdtemp(join(tmpdir(), 'meshctl-blender-'));
  try {
    const result = await preflighted('preflight', install.path, scene, unitDir);
    return typeof result === 'number' ? result : 0;
  } finally {
    await rm(unitDir, { recursive: true, force: true });
  }
}

async function renderLocal(scene: string, options: RenderOptions): Promise<number> {
  const install = await blenderOr('render-local', options.blender);
  if (typeof install === 'number') return install;
  const unitDir = await mkdtemp(join(tmpdir(), 'meshctl-blender-'));
  const progress = progressOnStderr();
  try {
    const checked = await preflighted('render-local', install.path, scene, unitDir);
    if (typeof checked === 'number') return checked;
    const { width, height } = checked.report;
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

// `meshctl render-local <scene.json> --frame N --out frame.png`: one frame, rendered alone on this
// machine through the same pool and kernel the mesh uses — the reference a mesh render must match.
// The scene file is loaded as a job would send it (OBJ meshes inlined) and compiled for the frame.
import { describeError } from '../core/errors.js';
import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { compileScene } from '../core/render/index.js';
import { encodeFramePng } from '../node/render/png.js';
import { progressOnStderr } from './progress.js';

const integer = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || n < min || n > max)
    throw new InvalidArgumentError(`expected a whole number in ${min}..${max}`);
  return n;
};

interface Options {
  frame: number;
  out: string;
  tile: number;
  spp: number;
  width: number;
  height: number;
  seed: number;
  workers?: number;
}

export function registerRenderLocal(program: Command): void {
  program
    .command('render-local')
    .description('render one frame of a scene on this machine and write it as a PNG')
    .argument('<scene>', 'scene file (JSON, see docs/SCENE.md)')
    .requiredOption('--frame <n>', 'frame number', integer(0, 1_000_000))
    .requiredOption('--out <file>', 'where to write the PNG')
    .option('--tile <px>', 'tile size in pixels (one unit per tile)', integer(1, 8192), 64)
    .option('--spp <n>', 'samples per pixel', integer(1, 4096), 16)
    .option('--width <px>', 'frame width', integer(1, 8192), 640)
    .option('--height <px>', 'frame height', integer(1, 8192), 360)
    .option(
      '--seed <n>',
      "the job's seed (a mesh job records it; pass it to reproduce that job's frame)",
      integer(0, 0xffffffff),
      0,
    )
    .option('--workers <n>', 'worker threads (default: one per core)', integer(1, 1024))
    .action(async (scenePath: string, options: Options) => {
      process.exitCode = await renderLocal(scenePath, options);
    });
}

async function renderLocal(scenePath: string, options: Options): Promise<number> {
  // Loaded here, not at the top: the OBJ parser and the sandbox (binaryen) would slow every other meshctl command.
  const { loadSceneFile } = await import('../node/render/scene-file.js');
  const loaded = await loadSceneFile(scenePath);
  if (!loaded.ok) return fail(loaded.error);
  const sceneBlob = compileScene(loaded.scene, options.frame);
  const [{ Executor }, { renderFrameLocal }] = await Promise.all([
    import('../node/exec/index.js'),
    import('../node/render/local.js'),
  ]);

  const executor = Executor.start(options.workers ? { workers: options.workers } : {});
  const started = performance.now();
  const progress = progressOnStderr();
  try {
    const frame = await renderFrameLocal(executor, {
      sceneBlob,
      frame: options.frame,
      width: options.width,
      height: options.height,
      spp: options.spp,
      tile: options.tile,
      seed: options.seed,
      onTile: (done, total) => progress.update(`tiles ${done}/${total}`),
    });
    const png = encodeFramePng(options.width, options.height, frame.rgba);
    await writeFile(options.out, png);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    progress.done();
    console.log(
      `${options.out}: ${options.width}×${options.height}, frame ${options.frame}, ${options.spp} spp, ${frame.tiles} tiles on ${executor.workers} workers in ${seconds} s, fuel ${frame.fuel}`,
    );
    return 0;
  } catch (err) {
    return fail(describeError(err));
  } finally {
    await executor.close();
  }
}

function fail(message: string): number {
  console.error(`meshctl render-local: ${message}`);
  return 1;
}

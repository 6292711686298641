// `meshctl render-local <scene.json> --frame N --out frame.png`: one frame, rendered alone on this
// machine through the same pool and kernel the mesh uses — the reference a mesh render must match.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { encode } from 'fast-png';
import { compileSceneJson } from '../core/render/index.js';

/** Scene files beyond this are refused before being read (200,000 triangles fit well inside). */
const MAX_SCENE_BYTES = 64 << 20;

const integer = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number in ${min}..${max}`);
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
    .option('--seed <n>', "the job's seed (a mesh job records it; pass it to reproduce that job's frame)", integer(0, 0xffffffff), 0)
    .option('--workers <n>', 'worker threads (default: one per core)', integer(1, 1024))
    .action(async (scenePath: string, options: Options) => {
      process.exitCode = await renderLocal(scenePath, options);
    });
}

async function renderLocal(scenePath: string, options: Options): Promise<number> {
  const size = (await stat(scenePath).catch(() => null))?.size;
  if (size === undefined) return fail(`cannot read ${scenePath}`);
  if (size > MAX_SCENE_BYTES) return fail(`${scenePath} is ${size} bytes; a scene may be at most ${MAX_SCENE_BYTES}`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(scenePath, 'utf8'));
  } catch (err) {
    return fail(`${scenePath} is not JSON: ${(err as Error).message}`);
  }
  const blob = compileSceneJson(json);
  if (!blob.ok) return fail(`${scenePath} is not a valid scene: ${blob.error.message}`);
  // Loaded here, not at the top: the sandbox (binaryen) would slow every other meshctl command.
  const [{ Executor }, { renderFrameLocal }] = await Promise.all([import('../node/exec/index.js'), import('../node/render/local.js')]);

  const executor = Executor.start(options.workers ? { workers: options.workers } : {});
  const started = performance.now();
  try {
    const frame = await renderFrameLocal(executor, {
      sceneBlob: blob.value,
      frame: options.frame,
      width: options.width,
      height: options.height,
      spp: options.spp,
      tile: options.tile,
      seed: options.seed,
      onTile: (done, total) => process.stderr.write(`\rtiles ${done}/${total}`),
    });
    const png = encode({ width: options.width, height: options.height, data: frame.rgba, channels: 4, depth: 8 });
    await writeFile(options.out, png);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    process.stderr.write('\n');
    console.log(`${options.out}: ${options.width}×${options.height}, frame ${options.frame}, ${options.spp} spp, ${frame.tiles} tiles on ${executor.workers} workers in ${seconds} s, fuel ${frame.fuel}`);
    return 0;
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  } finally {
    await executor.close();
  }
}

function fail(message: string): number {
  console.error(`meshctl render-local: ${message}`);
  return 1;
}

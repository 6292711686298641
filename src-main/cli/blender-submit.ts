// `meshctl submit-job --blend <scene> --frames 1-4 [--tiles 2x2]`: a Blender job, a unit a frame, or
// a unit a tile of a frame (docs/BLENDER.md), each frame a PNG or (`--format exr`, frames only) an EXR. The scene (a .blend, or a zip of its folder) is
// preflighted here first, by this machine's Blender in its sandbox, and the preflight printed; a
// scene it refuses is not sent, nor tiles of a scene whose tiles cannot match its frame. Then the
// node is sent the scene and the frames (jobs.submit's `blender`), preflights it again and makes
// the units.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { MethodInput } from '../core/api/contract.js';
import { FRAME_BYTES, framesInput, MAX_BLENDER_SCENE_BYTES } from '../core/blender/unit.js';
import { MAX_TILES_SIDE, type TileGrid } from '../core/schemas/blender-tiles.js';
import { describeError } from '../core/errors.js';
import { locateBlender } from '../node/blender/install.js';
import { preflightInSandbox } from '../node/blender/preflight.js';
import { bringScene } from '../node/blender/scene-folder.js';
import { CliError, readFileUpTo, wholeNumber } from './args.js';
import { preflightLines } from './blender-actions.js';

/** The jobs.submit params of a Blender job (`terms`: what every job states), and the preflight's lines. */
export async function blenderSubmission(
  scene: string,
  frames: { first_frame: number; last_frame: number },
  options: { samples?: number; seed: number; tiles?: TileGrid; format: 'png' | 'exr' },
  terms: Omit<MethodInput<'jobs.submit'>, 'chunk_bytes' | 'input_base64'>,
): Promise<{ params: MethodInput<'jobs.submit'>; lines: string[] }> {
  if (!scene.endsWith('.blend') && !scene.endsWith('.zip'))
    throw new CliError(`--blend: ${scene} is not a .blend or a .zip (a folder goes as a zip of it)`);
  // Blender is not started to say its version: the preflight's report does (one start, not two).
  if (options.format === 'exr' && options.tiles)
    throw new CliError(
      '--format exr: EXR frames cannot be cut into tiles (tiles are stitched as 8-bit PNG): no --tiles',
    );
  const found = await locateBlender();
  if (!found.ok) throw new CliError(`--blend: the scene is preflighted here first: ${found.reason}`);
  const unitDir = await mkdtemp(join(tmpdir(), 'meshctl-blend-'));
  try {
    const file = await bringScene(scene, unitDir).catch((err: unknown) => {
      throw new CliError(`--blend: ${describeError(err)}`);
    });
    const preflight = await preflightInSandbox(found.path, unitDir, file);
    if (!preflight.ok) throw new CliError(`--blend: ${preflight.reason}`);
    const lines = preflightLines(preflight.report, preflight.verdict);
    if (preflight.verdict.refusals.length > 0)
      throw new CliError(`--blend: the scene is refused: ${preflight.verdict.refusals.join('; ')}`);
    const { tiles } = options;
    if (tiles && !preflight.verdict.tiles)
      throw new CliError(`--tiles: ${preflight.verdict.tilesWhyNot ?? 'frames only'}`);
    if (tiles && (tiles.cols > preflight.report.width || tiles.rows > preflight.report.height))
      throw new CliError(
        `--tiles: a ${preflight.report.width}×${preflight.report.height} frame cannot be cut into ${tiles.cols}×${tiles.rows} tiles`,
      );
    const { first_frame: first, last_frame: last } = frames;
    const { start, end } = preflight.verdict.frames;
    if (first < start || last > end)
      throw new CliError(`--frames: ${first}-${last} is outside the scene's frames ${start}-${end}`);
    const bytes = await readFileUpTo('--blend', scene, MAX_BLENDER_SCENE_BYTES);
    const params: MethodInput<'jobs.submit'> = {
      ...terms,
      name: terms.name ?? `${basename(scene)} frames ${first}-${last}`,
      blender: {
        scene_base64: bytes.toString('base64'),
        file,
        zip: scene.endsWith('.zip'),
        seed: options.seed,
        ...(options.samples !== undefined ? { samples: options.samples } : {}),
        ...(tiles ? { tiles } : {}),
        ...(options.format === 'exr' ? { format: 'exr' as const } : {}),
      },
      chunk_bytes: FRAME_BYTES,
      input_base64: Buffer.from(framesInput(Array.from({ length: last - first + 1 }, (_, i) => first + i))).toString(
        'base64',
      ),
    };
    return { params, lines };
  } finally {
    await rm(unitDir, { recursive: true, force: true });
  }
}

/** `--tiles CxR`: the grid each frame is cut into, C columns by R rows (each 1..MAX_TILES_SIDE). */
export function tilesOption(text: string): TileGrid {
  const match = /^\s*(\d+)\s*[x×]\s*(\d+)\s*$/.exec(text);
  if (!match) throw new CliError(`--tiles: expected columns x rows such as 2x2, got ${JSON.stringify(text)}`);
  return {
    cols: wholeNumber('--tiles columns', match[1]!, 1, MAX_TILES_SIDE),
    rows: wholeNumber('--tiles rows', match[2]!, 1, MAX_TILES_SIDE),
  };
}

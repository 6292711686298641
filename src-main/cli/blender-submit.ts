// `meshctl submit-job --blend <scene> --frames 1-4 [--tiles 2x2]`: a Blender job, a unit a frame, or
// a unit a tile of a frame (docs/BLENDER.md), each frame a PNG or (`--format exr`, frames only) an
// EXR. The scene is read first (blender-scene.ts: by this machine's Blender, else the node's or a
// provider's) and the preflight printed; a scene it refuses is not sent, nor tiles of a scene whose
// tiles cannot match its frame. Then the node is sent the scene and the frames (jobs.submit's
// `blender`), preflights it again and makes the units.
import { basename } from 'node:path';
import type { MethodInput } from '../core/api/contract.js';
import { consecutive, framesWords, parseFrames, partOutside } from '../core/blender/frames.js';
import { outputSize, sizeRefusal } from '../core/blender/preflight.js';
import { FRAME_BYTES, framesInput } from '../core/blender/unit.js';
import { MAX_TILES_SIDE, type TileGrid } from '../core/schemas/blender-tiles.js';
import { CliError, wholeNumber } from './args.js';
import { readScene, type PreflightByNode } from './blender-scene.js';
import { exrRefusal } from '../core/blender/crop-check.js';

/** The jobs.submit params of a Blender job (`terms`: what every job states), and the preflight's lines. */
export async function blenderSubmission(
  scene: string,
  /** As written (`1-10,20,30-40`, Blender's syntax); absent: the scene's own, by its step. */
  frames: string | undefined,
  options: { samples?: number; seed: number; tiles?: TileGrid; format: 'png' | 'exr'; percentage?: number },
  terms: Omit<MethodInput<'jobs.submit'>, 'chunk_bytes' | 'input_base64'>,
  byNode: PreflightByNode,
): Promise<{ params: MethodInput<'jobs.submit'>; lines: string[] }> {
  if (options.format === 'exr' && options.tiles)
    throw new CliError(
      '--format exr: EXR frames cannot be cut into tiles (tiles are stitched as 8-bit PNG): no --tiles',
    );
  const { sent, report, verdict, lines, readByPeer } = await readScene(scene, byNode, '--blend');
  if (verdict.refusals.length > 0) throw new CliError(`--blend: the scene is refused: ${verdict.refusals.join('; ')}`);
  const { tiles } = options;
  const noExr = options.format === 'exr' ? exrRefusal(verdict.check, readByPeer) : undefined;
  if (noExr) throw new CliError(`--format exr: ${noExr}: ask for PNG`);
  if (tiles && !verdict.tiles) throw new CliError(`--tiles: ${verdict.tilesWhyNot ?? 'frames only'}`);
  const percentage = options.percentage ?? report.percentage;
  const tooSmall = sizeRefusal(report, percentage);
  if (tooSmall) throw new CliError(`--resolution-percentage: ${tooSmall}`);
  const size = outputSize(report, percentage);
  if (tiles && (tiles.cols > size.width || tiles.rows > size.height))
    throw new CliError(
      `--tiles: a ${size.width}×${size.height} frame cannot be cut into ${tiles.cols}×${tiles.rows} tiles`,
    );
  const { start, end, step } = verdict.frames;
  const parsed = parseFrames(frames ?? `${start}-${end}`, step);
  if (!parsed.ok) throw new CliError(`--frames: ${parsed.error}`);
  const outside = partOutside(parsed.parts, start, end);
  if (outside !== undefined) throw new CliError(`--frames: ${outside} is outside the scene's frames ${start}-${end}`);
  if (tiles && !consecutive(parsed.frames))
    throw new CliError(
      `--tiles: a tiled job's frames follow one another, not ${framesWords(parsed.frames)}${step > 1 ? ` (the file's frame step is ${step})` : ''}: name them with --frames, or no --tiles`,
    );
  const params: MethodInput<'jobs.submit'> = {
    ...terms,
    name: terms.name ?? `${basename(scene)} ${framesWords(parsed.frames)}`,
    blender: {
      ...sent,
      seed: options.seed,
      ...(options.samples !== undefined ? { samples: options.samples } : {}),
      ...(tiles ? { tiles } : {}),
      ...(options.format === 'exr' ? { format: 'exr' as const } : {}),
      ...(options.percentage !== undefined ? { resolution_percentage: options.percentage } : {}),
    },
    chunk_bytes: FRAME_BYTES,
    input_base64: Buffer.from(framesInput(parsed.frames)).toString('base64'),
  };
  // The frame's size as the units render it, when the job asks for other than the file's own.
  const sized = options.percentage === undefined ? [] : [`frames at ${percentage} %: ${size.width}×${size.height}`];
  return { params, lines: [...lines, ...sized] };
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

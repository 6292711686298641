// A Blender unit run by a provider: not in the WASM sandbox but by Blender in its own (node/blender):
// the unit's module is the job's scene, its input the frame (and the tile, in a tiled job), its
// params how to render it (core/blender/unit.ts); its output is the frame's PNG or EXR (a tile's PNG). Params or an input no honest requester
// makes are the unit's own failure (BadRequest, the same from every provider); a render that fails
// here is this machine's (the unit is handed back).
import type { SampleProgress } from '../../../core/blender/progress.js';
import { BlenderUnitParamsSchema, unitWork } from '../../../core/blender/unit.js';
import { validate } from '../../../core/schemas/index.js';
import { renderUnit } from '../../blender/unit.js';
import { ExecError } from '../../exec/index.js';
import type { KindRun, RanUnit } from '../seam.js';

export async function runBlenderUnit(
  { unit, module, input, signal }: Pick<KindRun, 'unit' | 'module' | 'input' | 'signal'>,
  /** The Blender I render others' scenes with; none: sharing is off, or it cannot be had. */
  blender: string | undefined,
  /** Each `Sample n/m` line of the render (told to the requester: provider/progress-reports.ts). */
  onProgress?: (progress: SampleProgress) => void,
): Promise<RanUnit> {
  if (blender === undefined) throw new Error('this node does not render Blender scenes now');
  const params = validate(BlenderUnitParamsSchema, unit.params);
  if (!params.ok) throw new ExecError('BadRequest', `a Blender unit's params: ${params.error.message}`);
  const work = unitWork(params.value, input);
  if (work === undefined)
    throw new ExecError('BadRequest', "a Blender unit's input is its frame, 4 bytes (and a tile of its params' grid)");
  const { output, ms } = await renderUnit({
    blender,
    scene: module,
    params: params.value,
    ...work,
    signal,
    ...(onProgress ? { onProgress } : {}),
  });
  return { output, wallMs: ms };
}

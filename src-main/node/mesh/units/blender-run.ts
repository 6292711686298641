// A Blender unit run by a provider: not in the WASM sandbox but by Blender in its own (node/blender):
// the unit's module is the job's scene, its input the frame (and the tile, in a tiled job), its
// params how to render it (core/blender/unit.ts); its output is the frame's PNG or EXR (a tile's PNG). Params or an input no honest requester
// makes are the unit's own failure (BadRequest, the same from every provider); a render that fails
// here is this machine's (the unit is handed back).
import type { SampleProgress } from '../../../core/blender/progress.js';
import { BlenderUnitParamsSchema, unitWork } from '../../../core/blender/unit.js';
import { validate } from '../../../core/schemas/index.js';
import { renderUnit, type BlenderUnit } from '../../blender/unit.js';
import type { WorkUnit } from '../../../core/schemas/index.js';
import { describeError } from '../../../core/errors.js';
import type { NodeContext } from '../context/node-context.js';
import { ExecError } from '../../exec/index.js';
import type { RanUnit, UnitRun } from '../../gpu/unit-router.js';

export async function runBlenderUnit(
  { unit, module, input, signal }: Pick<UnitRun, 'unit' | 'module' | 'input' | 'signal'>,
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

/**
 * A unit of my own job as my Blender renders it (a check's crop, a composite), from the scene and
 * input in my blob store; undefined when it cannot be (no Blender here, its scene or frame gone),
 * the reason logged after `what` ("cannot check the frame of …").
 */
export async function myBlenderUnit(
  ctx: Pick<NodeContext, 'blender' | 'blobs' | 'log' | 'signal'>,
  unit: WorkUnit,
  what: string,
): Promise<BlenderUnit | undefined> {
  const params = validate(BlenderUnitParamsSchema, unit.params);
  const scene = unit.module_cid ? ctx.blobs.get(unit.module_cid) : undefined;
  const input = unit.input_cid ? ctx.blobs.get(unit.input_cid) : undefined;
  const work = params.ok && input ? unitWork(params.value, input) : undefined;
  const found = await ctx.blender?.find().catch((err: unknown) => ({ ok: false as const, reason: describeError(err) }));
  if (!params.ok || !scene || work === undefined || !found?.ok) {
    ctx.log(`${what} ${unit.unit_id}: ${found?.ok === false ? found.reason : 'its scene or frame is not here'}`);
    return undefined;
  }
  return { blender: found.install.path, scene, params: params.value, ...work, signal: ctx.signal };
}

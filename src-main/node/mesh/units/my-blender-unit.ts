// A unit of my own Blender job rendered by my Blender, from the blobs in my store: a check's crop
// (verdicts/blender-check.ts) or a frame's composite (node/kinds/blender/frames.ts).
import { BlenderUnitParamsSchema, unitWork } from '../../../core/blender/unit.js';
import { describeError } from '../../../core/errors.js';
import { validate, type WorkUnit } from '../../../core/schemas/index.js';
import type { BlenderUnit } from '../../blender/unit.js';
import type { NodeContext } from '../context/node-context.js';

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

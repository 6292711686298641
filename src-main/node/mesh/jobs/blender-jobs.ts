// A Blender job as submitted (jobs.submit's `blender`, core/blender/unit.ts): the requester's own
// Blender preflights the scene in its sandbox, and a scene it refuses is refused, saying why; the
// units are the requester's Blender's algorithm (providers with another major.minor get none), the
// scene their module, and their params what the preflight read (the frame's size, the samples),
// so that providers render and the requester checks the same pixels.
import type { SubmitJobTerms } from '../../../core/api/contract.js';
import type { BlenderUnitParams } from '../../../core/blender/unit.js';
import { ApiError } from '../../api/errors.js';
import { preflightScene } from '../../blender/unit.js';
import type { NodeContext } from '../context/node-context.js';

/** Reference seconds a frame is expected to take: Blender's start, and pixel-samples at a modest rate. */
const START_SECONDS = 10;
const PIXEL_SAMPLES_PER_SECOND = 200_000;

/** The job's units as a resolved module (job-split.ts), and the seconds a frame is expected to take. */
export async function blenderJob(ctx: Pick<NodeContext, 'blender'>, terms: NonNullable<SubmitJobTerms['blender']>) {
  const found = await ctx.blender?.find();
  if (!found?.ok)
    throw new ApiError(
      'bad_request',
      `a Blender job needs Blender on the requester, to read the scene and check its frames: ${found?.reason ?? 'none here'}`,
    );
  const scene = new Uint8Array(Buffer.from(terms.scene_base64, 'base64'));
  const { file, zip, seed } = terms;
  const preflight = await preflightScene({ blender: found.install.path, scene, params: { file, zip } });
  if (!preflight.ok) throw new ApiError('bad_request', `the scene could not be read: ${preflight.reason}`);
  const { report, verdict } = preflight;
  // Its warnings (denoising turned off) are the submitter's to show first, as meshctl does.
  if (verdict.refusals.length > 0)
    throw new ApiError('bad_request', `the scene is refused: ${verdict.refusals.join('; ')}`);
  const params: BlenderUnitParams = {
    file,
    zip,
    samples: terms.samples ?? report.samples,
    seed,
    width: report.width,
    height: report.height,
  };
  return {
    resolved: {
      algorithmId: found.install.algorithm,
      module: scene,
      params,
      secondsPerMiB: 1,
      gpuBytes: 0,
      wholeUnits: true,
    },
    seconds: START_SECONDS + (params.width * params.height * params.samples) / PIXEL_SAMPLES_PER_SECOND,
  };
}

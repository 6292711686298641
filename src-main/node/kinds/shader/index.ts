// A user's WGSL compute shader (docs/UNIT_ABI.md, "WGSL units"): its source travels as the units'
// module (by CID), its params say how to run it; units run only on a GPU of a node that takes them
// (`--shader-units`), never packed, and no requester's CPU can re-run one to check it.
import { KINDS } from '../../../core/kinds/index.js';
import { ShaderSpecSchema } from '../../../core/gpu/index.js';
import { SHADER_ALGORITHM } from '../../../core/protocol/algorithm-ids.js';
import { validate } from '../../../core/schemas/index.js';
import { ApiError } from '../../api/errors.js';
import { DEFAULT_LIMITS } from '../../exec/index.js';
import { runShaderUnit } from '../../gpu/unit-router.js';
import { capability } from '../capability.js';
import type { WorkloadKind } from '../seam.js';

export const shaderKind: WorkloadKind = {
  name: 'shader',
  spec: KINDS.shader,
  planner: {
    claims: (terms) => terms.kind === undefined && terms.wgsl_code !== undefined,
    headBytes: () => 0,
    resolve(terms) {
      // Its params are checked now, with its code, as a GPU worker will check them.
      const shader = validate(ShaderSpecSchema, { ...terms.params, wgsl_code: terms.wgsl_code });
      if (!shader.ok) throw new ApiError('bad_request', `params.${shader.error.message}`);
      const { wgsl_code: code, ...params } = shader.value;
      const module = new TextEncoder().encode(code);
      return { algorithmId: SHADER_ALGORITHM, module, params, secondsPerMiB: 1, gpuBytes: params.buffer_size };
    },
    plan: async (terms, { blobs }) => ({
      resolved: shaderKind.planner!.resolve!(terms, blobs),
      terms,
      knownCost: false,
    }),
  },
  runtime: {
    offers: (machine) => (machine.shaders ? [capability(SHADER_ALGORITHM)] : []),
    moduleLimit: DEFAULT_LIMITS.maxModuleBytes,
    packable: false,
    heavy: false,
    run: runShaderUnit,
  },
};

// A user's own module under the unit ABI (docs/UNIT_ABI.md): checked at submit as its units would
// be where they run (module-check.ts), its first unit run here to learn what a unit costs (so that
// tiny units travel in packs), and each unit run in the CPU's WASM sandbox.
import { MAX_MODULE_BYTES, type SubmitJobTerms } from '../../../core/api/contract.js';
import { KINDS } from '../../../core/kinds/index.js';
import { PACK_BELOW_SECONDS, UNIT_RUN_SECONDS } from '../../../core/mesh/rules/packs.js';
import { CUSTOM_WASM } from '../../../core/protocol/algorithm-ids.js';
import { ApiError } from '../../api/errors.js';
import { DEFAULT_LIMITS, type Executor } from '../../exec/index.js';
import { REFERENCE_FUEL_PER_SECOND } from '../../hardware/calibrate.js';
import { capability } from '../capability.js';
import type { PlanEnv, WorkloadKind } from '../seam.js';
import { refuseUnrunnableModule } from './module-check.js';

/** Whether the terms give a module of the user's: inline (wasm_base64) or put first (module_cid). */
export const hasModule = (terms: SubmitJobTerms): boolean =>
  terms.wasm_base64 !== undefined || terms.module_cid !== undefined;

/**
 * The user's module the terms give: inline, or by its CID from my store (put there first with
 * blobs.put), at most MAX_MODULE_BYTES, and valid WebAssembly.
 */
export function userModule(terms: SubmitJobTerms, blobs: PlanEnv['blobs']): Uint8Array {
  let module: Uint8Array | undefined;
  if (terms.wasm_base64 !== undefined) module = new Uint8Array(Buffer.from(terms.wasm_base64, 'base64'));
  else {
    module = blobs.get(terms.module_cid ?? '');
    if (!module)
      throw new ApiError(
        'bad_request',
        `module_cid: no blob ${terms.module_cid} here: put the module first (blobs.put)`,
      );
    if (module.byteLength > MAX_MODULE_BYTES)
      throw new ApiError('bad_request', `module_cid: ${module.byteLength} bytes, over a module's ${MAX_MODULE_BYTES}`);
  }
  if (!WebAssembly.validate(module as Uint8Array<ArrayBuffer>))
    throw new ApiError('bad_request', 'the module is not valid WebAssembly');
  return module;
}

/**
 * What a unit of a user's module costs on the reference machine, from a run of it here (its fuel),
 * when it is a tiny one: undefined when it runs past PACK_BELOW_SECONDS or fails (its units then
 * go alone, and fail, if they do, in the mesh as they would anyway).
 */
async function probeUnitSeconds(
  executor: Executor,
  module: Uint8Array,
  input: Uint8Array,
  params: Record<string, unknown>,
): Promise<number | undefined> {
  try {
    const limits = { fuel: Math.round(PACK_BELOW_SECONDS * REFERENCE_FUEL_PER_SECOND) };
    const { fuel } = await executor.run({ module, input, params, limits });
    return UNIT_RUN_SECONDS + fuel / REFERENCE_FUEL_PER_SECOND;
  } catch {
    return undefined;
  }
}

export const moduleKind: WorkloadKind = {
  name: 'module',
  spec: KINDS.module,
  planner: {
    claims: (terms) => terms.kind === undefined && hasModule(terms) && terms.wasi === undefined,
    // A byte past the first unit: an input of one unit has nothing to pack, and is not run here.
    headBytes: (terms) => (terms.units_per_pack === undefined ? terms.chunk_bytes + 1 : 0),
    resolve: (terms, blobs) => ({
      algorithmId: CUSTOM_WASM,
      module: userModule(terms, blobs),
      params: terms.params ?? {},
      secondsPerMiB: 1,
      gpuBytes: 0,
    }),
    async plan(terms, { blobs, executor, head }) {
      const resolved = moduleKind.planner!.resolve!(terms, blobs);
      const { module, params } = resolved;
      if (executor) await refuseUnrunnableModule(executor, module, 'abi');
      const chunk = terms.chunk_bytes;
      const seconds =
        executor && head && head.byteLength > chunk
          ? await probeUnitSeconds(executor, module, head.subarray(0, chunk), params)
          : undefined;
      return { resolved, terms, knownCost: seconds !== undefined, ...(seconds !== undefined ? { seconds } : {}) };
    },
  },
  runtime: {
    offers: () => [capability(CUSTOM_WASM)],
    moduleLimit: DEFAULT_LIMITS.maxModuleBytes,
    packable: true,
    heavy: false,
    run: ({ unit, module, input, signal, cpu }) => cpu.run({ module, input, params: unit.params ?? {}, signal }),
  },
};

// A WASI preview 1 program (docs/UNIT_ABI.md, section 15): a user's own (wasm_base64 with `wasi`
// terms) or a library's (node/kinds/library). Checked at submit as a WASI command, its first unit
// run here to time every unit, and each unit run in the CPU's WASM sandbox with its argv, seed and
// stdin from the unit alone (exec/wasi/job-unit.ts) and the job's files mounted at /input.
import type { SubmitJobTerms } from '../../../core/api/contract.js';
import { KINDS } from '../../../core/kinds/index.js';
import { UNIT_RUN_SECONDS } from '../../../core/mesh/rules/packs.js';
import { MAX_WASI_FILES_BYTES, WASI_PROGRAM, type WorkUnit } from '../../../core/schemas/index.js';
import { DEFAULT_LIMITS, wasiRunOf } from '../../exec/index.js';
import { capability } from '../capability.js';
import { hasModule, userModule } from '../module/index.js';
import { refuseUnrunnableModule } from '../module/module-check.js';
import type { PlanEnv, Resolved, WorkloadKind } from '../seam.js';
import { probeWasiSeconds, wasiJob } from './wasi-jobs.js';

/**
 * A program's plan: checked as a WASI command and its first unit run here (with an executor, and
 * the input's first unit in `head`), whose fuel is every unit's estimate.
 */
export async function programSeconds(
  resolved: Resolved,
  terms: Pick<SubmitJobTerms, 'chunk_bytes'>,
  { executor, head }: PlanEnv,
): Promise<number | undefined> {
  if (!executor) return undefined;
  await refuseUnrunnableModule(executor, resolved.module, 'wasi');
  if (!head) return undefined;
  const params = resolved.params as WorkUnit['params'];
  const seconds = await probeWasiSeconds(
    executor,
    resolved.module,
    params,
    resolved.files,
    head.subarray(0, terms.chunk_bytes),
  );
  return seconds === undefined ? undefined : UNIT_RUN_SECONDS + seconds;
}

export const wasiKind: WorkloadKind = {
  name: 'wasi',
  spec: KINDS.wasi,
  planner: {
    claims: (terms) => terms.kind === undefined && hasModule(terms) && terms.wasi !== undefined,
    headBytes: (terms) => terms.chunk_bytes,
    resolve: (terms, blobs) => ({
      ...wasiJob(terms.wasi!),
      module: userModule(terms, blobs),
      secondsPerMiB: 1,
      gpuBytes: 0,
    }),
    async plan(terms, env) {
      const resolved = wasiKind.planner!.resolve!(terms, env.blobs);
      const seconds = await programSeconds(resolved, terms, env);
      return { resolved, terms, knownCost: seconds !== undefined, ...(seconds !== undefined ? { seconds } : {}) };
    },
  },
  runtime: {
    offers: () => [capability(WASI_PROGRAM, 1, KINDS.wasi.version)],
    moduleLimit: DEFAULT_LIMITS.maxModuleBytes,
    filesLimit: MAX_WASI_FILES_BYTES,
    // A unit's index is part of its run (its seed, its args' {index}): a pack's units would lose it.
    packable: false,
    heavy: false,
    run: ({ unit, module, input, files, signal, cpu }) => cpu.run({ module, ...wasiRunOf(unit, input, files), signal }),
  },
};

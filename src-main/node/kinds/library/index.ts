// The library's methods (docs/KERNELS.md): a job names a library and a method, and its units are the
// shipped kernel's (`hash/sha256`, packed when tiny) or, for a library program built from a real
// library, WASI units of the program (run by the WASI kind's runtime, node/kinds/wasi), checked and
// timed at submit as a user's program is.
import { KINDS } from '../../../core/kinds/index.js';
import { PROGRAM_LIBRARIES } from '../../../core/library/methods.js';
import { ApiError } from '../../api/errors.js';
import { DEFAULT_LIMITS } from '../../exec/index.js';
import { capability } from '../capability.js';
import type { WorkloadKind } from '../seam.js';
import { programSeconds } from '../wasi/index.js';
import { kernelAlgorithms, resolveLibrary } from './library.js';

const isProgram = (library: string | undefined): boolean =>
  library !== undefined && Object.hasOwn(PROGRAM_LIBRARIES, library);

export const libraryKind: WorkloadKind = {
  name: 'library',
  spec: KINDS.library,
  planner: {
    claims: (terms) => terms.kind === undefined && terms.library !== undefined,
    // A program's first unit is run here, as a user's program's is.
    headBytes: (terms) => (isProgram(terms.library) ? terms.chunk_bytes : 0),
    resolve(terms) {
      const files =
        terms.files_base64 === undefined ? undefined : new Uint8Array(Buffer.from(terms.files_base64, 'base64'));
      const resolved = resolveLibrary(
        terms.library!,
        terms.method!,
        terms.params ?? {},
        terms.chunk_bytes,
        terms.items,
        files,
      );
      if (typeof resolved === 'string') throw new ApiError('bad_request', resolved);
      return { ...resolved, gpuBytes: 0 };
    },
    async plan(terms, env) {
      const planned = libraryKind.planner!.resolve!(terms, env.blobs);
      const seconds = isProgram(terms.library) ? await programSeconds(planned, terms, env) : undefined;
      return { resolved: planned, terms, knownCost: true, ...(seconds !== undefined ? { seconds } : {}) };
    },
  },
  runtime: {
    offers: () => kernelAlgorithms().map((id) => capability(id)),
    moduleLimit: DEFAULT_LIMITS.maxModuleBytes,
    packable: true,
    heavy: false,
    run: ({ unit, module, input, signal, cpu }) => cpu.run({ module, input, params: unit.params ?? {}, signal }),
  },
};

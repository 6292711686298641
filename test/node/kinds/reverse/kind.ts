// A kind of work of a test's own (issue 88, item 6): units that reverse their input's bytes, with
// their own planner (terms `kind: "reverse"`, no params), runtime (run on the main thread, a few
// bytes at a time) and spec (the requester reruns a unit to check it). It is registered with a node
// through MeshNodeOptions.kinds and nothing else: no role folder names it.
import type { WorkloadKind } from '../../../../src-main/node/kinds/seam.js';
import { capability } from '../../../../src-main/node/kinds/capability.js';
import { ApiError } from '../../../../src-main/node/api/errors.js';

export const REVERSE_ALGORITHM = 'reverse/bytes';
/** The units' module: what version of reversing they name (every node runs the same). */
const MODULE = new TextEncoder().encode('reverse bytes, version 1');

/** The kind; `lie`: a provider that returns its input as is, unreversed (a liar for the checks to catch). */
export function reverseKind(lie = false): WorkloadKind {
  const resolve = (params: Record<string, unknown> | undefined) => {
    if (params !== undefined && Object.keys(params).length > 0)
      throw new ApiError('bad_request', `params: a reverse job takes none (got ${Object.keys(params).join(', ')})`);
    return { algorithmId: REVERSE_ALGORITHM, module: MODULE, params: {}, secondsPerMiB: 0.001, gpuBytes: 0 };
  };
  return {
    name: 'reverse',
    spec: {
      title: 'Reversed bytes',
      recognises: (id) => id === REVERSE_ALGORITHM,
      noun: 'units',
      frames: 'none',
      outputs: 'bytes',
      verifier: 'results',
      requesterReruns: true,
      dataLocality: true,
    },
    planner: {
      claims: (terms) => terms.kind === 'reverse',
      headBytes: () => 0,
      resolve: (terms) => resolve(terms.params),
      plan: async (terms) => ({ resolved: resolve(terms.params), terms, knownCost: true }),
    },
    runtime: {
      offers: () => [capability(REVERSE_ALGORITHM)],
      moduleLimit: 1024,
      packable: true,
      heavy: false,
      async run({ module, input }) {
        const started = performance.now();
        if (Buffer.compare(module, MODULE) !== 0) throw new Error('not a reverse module this node knows');
        const output = lie ? input.slice() : input.slice().reverse();
        return { output, wallMs: performance.now() - started };
      },
    },
  };
}

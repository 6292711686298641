// A prepared step of one unit for tests of the workflow runner over a stand-in StepJobs.
import type { PreparedStep } from '../../src-main/node/mesh/workflows/step-jobs.js';

export const oneUnitStep: PreparedStep = {
  kind: 'batch',
  spec: {
    library: 'hash',
    method: 'sha256',
    chunk_bytes: 4,
    budget: 1,
    redundancy: 1,
    priority: 0.5,
    manual_accept: false,
    open_to_strangers: false,
  },
  units: [{ unit: 0, bytes: new Uint8Array(4) }],
  keyOf: () => 'key',
  cached: [],
  wasi: false,
};

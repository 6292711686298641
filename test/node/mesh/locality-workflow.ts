// One run of a workflow whose three steps read the same files (sha256, sha512 and blake3 of each,
// in parallel), on a requester and two providers in their own processes: what the data locality
// test (data-locality.test.ts) and benchmark (bench/workflow.bench.ts) measure.
import { randomBytes } from 'node:crypto';
import { framedBytes } from '../../../src-main/node/exec/index.js';
import { startMesh, stopChild, workflowEnd, type ChildNode } from './child-nodes.js';

const METHODS = ['sha256', 'sha512', 'blake3'];

export interface LocalityRun {
  /** Bytes the requester sent providers by blob fetches (inputs and modules), measured by its status. */
  servedBytes: number;
  /** The files' bytes, as each step's units read them (framed): what would cross per step without any reuse. */
  stepBytes: number;
  steps: number;
  /** From the workflow's submit to its end. */
  ms: number;
  /** Files whose units of every step ran on one provider. */
  filesOnOneProvider: number;
  files: number;
}

/** `files` random files of `bytes` each (over the 16 KiB that rides inline, so each is fetched). */
export async function localityRun(dataLocality: boolean, files: number, bytes: number): Promise<LocalityRun> {
  const [a, b, c] = (await startMesh([
    { workers: 1, env: { MESH_DATA_LOCALITY: dataLocality ? 'on' : 'off' } },
    { workers: 1 },
    { workers: 1 },
  ])) as [ChildNode, ChildNode, ChildNode];
  try {
    const document = JSON.stringify({
      inputs: { files: { type: 'files' } },
      budget: 1e12,
      steps: METHODS.map((method) => ({
        id: method,
        uses: { library: 'crypto', method },
        needs: [],
        for_each: { items: { $input: 'files' } },
      })),
    });
    const items = Array.from({ length: files }, (_, i) => ({
      name: `f${i}`,
      base64: randomBytes(bytes).toString('base64'),
    }));
    const before = (await a.api.call('status', {})).blobs_served.bytes;
    const start = performance.now();
    const { workflow_id } = await a.api.call('workflows.run', {
      document,
      inputs: { files: { files: items } },
      no_cache: true,
    });
    const workflow = await workflowEnd(a.api, workflow_id);
    const ms = performance.now() - start;
    if (workflow.outcome !== 'completed') throw new Error(`the workflow ended ${workflow.outcome}`);
    const servedBytes = (await a.api.call('status', {})).blobs_served.bytes - before;
    // Who ran each file's unit in each step (a step's unit i is file i).
    const ranBy = new Map<number, Set<string>>();
    for (const step of workflow.steps) {
      const { units } = await a.api.call('jobs.status', { job_id: step.job_id!, units: true });
      for (const unit of units ?? []) {
        const set = ranBy.get(unit.index) ?? new Set();
        for (const provider of unit.providers) set.add(provider);
        ranBy.set(unit.index, set);
      }
    }
    // Each unit's input: its file framed with its name, padded to the largest (module-steps.ts).
    const unitBytes = Math.max(...items.map(({ name }) => framedBytes(name, bytes)));
    return {
      servedBytes,
      ms,
      stepBytes: unitBytes * files,
      steps: METHODS.length,
      filesOnOneProvider: [...ranBy.values()].filter((set) => set.size === 1).length,
      files,
    };
  } finally {
    await Promise.all([stopChild(a), stopChild(b), stopChild(c)]);
  }
}

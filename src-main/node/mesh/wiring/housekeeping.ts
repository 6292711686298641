// The node's housekeeping, built for mesh-node.ts: the state's keeper (its snapshots, and
// compaction of finished jobs: state-keeper.ts) and the blob collector (what no one needs any more
// removed, within the storage limits: node/blobs/collector.ts), each wired to what it reads of the
// rest of the node.
import type { MeshState } from '../../../core/mesh/state/state.js';
import type { StorageConfig } from '../../../core/storage/storage-config.js';
import type { BlobStore } from '../../blobs/index.js';
import { cidOfBytes } from '../../blobs/cid.js';
import { BlobCollector } from '../../blobs/collector.js';
import type { RequesterQuota } from '../../blobs/quota.js';
import type { Journal } from '../../journal/index.js';
import type { NewEvent } from '../context/node-context.js';
import type { Provider } from '../provider/provider.js';
import { StateKeeper } from '../state/state-keeper.js';
import { shippedModules } from '../../kinds/library/library.js';
import { jobSummary, unitDetailsOf } from '../views/job-view.js';
import type { WorkflowRunner } from '../workflows/workflow-runner.js';
import type { MeshNodeOptions } from './node-options.js';

/** The state's keeper: `snapshotSeq`, the seq of the snapshot the state was loaded from. */
export function openKeeper(
  journal: Journal,
  state: MeshState,
  record: (events: NewEvent[]) => Promise<void>,
  log: (message: string) => void,
  history: MeshNodeOptions['history'],
  snapshotSeq: number | null,
): StateKeeper {
  return new StateKeeper(
    journal,
    state,
    {
      record,
      summarize: (job) => jobSummary(state, job),
      unitDetails: (job) => unitDetailsOf(state, job),
      now: () => Date.now(),
      log,
    },
    history,
    snapshotSeq,
  );
}

/**
 * The blob collector: it never collects the shipped modules or what running workflows hold, and
 * asks the provider and the journal's archive what blobNeeds needs of them.
 */
export function openCollector(parts: {
  journal: Journal;
  blobs: Pick<BlobStore, 'list' | 'remove' | 'size'>;
  state: MeshState;
  storage: StorageConfig;
  quota: RequesterQuota;
  log: (message: string) => void;
  workflows: Pick<WorkflowRunner, 'holds'>;
  provider: Pick<Provider, 'deliveredAt'>;
}): BlobCollector {
  const { journal, workflows, provider } = parts;
  const shipped = new Set(shippedModules().map((module) => cidOfBytes(module)));
  return new BlobCollector(
    parts.blobs,
    parts.state,
    parts.storage,
    { has: (cid) => shipped.has(cid) || workflows.holds(cid) },
    parts.log,
    {
      deliveredAt: (id) => provider.deliveredAt(id),
      compactedOutputs: (jobId) => journal.archive.verifiedOutputs(jobId),
      compactedNeeds: (role) => journal.archive.keptNeeds(role),
      forgetNeeds: (before) => journal.archive.dropNeedsBefore(before),
    },
    parts.quota,
  );
}

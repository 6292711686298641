// The API's storage methods: what the blob store holds and what garbage collection freed
// (node/blobs/collector.ts), putting bytes there for a job to name (a big program), and deleting a
// finished job so that its outputs can go.
import type { ApiHandlers } from '../../../core/api/contract.js';
import { heaviest } from '../../../core/api/list-bounds.js';
import { ApiError } from '../../api/errors.js';
import { iso } from '../context/node-context.js';
import type { NodeApi } from './node-api.js';

export function storageHandlers(node: NodeApi): Pick<ApiHandlers, 'storage.get' | 'jobs.delete' | 'blobs.put'> {
  return {
    async 'blobs.put'({ data_base64 }) {
      return putBlob(node, new Uint8Array(Buffer.from(data_base64, 'base64')));
    },
    async 'storage.get'() {
      const collector = node.storage;
      const last = collector.last;
      const all = [...collector.quota.usage()].map(([peer_id, bytes]) => ({ peer_id, bytes }));
      return {
        ...collector.usage(),
        requesters: heaviest(all, (r) => r.bytes),
        requesters_total: all.length,
        last_collection: last ? { at: iso(last.at), removed: last.removed, freed_bytes: last.freed_bytes } : null,
        freed_bytes_total: collector.freedTotal,
        settings: collector.config,
      };
    },
    async 'jobs.delete'({ job_id }) {
      const record = node.state.jobs.get(job_id);
      if (!record || record.job.requester !== node.peerId) throw new ApiError('not_found', `no job ${job_id} of mine`);
      if (node.state.isMyRunningJob(record))
        throw new ApiError('conflict', `job ${job_id} is still running: cancel it first (meshctl job cancel)`);
      await node.record([{ type: 'job.deleted', job_id }]);
      return { deleted: job_id };
    },
  };
}

/** Keeps `bytes` in my store (blobs.put, and its upload: UPLOAD_BLOB_PATH): a job names them by the CID. */
export async function putBlob(
  node: Pick<NodeApi, 'blobs'>,
  bytes: Uint8Array,
): Promise<{ cid: string; bytes: number }> {
  return { cid: await node.blobs.put(bytes), bytes: bytes.byteLength };
}

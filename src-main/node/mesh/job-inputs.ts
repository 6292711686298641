// The blob store as the node reads it: a batched job's input is stored once, whole, and each of its
// units' inputs is a slice of it, found by the CID the unit names (core/mesh/unit-table.ts indexes
// them). So a provider fetching a unit's input, the acceptance carrying it inline and my own check
// run all read the slice, and a million-unit job is one file, not a million.
import type { MeshState } from '../../core/mesh/state.js';
import type { BlobStore } from '../blobs/store.js';

/** What the node uses of its blob store. */
export type Blobs = Pick<
  BlobStore,
  'put' | 'putVerified' | 'putStream' | 'has' | 'size' | 'get' | 'open' | 'list' | 'remove' | 'close'
>;

export function withJobInputs(store: BlobStore, state: MeshState): Blobs {
  const slice = (cid: string): Uint8Array | undefined => {
    const found = state.units.findInput(cid);
    const input = found && state.jobs.get(found.jobId)?.input;
    if (!found || !input) return undefined;
    const offset = found.index * input.chunk_bytes;
    return store.readRange(input.cid, offset, Math.min(input.chunk_bytes, input.bytes - offset));
  };
  return {
    put: (bytes) => store.put(bytes),
    list: () => store.list(),
    remove: (blobs, before) => store.remove(blobs, before),
    close: () => store.close(),
    putVerified: (cid, bytes) => store.putVerified(cid, bytes),
    putStream: (source, maxBytes) => store.putStream(source, maxBytes),
    has: (cid) => store.has(cid) || slice(cid) !== undefined,
    size: (cid) => store.size(cid) ?? slice(cid)?.byteLength,
    get: (cid) => store.get(cid) ?? slice(cid),
    open: (cid) => {
      const stored = store.open(cid);
      if (stored) return stored;
      const bytes = slice(cid);
      return (
        bytes && {
          size: bytes.byteLength,
          chunks: {
            async *[Symbol.asyncIterator]() {
              yield bytes;
            },
          },
        }
      );
    },
  };
}

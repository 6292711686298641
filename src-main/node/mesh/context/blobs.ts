// The blob store as the node reads it: a batched job's input is stored once, whole, and each of its
// units' inputs is a slice of it, found by the CID the unit names (core/mesh/state/unit-table.ts indexes
// them). So a provider fetching a unit's input, the acceptance carrying it inline and my own check
// run all read the slice, and a million-unit job is one file, not a million. Slices are read a
// block at a time: the units of a batch lie side by side, and a read each would cost more than the unit.
import type { MeshState } from '../../../core/mesh/state/state.js';
import type { BlobStore } from '../../blobs/store.js';

/** What the node uses of its blob store. */
export type Blobs = Pick<
  BlobStore,
  | 'put'
  | 'putMany'
  | 'putMissing'
  | 'putVerified'
  | 'putStream'
  | 'has'
  | 'hasAll'
  | 'hasAllStored'
  | 'size'
  | 'get'
  | 'getMany'
  | 'getSmall'
  | 'open'
  | 'list'
  | 'remove'
  | 'removals'
  | 'close'
>;

/** Bytes of a job's input read at once (the units of tiny chunks a batch takes: 1,024 of 64 bytes). */
const BLOCK_BYTES = 64 * 1024;

export function withJobInputs(store: BlobStore, state: MeshState): Blobs {
  /** Where a unit input lies in its job's input, when the CID is one (found in memory, before any disk lookup). */
  const place = (cid: string): { input: string; offset: number; length: number } | undefined => {
    const found = state.units.findInput(cid);
    const input = found && state.jobs.get(found.jobId)?.input;
    if (!found || !input) return undefined;
    const offset = found.index * input.chunk_bytes;
    return { input: input.cid, offset, length: Math.min(input.chunk_bytes, input.bytes - offset) };
  };
  /**
   * Job inputs found in the store: asked of the disk once a job, not once a unit. Blobs leave the
   * store only by remove (the collector), which forgets them all, and the block read last.
   */
  const present = new Set<string>();
  const holds = (input: string): boolean => {
    if (present.has(input)) return true;
    if (!store.has(input)) return false;
    present.add(input);
    return true;
  };
  /** The block of a job's input read last (a blob's bytes never change: only its presence can). */
  let block: { input: string; offset: number; bytes: Uint8Array } | undefined;
  const slice = (cid: string): Uint8Array | undefined => {
    const at = place(cid);
    if (!at) return undefined;
    const end = at.offset + at.length;
    if (!block || block.input !== at.input || at.offset < block.offset || end > block.offset + block.bytes.byteLength) {
      if (at.length > BLOCK_BYTES) return store.readRange(at.input, at.offset, at.length);
      const bytes = store.readRange(at.input, at.offset, BLOCK_BYTES);
      if (!bytes) return undefined;
      block = { input: at.input, offset: at.offset, bytes };
    }
    // A copy: the caller may keep it, and must not keep the block alive.
    return block.bytes.slice(at.offset - block.offset, end - block.offset);
  };
  return {
    put: (bytes) => store.put(bytes),
    putMany: (blobs) => store.putMany(blobs),
    putMissing: (blobs) => store.putMissing(blobs),
    list: (putBefore) => store.list(putBefore),
    remove: (blobs, before) => {
      present.clear();
      block = undefined;
      return store.remove(blobs, before);
    },
    removals: () => store.removals(),
    close: () => store.close(),
    putVerified: (cid, bytes) => store.putVerified(cid, bytes),
    putStream: (source, maxBytes) => store.putStream(source, maxBytes),
    // A unit's input is read from its job's, whether or not it was also stored on its own.
    has: (cid) => {
      const at = place(cid);
      return (at !== undefined && holds(at.input)) || store.has(cid);
    },
    // The store's own blobs only: a unit's input found as a slice of its job's input is not one.
    hasAllStored: (cids, sizes) => store.hasAll(cids, sizes),
    // The store asked first, in batches: a step's outputs are there, and no job's inputs.
    hasAll: (cids, sizes) =>
      store.hasAll(cids, sizes).map((found, i) => {
        if (found) return true;
        const at = place(cids[i]!);
        return at !== undefined && holds(at.input) && (sizes === undefined || at.length === sizes[i]);
      }),
    size: (cid) => {
      const at = place(cid);
      return at && holds(at.input) ? at.length : store.size(cid);
    },
    get: (cid) => slice(cid) ?? store.get(cid),
    // A job's input slices first, the others from the store at once.
    getMany: (cids) => {
      const sliced = cids.map((cid) => slice(cid));
      const asked = cids.flatMap((cid, i) => (sliced[i] ? [] : [cid]));
      const stored = store.getMany(asked);
      let next = 0;
      return sliced.map((bytes) => bytes ?? stored[next++]);
    },
    getSmall: (cid, maxBytes) => {
      const at = place(cid);
      if (at && at.length > maxBytes) return undefined;
      return (at && slice(cid)) ?? store.getSmall(cid, maxBytes);
    },
    open: (cid) => {
      const bytes = slice(cid);
      if (!bytes) return store.open(cid);
      return {
        size: bytes.byteLength,
        chunks: {
          async *[Symbol.asyncIterator]() {
            yield bytes;
          },
        },
      };
    },
  };
}

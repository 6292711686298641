// What the requester and provider halves of a node share: its state, its journal, the network,
// the blob store, the clock. Every change goes through `record`: journaled first, then applied.
// Every network wait ends when the node stops (`signal`), and work nobody awaits goes through
// `background`, so the node's stop can wait for it before it closes the journal.
import type { Kinds } from '../../kinds/seam.js';
import type { NewEvent, NodeBasics } from './node-basics.js';
import { createHash } from 'node:crypto';
import { CodedError, describeError } from '../../../core/errors.js';
import { LIMITS, type WorkResult } from '../../../core/schemas/index.js';

export type { BlenderPreviews, NewEvent } from './node-basics.js';

export interface NodeContext extends NodeBasics {
  /** The kinds of work this node plans and runs (node/kinds/seam.ts): a unit's by its algorithm id, a job's by its terms. */
  readonly kinds: Kinds;
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/** A short digest of ids (an event id for a batch of acceptances or of ledger entries). */
export const idsDigest = (ids: readonly string[]): string =>
  createHash('sha256').update(ids.join('\n')).digest('base64url').slice(0, 32);

/**
 * Results taken (the requester's, from a message) or made (the provider's, for a message), journaled
 * as one `results.recorded` event a receipt's worth (LIMITS.resultsPerReceipt, as many as a message
 * carries), not an event each. Its id is its first result's: a result is in one message's batch.
 */
export function resultsRecorded(results: readonly WorkResult[]): NewEvent[] {
  const events: NewEvent[] = [];
  for (let i = 0; i < results.length; i += LIMITS.resultsPerReceipt) {
    const chunk = results.slice(i, i + LIMITS.resultsPerReceipt);
    events.push({ type: 'results.recorded', event_id: `results/${chunk[0]!.result_id}`, results: chunk });
  }
  return events;
}

/** Events the journal refused for a reason other than the ledger's rules (see NodeContext.record). */
export class RecordError extends CodedError<'refused'> {
  override readonly name = 'RecordError';

  constructor(readonly refused: { type: string; code: string; message: string }[]) {
    super('refused', refused.map((r) => `${r.type}: ${r.code}: ${r.message}`).join('; '));
  }

  /** The journal failed the step's commit (the disk full, an I/O error): worth trying again later. */
  get storageFailed(): boolean {
    return this.refused.length > 0 && this.refused.every((r) => r.code === 'storage_failed');
  }
}

/**
 * A blob from my store, else from the first of `holders` that can send it (checked against its CID
 * as it arrives, then kept unless `keep` is false); undefined when none could.
 */
export async function blobFromHolders(
  ctx: Pick<NodeContext, 'blobs' | 'signal' | 'fetchBlob' | 'log'>,
  cid: string,
  holders: readonly string[],
  maxBytes: number,
  keep = true,
): Promise<Uint8Array | undefined> {
  const local = ctx.blobs.get(cid);
  if (local) return local;
  for (const peer of holders) {
    if (ctx.signal.aborted) return undefined; // the node is stopping
    try {
      const bytes = await ctx.fetchBlob(peer, cid, maxBytes);
      if (keep) await ctx.blobs.putVerified(cid, bytes);
      return bytes;
    } catch (err) {
      ctx.log(`fetching ${cid} from ${peer} failed: ${describeError(err)}`);
    }
  }
  return undefined;
}

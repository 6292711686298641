// What the requester and provider halves of a node share: its state, its journal, the network,
// the blob store, the clock. Every change goes through `record`: journaled first, then applied.
// Every network wait ends when the node stops (`signal`), and work nobody awaits goes through
// `background`, so the node's stop can wait for it before it closes the journal.
import type { BlenderFound, BlenderInstall } from '../../blender/install.js';
import type { Kinds } from '../../kinds/seam.js';
import type { CirclePolicies } from '../../circles/index.js';
import type { Preflight } from '../../blender/preflight.js';
import type { SceneToRead } from '../../blender/unit.js';
import { createHash } from 'node:crypto';
import { CodedError, describeError } from '../../../core/errors.js';
import type { ApiEventType } from '../../../core/api/contract.js';
import type { MeshState } from '../../../core/mesh/state/state.js';
import type { Rgba } from '../../../core/blender/tiles.js';
import type { SceneRead } from '../../../core/blender/remote-preflight.js';
import type { MessageBody, MessageType } from '../../../core/protocol/messages.js';
import { LIMITS, type ComputeCommitment, type NodeEvent, type WorkResult } from '../../../core/schemas/index.js';
import type { Blobs } from './blobs.js';
import type { NodeEvents } from './node-events.js';
import type { RequesterQuota } from '../../blobs/quota.js';
import type { Identity } from '../../identity/identity.js';
import type { ReceiptChain } from '../../receipts/index.js';

/** An event as a caller writes it: the id (when it has a natural one) and time are filled in. */
export type NewEvent = NodeEvent extends infer E
  ? E extends NodeEvent
    ? Omit<E, 'event_id' | 'at'> & { event_id?: string }
    : never
  : never;

export interface NodeContext {
  readonly me: string;
  readonly identity: Identity;
  readonly state: MeshState;
  readonly blobs: Blobs;
  /** As provider: each requester's bytes on my disk against its quota (absent: no quota). */
  readonly quota?: RequesterQuota;
  readonly receipts: ReceiptChain;
  /** What happens to the node that several pieces act on (node-events.ts): each subscribes where it is built. */
  readonly events: NodeEvents;
  /** The latest commitment of each peer whose topic I follow. */
  readonly commitments: Map<string, ComputeCommitment>;
  now(): number;
  /** Aborted when the node stops: every network wait below ends with it. */
  readonly signal: AbortSignal;
  /**
   * Journals the events (one group commit) and applies the accepted ones to the state. A ledger
   * entry the ledger refuses (paid twice, over budget) is an outcome, logged and left out of the
   * state, which callers read. Any other refusal (an invalid event, a closed journal, a failed
   * disk) throws RecordError once the others are applied: the caller cannot carry on as if it
   * had been recorded.
   */
  record(events: NewEvent[]): Promise<void>;
  /**
   * Sends a message to a peer and returns its verified reply, or undefined when it could not be
   * delivered (within 10 s, or `timeoutMs` for a request that takes longer; or before the node
   * stopped). Never throws.
   */
  send<T extends MessageType>(
    peer: string,
    type: T,
    body: MessageBody<T>,
    options?: { timeoutMs?: number },
  ): Promise<{ type: string; body: unknown } | undefined>;
  /** A blob from a peer, checked against its CID; throws BlobError (`aborted` once the node stops). */
  fetchBlob(peer: string, cid: string, maxBytes: number): Promise<Uint8Array>;
  /** Work nobody awaits (a notification, a retry): the node's stop waits for it, and its failure is logged. */
  background(what: string, work: Promise<unknown>): void;
  emit(type: ApiEventType, data: Record<string, string | number | boolean | null>): void;
  /** Something in my commitment changed (units, slots, trust, sharing): republish it soon; at once for a new job. */
  commitmentChanged(newJob?: boolean): void;
  log(message: string): void;
  /** The policies of my circles: a job in one runs by its active policy, read when deciding (node/circles). */
  readonly circles: CirclePolicies;
  /** The kinds of work this node plans and runs (node/kinds/seam.ts): a unit's by its algorithm id, a job's by its terms. */
  readonly kinds: Kinds;
  /** Blender and its sandbox (machine/blender-probe.ts); absent: this node has nothing to do with Blender. */
  readonly blender?: {
    /** Looked for once, as a requester needs it (to preflight and to check frames). */
    find(): Promise<BlenderFound>;
    /** The Blender I render others' scenes with: only while Blender sharing is on. */
    sharedInstall(): BlenderInstall | undefined;
    /** A scene preflighted by `blender` (kept a while: the submit after the user saw it costs no second run). */
    preflight(blender: string, scene: SceneToRead): Promise<Preflight>;
    /** A scene read by my Blender, or by a trusted peer sharing Blender when I have none (machine/blender-probe.ts). */
    read(scene: SceneToRead): Promise<SceneRead>;
    /** PNG previews of my jobs' verified EXR frames (the app's mosaic shows PNGs). */
    readonly previews: BlenderPreviews;
  };
}

/** PNG previews of EXR frames (render/blender-previews.ts FramePreviews). */
export interface BlenderPreviews {
  /** The unit's verified frame, as the 8-bit pixels its check compared: its PNG. */
  keep(unitId: string, image: Rgba): Promise<Uint8Array>;
  /** The unit's preview: kept, or made from its frame's pixels by `decode`. */
  of(unitId: string, decode: () => Promise<Rgba>): Promise<Uint8Array>;
  /** A frame composited from a render (by its CID) that passed its check; taken once its verdict comes. */
  keepComposite(rawCid: string, png: Uint8Array): void;
  takeComposite(rawCid: string): Uint8Array | undefined;
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

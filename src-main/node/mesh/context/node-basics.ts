// What the requester and provider halves of a node share, but its kinds of work (node-context.ts
// adds them): its state, its journal, the network, the blob store, the clock.
import type { BlenderFound, BlenderInstall } from '../../blender/install.js';
import type { CirclePolicies } from '../../circles/index.js';
import type { Preflight } from '../../blender/preflight.js';
import type { SceneToRead } from '../../blender/unit.js';
import type { ApiEventType } from '../../../core/api/contract.js';
import type { MeshState } from '../../../core/mesh/state/state.js';
import type { Rgba } from '../../../core/blender/tiles.js';
import type { SceneRead } from '../../../core/blender/remote-preflight.js';
import type { MessageBody, MessageType } from '../../../core/protocol/messages.js';
import type { ComputeCommitment, NodeEvent } from '../../../core/schemas/index.js';
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

/**
 * The node's context, but its kinds (NodeContext adds them): what a kind's own code (node/kinds)
 * is given, which the seam can name without a cycle through the kinds.
 */
export interface NodeBasics {
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

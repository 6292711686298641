// The node's local API, one contract for every transport: HTTP + WebSocket (headless node, meshctl,
// the UI in a browser) and Electron IPC (the desktop app). Every method's params and result and
// every event is a zod schema here (the job methods in job-methods.ts); servers validate params
// before a handler runs, clients validate results before they use them.
import * as z from '../schemas/zod.js';
import {
  AvailabilitySlotSchema,
  boundedArray,
  ContributionHistorySchema,
  Count,
  Credits,
  Fraction,
  Id,
  idRecord,
  IsoTime,
  LIMITS,
  Name,
  NonNegative,
  PeerId,
  PolicyListSchema,
  PriceScheduleSchema,
} from '../schemas/index.js';
import { SharingSettingsSchema, WeeklyWindowSchema } from '../schemas/availability.js';
import { BlenderStatusSchema } from '../blender/algorithm.js';
import { CalibrationSchema, HardwareInfoSchema } from '../schemas/hardware.js';
import { GpuStatusSchema } from '../gpu/status.js';
import { StorageConfigSchema } from '../storage/storage-config.js';
import { DropCountsSchema, Empty, method, Multiaddr, PeerViewSchema } from './shapes.js';
import {
  LedgerEntryViewSchema,
  LedgerJobsParamsSchema,
  LedgerJobsSchema,
  LedgerTransferViewSchema,
} from './ledger-shapes.js';
import { JOB_METHODS } from './job-methods.js';
import { WORKFLOW_METHODS } from './workflow-methods.js';
import { BLENDER_METHODS } from './blender-methods.js';
import { CIRCLE_METHODS } from './circle-methods.js';
import {
  InviteAcceptedSchema,
  InviteAcceptSchema,
  InviteCreatedSchema,
  InviteCreateSchema,
  InviteViewSchema,
  NetworkSetSchema,
  NetworkViewSchema,
} from './reach-shapes.js';

export * from './shapes.js';
export type { LedgerTransferView } from './ledger-shapes.js';

/** What an API event can be about. */
export const API_EVENT_TYPES = [
  'peer.connected',
  'peer.disconnected',
  'message.dropped',
  'trust.changed',
  'sharing.changed',
  'slots.changed',
  'availability.changed',
  'job.submitted',
  'job.completed',
  'job.failed',
  'job.cancelled',
  /** A running job's budget was set anew: `job_id`, `budget` (a paused job goes on). */
  'job.budget_set',
  /** A running job paused short of budget: `job_id`, `needed` (the budget it needs to finish). */
  'job.paused',
  'offer.received',
  /** Offers of one provider for several units of a job at once: `job_id`, `provider`, `units` (a lone one is an `offer.received`). */
  'offers.received',
  'unit.accepted',
  /** Several units of a job accepted from one provider at once: `job_id`, `provider`, `units`. */
  'units.accepted',
  'unit.started',
  /** A provider's render of a unit of my job, as it says: `job_id`, `unit_id`, `provider`, `sample` of `of` (Blender's `Sample n/m`). */
  'unit.progress',
  'unit.finished',
  /** Results for several units of a job from one provider in one message: `job_id`, `provider`, `units`. */
  'units.finished',
  'unit.verified',
  /** Several units of a job verified in one turn: `job_id`, `units` (a lone one is a `unit.verified`, with its `hash`). */
  'units.verified',
  'unit.failed',
  'unit.reoffered',
  /** A provider refused an acceptance of mine: `provider`, `reason` (its policies, my credit with it). */
  'unit.refused',
  'peer.caught_lying',
  /** The user undid a peer's conviction (`peers.pardon`): `peer`. */
  'peer.pardoned',
  /** A requester refunded a result of mine as rejected without its verdict saying so: refused, and it gets no more work. */
  'peer.cheated',
  'ledger.entry',
  /** Several ledger entries journaled together: `entries` (their count), `kind` (theirs, or `mixed`). */
  'ledger.entries',
  'render.tile',
  'render.frame',
  /**
   * A Blender frame or tile of my job checked by my own re-render of a crop of it: `job_id`,
   * `unit_id`, `agrees`, `share` (the least share of identical pixels in its crops), `ms` (my re-render's time).
   */
  'blender.checked',
  'price.changed',
  'gpu.changed',
  /** Someone redeemed an invite of mine: `peer`, `invite_id`, `weight` (my trust in them now), `name`. */
  'invite.accepted',
  /** I am a member of a circle now: `circle`, `name`. */
  'circle.joined',
  /** A proposal opened in a circle of mine: `circle`, `proposal`, `author`, `description`. */
  'circle.proposal_opened',
  /** A circle's policy or members changed: `circle`, `proposal`, `fields` (comma-separated), `version`. */
  'circle.policy_changed',
] as const;

/** The longest key of an event's data, and the longest text value. */
export const EVENT_KEY_CHARS = 64;
export const EVENT_TEXT_CHARS = LIMITS.nameChars * 4;

export const ApiEventSchema = z.strictObject({
  /** Increasing per node; a client that reconnects asks for the events after the last id it saw. */
  id: Count,
  at: IsoTime,
  type: z.enum(API_EVENT_TYPES),
  /** The event's subject: ids and figures, flat (JSON scalars only). */
  data: z.record(
    z.string().check(z.maxLength(EVENT_KEY_CHARS)),
    z.union([z.string().check(z.maxLength(EVENT_TEXT_CHARS)), z.number(), z.boolean(), z.null()]),
  ),
});

export const API_METHODS = {
  status: method(
    Empty,
    z.strictObject({
      peer_id: PeerId,
      name: Name,
      listen: boundedArray(z.string().check(z.maxLength(LIMITS.nameChars)), 64),
      sharing: z.boolean(),
      mdns: z.boolean(),
      connections: Count,
      peers_known: Count,
      slots: Count,
      workers: Count,
      units_running: Count,
      units_queued: Count,
      jobs_running: Count,
      balance: z.int(),
      dropped: idRecord(DropCountsSchema),
      /** Blobs peers fetched from me since the node started (inputs, modules, outputs), and their bytes. */
      blobs_served: z.strictObject({ blobs: Count, bytes: Count }),
      price: PriceScheduleSchema,
      started_at: IsoTime,
      /** Days a finished job stays whole before it is compacted to its outputs, totals and receipts. */
      keep_finished_days: NonNegative,
      /** Whether I offer anything now, and if not, why (sharing off, on battery, busy, outside my windows). */
      availability: z.strictObject({
        offering: z.boolean(),
        cores: NonNegative,
        paused: z.nullable(z.strictObject({ reason: Id, message: z.string().check(z.maxLength(1024)) })),
      }),
      /** The probe's findings, once it has run; the calibration, once it has run on this hardware. */
      hardware: z.nullable(HardwareInfoSchema),
      calibration: z.nullable(CalibrationSchema),
      /** GPU units: whether this node runs them, on which adapter, how fast, or why not. */
      gpu: GpuStatusSchema,
      /** The node's own memory, in MB (Node's process.memoryUsage): resident, its JS heap, and outside it. */
      memory: z.strictObject({
        rss_mb: NonNegative,
        heap_used_mb: NonNegative,
        heap_total_mb: NonNegative,
        external_mb: NonNegative,
        array_buffers_mb: NonNegative,
      }),
      /** Other programs' CPU use, percent of the machine (null until measured). */
      other_load_pct: z.nullable(z.number().check(z.minimum(0), z.maximum(100))),
      /** What my commitment publishes of me: my contribution history (self-reported) and my damping. */
      contribution: z.extend(ContributionHistorySchema, {
        damping_factor: Fraction,
        over_allocation_history: boundedArray(NonNegative, 3),
      }),
      /** Who may use my machine, and how much: every acceptance of my compute passes them all. */
      policies: PolicyListSchema,
      /** Blender scenes (docs/BLENDER.md): whether I render them for others, and whether I can. */
      blender: BlenderStatusSchema,
    }),
  ),
  /** At most recordEntries peers, those I trust first, then those connected, then the latest seen; `total`: all I know. */
  'peers.list': method(
    Empty,
    z.strictObject({ peers: boundedArray(PeerViewSchema, LIMITS.recordEntries), total: Count }),
  ),
  'peers.add': method(z.strictObject({ multiaddr: Multiaddr }), z.strictObject({ peer_id: PeerId })),
  /**
   * Undo a conviction the user finds unsound (a check of mine was wrong): journaled; the peer's
   * trust and the reputation the conviction took come back. `pardoned`: false when it was not convicted.
   */
  'peers.pardon': method(
    z.strictObject({ peer_id: PeerId }),
    z.strictObject({ peer_id: PeerId, pardoned: z.boolean() }),
  ),
  /** A one-line code for someone to connect with me; whoever redeems it first is trusted at `trust`. */
  'invites.create': method(InviteCreateSchema, InviteCreatedSchema),
  /** Dial the inviter, prove the code's secret; on its yes, trust it at `trust`. */
  'invites.accept': method(InviteAcceptSchema, InviteAcceptedSchema),
  'invites.list': method(Empty, z.strictObject({ invites: boundedArray(InviteViewSchema, 256) })),
  /** The listen port, UPnP and the relay I offer the people I trust, and what the node does now. */
  'network.get': method(Empty, NetworkViewSchema),
  'network.set': method(NetworkSetSchema, NetworkViewSchema),
  'trust.set': method(
    z.strictObject({ peer_id: PeerId, weight: Fraction }),
    z.strictObject({ peer_id: PeerId, weight: Fraction }),
  ),
  'trust.list': method(
    Empty,
    z.strictObject({
      trust: boundedArray(
        z.strictObject({ peer_id: PeerId, weight: Fraction, updated_at: IsoTime }),
        LIMITS.recordEntries,
      ),
    }),
  ),
  'slots.add': method(
    z.strictObject({
      slot_id: z.optional(Id),
      start_time: IsoTime,
      end_time: IsoTime,
      /** A unit takes a core: a slot of less would offer nothing. More than the machine has: all of it. */
      cpu_cores: z.number().check(z.minimum(1), z.maximum(4096)),
      ram_gb: z.number().check(z.positive(), z.maximum(1 << 20)),
      gpu_vram_gb: z.optional(NonNegative.check(z.maximum(1 << 20))),
    }),
    z.strictObject({ slot: AvailabilitySlotSchema }),
  ),
  'slots.list': method(
    Empty,
    z.strictObject({ slots: boundedArray(AvailabilitySlotSchema, LIMITS.slotsPerCommitment) }),
  ),
  'slots.remove': method(z.strictObject({ slot_id: Id }), z.strictObject({ removed: z.boolean() })),
  'sharing.set': method(z.strictObject({ on: z.boolean() }), z.strictObject({ sharing: z.boolean() })),
  'windows.add': method(
    z.partial(WeeklyWindowSchema, { window_id: true }),
    z.strictObject({ window: WeeklyWindowSchema, description: z.string().check(z.maxLength(256)) }),
  ),
  'windows.list': method(
    Empty,
    z.strictObject({
      windows: boundedArray(
        z.strictObject({ window: WeeklyWindowSchema, description: z.string().check(z.maxLength(256)) }),
        LIMITS.recordEntries,
      ),
    }),
  ),
  'windows.remove': method(z.strictObject({ window_id: Id }), z.strictObject({ removed: z.boolean() })),
  'settings.get': method(Empty, z.strictObject({ settings: SharingSettingsSchema })),
  'settings.set': method(
    z.strictObject({
      pause_on_battery: z.optional(z.boolean()),
      idle_only: z.optional(z.boolean()),
      idle_threshold_pct: z.optional(z.number().check(z.minimum(0), z.maximum(100))),
      cpu_cap_pct: z.optional(z.number().check(z.minimum(1), z.maximum(100))),
      blender_sharing: z.optional(z.boolean()),
      blender_min_trust: z.optional(Fraction),
    }),
    z.strictObject({ settings: SharingSettingsSchema }),
  ),
  'policies.get': method(Empty, z.strictObject({ policies: PolicyListSchema })),
  /** Replaces the whole list (an empty one: everyone I trust may use my machine, within their credit). */
  'policies.set': method(
    z.strictObject({ policies: PolicyListSchema }),
    z.strictObject({ policies: PolicyListSchema }),
  ),
  ...JOB_METHODS,
  ...WORKFLOW_METHODS,
  ...BLENDER_METHODS,
  ...CIRCLE_METHODS,
  'prices.set': method(
    z.strictObject({
      per_core_second: z.optional(Credits),
      per_gfuel: z.optional(Credits),
      minimum: z.optional(Credits),
    }),
    z.strictObject({ price: PriceScheduleSchema }),
  ),
  /** What the blob store holds, by kind; each requester's bytes on my disk; the last collection; the settings. */
  'storage.get': method(
    Empty,
    z.strictObject({
      blobs: Count,
      row_bytes: Count,
      file_bytes: Count,
      by_kind: z.strictObject({ module: Count, input: Count, output: Count, shipped: Count, unneeded: Count }),
      /** At most recordEntries, those holding most (core/api/list-bounds.ts); `requesters_total`: all of them. */
      requesters: boundedArray(z.strictObject({ peer_id: PeerId, bytes: Count }), LIMITS.recordEntries),
      requesters_total: Count,
      last_collection: z.nullable(z.strictObject({ at: IsoTime, removed: Count, freed_bytes: Count })),
      freed_bytes_total: Count,
      settings: StorageConfigSchema,
    }),
  ),
  'ledger.get': method(
    z.strictObject({ limit: z._default(z.int().check(z.minimum(0), z.maximum(10_000)), 100) }),
    z.strictObject({
      balance: z.int(),
      /** What peers paid me, and what I paid them, in all: balance is earned − spent. */
      earned: Credits,
      spent: Credits,
      /**
       * My net position with each peer (positive, they owe me), and what each paid me and I paid
       * it. At most recordEntries, the largest balances either way; `peers_total`: all.
       */
      peers: boundedArray(
        z.strictObject({ peer_id: PeerId, balance: z.int(), earned: Credits, spent: Credits }),
        LIMITS.recordEntries,
      ),
      peers_total: Count,
      held: Credits,
      entries: boundedArray(LedgerEntryViewSchema, 10_000),
    }),
  ),
  /** My ledger a job at a time, the job changed last first: the newest `limit`, of `total` (LedgerJobsSchema). */
  'ledger.jobs': method(LedgerJobsParamsSchema, LedgerJobsSchema),
  /** What I earned and spent, transfer by transfer (the newest `limit`, in the order recorded): the earnings chart's data. */
  'ledger.transfers': method(
    z.strictObject({
      limit: z._default(z.int().check(z.minimum(1), z.maximum(10_000)), 1000),
      /** Only transfers recorded after this one (its `seq`): a client that holds the older ones asks for the new. */
      after_seq: z.optional(Count),
    }),
    z.strictObject({ transfers: boundedArray(LedgerTransferViewSchema, 10_000) }),
  ),
  /** Each author's chain as I hold it: at most recordEntries authors, mine first; `total`: all of them. */
  'receipts.verify': method(
    z.strictObject({ author: z.optional(PeerId) }),
    z.strictObject({
      total: Count,
      chains: boundedArray(
        z.strictObject({
          author: PeerId,
          receipts: Count,
          ok: z.boolean(),
          error: z.nullable(z.string().check(z.maxLength(1024))),
        }),
        LIMITS.recordEntries,
      ),
    }),
  ),
  'events.since': method(
    z.strictObject({
      after: z._default(Count, 0),
      limit: z._default(z.int().check(z.minimum(1), z.maximum(10_000)), 1000),
    }),
    z.strictObject({ events: boundedArray(ApiEventSchema, 10_000) }),
  ),
} as const;

type ApiMethods = typeof API_METHODS;
export type MethodName = keyof ApiMethods;
type MethodParams<M extends MethodName> = z.output<ApiMethods[M]['params']>;
/** What a caller may pass (defaults not yet applied). */
export type MethodInput<M extends MethodName> = z.input<ApiMethods[M]['params']>;
export type MethodResult<M extends MethodName> = z.output<ApiMethods[M]['result']>;
export type ApiEvent = z.infer<typeof ApiEventSchema>;
export type ApiEventType = ApiEvent['type'];
/** Everything a node serves: one handler per method, and the event feed. */
export type ApiHandlers = { [M in MethodName]: (params: MethodParams<M>) => Promise<MethodResult<M>> };

export interface EventFeed {
  /** Events after `afterId`, then every new one, until the returned function is called. */
  subscribe(afterId: number, listener: (event: ApiEvent) => void): () => void;
}

const API_ERROR_CODES = ['unauthorized', 'bad_request', 'not_found', 'conflict', 'unavailable', 'internal'] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];
export const ApiErrorSchema = z.strictObject({
  code: z.enum(API_ERROR_CODES),
  message: z.string().check(z.maxLength(4096)),
});

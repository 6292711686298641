// The node's journal vocabulary: every state change is one of these events, written to the
// journal before the derived tables it updates. `event_id` is chosen by the writer and is unique:
// appending an event whose id is already journaled changes nothing (idempotent re-delivery).
import * as z from './zod.js';
import { SharingSettingsSchema, WeeklyWindowSchema } from './availability.js';
import { AvailabilitySlotSchema } from './capability.js';
import { LedgerEntrySchema, type LedgerEntry } from './ledger.js';
import {
  AcceptanceSchema,
  JobRefusalSchema,
  MAX_JOB_REFUSALS,
  OfferSchema,
  OfferTermsSchema,
  PriceScheduleSchema,
  RefusalReasonSchema,
} from './market.js';
import { PolicyListSchema } from './policy.js';
import {
  boundedArray,
  Count,
  Credits,
  Fraction,
  Id,
  isBase64Text,
  IsoTime,
  LIMITS,
  Name,
  PeerId,
} from './primitives.js';
import { ReceiptSchema, SignatureSchema } from './receipts.js';
import { MAX_FRAME, RenderSpecSchema } from './render-job.js';
import { BlenderTilesSchema } from './blender-tiles.js';
import { WorkResultSchema } from './result.js';
import { MAX_REDUNDANCY, MAX_UNITS_PER_PACK, WorkUnitSchema } from './work.js';

const base = { event_id: Id, at: IsoTime };

/** Acceptances in one `offers.accepted` event at most: an `acceptances` message's. */
export const MAX_ACCEPTED_PER_EVENT = 1000;
/** Ledger entries in one `ledger.entries` event at most: a round's escrows, a settlement's closings. */
export const MAX_LEDGER_ENTRIES_PER_EVENT = 1000;
/** Verdicts in one `units.verified` event at most. */
export const MAX_VERDICTS_PER_EVENT = 1000;

/** A unit's verdict, as `unit.verified` journals one and `units.verified` many. */
const verdictFields = {
  unit_id: Id,
  verdict: z.enum(['verified', 'rejected']),
  consensus_hash: z.nullable(Id),
  /** The results that carry the verdict's output (paid); absent in journals from before checks. */
  agreeing_results: z.optional(boundedArray(Id, LIMITS.resultsPerConsensus)),
  /** Those of them accepted on their providers' records alone, unchecked: a conviction reopens the unit. */
  unchecked_results: z.optional(boundedArray(Id, LIMITS.resultsPerConsensus)),
  /** A verified pack's units whose outputs are deterministic failures (core/mesh/rules/packs.ts); absent: none. */
  failed_units: z.optional(z.int().check(z.minimum(1), z.maximum(MAX_UNITS_PER_PACK))),
};

export const JobSchema = z.strictObject({
  job_id: Id,
  requester: PeerId,
  name: Name,
  unit_count: Count.check(z.maximum(LIMITS.unitsPerJob)),
  redundancy: z.int().check(z.minimum(1), z.maximum(MAX_REDUNDANCY)),
  budget: Credits,
  deadline: z.optional(IsoTime),
  /** What the units run (library/method, or wasm for a user's module). */
  algorithm_id: z.optional(Id),
  /** Offers wait for the user (meshctl offers / offers accept) instead of being taken by policy. */
  manual_accept: z.optional(z.boolean()),
  /** Peers I have not trusted may compute its units (see its work requests, take them, fetch their blobs); absent: no. */
  open_to_strangers: z.optional(z.boolean()),
  /**
   * Its units go in packs of this many (core/mesh/rules/packs.ts): `unit_count` counts the packs, each a
   * unit of the state and the market; absent: one unit a pack.
   */
  units_per_pack: z.optional(z.int().check(z.minimum(2), z.maximum(MAX_UNITS_PER_PACK))),
  /** A render job: its units are the tiles of these frames, assembled into one PNG per frame. */
  render: z.optional(RenderSpecSchema),
  /** A Blender job cut into tiles: its units are the tiles of these frames, stitched into one PNG per frame. */
  blender_tiles: z.optional(BlenderTilesSchema),
  /**
   * A Blender job whose frames no crop can check (its compositor reads outside a crop, or I have no
   * Blender): each is compared between two providers, which never convicts. Absent: by a crop, where I have Blender.
   */
  blender_agreement: z.optional(z.literal(true)),
  /**
   * A Blender job whose units are a view layer's render before the compositor (checked by a crop),
   * each frame then composited by me (node/kinds/blender/frames.ts) into one PNG.
   */
  blender_composite: z.optional(z.literal(true)),
});

/** What a batched job's units share: each is this, its id (`${job_id}/${index}`) and its input's CID. */
const UnitTemplateSchema = z.omit(WorkUnitSchema, { unit_id: true, input_cid: true });

/** A batched job's input, stored once: unit i's input is bytes [i × chunk_bytes, (i + 1) × chunk_bytes) of it. */
const JobInputSchema = z.strictObject({
  cid: Id,
  bytes: Count,
  chunk_bytes: z.int().check(z.minimum(1)),
});

/** Base64 of the inputs' sha256, 32 bytes a unit (at most unitsPerBatch units). */
const InputDigests = z.string().check(
  z.minLength(1),
  z.maxLength(Math.ceil((LIMITS.unitsPerBatch * 32) / 3) * 4),
  z.refine(isBase64Text, 'expected base64'),
  z.refine(
    (s) => s.length % 4 === 0 && ((s.length / 4) * 3 - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0)) % 32 === 0,
    {
      message: 'expected whole 32-byte digests',
    },
  ),
);

export const NodeEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('peer.seen'),
    ...base,
    peer_id: PeerId,
    name: z.optional(Name),
    addresses: boundedArray(z.string().check(z.maxLength(LIMITS.nameChars)), LIMITS.addressesPerAdvert),
  }),
  z.strictObject({ type: z.literal('trust.set'), ...base, peer_id: PeerId, weight: Fraction }),
  z.strictObject({ type: z.literal('slot.put'), ...base, slot: AvailabilitySlotSchema }),
  z.strictObject({ type: z.literal('slot.removed'), ...base, slot_id: Id }),
  z.strictObject({
    type: z.literal('job.submitted'),
    ...base,
    job: JobSchema,
    /** Present when its units come in `units.created` batches rather than one `unit.created` each. */
    template: z.optional(UnitTemplateSchema),
    input: z.optional(JobInputSchema),
  }),
  /** The next units of a batched job, from unit `first`, by their inputs' sha256. */
  z.strictObject({
    type: z.literal('units.created'),
    ...base,
    job_id: Id,
    first: Count.check(z.maximum(LIMITS.unitsPerJob)),
    input_digests: InputDigests,
  }),
  z.strictObject({ type: z.literal('unit.created'), ...base, unit: WorkUnitSchema }),
  /** An offer (a provider's own only in journals before 2026-11-23: its offers are no longer journaled). */
  z.strictObject({ type: z.literal('offer.recorded'), ...base, offer: OfferSchema }),
  /**
   * My offer rounds up to `through` are spoken for (their numbers are in my offer ids): a restarted
   * provider goes on after them, so no offer id of mine is ever made twice. A range at a time.
   */
  z.strictObject({ type: z.literal('rounds.reserved'), ...base, through: Count }),
  z.strictObject({
    type: z.literal('offer.accepted'),
    ...base,
    acceptance: AcceptanceSchema,
    /** The accepted offer's terms (since 2026-11): before, the requester journaled the whole offer with it. */
    terms: z.optional(OfferTermsSchema),
  }),
  /**
   * Acceptances of one round (the requester's) or one message (the provider's), each as
   * `offer.accepted` records one: one event for them all, since 2026-11-24. A provider's carry
   * the units it was assigned and had no record of (each a `unit.created` before 2026-11-25).
   */
  z.strictObject({
    type: z.literal('offers.accepted'),
    ...base,
    accepted: boundedArray(
      z.strictObject({
        acceptance: AcceptanceSchema,
        terms: z.optional(OfferTermsSchema),
        unit: z.optional(WorkUnitSchema),
      }),
      MAX_ACCEPTED_PER_EVENT,
    ),
  }),
  /** The provider refused an acceptance of mine, and said why (its policies, my credit with it). */
  z.strictObject({
    type: z.literal('acceptance.refused'),
    ...base,
    assignment_id: Id,
    reason: RefusalReasonSchema,
  }),
  z.strictObject({ type: z.literal('result.recorded'), ...base, result: WorkResultSchema }),
  /** The results of one `results` message that the requester took, as one event (each as `result.recorded`). */
  z.strictObject({
    type: z.literal('results.recorded'),
    ...base,
    results: boundedArray(WorkResultSchema, LIMITS.resultsPerReceipt),
  }),
  z.strictObject({ type: z.literal('unit.verified'), ...base, ...verdictFields }),
  /** Verdicts reached together (in one turn of the requester's), each as `unit.verified` records one; since 2026-11-25. */
  z.strictObject({
    type: z.literal('units.verified'),
    ...base,
    verdicts: boundedArray(z.strictObject(verdictFields), MAX_VERDICTS_PER_EVENT),
  }),
  /**
   * The requester ran the unit itself (`truth`: its output's CID; null for a spot-check that
   * renders part of a GPU tile) and checked results against it. A contradicted result convicts its provider.
   */
  z.strictObject({
    type: z.literal('unit.checked'),
    ...base,
    unit_id: Id,
    truth: z.nullable(Id),
    /** The fuel my run burned, when it reported any: a unit billed by fuel pays this (core/ledger/metered.ts). */
    truth_fuel: z.optional(Count),
    matched: boundedArray(Id, LIMITS.resultsPerConsensus),
    contradicted: boundedArray(Id, LIMITS.resultsPerConsensus),
  }),
  /**
   * The user undid a conviction they found unsound (a check of mine was wrong): the peer's trust
   * and the reputation its conviction took are restored; the results it had are not reopened.
   */
  z.strictObject({ type: z.literal('peer.pardoned'), ...base, peer_id: PeerId }),
  /** A verdict withdrawn: it rested on an unchecked result of a provider since convicted. Decided again, with a check. */
  z.strictObject({ type: z.literal('unit.reopened'), ...base, unit_id: Id, convicted: PeerId }),
  z.strictObject({
    type: z.literal('receipt.stored'),
    ...base,
    cid: Id,
    receipt: ReceiptSchema,
    sig: z.optional(SignatureSchema),
  }),
  /** The user set a running job's budget anew (`jobs.set_budget`): the sum it may hold and pay from now on; a paused job goes on. */
  z.strictObject({ type: z.literal('job.budget_set'), ...base, job_id: Id, budget: Credits }),
  /**
   * A running job of mine paused short of budget (node/mesh/jobs/job-budgets.ts): every offer for
   * it asked more than its budget has left, nothing of it in flight. `needed`: the budget it needs
   * to finish, at the cheapest of those offers; `reason`: why, in words. Its units are offered to
   * no provider until its budget is set anew.
   */
  z.strictObject({
    type: z.literal('job.paused'),
    ...base,
    job_id: Id,
    needed: Credits,
    reason: z.string().check(z.maxLength(1000)),
  }),
  z.strictObject({
    type: z.literal('job.cancelled'),
    ...base,
    job_id: Id,
    /** Why, when the node cancelled it (a render job's later frame broke a limit), not its user. */
    reason: z.optional(z.string().check(z.maxLength(1000))),
  }),
  /**
   * A finished job's units, assignments, offers and receipts leave the node's state (core/mesh/
   * compaction.ts); the journal and the `units` table keep them. `summary`: what the requester's
   * own job still shows; absent for a job of another requester (my work on it as a provider).
   */
  z.strictObject({
    type: z.literal('job.compacted'),
    ...base,
    job_id: Id,
    summary: z.optional(
      z.strictObject({
        verified: Count,
        failed: Count,
        spent: Credits,
        refusals: z.optional(boundedArray(JobRefusalSchema, MAX_JOB_REFUSALS)),
      }),
    ),
  }),
  /** The user deleted a finished job: its outputs are no longer kept (core/mesh/rules/blob-needs.ts). */
  z.strictObject({ type: z.literal('job.deleted'), ...base, job_id: Id }),
  z.strictObject({ type: z.literal('sharing.set'), ...base, on: z.boolean() }),
  /**
   * A peer that signed something bad itself (a body its schema refuses, a type out of its place),
   * or refunded falsely. `count`: the penalties this event stands for, journaled at most once per
   * peer per window (`core/mesh/rules/penalties.ts`); absent, one.
   */
  z.strictObject({
    type: z.literal('peer.penalized'),
    ...base,
    peer_id: PeerId,
    reason: z.string().check(z.maxLength(64)),
    count: z.optional(z.int().check(z.minimum(1), z.maximum(1_000_000_000))),
  }),
  z.strictObject({ type: z.literal('ledger.entry'), ...base, entry: LedgerEntrySchema }),
  /**
   * Entries made or taken together (a round's escrows, a settlement's closings), each as a
   * `ledger.entry` records one; since 2026-11-25. Journaled with those the ledger admits only.
   */
  z.strictObject({
    type: z.literal('ledger.entries'),
    ...base,
    entries: boundedArray(LedgerEntrySchema, MAX_LEDGER_ENTRIES_PER_EVENT),
  }),
  /** Every tile of a render job's frame verified: the frame, stitched and encoded, is this PNG blob. */
  z.strictObject({
    type: z.literal('frame.rendered'),
    ...base,
    job_id: Id,
    frame: z.int().check(z.minimum(0), z.maximum(MAX_FRAME)),
    png_cid: Id,
    /** A composited Blender job's frame: the unit whose render it was composited from (a reopened unit withdraws it). */
    unit_index: z.optional(z.int().check(z.minimum(0), z.maximum(LIMITS.unitsPerJob))),
  }),
  /** The prices this node asks (its earnings settings). */
  z.strictObject({ type: z.literal('price.set'), ...base, price: PriceScheduleSchema }),
  /** A weekly availability window added or changed (by its id), or removed. */
  z.strictObject({ type: z.literal('window.put'), ...base, window: WeeklyWindowSchema }),
  z.strictObject({ type: z.literal('window.removed'), ...base, window_id: Id }),
  /** Pause on battery, only when idle, the CPU cap. */
  z.strictObject({ type: z.literal('settings.set'), ...base, settings: SharingSettingsSchema }),
  /** Who may use my machine, and how much: every acceptance of my compute must pass them all (core/policy). */
  z.strictObject({ type: z.literal('policies.set'), ...base, policies: PolicyListSchema }),
]);

export type Job = z.infer<typeof JobSchema>;
export type JobInput = z.infer<typeof JobInputSchema>;
export type UnitTemplate = z.infer<typeof UnitTemplateSchema>;
export type NodeEvent = z.infer<typeof NodeEventSchema>;
export type NodeEventType = NodeEvent['type'];
export type NodeEventOf<T extends NodeEventType> = Extract<NodeEvent, { type: T }>;

/** A unit's verdict (`unit.verified` without its event's id and time). */
export type UnitVerdict = NodeEventOf<'units.verified'>['verdicts'][number];

/** The verdicts an event journals: a `unit.verified`'s one, a `units.verified`' all, none for any other. */
export function verdictsOf(event: NodeEvent): readonly UnitVerdict[] {
  if (event.type === 'unit.verified') return [event];
  return event.type === 'units.verified' ? event.verdicts : [];
}

/** The ledger entries an event journals: a `ledger.entry`'s one, a `ledger.entries`' all, none for any other. */
export function ledgerEntriesOf(event: NodeEvent): readonly LedgerEntry[] {
  if (event.type === 'ledger.entry') return [event.entry];
  return event.type === 'ledger.entries' ? event.entries : [];
}

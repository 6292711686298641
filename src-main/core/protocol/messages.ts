// The messages peers exchange (docs/PROTOCOL.md), each a body schema and a byte cap that the
// network checks before it decodes anything. Every one travels in a signed envelope; adverts by
// gossip, commitments by gossip and directly, the rest directly between the two peers concerned,
// as request and reply. Each type names its places: a message anywhere else is refused.
import * as z from '../schemas/zod.js';
import { CIRCLE_MESSAGES } from './circle-messages.js';
import type { Places } from './places.js';

export type { Places } from './places.js';
import { BlenderPreflightRequestSchema, BlenderReportSchema } from '../blender/remote-preflight.js';
import {
  AdvertSchema,
  boundedArray,
  ComputeCommitmentSchema,
  Count,
  Id,
  IsoTime,
  LedgerEntrySchema,
  MAX_WASI_STDERR_BYTES,
  NonNegative,
  OfferSchema,
  ReceiptSchema,
  RefusalReasonSchema,
  SignatureSchema,
  VerificationRoleSchema,
  WorkUnitSchema,
  type Acceptance,
  type Offer,
  type WorkUnit,
} from '../schemas/index.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** The most items one batch message carries; a larger batch is split by the sender. */
export const MAX_BATCH = 1000;
/** The most results one `results` message carries: its settlement reply stays within MAX_BATCH entries. */
export const MAX_RESULTS_PER_MESSAGE = 128;
/**
 * Outputs up to MAX_INLINE_BLOB_BYTES ride in a `results` message, up to this many bytes of them
 * per message (the rest go in the next): sealing a message of 1 MiB of them took 14 ms of the
 * sender's main thread, and checking it 11 ms of the receiver's.
 */
export const MAX_INLINE_OUTPUT_BYTES_PER_MESSAGE = 512 * KiB;
/**
 * WASI units' stderr rides in a `results` message (each up to MAX_WASI_STDERR_BYTES), up to this
 * many bytes of it per message; a result whose stderr finds no room goes in the next.
 */
export const MAX_STDERR_BYTES_PER_MESSAGE = 256 * KiB;
/** Inputs up to this size travel inside the acceptances message... */
export const MAX_INLINE_BLOB_BYTES = 16 * KiB;
/** ...up to this many bytes of them per message. */
export const MAX_INLINE_BYTES_PER_MESSAGE = 512 * KiB;

/** A receipt with its author's signature, as messages carry it (node/receipts/signed.ts checks one). */
export const SignedReceiptSchema = z.strictObject({
  receipt: ReceiptSchema,
  sig: SignatureSchema,
});

/**
 * The execution receipts a `results` message carries, as JSON, at most: one a message as a rule,
 * more when results signed apart are sent again together (the rest wait for the next message).
 */
export const MAX_RECEIPT_BYTES_PER_MESSAGE = 512 * KiB;

/**
 * One unit's result in a `results` message: what its receipt entry (one of the message's receipts)
 * does not say. The rest of its WorkResult follows from that entry (unit, output CID, fuel, device),
 * the assignment (its id, and the result id `<assignment_id>/result`), the unit (resources) and the
 * sender (result-intake.ts), so a result cannot contradict what its provider signed.
 */
const ResultItemSchema = z.strictObject({
  assignment_id: Id,
  output_bytes: Count,
  computation_time_seconds: NonNegative,
  timestamp: IsoTime,
  output_base64: z.optional(z.string().check(z.maxLength(Math.ceil(MAX_INLINE_BLOB_BYTES / 3) * 4))),
  /** A WASI unit's stderr (its result's `stderr_cid`): no more than a host keeps, or the message is refused. */
  stderr_base64: z.optional(z.base64().check(z.maxLength(Math.ceil(MAX_WASI_STDERR_BYTES / 3) * 4))),
});

/** A result's id: its assignment's, which was its provider's offer id (authored by it), and `/result`. */
export const resultIdOf = (assignmentId: string): string => `${assignmentId}/result`;

/** A check that `groups` carry at most MAX_BATCH items in all. */
function atMostBatchInAll<G>(itemsOf: (group: G) => readonly unknown[]) {
  return z.refine<G[]>(
    (groups) => groups.reduce((n, group) => n + itemsOf(group).length, 0) <= MAX_BATCH,
    `at most ${MAX_BATCH} in all`,
  );
}

/** What an offer says of its own unit; the rest of it is its group's, but the two peers. */
const OFFER_ITEM = {
  offer_id: true,
  unit_id: true,
  estimated_seconds: true,
  expected_start: true,
  expected_end: true,
} as const;
const OfferItemSchema = z.pick(OfferSchema, OFFER_ITEM);
/**
 * Offers of one round that share their terms (job, slot, tier, price, performance, time): the
 * requester rebuilds each Offer from its item, its group, the sender and itself (offersOf), as the
 * provider made it.
 */
const OfferGroupSchema = z.extend(z.omit(OfferSchema, { ...OFFER_ITEM, requester_peer: true, provider_peer: true }), {
  offers: boundedArray(OfferItemSchema, MAX_BATCH),
});
export type OfferGroup = z.infer<typeof OfferGroupSchema>;

/** Offers as an `offers` message carries them: grouped by their shared terms, in order within a group. */
export function offerGroupsOf(offers: readonly Offer[]): OfferGroup[] {
  const split = offers.map((offer) => {
    const { offer_id, unit_id, estimated_seconds, expected_start, expected_end, ...rest } = offer;
    const { requester_peer: _requester, provider_peer: _provider, ...terms } = rest;
    return { terms, item: { offer_id, unit_id, estimated_seconds, expected_start, expected_end } };
  });
  return [...Map.groupBy(split, ({ terms }) => JSON.stringify(terms)).values()].map((members) => ({
    ...members[0]!.terms,
    offers: members.map(({ item }) => item),
  }));
}

/** Offers as `offers` messages carry them: in order, at most MAX_BATCH a message. */
export function offerMessagesOf(offers: readonly Offer[]): { groups: OfferGroup[] }[] {
  const bodies: { groups: OfferGroup[] }[] = [];
  for (let at = 0; at < offers.length; at += MAX_BATCH)
    bodies.push({ groups: offerGroupsOf(offers.slice(at, at + MAX_BATCH)) });
  return bodies;
}

/** The offers `provider` sent `requester` in these groups, each rebuilt whole. */
export function offersOf(groups: readonly OfferGroup[], provider: string, requester: string): Offer[] {
  return groups.flatMap(({ offers, ...terms }) =>
    offers.map((item) => ({ ...terms, ...item, requester_peer: requester, provider_peer: provider })),
  );
}

/** What a unit says of itself alone in a `units` reply; the rest is its group's. */
const UnitItemSchema = z.pick(WorkUnitSchema, { unit_id: true, input_cid: true });
/**
 * Units of one job that share all but their id and input (a batched job's, as a rule): the
 * provider rebuilds each WorkUnit from its item and its group (unitsOf), as the requester has it.
 */
const UnitGroupSchema = z.extend(z.omit(WorkUnitSchema, { unit_id: true, input_cid: true }), {
  units: boundedArray(UnitItemSchema, MAX_BATCH),
});
export type UnitGroup = z.infer<typeof UnitGroupSchema>;

/** Units as a `units` reply carries them: grouped by all they share, in order within a group. */
export function unitGroupsOf(units: readonly WorkUnit[]): UnitGroup[] {
  const split = units.map(({ unit_id, input_cid, ...shared }) => ({
    shared,
    item: input_cid === undefined ? { unit_id } : { unit_id, input_cid },
  }));
  return [...Map.groupBy(split, ({ shared }) => JSON.stringify(shared)).values()].map((members) => ({
    ...members[0]!.shared,
    units: members.map(({ item }) => item),
  }));
}

/** The units in these groups, each rebuilt whole. */
export function unitsOf(groups: readonly UnitGroup[]): WorkUnit[] {
  return groups.flatMap(({ units, ...shared }) => units.map((item) => ({ ...shared, ...item })));
}

/**
 * Offers a requester took together, with what it decided of them. Each becomes an assignment whose
 * id is its offer's, and whose unit, job and price are its offer's: the provider rebuilds each
 * Acceptance from its own offer, the sender and itself (acceptance-intake.ts), and the requester
 * journals the same one. A round's acceptances share their role, deadline and time as a rule.
 */
const AcceptedOffersSchema = z.strictObject({
  offer_ids: boundedArray(Id, MAX_BATCH),
  role: VerificationRoleSchema,
  deadline: IsoTime,
  timestamp: IsoTime,
});
export type AcceptedOffers = z.infer<typeof AcceptedOffersSchema>;

/** Acceptances as an `acceptances` message carries them: their offer ids, grouped by role, deadline and time, in order. */
export function acceptedOffersOf(
  acceptances: readonly Pick<Acceptance, 'offer_id' | 'role' | 'deadline' | 'timestamp'>[],
): AcceptedOffers[] {
  const groups = Map.groupBy(acceptances, ({ role, deadline, timestamp }) => `${role} ${deadline} ${timestamp}`);
  return [...groups.values()].map((members) => {
    const { role, deadline, timestamp } = members[0]!;
    return { offer_ids: members.map((a) => a.offer_id), role, deadline, timestamp };
  });
}

/** A provider tells a requester of its units' progress at most this often. */
export const PROGRESS_EVERY_MS = 1000;
/** The most samples a render reports (core/blender/args.ts takes no more). */
const MAX_SAMPLES = 1 << 24;

/** Gossip topics, versioned like every protocol id. */
export const ADVERT_TOPIC = '/mesh/1/adverts';
export const commitmentTopic = (peerId: string): string => `/mesh/1/commitments/${peerId}`;

const REPLY: Places = { reply: true };

export const MESSAGE_TYPES = {
  /** Gossip, to all: who I am and what I run. */
  advert: { schema: AdvertSchema, maxBytes: 16 * KiB, places: { gossip: (topic) => topic === ADVERT_TOPIC } },
  /**
   * My slots, open units and trust: by gossip on my own topic (read by the peers that trust me),
   * with the units of my jobs open to strangers only; and directly, with every job's, to each
   * peer I trust that trusts me. Reply to the direct one: `ack` when the peer follows me.
   */
  commitment: {
    schema: ComputeCommitmentSchema,
    maxBytes: 2 * MiB,
    places: { gossip: (topic, author) => topic === commitmentTopic(author), request: true, answer: 'ack' },
  },
  /**
   * Provider → requester: up to `max` more units of a job whose commitment lists fewer than it has
   * open, for a provider that can run the listed ones. Reply: `units`.
   */
  pull: {
    schema: z.strictObject({ job_id: Id, max: z.int().check(z.minimum(1), z.maximum(MAX_BATCH)) }),
    maxBytes: 1 * KiB,
    places: { request: true, answer: 'units' },
  },
  /**
   * Requester → provider, the reply to `pull`: open units of the job that the provider neither holds
   * nor has offered for, those lent to no other provider lately first; none when the job is not
   * open to it.
   */
  units: {
    schema: z.strictObject({
      groups: boundedArray(UnitGroupSchema, MAX_BATCH).check(atMostBatchInAll((group: UnitGroup) => group.units)),
    }),
    maxBytes: 2 * MiB,
    places: REPLY,
  },
  /** Provider → requester: offers for the requester's units (at most MAX_BATCH in all), grouped by their terms. Reply: `ack`. */
  offers: {
    schema: z.strictObject({
      groups: boundedArray(OfferGroupSchema, MAX_BATCH).check(atMostBatchInAll((group: OfferGroup) => group.offers)),
    }),
    maxBytes: 1 * MiB,
    places: { request: true, answer: 'ack' },
  },
  /**
   * Requester → provider: the offers taken (at most MAX_BATCH in all), with the small inputs of
   * their units inline (the provider checks each against its CID), which spares a blob fetch per
   * unit. Reply: `accepted`.
   */
  acceptances: {
    schema: z.strictObject({
      acceptances: boundedArray(AcceptedOffersSchema, MAX_BATCH).check(
        atMostBatchInAll((group: AcceptedOffers) => group.offer_ids),
      ),
      inline: z.optional(
        boundedArray(
          z.strictObject({ cid: Id, base64: z.string().check(z.maxLength(Math.ceil(MAX_INLINE_BLOB_BYTES / 3) * 4)) }),
          MAX_BATCH,
        ),
      ),
    }),
    maxBytes: 2 * MiB,
    places: { request: true, answer: 'accepted' },
  },
  /**
   * Provider → requester, the reply to `acceptances`: the ones refused, with why (policies, credit);
   * every other offer the message named was taken (a list of those was read by no requester).
   */
  accepted: {
    schema: z.strictObject({
      refused: boundedArray(z.strictObject({ assignment_id: Id, reason: RefusalReasonSchema }), MAX_BATCH),
    }),
    maxBytes: 1 * MiB,
    places: REPLY,
  },
  /**
   * Provider → requester: results of units that ended about together (one message, not one a
   * unit), with the execution receipt that signs for them all, and the output itself when it is small (up to
   * MAX_INLINE_BLOB_BYTES, MAX_INLINE_OUTPUT_BYTES_PER_MESSAGE in all; the requester checks it
   * against the output CID), which spares a fetch and keeps it from depending on the provider
   * later. Reply: `settlement`, for all of them.
   */
  results: {
    schema: z.strictObject({
      results: boundedArray(ResultItemSchema, MAX_RESULTS_PER_MESSAGE),
      /** The provider's `execution_batch` receipts that cover these results, each result in one. */
      receipts: boundedArray(SignedReceiptSchema, MAX_RESULTS_PER_MESSAGE),
    }),
    maxBytes: 2 * MiB,
    places: { request: true, answer: 'settlement' },
  },
  /**
   * Provider → requester: how far its renders of the requester's units have come (Blender's own
   * `Sample n/m` lines), the latest of each, at most once a second (PROGRESS_EVERY_MS). Shown in the
   * requester's mosaic; never journaled, paid for or trusted. Reply: `ack`.
   */
  progress: {
    schema: z.strictObject({
      units: boundedArray(
        z.strictObject({ assignment_id: Id, sample: z.int().check(z.minimum(0)), of: z.int().check(z.minimum(1)) }),
        MAX_BATCH,
      ).check(
        z.refine((units) => units.every((u) => u.sample <= u.of && u.of <= MAX_SAMPLES), 'sample n of m, m ≤ 2²⁴'),
      ),
    }),
    maxBytes: 64 * KiB,
    places: { request: true, answer: 'ack' },
  },
  /**
   * Requester → provider: read my scene (a blob of mine, which the provider fetches) with your
   * Blender in your sandbox, for a requester that has none (core/blender/remote-preflight.ts).
   * Refused as a Blender unit would be (sharing off, trust below the threshold, no Blender), and
   * `busy` while one of the same requester's runs. Reply: `blender_report`.
   */
  blender_preflight: {
    schema: BlenderPreflightRequestSchema,
    maxBytes: 1 * KiB,
    places: { request: true, answer: 'blender_report' },
  },
  /** Provider → requester, the reply to `blender_preflight`: the report and the algorithm that read it, or why not. */
  blender_report: { schema: BlenderReportSchema, maxBytes: 2 * MiB, places: REPLY },
  /** Provider → requester: assignments handed back unrun (sharing turned off, a failure, found past their deadline). Reply: `settlement`. */
  release: {
    schema: z.strictObject({
      assignments: boundedArray(Id, MAX_BATCH),
      reason: z.enum(['sharing_off', 'paused', 'failed', 'late']),
    }),
    maxBytes: 256 * KiB,
    places: { request: true, answer: 'settlement' },
  },
  /**
   * Requester → provider (or as a reply): the ledger entries that close the provider's
   * assignments (settle or refund), and the verification receipts behind them.
   */
  settlement: {
    schema: z.strictObject({
      entries: boundedArray(LedgerEntrySchema, MAX_BATCH),
      receipts: boundedArray(SignedReceiptSchema, MAX_BATCH),
      /** Results accepted unchecked: their pay is held until their job completes (a conviction refunds it). */
      held: z.optional(boundedArray(Id, MAX_BATCH)),
    }),
    maxBytes: 1 * MiB,
    places: { request: true, reply: true, answer: 'ack' },
  },
  ack: { schema: z.strictObject({}), maxBytes: 1 * KiB, places: REPLY },
  ...CIRCLE_MESSAGES,
} satisfies Record<string, { schema: z.ZodMiniType; maxBytes: number; places: Places }>;

export type MessageType = keyof typeof MESSAGE_TYPES;
export type MessageBody<T extends MessageType> = z.output<(typeof MESSAGE_TYPES)[T]['schema']>;
export type SignedReceipt = z.infer<typeof SignedReceiptSchema>;
export type ResultItem = z.infer<typeof ResultItemSchema>;

// The market: the advert strangers would see (defined; the node sends none), the provider's offers
// and the requester's acceptances, which alone make an assignment (docs/PROTOCOL.md).
import * as z from './zod.js';
import { VerificationRoleSchema } from './assignment.js';
import {
  boundedArray,
  Count,
  Credits,
  Fraction,
  Id,
  IsoTime,
  LIMITS,
  Name,
  NonNegative,
  PeerId,
  SemVer,
} from './primitives.js';
import { MAX_UNIT_SECONDS, MIN_PERFORMANCE } from './work.js';

/** What a provider charges; the UI calls this the earnings settings. Amounts in millicredits. */
export const PriceScheduleSchema = z.strictObject({
  /** For units with no fuel estimate. */
  per_core_second: Credits,
  /** For units with a fuel estimate (render tiles): per 10⁹ units of fuel, the sandbox's metered work. */
  per_gfuel: z.optional(Credits),
  minimum: Credits,
});

/** A provider's fuel rate, on an offer it priced by fuel: the settle pays the verified fuel at this rate, the offer's price at most. */
const FuelPriceSchema = z.strictObject({ per_gfuel: Credits, minimum: Credits });

export const HardwareSummarySchema = z.strictObject({
  cpu_model: Name,
  cpu_cores: Count,
  ram_gb: NonNegative,
  gpu_model: z.optional(Name),
  gpu_vram_gb: z.optional(NonNegative),
});

/** The small signed advert all peers get, trusted or not. */
export const AdvertSchema = z.strictObject({
  peer_id: PeerId,
  name: Name,
  hardware: HardwareSummarySchema,
  algorithms: boundedArray(z.strictObject({ algorithm_id: Id, version: SemVer }), LIMITS.algorithmsPerSlot),
  price: PriceScheduleSchema,
  addresses: boundedArray(z.string().check(z.maxLength(LIMITS.nameChars)), LIMITS.addressesPerAdvert),
  timestamp: IsoTime,
});

/** A provider's offer of one of its slots for one unit of a requester. */
export const OfferSchema = z.strictObject({
  offer_id: Id,
  round: Count,
  unit_id: Id,
  job_id: Id,
  requester_peer: PeerId,
  provider_peer: PeerId,
  slot_id: Id,
  tier: z.union([z.literal(1), z.literal(2)]),
  /** What the requester escrows: the price, or, with `fuel_price`, the most the unit may cost. */
  price: Credits,
  /** Priced by fuel: the settle pays the unit's verified fuel at this rate, `price` at most (docs/PROTOCOL.md). */
  fuel_price: z.optional(FuelPriceSchema),
  /** No unit takes longer than a year on the reference machine, nor an honest provider 1/MIN_PERFORMANCE times that. */
  estimated_seconds: NonNegative.check(z.maximum(MAX_UNIT_SECONDS / MIN_PERFORMANCE)),
  performance_score: Fraction,
  expected_start: IsoTime,
  expected_end: IsoTime,
  timestamp: IsoTime,
});

/** The requester's acceptance of an offer: the assignment, with the price held in escrow. */
export const AcceptanceSchema = z.strictObject({
  assignment_id: Id,
  offer_id: Id,
  unit_id: Id,
  job_id: Id,
  requester_peer: PeerId,
  provider_peer: PeerId,
  price: Credits,
  role: VerificationRoleSchema,
  deadline: IsoTime,
  timestamp: IsoTime,
});

/** Why a provider refused an acceptance, in words for the requester's user (policies, credit limit). */
/** Characters of a refusal's reason. */
export const MAX_REFUSAL_REASON = 256;
export const RefusalReasonSchema = z.string().check(z.minLength(1), z.maxLength(MAX_REFUSAL_REASON));
/** A provider's refusals of a job's units: the last reason it gave, and how many units (JobView, a compacted job's summary). */
export const JobRefusalSchema = z.strictObject({
  provider: PeerId,
  reason: RefusalReasonSchema,
  units: Count,
  last_at: IsoTime,
});
/** Refusals a job's view lists: the providers most recently refusing. */
export const MAX_JOB_REFUSALS = 64;
export type JobRefusal = z.infer<typeof JobRefusalSchema>;

export type PriceSchedule = z.infer<typeof PriceScheduleSchema>;
export type FuelPrice = z.infer<typeof FuelPriceSchema>;

/**
 * What an accepted offer said that its assignment keeps: the provider's estimate, its fuel rate if
 * priced by fuel, and on the provider's side the slot it took (offers themselves are not journaled).
 */
export const OfferTermsSchema = z.partial(
  z.pick(OfferSchema, { estimated_seconds: true, fuel_price: true, slot_id: true }),
  {
    slot_id: true,
  },
);
export type HardwareSummary = z.infer<typeof HardwareSummarySchema>;
export type Advert = z.infer<typeof AdvertSchema>;
export type Offer = z.infer<typeof OfferSchema>;
export type Acceptance = z.infer<typeof AcceptanceSchema>;
export type OfferTerms = z.infer<typeof OfferTermsSchema>;

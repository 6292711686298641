// What a requester needs computed: units grouped into requests, each unit naming its algorithm
// (library/method@version), its module and input by content hash, and its params.
import * as z from './zod.js';
import { ComputeResourceSchema } from './capability.js';
import {
  boundedArray,
  Count,
  Credits,
  Fraction,
  Id,
  IsoTime,
  LIMITS,
  NonNegative,
  Params,
  PeerId,
  SemVer,
} from './primitives.js';

export const MAX_REDUNDANCY = 16;
/** The longest a unit may be estimated to take on the reference machine: a year. */
export const MAX_UNIT_SECONDS = 365 * 24 * 3600;
/**
 * Performance below this is treated as this, so estimates stay finite: no honest provider
 * estimates a unit at more than its reference time / MIN_PERFORMANCE.
 */
export const MIN_PERFORMANCE = 0.01;
/** The most units one pack holds (core/mesh/rules/packs.ts). */
export const MAX_UNITS_PER_PACK = 256;
/** The largest unit a pack holds (a pack's input is 16 KiB when the node sizes it). */
const MAX_PACK_CHUNK_BYTES = 16 * 1024 * 1024;

/** How replicas of a unit are compared: exact output hash (WASM) or a named comparator (GPU). */
export const VerificationMethodSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('exact_hash') }),
  z.strictObject({ kind: z.literal('comparator'), comparator: Id, tolerance: NonNegative }),
]);

export const WorkUnitSchema = z.strictObject({
  unit_id: Id,
  job_id: Id,
  algorithm_id: Id,
  algorithm_version: SemVer,
  required_resources: ComputeResourceSchema,
  required_dataset: z.optional(Id),
  /** Seconds on the reference machine; a provider divides by its performance score. */
  estimated_duration_seconds: NonNegative.check(z.maximum(MAX_UNIT_SECONDS)),
  /** The fuel the requester expects the unit to burn (render tiles: from a coarse pre-pass). */
  estimated_fuel: z.optional(Count),
  priority: Fraction,
  verification_redundancy: z._default(z.int().check(z.minimum(1), z.maximum(MAX_REDUNDANCY)), 1),
  module_cid: z.optional(Id),
  input_cid: z.optional(Id),
  /**
   * A pack (core/mesh/rules/packs.ts): the input is units' inputs of this many bytes side by side (the
   * last may be shorter), each run alone; the output is their outputs, a dag-cbor list in order.
   */
  pack_chunk_bytes: z.optional(z.int().check(z.minimum(1), z.maximum(MAX_PACK_CHUNK_BYTES))),
  params: z.optional(Params),
  /** The most the requester pays one worker for this unit; offers above it are not accepted. */
  max_price: z.optional(Credits),
  verification: z.optional(VerificationMethodSchema),
  /** The circle the job runs in (core/circles): its members compute it, by its active policy. */
  circle: z.optional(Id),
});

export const WorkRequestSchema = z.strictObject({
  request_id: Id,
  requester_id: PeerId,
  job_id: Id,
  /** Some of the job's units that want workers now: all of them when open_units is absent. */
  work_units: boundedArray(WorkUnitSchema, LIMITS.unitsPerRequest),
  /**
   * Units of the job without a verdict yet, the listed ones among them, when more may want workers
   * than are listed: a provider that can run the listed ones pulls the rest (`pull`).
   */
  open_units: z.optional(Count),
  deadline: z.optional(IsoTime),
  timestamp: IsoTime,
});

export type VerificationMethod = z.infer<typeof VerificationMethodSchema>;
export type WorkUnit = z.infer<typeof WorkUnitSchema>;
export type WorkRequest = z.infer<typeof WorkRequestSchema>;

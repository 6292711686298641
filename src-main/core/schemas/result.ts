// What a provider returns, and the consensus over redundant results. A result names its output by
// content hash and size: outputs travel as blobs, by hash, never inline in a message.
import * as z from './zod.js';
import { ComputeResourceSchema } from './capability.js';
import { boundedArray, Count, Id, IsoTime, LIMITS, NonNegative, PeerId } from './primitives.js';

export const WorkResultSchema = z.strictObject({
  result_id: Id,
  work_unit_id: Id,
  assignment_id: Id,
  computed_by_peer: PeerId,
  output_cid: Id,
  output_bytes: Count,
  /** Deterministic fuel spent (WASM units); absent for GPU units. */
  fuel: z.optional(Count),
  computation_time_seconds: NonNegative,
  resources_used: ComputeResourceSchema,
  verification_hash: Id,
  timestamp: IsoTime,
  /** Where it ran: absent for the CPU (WASM), 'gpu' for WebGPU; a GPU tile is spot-checked on the CPU. */
  device: z.optional(z.literal('gpu')),
  /**
   * A WASI unit's stderr, when it wrote any (its first MAX_WASI_STDERR_BYTES): a diagnostic carried
   * beside the result, no part of `verification_hash`, so it never changes what is verified.
   */
  stderr_cid: z.optional(Id),
});

export const VerificationConsensusSchema = z.strictObject({
  work_unit_id: Id,
  results: boundedArray(WorkResultSchema, LIMITS.resultsPerConsensus),
  consensus_result: z.optional(Id),
  agreement_count: Count,
  total_verifiers: z.int().check(z.minimum(1), z.maximum(LIMITS.resultsPerConsensus)),
  is_verified: z.boolean(),
  timestamp: IsoTime,
});

export type WorkResult = z.infer<typeof WorkResultSchema>;
export type VerificationConsensus = z.infer<typeof VerificationConsensusSchema>;

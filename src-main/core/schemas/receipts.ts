// Proof of what ran. Each receipt names its author's previous receipt (`prev`, a CID, null for the
// first) and its position in that chain (`seq`), so any peer can check the chain it receives.
// A provider signs one `execution_batch` receipt for the results it sends together, and a
// requester one `verification_batch` for the verdicts it reaches together (one signature and one
// chain link per batch, not per unit); `execution` and `verification`, one unit's, are what nodes
// signed before 2026-11-23, still read from their journals and chains.
import * as z from './zod.js';
import { boundedArray, Count, Id, isBase64Text, IsoTime, LIMITS, PeerId } from './primitives.js';

const ChainLink = {
  author: PeerId,
  seq: Count,
  prev: z.nullable(Id),
  timestamp: IsoTime,
};

export const ExecutionReceiptSchema = z.strictObject({
  kind: z.literal('execution'),
  ...ChainLink,
  assignment_id: Id,
  unit_id: Id,
  job_id: Id,
  requester_peer: PeerId,
  module_cid: z.optional(Id),
  input_cid: z.optional(Id),
  output_cid: Id,
  verification_hash: Id,
  fuel: z.optional(Count),
  wall_ms: Count,
  /** Where it ran: absent for the CPU (WASM, metered), 'gpu' for WebGPU (not bit-exact, no fuel). */
  device: z.optional(z.literal('gpu')),
});

/** What one execution receipt says of each unit it covers. */
const ExecutionEntrySchema = z.strictObject({
  assignment_id: Id,
  unit_id: Id,
  job_id: Id,
  module_cid: z.optional(Id),
  input_cid: z.optional(Id),
  /** The output, by the CID it is fetched and voted by. */
  output_cid: Id,
  fuel: z.optional(Count),
  /** The run's wall time. */
  wall_ms: Count,
  device: z.optional(z.literal('gpu')),
});

export const ExecutionBatchReceiptSchema = z.strictObject({
  kind: z.literal('execution_batch'),
  ...ChainLink,
  requester_peer: PeerId,
  results: boundedArray(ExecutionEntrySchema, LIMITS.resultsPerReceipt).check(
    z.refine((r) => r.length > 0, 'at least one result'),
  ),
});

/** A requester's verdict on one unit: which of its results carry the output it took, and which lost. */
const VerdictEntry = {
  unit_id: Id,
  job_id: Id,
  verdict: z.enum(['verified', 'rejected']),
  consensus_hash: z.nullable(Id),
  agreeing: boundedArray(Id, LIMITS.resultsPerConsensus),
  dissenting: boundedArray(Id, LIMITS.resultsPerConsensus),
};

export const VerificationBatchReceiptSchema = z.strictObject({
  kind: z.literal('verification_batch'),
  ...ChainLink,
  verdicts: boundedArray(z.strictObject(VerdictEntry), LIMITS.verdictsPerReceipt).check(
    z.refine((v) => v.length > 0, 'at least one verdict'),
  ),
});

export const VerificationReceiptSchema = z.strictObject({
  kind: z.literal('verification'),
  ...ChainLink,
  ...VerdictEntry,
});

/** An Ed25519 signature (64 bytes), base64. */
export const SignatureSchema = z
  .string()
  .check(z.minLength(1), z.maxLength(256), z.refine(isBase64Text, 'expected base64'));

export const ReceiptSchema = z.discriminatedUnion('kind', [
  ExecutionBatchReceiptSchema,
  ExecutionReceiptSchema,
  VerificationBatchReceiptSchema,
  VerificationReceiptSchema,
]);

export type ExecutionReceipt = z.infer<typeof ExecutionReceiptSchema>;
export type ExecutionEntry = z.infer<typeof ExecutionEntrySchema>;
export type ExecutionBatchReceipt = z.infer<typeof ExecutionBatchReceiptSchema>;
export type VerificationReceipt = z.infer<typeof VerificationReceiptSchema>;
export type VerificationBatchReceipt = z.infer<typeof VerificationBatchReceiptSchema>;
export type Verdict = VerificationBatchReceipt['verdicts'][number];

/** The verdicts a receipt signs: a verification receipt's, one or a batch; none for an execution receipt. */
export function verdictsIn(receipt: Receipt): readonly Verdict[] {
  if (receipt.kind === 'verification_batch') return receipt.verdicts;
  return receipt.kind === 'verification' ? [receipt] : [];
}
export type Receipt = z.infer<typeof ReceiptSchema>;

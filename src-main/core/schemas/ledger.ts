// Mutual-credit ledger entries, as journaled. Amounts are integer millicredits.
// escrow: accepting an offer holds its price from the requester's job budget;
// settle: a verified result pays the worker its share and the verifiers the rest;
// refund: a rejected, late, cancelled or failed assignment releases its hold.
import { z } from 'zod';
import { boundedArray, Credits, Id, IsoTime, PeerId } from './primitives.js';
import { MAX_REDUNDANCY } from './work.js';

export const BPS = 10_000;

export const EscrowEntrySchema = z.strictObject({
  kind: z.literal('escrow'),
  entry_id: Id,
  assignment_id: Id,
  job_id: Id,
  unit_id: Id,
  requester: PeerId,
  worker: PeerId,
  amount: Credits,
  /** The job's budget: the sum held and paid for the job may never exceed it. */
  job_budget: Credits,
  at: IsoTime,
});

export const SettleEntrySchema = z.strictObject({
  kind: z.literal('settle'),
  entry_id: Id,
  assignment_id: Id,
  verifiers: boundedArray(PeerId, MAX_REDUNDANCY),
  worker_share_bps: z.number().int().min(0).max(BPS),
  at: IsoTime,
});

export const RefundEntrySchema = z.strictObject({
  kind: z.literal('refund'),
  entry_id: Id,
  assignment_id: Id,
  reason: z.enum(['rejected', 'late', 'cancelled', 'failed']),
  at: IsoTime,
});

export const LedgerEntrySchema = z.discriminatedUnion('kind', [
  EscrowEntrySchema,
  SettleEntrySchema,
  RefundEntrySchema,
]);

export type EscrowEntry = z.infer<typeof EscrowEntrySchema>;
export type SettleEntry = z.infer<typeof SettleEntrySchema>;
export type RefundEntry = z.infer<typeof RefundEntrySchema>;
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

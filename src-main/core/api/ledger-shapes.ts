// The API's shapes for the ledger (ledger.entries, ledger.jobs, ledger.transfers): its entries,
// a job's part of it, and the transfers between me and each peer.
import * as z from '../schemas/zod.js';
import { boundedArray, Count, Credits, Id, IsoTime, LIMITS, PeerId } from '../schemas/index.js';

export const LedgerEntryViewSchema = z.strictObject({
  entry_id: Id,
  kind: z.enum(['escrow', 'settle', 'reward', 'refund', 'release']),
  assignment_id: Id,
  at: IsoTime,
});

/**
 * A job's part of my ledger (ledger.jobs): I am its requester, or ran or verified some of its units
 * (provider). `entries`: the ledger entries about its assignments (escrow, settle or refund, reward);
 * `paid`: what its escrows paid out to those who ran or verified its units (I paid it as requester,
 * was paid it as provider); `held`: what they hold still; `refunded`: what escrows handed back whole.
 */
const LedgerJobViewSchema = z.strictObject({
  job_id: Id,
  role: z.enum(['requester', 'provider']),
  entries: Count,
  paid: Credits,
  held: Credits,
  refunded: Credits,
});
export const LedgerJobsParamsSchema = z.strictObject({
  limit: z._default(z.int().check(z.minimum(1), z.maximum(LIMITS.recordEntries)), 100),
});
export const LedgerJobsSchema = z.strictObject({
  jobs: boundedArray(LedgerJobViewSchema, LIMITS.recordEntries),
  total: Count,
});

/** Positive: the peer paid me; negative: I paid the peer. */
export const LedgerTransferViewSchema = z.strictObject({
  /** Where it stands in my ledger (its journal event's seq): a later transfer has a larger one. */
  seq: Count,
  at: IsoTime,
  peer_id: PeerId,
  amount: z.int(),
  job_id: Id,
});

export type LedgerTransferView = z.infer<typeof LedgerTransferViewSchema>;

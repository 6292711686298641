// Mutual-credit ledger entries, as journaled. Amounts are integer millicredits.
// escrow: accepting an offer holds its price from the requester's job budget;
// settle: a verified result pays the worker its share (90 %) of its price (the escrow, or less when
//   billed by measured fuel: the rest of the escrow is released at once); the verifiers' share
//   stays with the requester until a reward pays it to those who verified;
// reward: a provider whose own paid result agreed with others' is paid their verifier shares;
// refund: a rejected, late, cancelled or failed assignment releases its hold;
// release: a result billed by fuel and accepted unchecked keeps held only what it will be paid (its
//   fuel's price), the rest of its escrow back with the job until the job completes and pays it.
//   The requester's own: its provider keeps the whole escrow in its ledger and takes no release.
// An assignment has at most one entry of each kind, so an entry's id is its kind and assignment
// (`ledgerEntryId`): the ledger knows an entry applied before from the assignment's escrow alone.
import * as z from './zod.js';
import { boundedArray, Credits, Id, IsoTime, PeerId } from './primitives.js';
import { MAX_REDUNDANCY } from './work.js';

export const BPS = 10_000;

type LedgerEntryKind = 'escrow' | 'settle' | 'reward' | 'refund' | 'release';

/** The id of an assignment's entry of this kind: `settle/<assignment id>`. */
export function ledgerEntryId(kind: LedgerEntryKind, assignmentId: string): string {
  return `${kind}/${assignmentId}`;
}

const idIsKindAndAssignment = z.refine<{ kind: LedgerEntryKind; entry_id: string; assignment_id: string }>(
  (entry) => entry.entry_id === ledgerEntryId(entry.kind, entry.assignment_id),
  { message: 'entry_id must be <kind>/<assignment_id>', path: ['entry_id'] },
);

export const EscrowEntrySchema = z
  .strictObject({
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
  })
  .check(idIsKindAndAssignment);

export const SettleEntrySchema = z
  .strictObject({
    kind: z.literal('settle'),
    entry_id: Id,
    assignment_id: Id,
    /**
     * The price paid, when less than the escrow (billed by measured fuel): the shares are of this,
     * and the rest of the escrow goes back to the job with this entry. Absent: the whole escrow.
     */
    amount: z.optional(Credits),
    worker_share_bps: z.int().check(z.minimum(0), z.maximum(BPS)),
    at: IsoTime,
  })
  .check(idIsKindAndAssignment);

/**
 * Verifier shares, paid on the verifier's own assignment (a ledger holds only its owner's
 * escrows, and the verifier saw none of the others'): `verified` names the assignments of the same
 * unit whose results its own result confirmed.
 */
export const RewardEntrySchema = z
  .strictObject({
    kind: z.literal('reward'),
    entry_id: Id,
    assignment_id: Id,
    verified: boundedArray(Id, MAX_REDUNDANCY).check(
      z.refine((ids) => ids.length > 0, 'names no assignment it verified'),
    ),
    amount: Credits.check(z.minimum(1)),
    at: IsoTime,
  })
  .check(idIsKindAndAssignment);

export const RefundEntrySchema = z
  .strictObject({
    kind: z.literal('refund'),
    entry_id: Id,
    assignment_id: Id,
    reason: z.enum(['rejected', 'late', 'cancelled', 'failed']),
    at: IsoTime,
  })
  .check(idIsKindAndAssignment);

const ReleaseEntrySchema = z
  .strictObject({
    kind: z.literal('release'),
    entry_id: Id,
    assignment_id: Id,
    /** What the escrow holds from now on: less than it held, and what its settle will pay at most. */
    amount: Credits,
    at: IsoTime,
  })
  .check(idIsKindAndAssignment);

export const LedgerEntrySchema = z.discriminatedUnion('kind', [
  EscrowEntrySchema,
  SettleEntrySchema,
  RewardEntrySchema,
  RefundEntrySchema,
  ReleaseEntrySchema,
]);

export type EscrowEntry = z.infer<typeof EscrowEntrySchema>;
export type SettleEntry = z.infer<typeof SettleEntrySchema>;
export type RewardEntry = z.infer<typeof RewardEntrySchema>;
export type RefundEntry = z.infer<typeof RefundEntrySchema>;
export type ReleaseEntry = z.infer<typeof ReleaseEntrySchema>;
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

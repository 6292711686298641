// fast-check arbitraries for ledger entries: each kind, and any of them, each with its id its kind
// and assignment (ledgerEntryId), as the schema asks.
import fc from 'fast-check';
import { ledgerEntryId, LIMITS, MAX_REDUNDANCY } from '../../../src-main/core/schemas/index.js';
import type * as S from '../../../src-main/core/schemas/index.js';
import { creditsArb, idArb, isoTimeArb, peerIdArb, recordOf } from './primitives.js';

/** An assignment id short enough that its entries' ids (`<kind>/<assignment_id>`) are ids too. */
const assignmentIdArb = idArb.filter((id) => id.length <= LIMITS.idChars - 'escrow/'.length);
/** A ledger entry's id is its kind and assignment (ledgerEntryId). */
const withItsId = <E extends Omit<S.LedgerEntry, 'entry_id'>>(arb: fc.Arbitrary<E>) =>
  arb.map((e) => ({ ...e, entry_id: ledgerEntryId(e.kind, e.assignment_id) }));

export const escrowEntryArb = withItsId(
  recordOf<Omit<S.EscrowEntry, 'entry_id'>>({
    kind: fc.constant('escrow' as const),
    assignment_id: assignmentIdArb,
    job_id: idArb,
    unit_id: idArb,
    requester: peerIdArb,
    worker: peerIdArb,
    amount: creditsArb,
    job_budget: creditsArb,
    at: isoTimeArb,
  }),
);

export const settleEntryArb = withItsId(
  recordOf<Omit<S.SettleEntry, 'entry_id'>>(
    {
      kind: fc.constant('settle' as const),
      assignment_id: assignmentIdArb,
      amount: creditsArb,
      worker_share_bps: fc.integer({ min: 0, max: 10_000 }),
      at: isoTimeArb,
    },
    ['amount'],
  ),
);

export const refundEntryArb = withItsId(
  recordOf<Omit<S.RefundEntry, 'entry_id'>>({
    kind: fc.constant('refund' as const),
    assignment_id: assignmentIdArb,
    reason: fc.constantFrom('rejected' as const, 'late' as const, 'cancelled' as const, 'failed' as const),
    at: isoTimeArb,
  }),
);

export const rewardEntryArb = withItsId(
  recordOf<Omit<S.RewardEntry, 'entry_id'>>({
    kind: fc.constant('reward' as const),
    assignment_id: assignmentIdArb,
    verified: fc.array(idArb, { minLength: 1, maxLength: MAX_REDUNDANCY }),
    amount: fc.integer({ min: 1, max: 1_000_000 }),
    at: isoTimeArb,
  }),
);

export const releaseEntryArb = withItsId(
  recordOf<Omit<S.ReleaseEntry, 'entry_id'>>({
    kind: fc.constant('release' as const),
    assignment_id: assignmentIdArb,
    amount: creditsArb,
    at: isoTimeArb,
  }),
);

export const ledgerEntryArb: fc.Arbitrary<S.LedgerEntry> = fc.oneof(
  escrowEntryArb,
  settleEntryArb,
  rewardEntryArb,
  refundEntryArb,
  releaseEntryArb,
);

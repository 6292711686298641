// What a requester tells a provider about its assignments: the ledger entries that closed them
// and the verification receipts behind those entries. Sent as a reply to a result or a release,
// and pushed when a unit is decided or a deadline passes.
import type { MeshState } from '../../core/mesh/state.js';
import type { MessageBody, SignedReceipt } from '../../core/protocol/messages.js';

export function settlementFor(state: MeshState, assignmentIds: readonly string[]): MessageBody<'settlement'> {
  const entries = [];
  const receipts: SignedReceipt[] = [];
  for (const id of assignmentIds) {
    const x = state.assignments.get(id);
    if (!x?.closing) continue;
    entries.push(x.closing);
    const verification = state.verificationOf(x.acceptance.unit_id);
    if (verification?.sig && !receipts.some((r) => r.sig === verification.sig)) receipts.push({ receipt: verification.receipt, sig: verification.sig });
  }
  return { entries, receipts };
}

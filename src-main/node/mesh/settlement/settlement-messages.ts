// What a requester tells a provider about its assignments: the ledger entries that closed them
// and the verification receipts behind its refunds as rejected. Sent as a reply to a result or a release,
// and pushed when a unit is decided or a deadline passes.
import type { MeshState } from '../../../core/mesh/state/state.js';
import type { MessageBody } from '../../../core/protocol/messages.js';
import { ReceiptRoom } from './outgoing-receipts.js';
import { isProvisional } from './pricing.js';

/**
 * The settlement that tells a provider how these assignments closed: their entries, and the
 * verification receipts behind their refunds as rejected (what the provider needs to take them,
 * settlement-intake.ts). A receipt signs a batch of verdicts: those past MAX_SETTLEMENT_RECEIPT_BYTES wait,
 * with their assignments' entries, for the next message (settlementsFor).
 */
export function settlementFor(state: MeshState, assignmentIds: readonly string[]): MessageBody<'settlement'> {
  return settlementsFor(state, assignmentIds)[0]!;
}

/** As settlementFor, in as many messages as the receipts need (always one at least). */
export function settlementsFor(state: MeshState, assignmentIds: readonly string[]): MessageBody<'settlement'>[] {
  const messages: MessageBody<'settlement'>[] = [];
  let rest = assignmentIds;
  do {
    const { message, left } = oneSettlement(state, rest);
    messages.push(message);
    rest = left;
  } while (rest.length > 0);
  return messages;
}

/** The verification receipts one settlement carries, as JSON, at most (the message's cap is 1 MiB). */
export const MAX_SETTLEMENT_RECEIPT_BYTES = 768 * 1024;

function oneSettlement(
  state: MeshState,
  assignmentIds: readonly string[],
): { message: MessageBody<'settlement'>; left: string[] } {
  const entries = [];
  const receipts = new ReceiptRoom(MAX_SETTLEMENT_RECEIPT_BYTES);
  const held: string[] = [];
  const left: string[] = [];
  for (const id of assignmentIds) {
    const assignment = state.assignments.get(id);
    const closing = assignment?.closing;
    const behind =
      closing?.kind === 'refund' && closing.reason === 'rejected'
        ? state.verificationOf(assignment!.acceptance.unit_id)
        : undefined;
    if (behind?.sig && !receipts.take({ ...behind, sig: behind.sig })) {
      left.push(id);
      continue;
    }
    if (assignment && isProvisional(state, assignment)) held.push(id);
    if (!closing) continue;
    entries.push(closing);
    if (assignment.reward) entries.push(assignment.reward);
  }
  const body = { entries, receipts: receipts.list() };
  return { message: held.length > 0 ? { ...body, held } : body, left };
}

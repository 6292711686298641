// The requester's first look at a provider's `results` message: which results answer an
// assignment of mine to that provider, and which of those its signed execution receipts cover,
// as they were run (output, fuel, device). Nothing is journaled here (verdicts.ts does it).
import type { MessageBody, ResultItem, SignedReceipt } from '../../core/protocol/messages.js';
import { authoredBy, type Acceptance, type ExecutionEntry, type WorkResult } from '../../core/schemas/index.js';
import { DEFAULT_LIMITS } from '../exec/index.js';
import { verifyReceipt } from '../receipts/index.js';
import type { NewEvent, NodeContext } from './context.js';

export interface ResultIntake {
  /** New results, each covered by a receipt: to journal and decide. */
  taken: { item: ResultItem; acceptance: Acceptance }[];
  /** Results of assignments that have one already, or are closed (or being closed): sent again. */
  again: ResultItem[];
  /** The receipts that cover `taken`, as events to journal (each once). */
  receipts: NewEvent[];
}

/** `mine`: whether this intake holds the assignment's claim (assignment-claims.ts); one it does not is being closed. */
export async function takeResults(
  ctx: Pick<NodeContext, 'state' | 'me' | 'log'>,
  from: string,
  { results, receipts }: MessageBody<'results'>,
  mine: (assignmentId: string) => boolean = () => true,
): Promise<ResultIntake> {
  const covered = await receiptsOf(ctx.me, from, receipts);
  const intake: ResultIntake = { taken: [], again: [], receipts: [] };
  const used = new Set<NewEvent>();
  for (const item of results) {
    const acceptance = assignedTo(ctx, from, item.result);
    if (!acceptance) continue;
    const assignment = ctx.state.assignments.get(acceptance.assignment_id)!;
    if (assignment.escrow !== 'held' || assignment.result || !mine(acceptance.assignment_id)) {
      intake.again.push(item);
      continue;
    }
    const receipt = covered.get(acceptance.assignment_id);
    if (!receipt || !matches(receipt.entry, item.result)) {
      ctx.log(
        `result for ${acceptance.assignment_id} from ${from} has no matching receipt, votes another hash than its output's, or declares an output over ${DEFAULT_LIMITS.maxOutputBytes} bytes`,
      );
      continue;
    }
    used.add(receipt.event);
    intake.taken.push({ item, acceptance });
  }
  intake.receipts = [...used];
  return intake;
}

/** The acceptance a result from `from` answers, or undefined when it answers none of mine to that provider. */
function assignedTo(ctx: Pick<NodeContext, 'state' | 'me'>, from: string, result: WorkResult): Acceptance | undefined {
  const acceptance = ctx.state.assignments.get(result.assignment_id)?.acceptance;
  const mine =
    acceptance &&
    acceptance.requester_peer === ctx.me &&
    acceptance.provider_peer === from &&
    result.computed_by_peer === from &&
    // Its id is a journal key: the provider's own, or another could take an honest result's id first.
    authoredBy(result.result_id, from) &&
    result.work_unit_id === acceptance.unit_id;
  return mine ? acceptance : undefined;
}

/** The message's execution receipts by `from` for me, signatures checked: each covered assignment's entry, and the event that stores its receipt. */
async function receiptsOf(
  me: string,
  from: string,
  receipts: readonly SignedReceipt[],
): Promise<Map<string, { entry: ExecutionEntry; event: NewEvent }>> {
  const covered = new Map<string, { entry: ExecutionEntry; event: NewEvent }>();
  for (const signed of receipts) {
    const { receipt } = signed;
    if (receipt.kind !== 'execution_batch' || receipt.author !== from || receipt.requester_peer !== me) continue;
    const checked = await verifyReceipt(signed);
    if (!checked.ok || checked.receipt.kind !== 'execution_batch') continue;
    const event: NewEvent = {
      type: 'receipt.stored',
      event_id: `receipt/${checked.cid}`,
      cid: checked.cid,
      receipt: checked.receipt,
      sig: signed.sig,
    };
    for (const entry of checked.receipt.results) covered.set(entry.assignment_id, { entry, event });
  }
  return covered;
}

/** Whether the receipt's entry signs for this result: its unit, output, fuel and device; and an output within what an executor makes. */
function matches(entry: ExecutionEntry, result: WorkResult): boolean {
  return (
    entry.unit_id === result.work_unit_id &&
    entry.output_cid === result.output_cid &&
    entry.fuel === result.fuel && // the fuel billed is the fuel signed for
    entry.device === result.device &&
    // The hash that votes is the CID the output is fetched by: no voting with one output and handing over another.
    result.verification_hash === result.output_cid &&
    // No executor makes more; a size past it would only mislead whoever reads it.
    result.output_bytes <= DEFAULT_LIMITS.maxOutputBytes
  );
}

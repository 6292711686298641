// The requester's first look at a provider's `results` message: which results answer an
// assignment of mine to that provider, and which of those its signed execution receipts cover.
// A result's WorkResult is rebuilt from what its provider signed (the receipt entry's unit, output,
// fuel and device), the assignment and the unit; the item adds only what the entry does not say.
// Nothing is journaled here (verdicts.ts does it); a WASI unit's stderr that came with its result
// is stored, as the blob its result's `stderr_cid` names.
import { resultIdOf, type MessageBody, type ResultItem, type SignedReceipt } from '../../../core/protocol/messages.js';
import {
  MAX_WASI_STDERR_BYTES,
  type Acceptance,
  type ExecutionEntry,
  type WorkResult,
} from '../../../core/schemas/index.js';
import { DEFAULT_LIMITS } from '../../exec/index.js';
import { verifyCheckedReceipt } from '../../receipts/index.js';
import type { NewEvent, NodeContext } from '../context/node-context.js';

/** A result as taken: its WorkResult, and its output when it rode inline. */
export interface TakenResult {
  result: WorkResult;
  output_base64?: string;
}

export interface ResultIntake {
  /** New results, each covered by a receipt: to journal and decide. */
  taken: { item: TakenResult; acceptance: Acceptance }[];
  /** Results of assignments that have one already, or are closed (or being closed): sent again. */
  again: { assignment_id: string; output_cid?: string; output_base64?: string }[];
  /** The receipts that cover `taken`, as events to journal (each once). */
  receipts: NewEvent[];
  /** Results of assignments my state does not have: a compacted job's (how they closed is in the journal), or none of mine. */
  unknown: string[];
}

/** `mine`: whether this intake holds the assignment's claim (assignment-claims.ts); one it does not is being closed. */
export async function takeResults(
  ctx: Pick<NodeContext, 'state' | 'me' | 'log' | 'blobs' | 'kinds'>,
  from: string,
  { results, receipts }: MessageBody<'results'>,
  mine: (assignmentId: string) => boolean = () => true,
): Promise<ResultIntake> {
  const covered = await receiptsOf(ctx.me, from, receipts);
  const intake: ResultIntake = { taken: [], again: [], receipts: [], unknown: [] };
  const used = new Set<NewEvent>();
  for (const item of results) {
    const acceptance = assignedTo(ctx, from, item.assignment_id);
    if (!acceptance) {
      if (!ctx.state.assignments.has(item.assignment_id)) intake.unknown.push(item.assignment_id);
      continue;
    }
    const receipt = covered.get(acceptance.assignment_id);
    const result = receipt && resultOf(ctx, from, item, receipt.entry, acceptance);
    const { output_base64 } = item;
    const assignment = ctx.state.assignments.get(acceptance.assignment_id)!;
    if (assignment.escrow !== 'held' || assignment.result || !mine(acceptance.assignment_id)) {
      intake.again.push({ assignment_id: acceptance.assignment_id, output_cid: result?.output_cid, output_base64 });
      continue;
    }
    if (!receipt || !result) {
      ctx.log(
        `result for ${acceptance.assignment_id} from ${from} has no receipt that covers its unit, or declares an output over ${DEFAULT_LIMITS.maxOutputBytes} bytes`,
      );
      continue;
    }
    used.add(receipt.event);
    const stderrCid = await keepStderr(ctx, from, item);
    intake.taken.push({
      item: {
        result: stderrCid ? { ...result, stderr_cid: stderrCid } : result,
        ...(output_base64 !== undefined ? { output_base64 } : {}),
      },
      acceptance,
    });
  }
  intake.receipts = [...used];
  return intake;
}

/**
 * The stderr a result carried, stored here by its own CID: only a program's unit's (WASI), and no more than a
 * host keeps (MAX_WASI_STDERR_BYTES); any other is refused and the result taken without it. It is
 * a diagnostic beside the output: what the result's receipt signs and its vote (the output CID)
 * are the same with it or without.
 */
async function keepStderr(
  ctx: Pick<NodeContext, 'state' | 'log' | 'blobs' | 'kinds'>,
  from: string,
  item: ResultItem,
): Promise<string | undefined> {
  if (item.stderr_base64 === undefined) return undefined;
  const unitId = ctx.state.assignments.get(item.assignment_id)?.acceptance.unit_id;
  const unit = unitId === undefined ? undefined : ctx.state.units.get(unitId)?.unit;
  const stderr = Buffer.from(item.stderr_base64, 'base64');
  // A program's run has a stderr (its kind's outputs are a program's: core/kinds).
  const program = unit !== undefined && ctx.kinds.of(unit.algorithm_id)?.spec.outputs === 'program';
  if (!program || stderr.byteLength > MAX_WASI_STDERR_BYTES) {
    ctx.log(
      `the stderr of ${item.assignment_id} from ${from} is refused: ${program ? `${stderr.byteLength} bytes, over the ${MAX_WASI_STDERR_BYTES} a host keeps` : 'not a WASI unit'}`,
    );
    return undefined;
  }
  return stderr.byteLength === 0 ? undefined : ctx.blobs.put(stderr);
}

/** My assignment to `from` of that id, or undefined when it is none of mine to that provider. */
function assignedTo(
  ctx: Pick<NodeContext, 'state' | 'me'>,
  from: string,
  assignmentId: string,
): Acceptance | undefined {
  const acceptance = ctx.state.assignments.get(assignmentId)?.acceptance;
  return acceptance && acceptance.requester_peer === ctx.me && acceptance.provider_peer === from
    ? acceptance
    : undefined;
}

/**
 * The result the receipt entry signs for: for the assignment's own unit, and an output within what
 * an executor makes (a size past it would only mislead whoever reads it). Its id is the
 * assignment's, which was its provider's offer id (authored by it, offer-acceptance.ts), and its hash
 * that votes is the CID its output is fetched by: no voting with one output and handing over another.
 */
function resultOf(
  ctx: Pick<NodeContext, 'state'>,
  from: string,
  item: ResultItem,
  entry: ExecutionEntry,
  acceptance: Acceptance,
): WorkResult | undefined {
  const unit = ctx.state.units.get(acceptance.unit_id)?.unit;
  if (!unit || entry.unit_id !== acceptance.unit_id || item.output_bytes > DEFAULT_LIMITS.maxOutputBytes)
    return undefined;
  return {
    result_id: resultIdOf(acceptance.assignment_id),
    work_unit_id: acceptance.unit_id,
    assignment_id: acceptance.assignment_id,
    computed_by_peer: from,
    output_cid: entry.output_cid,
    output_bytes: item.output_bytes,
    computation_time_seconds: item.computation_time_seconds,
    resources_used: unit.required_resources,
    verification_hash: entry.output_cid,
    timestamp: item.timestamp,
    ...(entry.fuel !== undefined ? { fuel: entry.fuel } : {}), // the fuel billed is the fuel signed for
    ...(entry.device ? { device: entry.device } : {}),
  };
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
    const checked = await verifyCheckedReceipt(signed);
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

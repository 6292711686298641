// The provider's results on their way to their requesters: the units that end within a few
// milliseconds of each other go in one `results` message per requester, with one execution
// receipt signed for them all, answered by one settlement, so a stream of tiny units costs a
// message, a signature, a chain link and a journal commit per batch, not per unit: a new result is
// journaled with the receipt of its message (a unit that ended 25 ms before a crash runs again).
import {
  MAX_INLINE_OUTPUT_BYTES_PER_MESSAGE,
  MAX_RECEIPT_BYTES_PER_MESSAGE,
  MAX_RESULTS_PER_MESSAGE,
  MAX_STDERR_BYTES_PER_MESSAGE,
  type MessageBody,
  type ResultItem,
} from '../../../core/protocol/messages.js';
import { MAX_WASI_STDERR_BYTES, type ExecutionEntry, type WorkResult } from '../../../core/schemas/index.js';
import { iso, resultsRecorded, type NodeContext } from '../context/node-context.js';
import { InlineBudget } from '../context/inline-blobs.js';
import { ReceiptRoom, signAndJournal } from '../settlement/outgoing-receipts.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type ResultOutboxNeeds = Pick<
  NodeContext,
  'background' | 'blobs' | 'now' | 'receipts' | 'record' | 'send' | 'signal' | 'state'
>;

/**
 * How long a finished unit's result waits for others to share its message, while others are on
 * their way (units of mine still running or queued): units of tens of milliseconds on a few
 * workers end one at a time, and at 5 ms go one or two a message, each with its receipt, its
 * signature and its settlement back. At 25 ms, 2-3 results a message in `mesh_overhead`; at 100,
 * about 35 % less main-thread CPU a unit on both nodes, and 7 a message; at 250, 14 (43 `results`
 * and 53 settlements for 613 units instead of 94 and 104), and about 20 % less again. Results wait
 * until they have ENOUGH_WORK_MS between them, so this holds a few per worker, well inside the requester's
 * pipeline (pipelineFor: two seconds of work). With nothing else on its way, a result waits only
 * for the rest of its turn of the event loop: a one-unit job, or a job's last results, wait for
 * nothing.
 */
const GATHER_MS = 250;
/**
 * Results enough for a message: as many as one may carry. A message's signature, receipt and
 * settlement are shared by more, and tiny units at ~4,500 a second fill one in ~30 ms, well inside
 * the requester's pipeline to me; at 32, `mesh_tiny` runs ~6 % slower (alternated runs of 100,000
 * units). Slower units still go after GATHER_MS at most.
 */
const ENOUGH_RESULTS = MAX_RESULTS_PER_MESSAGE;
/**
 * Results enough for a message, by the time their units computed: a message's costs (~6 ms of
 * main thread on each node: its receipt, signatures, journal commit and settlement) are then a
 * few percent of its work. Render units of ~60 ms one a message cost their nodes' main threads a
 * third more than gathered (`render_mesh_overhead_pct`'s `cpu_beyond_tiles_pct`); gathered without
 * a bound, ~9 a message make the provider's turns longer (`event_loop_lag_p99_ms`).
 */
const ENOUGH_WORK_MS = 400;

interface Waiting {
  ids: string[];
  /** What the fresh results among them computed, in ms. */
  workMs: number;
  /** Ends the wait: GATHER_MS's timer, or the immediate once `soon`. */
  cancel: () => void;
  /** The message goes at the end of this turn (enough results, or none more on their way). */
  soon: boolean;
  /** Resolved once the message carrying these results has been answered (or failed). */
  sent: Promise<void>;
  done: () => void;
}

export class ResultOutbox {
  /** Results waiting to go, by requester. */
  readonly #waiting = new Map<string, Waiting>();
  #stopped = false;
  /** Settles once the message being made (its receipt signed and journaled) is. */
  #making: Promise<unknown> = Promise.resolve();
  /** New results, by assignment, not journaled yet: they go in with their message's receipt. */
  readonly #unrecorded = new Map<string, WorkResult>();

  constructor(
    private readonly ctx: ResultOutboxNeeds,
    /** The requester's answer: how it closed these assignments. */
    private readonly onSettlement: (requester: string, settlement: MessageBody<'settlement'>) => Promise<void>,
    /** Whether more results of mine are on their way (units running or queued): then a result waits for them. */
    private readonly othersComing: () => boolean,
  ) {}

  /**
   * Sends the assignment's result soon; resolves once its message was answered. `fresh`: a result
   * just computed, journaled with its message's receipt; without it, the result is in my state.
   */
  send(requester: string, assignmentId: string, fresh?: WorkResult): Promise<void> {
    // A unit that ended while the node stopped: its result is journaled, and goes after the restart.
    if (this.#stopped) return fresh ? this.ctx.record(resultsRecorded([fresh])) : Promise.resolve();
    if (fresh) this.#unrecorded.set(assignmentId, fresh);
    let waiting = this.#waiting.get(requester);
    if (!waiting) {
      let done!: () => void;
      const sent = new Promise<void>((resolve) => (done = resolve));
      const timer = setTimeout(() => this.#flush(requester), GATHER_MS);
      this.#waiting.set(
        requester,
        (waiting = { ids: [], workMs: 0, cancel: () => clearTimeout(timer), soon: false, sent, done }),
      );
    }
    if (!waiting.ids.includes(assignmentId)) {
      waiting.ids.push(assignmentId);
      waiting.workMs += (fresh?.computation_time_seconds ?? 0) * 1000;
    }
    if (waiting.ids.length >= MAX_RESULTS_PER_MESSAGE) {
      waiting.cancel();
      this.#flush(requester);
    } else if (
      !waiting.soon &&
      (waiting.ids.length >= ENOUGH_RESULTS || waiting.workMs >= ENOUGH_WORK_MS || !this.othersComing())
    ) {
      // Enough for a message, or none more on their way: it goes once this turn's
      // others (a batch of held results asked again, say) have joined it.
      waiting.cancel();
      waiting.soon = true;
      const immediate = setImmediate(() => this.#flush(requester));
      waiting.cancel = () => clearImmediate(immediate);
    }
    return waiting.sent;
  }

  /** Nothing more goes out; what waits is dropped (it is sent again after a restart), its new results journaled. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const waiting of this.#waiting.values()) {
      waiting.cancel();
      waiting.done();
    }
    this.#waiting.clear();
    const unrecorded = [...this.#unrecorded.values()];
    this.#unrecorded.clear();
    if (unrecorded.length > 0) await this.ctx.record(resultsRecorded(unrecorded));
  }

  #flush(requester: string): void {
    const waiting = this.#waiting.get(requester);
    if (!waiting) return;
    this.#waiting.delete(requester);
    // One message is made at a time: a result sent again meanwhile finds the receipt made for it.
    const made = this.#making.then(() => this.#message(requester, waiting.ids));
    this.#making = made.catch(() => undefined);
    const sending = made.then(async ({ body, later }) => {
      if (body.results.length > 0) {
        const reply = await this.ctx.send(requester, 'results', body);
        if (reply?.type === 'settlement') await this.onSettlement(requester, reply.body as MessageBody<'settlement'>);
      }
      // Results whose receipts did not fit go in the next message.
      for (const id of later) this.ctx.background(`sending the result of ${id}`, this.send(requester, id));
    });
    this.ctx.background(`sending ${waiting.ids.length} results to ${requester}`, sending.finally(waiting.done));
  }

  /**
   * The message for these assignments: their results, one execution receipt signed (and journaled
   * before it leaves) for those that have none yet, the receipts of the others (sent before my
   * restart), and outputs inline while the message has room, and WASI units' stderr beside them
   * (MAX_STDERR_BYTES_PER_MESSAGE). `later`: those whose receipt, small output or stderr found no room.
   */
  async #message(
    requester: string,
    ids: readonly string[],
  ): Promise<{ body: MessageBody<'results'>; later: string[] }> {
    const { state } = this.ctx;
    const fresh = new Map<string, WorkResult>();
    for (const id of ids) {
      const result = this.#unrecorded.get(id);
      if (!result) continue;
      fresh.set(id, result);
      this.#unrecorded.delete(id);
    }
    const unsigned = ids.filter((id) => fresh.has(id) || (state.assignments.get(id)?.result && !state.executionOf(id)));
    if (unsigned.length > 0) await this.#sign(requester, unsigned, fresh);
    const budget = new InlineBudget(this.ctx.blobs, MAX_INLINE_OUTPUT_BYTES_PER_MESSAGE);
    const receipts = new ReceiptRoom(MAX_RECEIPT_BYTES_PER_MESSAGE);
    let stderrRoom = MAX_STDERR_BYTES_PER_MESSAGE;
    const results: ResultItem[] = [];
    const later: string[] = [];
    for (const id of ids) {
      const result = state.assignments.get(id)?.result;
      const stored = result && state.executionOf(id);
      if (!result || !stored?.sig) continue;
      // A small output or a stderr with no room left here rides in the next message rather than be fetched apart.
      const stderr = result.stderr_cid ? this.ctx.blobs.getSmall(result.stderr_cid, MAX_WASI_STDERR_BYTES) : undefined;
      if (
        budget.full(result.output_cid) ||
        (stderr?.byteLength ?? 0) > stderrRoom ||
        !receipts.take({ ...stored, sig: stored.sig })
      ) {
        later.push(id);
        continue;
      }
      stderrRoom -= stderr?.byteLength ?? 0;
      const output = budget.take(result.output_cid);
      const { output_bytes, computation_time_seconds, timestamp } = result;
      results.push({
        assignment_id: id,
        output_bytes,
        computation_time_seconds,
        timestamp,
        ...(output !== undefined ? { output_base64: output } : {}),
        ...(stderr !== undefined ? { stderr_base64: Buffer.from(stderr).toString('base64') } : {}),
      });
    }
    return { body: { results, receipts: receipts.list() }, later };
  }

  /** Signs one execution receipt for these results of mine, and journals it, after the `fresh` results it covers. */
  async #sign(requester: string, ids: readonly string[], fresh: ReadonlyMap<string, WorkResult>): Promise<void> {
    const { state } = this.ctx;
    const entries = ids.map((id): ExecutionEntry => {
      const { acceptance, result: recorded } = state.assignments.get(id)!;
      const result = fresh.get(id) ?? recorded;
      const unit = state.units.get(acceptance.unit_id)?.unit;
      return {
        assignment_id: id,
        unit_id: acceptance.unit_id,
        job_id: acceptance.job_id,
        ...(unit?.module_cid ? { module_cid: unit.module_cid } : {}),
        ...(unit?.input_cid ? { input_cid: unit.input_cid } : {}),
        output_cid: result!.output_cid,
        ...(result!.fuel !== undefined ? { fuel: result!.fuel } : {}),
        wall_ms: Math.round(result!.computation_time_seconds * 1000),
        ...(result!.device ? { device: result!.device } : {}),
      };
    });
    await signAndJournal(
      this.ctx,
      { kind: 'execution_batch', timestamp: iso(this.ctx.now()), requester_peer: requester, results: entries },
      resultsRecorded([...fresh.values()]),
    );
  }
}

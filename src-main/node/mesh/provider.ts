// The provider's half of the round: allocate my slots to the units of peers I follow, offer them,
// run what is accepted in the sandbox, return results with receipts, and journal how each ends.
import { describeError } from '../../core/errors.js';
import type { MessageBody } from '../../core/protocol/messages.js';
import { allocate, OFFER_TTL_MS, unitKey, type Reservation } from '../../core/scheduler/index.js';
import type {
  AvailabilitySlot,
  ComputeCommitment,
  LedgerEntry,
  Offer,
  PriceSchedule,
  WorkUnit,
} from '../../core/schemas/index.js';
import { DEFAULT_LIMITS, ExecError, type Executor } from '../exec/index.js';
import { DETERMINISTIC_GPU_FAILURES, GpuError } from '../gpu/gpu-executor.js';
import type { GpuService } from '../gpu/gpu-service.js';
import { runUnit, type RanUnit } from '../gpu/unit-router.js';
import { cidOfBytes } from '../blobs/cid.js';
import { verifyReceipt } from '../receipts/index.js';
import { iso, type NewEvent, type NodeContext } from './context.js';
import { WORKER_SHARE_BPS } from './settlement.js';

type ReleaseReason = MessageBody<'release'>['reason'];

/** Recently fetched inputs kept in memory: a render job's tiles share their frame's scene. */
const RECENT_INPUT_BYTES = 64 << 20;
/** A result or hand-back that has had no answer is sent again after this long. */
const RETRY_MS = 10_000;
/** Unit failures every honest provider would reproduce: reported as the unit's (agreed) output. */
const DETERMINISTIC_FAILURES = new Set([
  'OutOfFuel',
  'MemoryLimit',
  'BadModule',
  'ForbiddenImport',
  'Trap',
  'UnitFailed',
  'OutputTooLarge',
  'InputTooLarge',
  'BadRequest',
]);

export interface ProviderOptions {
  price(): PriceSchedule;
  /** The slots my commitment offers now. */
  slots(): AvailabilitySlot[];
  /** Assignments run at once: the executor's workers plus a small queue. */
  concurrency: number;
  /** GPU units, where this node has a GPU ready. */
  gpu?: GpuService;
}

export class Provider {
  #roundTimer: NodeJS.Timeout | undefined;
  readonly #queue: string[] = [];
  /** Assignments fetching or running: at most `concurrency`. */
  readonly #running = new Set<string>();
  /** Assignments anywhere between leaving the queue and their result being sent. */
  readonly #busy = new Set<string>();
  /** Units each requester asked for, as last seen in its commitment. */
  readonly #unitsSeen = new Map<string, WorkUnit>();
  /** Inputs that came inline with their acceptances, by CID, until their unit has run. */
  readonly #inline = new Map<string, Uint8Array>();
  /** Inputs fetched lately, least recently used first, at most RECENT_INPUT_BYTES in all. */
  readonly #recentInputs = new Map<string, Uint8Array>();
  #recentBytes = 0;
  /** When each held assignment's result or hand-back was last sent. */
  readonly #lastSent = new Map<string, number>();
  /** Assignments to hand back, with why, until the requester answers. */
  readonly #toRelease = new Map<string, ReleaseReason>();
  /** Stops each running assignment's unit (sharing switched off, or paused). */
  readonly #aborts = new Map<string, AbortController>();
  /** Each assignment between leaving the queue and its end, to wait for when units are stopped. */
  readonly #runs = new Map<string, Promise<void>>();

  constructor(
    private readonly ctx: NodeContext,
    private readonly executor: Executor,
    private readonly options: ProviderOptions,
  ) {}

  get running(): number {
    return this.#running.size;
  }

  get queued(): number {
    return this.#queue.length;
  }

  onCommitment(from: string, commitment: ComputeCommitment): void {
    if (commitment.peer_id !== from) return;
    for (const request of commitment.work_requests) {
      if (request.requester_id !== from) continue;
      for (const unit of request.work_units) this.#unitsSeen.set(unitKey(from, unit.unit_id), unit);
    }
    this.roundSoon();
  }

  roundSoon(): void {
    this.#roundTimer ??= setTimeout(() => {
      this.#roundTimer = undefined;
      this.round().catch((err) => this.ctx.log(`offer round failed: ${describeError(err)}`));
    }, 10);
  }

  /** One allocation round: offers for the units of the peers I follow, by tier, within my slots. */
  async round(): Promise<void> {
    const { state } = this.ctx;
    if (!state.sharing) return;
    const slots = this.options.slots();
    if (slots.length === 0) return;
    const nowMs = this.ctx.now();
    // Units I have offered for or hold already are not offered again, and until an offer expires
    // or its work is done it keeps its share of the slot it was placed in.
    const skip = new Set<string>();
    const reserved: Reservation[] = [];
    for (const offer of state.myOffers.values()) {
      const key = unitKey(offer.requester_peer, offer.unit_id);
      const x = state.assignments.get(offer.offer_id);
      const open = x ? x.escrow === 'held' && !x.result : nowMs - Date.parse(offer.timestamp) < OFFER_TTL_MS;
      if (open || x) skip.add(key);
      const unit = open && (this.#unitsSeen.get(key) ?? state.units.get(offer.unit_id)?.unit);
      if (unit)
        reserved.push({ slot_id: offer.slot_id, resources: unit.required_resources, seconds: offer.estimated_seconds });
    }
    const me: ComputeCommitment = {
      peer_id: this.ctx.me,
      availability_slots: slots,
      work_requests: [],
      trust_weights: Object.fromEntries([...state.trust].map(([peer, t]) => [peer, t.weight])),
      contribution_history: {
        total_work_units_completed: 0,
        total_compute_hours: 0,
        average_result_quality: 1,
        reliability_score: 1,
      },
      damping_factor: 1,
      over_allocation_history: [],
      timestamp: iso(nowMs),
      vector_clock: {},
    };
    const allocation = allocate({
      provider: me,
      requesters: this.ctx.commitments.values(),
      round: state.lastRound + 1,
      nowMs,
      price: this.options.price(),
      skip,
      reserved,
    });
    if (allocation.offers.length === 0) return;
    await this.ctx.record(
      allocation.offers.map((offer) => ({ type: 'offer.recorded', event_id: `offer/${offer.offer_id}`, offer })),
    );
    const byRequester = new Map<string, Offer[]>();
    for (const offer of allocation.offers)
      byRequester.set(offer.requester_peer, [...(byRequester.get(offer.requester_peer) ?? []), offer]);
    await Promise.all([...byRequester].map(([peer, offers]) => this.ctx.send(peer, 'offers', { offers })));
  }

  /** A requester took some of my offers: journal each with its escrow, then run it. */
  async onAcceptances(
    from: string,
    { acceptances, inline = [] }: MessageBody<'acceptances'>,
  ): Promise<MessageBody<'accepted'>> {
    const { state } = this.ctx;
    const wantedInputs = new Set<string>();
    const accepted: string[] = [];
    const refused: string[] = [];
    const events: NewEvent[] = [];
    for (const a of acceptances) {
      const offer = state.myOffers.get(a.offer_id);
      const unit = this.#unitsSeen.get(unitKey(from, a.unit_id)) ?? state.units.get(a.unit_id)?.unit;
      const valid =
        offer &&
        unit &&
        a.requester_peer === from &&
        a.provider_peer === this.ctx.me &&
        a.acceptance_id === a.offer_id &&
        offer.unit_id === a.unit_id &&
        offer.job_id === a.job_id &&
        offer.price === a.price &&
        unit.job_id === a.job_id;
      if (state.assignments.has(a.acceptance_id)) {
        accepted.push(a.acceptance_id); // re-delivered: already mine
        continue;
      }
      if (!valid || !state.sharing) {
        refused.push(a.acceptance_id);
        continue;
      }
      accepted.push(a.acceptance_id);
      if (unit.input_cid) wantedInputs.add(unit.input_cid);
      if (!state.units.has(unit.unit_id)) events.push({ type: 'unit.created', event_id: `unit/${unit.unit_id}`, unit });
      events.push({ type: 'offer.accepted', event_id: `accept/${a.acceptance_id}`, acceptance: a });
      events.push({
        type: 'ledger.entry',
        event_id: `ledger/escrow/${a.acceptance_id}`,
        // The requester polices its own job budget; the provider records the hold it was promised.
        entry: {
          kind: 'escrow',
          entry_id: `escrow/${a.acceptance_id}`,
          assignment_id: a.acceptance_id,
          job_id: a.job_id,
          unit_id: a.unit_id,
          requester: from,
          worker: this.ctx.me,
          amount: a.price,
          job_budget: Number.MAX_SAFE_INTEGER,
          at: a.timestamp,
        },
      });
    }
    for (const blob of inline) {
      if (!wantedInputs.has(blob.cid)) continue;
      const bytes = new Uint8Array(Buffer.from(blob.base64, 'base64'));
      if (cidOfBytes(bytes) === blob.cid) this.#inline.set(blob.cid, bytes); // a mismatch is ignored: the unit fetches its input instead
    }
    await this.ctx.record(events);
    for (const id of accepted) this.enqueue(id);
    return { accepted, refused };
  }

  /** Queues an assignment of mine that has no result yet. */
  enqueue(assignmentId: string): void {
    if (this.#busy.has(assignmentId) || this.#queue.includes(assignmentId)) return;
    this.#queue.push(assignmentId);
    this.#pump();
  }

  /**
   * Drives every assignment I hold to its close: queues what is unrun (after a restart too), hands
   * back what is past its deadline or failed, and resends results and hand-backs that got no
   * answer (the requester was unreachable, or still deciding). On start, on a timer, and at once
   * for a requester that has just connected.
   */
  reconcile(connected?: string): void {
    const nowMs = this.ctx.now();
    for (const id of this.#lastSent.keys()) {
      if (this.ctx.state.assignments.get(id)?.escrow === 'held') continue;
      this.#lastSent.delete(id);
      this.#toRelease.delete(id);
    }
    const releases = new Map<string, { peer: string; reason: ReleaseReason; ids: string[] }>(); // by requester and reason
    for (const [id, x] of this.ctx.state.assignments) {
      const requester = x.acceptance.requester_peer;
      if (
        x.acceptance.provider_peer !== this.ctx.me ||
        x.escrow !== 'held' ||
        this.#busy.has(id) ||
        this.#queue.includes(id)
      )
        continue;
      if (requester !== connected && nowMs - (this.#lastSent.get(id) ?? 0) < RETRY_MS) continue;
      const reason =
        this.#toRelease.get(id) ?? (!x.result && Date.parse(x.acceptance.deadline) < nowMs ? 'late' : undefined);
      if (x.result) void this.#sendResult(id);
      else if (reason) {
        const key = `${reason} ${requester}`;
        const batch = releases.get(key) ?? { peer: requester, reason, ids: [] };
        batch.ids.push(id);
        releases.set(key, batch);
      } else this.enqueue(id);
    }
    for (const { peer, reason, ids } of releases.values()) void this.#release(peer, ids, reason);
  }

  /**
   * Sharing switched off (or paused): everything queued is handed back at once, and every running
   * unit is stopped (its worker replaced) and handed back as it ends, so its job goes on elsewhere.
   */
  async release(reason: 'sharing_off' | 'paused'): Promise<void> {
    // Units still fetching their blobs see sharing is off and hand themselves back too.
    const stopped = [...this.#running].map((id) => this.#runs.get(id));
    for (const [id, abort] of this.#aborts) {
      this.#toRelease.set(id, reason);
      abort.abort();
    }
    const ids = this.#queue.splice(0);
    const byRequester = new Map<string, string[]>();
    for (const id of ids) {
      const requester = this.ctx.state.assignments.get(id)?.acceptance.requester_peer;
      if (requester) byRequester.set(requester, [...(byRequester.get(requester) ?? []), id]);
    }
    await Promise.all([...byRequester].map(([peer, assignments]) => this.#release(peer, assignments, reason)));
    await Promise.all(stopped); // each handed back as it stopped
  }

  async #release(peer: string, assignments: string[], reason: ReleaseReason): Promise<void> {
    const nowMs = this.ctx.now();
    for (const id of assignments) {
      this.#toRelease.set(id, reason);
      this.#lastSent.set(id, nowMs);
    }
    const reply = await this.ctx.send(peer, 'release', { assignments, reason });
    if (reply?.type === 'settlement') await this.applySettlement(peer, reply.body as MessageBody<'settlement'>);
  }

  /**
   * Starts queued assignments while there is room. An assignment holds its place while it fetches
   * and runs; storing, signing and returning its result go on outside it, so the workers never
   * wait on the requester's answer.
   */
  #pump(): void {
    while (this.#running.size < this.options.concurrency && this.#queue.length > 0) {
      const id = this.#queue.shift()!;
      this.#running.add(id);
      this.#busy.add(id);
      const free = () => {
        if (this.#running.delete(id)) this.#pump();
      };
      const run = this.#run(id, free)
        .catch((err) => this.ctx.log(`assignment ${id} failed: ${describeError(err)}`))
        .finally(() => {
          free();
          this.#busy.delete(id);
          this.#runs.delete(id);
          this.roundSoon();
        });
      this.#runs.set(id, run);
    }
  }

  async #run(assignmentId: string, free: () => void): Promise<void> {
    const { state } = this.ctx;
    const x = state.assignments.get(assignmentId);
    const unit = x && state.units.get(x.acceptance.unit_id)?.unit;
    if (!x || !unit || x.escrow !== 'held' || x.result || !state.sharing) {
      if (unit?.input_cid) this.#inline.delete(unit.input_cid);
      return;
    }
    const requester = x.acceptance.requester_peer;
    this.ctx.emit('unit.started', { job_id: unit.job_id, unit_id: unit.unit_id, requester });
    const started = this.ctx.now();
    const module = unit.module_cid
      ? await this.#blob(requester, unit.module_cid, DEFAULT_LIMITS.maxModuleBytes, true)
      : new Uint8Array();
    const input = unit.input_cid
      ? await this.#blob(requester, unit.input_cid, DEFAULT_LIMITS.maxInputBytes, false)
      : new Uint8Array();
    if (unit.input_cid) this.#inline.delete(unit.input_cid);
    const abort = new AbortController();
    this.#aborts.set(assignmentId, abort);
    if (!this.ctx.state.sharing) abort.abort(); // switched off while its blobs were on their way
    const ran = await runUnit(unit, module, input, abort.signal, this.executor, this.options.gpu).catch(
      (err: unknown) => err,
    );
    this.#aborts.delete(assignmentId);
    free();
    let output: Uint8Array;
    let fuel: number | undefined;
    let runMs: number;
    let device: 'gpu' | undefined;
    if (!(ran instanceof Error)) ({ output, fuel, wallMs: runMs, device } = ran as RanUnit);
    else if (
      (ran instanceof ExecError && DETERMINISTIC_FAILURES.has(ran.code)) ||
      (ran instanceof GpuError && DETERMINISTIC_GPU_FAILURES.has(ran.code))
    ) {
      output = new TextEncoder().encode(JSON.stringify({ error: ran.code })); // every honest run fails the same way
      fuel = ran instanceof ExecError ? ran.fuel : undefined;
      runMs = this.ctx.now() - started;
    } else {
      if (ran instanceof GpuError) this.ctx.log(`assignment ${assignmentId} failed on the GPU: ${ran.message}`);
      await this.#release(requester, [assignmentId], this.#toRelease.get(assignmentId) ?? 'failed');
      return;
    }
    const outputCid = await this.ctx.blobs.put(output);
    const hash = outputCid;
    const wallMs = this.ctx.now() - started;
    const receipt = await this.ctx.receipts.next({
      kind: 'execution',
      timestamp: iso(this.ctx.now()),
      assignment_id: assignmentId,
      unit_id: unit.unit_id,
      job_id: unit.job_id,
      requester_peer: requester,
      output_cid: outputCid,
      verification_hash: hash,
      wall_ms: Math.round(wallMs),
      ...(unit.module_cid ? { module_cid: unit.module_cid } : {}),
      ...(unit.input_cid ? { input_cid: unit.input_cid } : {}),
      ...(fuel !== undefined ? { fuel } : {}),
      ...(device ? { device } : {}),
    });
    const result = {
      result_id: `${assignmentId}/result`,
      work_unit_id: unit.unit_id,
      assignment_id: assignmentId,
      computed_by_peer: this.ctx.me,
      output_cid: outputCid,
      output_bytes: output.length,
      computation_time_seconds: runMs / 1000,
      resources_used: unit.required_resources,
      verification_hash: hash,
      timestamp: iso(this.ctx.now()),
      ...(fuel !== undefined ? { fuel } : {}),
      ...(device ? { device } : {}),
    };
    await this.ctx.record([
      { type: 'result.recorded', event_id: `result/${result.result_id}`, result },
      {
        type: 'receipt.stored',
        event_id: `receipt/${receipt.cid}`,
        cid: receipt.cid,
        receipt: receipt.receipt,
        sig: receipt.signed.sig,
      },
    ]);
    await this.#sendResult(assignmentId);
  }

  async #sendResult(assignmentId: string): Promise<void> {
    const x = this.ctx.state.assignments.get(assignmentId);
    const result = x?.result;
    const receipt =
      result &&
      this.ctx.state.receipts
        .get(this.ctx.me)
        ?.find((r) => r.receipt.kind === 'execution' && r.receipt.assignment_id === assignmentId);
    if (!x || !result || !receipt?.sig) return;
    this.#lastSent.set(assignmentId, this.ctx.now());
    const reply = await this.ctx.send(x.acceptance.requester_peer, 'result', {
      result,
      receipt: { receipt: receipt.receipt, sig: receipt.sig },
    });
    if (reply?.type === 'settlement')
      await this.applySettlement(x.acceptance.requester_peer, reply.body as MessageBody<'settlement'>);
  }

  /**
   * A blob from my store or the requester. Modules are kept (their units come by the hundred);
   * inputs only for a while in memory, for the other units that share them (a frame's tiles).
   */
  async #blob(peer: string, cid: string, maxBytes: number, keep: boolean): Promise<Uint8Array> {
    const inline = this.#inline.get(cid);
    if (inline && inline.byteLength <= maxBytes) return inline;
    const stored = this.ctx.blobs.get(cid);
    if (stored) return stored;
    const recent = this.#recentInputs.get(cid);
    if (recent && recent.byteLength <= maxBytes) {
      this.#remember(cid, recent); // now the most recently used
      return recent;
    }
    const bytes = await this.ctx.fetchBlob(peer, cid, maxBytes); // checked against the CID as it arrived
    if (keep) await this.ctx.blobs.putVerified(cid, bytes);
    else this.#remember(cid, bytes);
    return bytes;
  }

  #remember(cid: string, bytes: Uint8Array): void {
    if (this.#recentInputs.delete(cid)) this.#recentBytes -= bytes.byteLength;
    if (bytes.byteLength > RECENT_INPUT_BYTES) return;
    this.#recentInputs.set(cid, bytes);
    this.#recentBytes += bytes.byteLength;
    for (const [oldest, old] of this.#recentInputs) {
      if (this.#recentBytes <= RECENT_INPUT_BYTES) break;
      this.#recentInputs.delete(oldest);
      this.#recentBytes -= old.byteLength;
    }
  }

  /** How a requester closed my assignments: each entry checked against my own escrow, then journaled. */
  async applySettlement(from: string, { entries, receipts }: MessageBody<'settlement'>): Promise<void> {
    const { state } = this.ctx;
    const mine = (entry: LedgerEntry) => {
      const x = state.assignments.get(entry.assignment_id);
      return (
        x?.acceptance.provider_peer === this.ctx.me &&
        x.acceptance.requester_peer === from &&
        x.escrow === 'held' &&
        entry.kind !== 'escrow' &&
        (entry.kind !== 'settle' || (entry.worker_share_bps === WORKER_SHARE_BPS && entry.verifiers.length === 0))
      );
    };
    const events: NewEvent[] = entries
      .filter(mine)
      .map((entry) => ({ type: 'ledger.entry', event_id: `ledger/${entry.entry_id}`, entry }));
    for (const signed of receipts) {
      const checked = await verifyReceipt(signed);
      if (checked.ok && checked.receipt.author === from)
        events.push({
          type: 'receipt.stored',
          event_id: `receipt/${checked.cid}`,
          cid: checked.cid,
          receipt: checked.receipt,
          sig: signed.sig,
        });
    }
    if (events.length === 0) return;
    await this.ctx.record(events);
    for (const entry of entries.filter((e) => e.kind !== 'escrow')) {
      const i = this.#queue.indexOf(entry.assignment_id);
      if (i >= 0 && state.assignments.get(entry.assignment_id)?.escrow !== 'held') this.#queue.splice(i, 1);
    }
  }
}

// A running mesh node: its identity, journal and state, the p2p network, the sandbox, and the
// two halves of the round (requester, provider), wired together. The daemon and the desktop app
// both start one of these; the local API serves it (api-handlers.ts).
import { describeError } from '../../core/errors.js';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { currentAvailability, USER_IDLE_SECONDS, type Availability } from '../../core/availability/index.js';
import { join } from 'node:path';
import type { ApiEvent, ApiEventType } from '../../core/api/contract.js';
import { MeshState } from '../../core/mesh/state.js';
import {
  ADVERT_TOPIC,
  commitmentTopic,
  MESSAGE_TYPES,
  type MessageBody,
  type MessageType,
} from '../../core/protocol/messages.js';
import type { AvailabilitySlot, ComputeCommitment, PriceSchedule } from '../../core/schemas/index.js';
import { BlobStore } from '../blobs/store.js';
import { Executor } from '../exec/index.js';
import { GpuService, type GpuOptions } from '../gpu/gpu-service.js';
import { loadOrCreateIdentity, type Identity } from '../identity/identity.js';
import { Journal } from '../journal/index.js';
import { MeshNetwork, type VerifiedMessage } from '../p2p/index.js';
import { ReceiptChain } from '../receipts/index.js';
import { ALGORITHM_VERSION, RENDER_ALGORITHM, shippedModules, supportedAlgorithms } from './algorithms.js';
import { iso, type NewEvent, type NodeContext } from './context.js';
import { EventLog } from './event-log.js';
import { FrameAssembler } from './frames.js';
import { Machine } from './machine.js';
import { Provider } from './provider.js';
import { Requester } from './requester.js';

export interface MeshNodeOptions {
  dataDir: string;
  listen?: string[];
  mdns?: boolean;
  bootstrap?: string[];
  /** Sandbox worker threads (default: one per core). */
  workers?: number;
  name?: string;
  price?: PriceSchedule;
  /** Seconds added to every deadline (estimate × 3 + this). */
  graceSeconds?: number;
  /** GPU units (default off here; `meshctl node start` defaults to auto). */
  gpu?: GpuOptions;
  log?: (message: string) => void;
}

const COMMITMENT_HEARTBEAT_MS = 2000;
const PUBLISH_INTERVAL_MS = 250;
const DEADLINE_CHECK_MS = 250;
/** 1 credit per core-second; per Gfuel about the same on a core that runs ~3.4 Gfuel/s. */
export const DEFAULT_PRICE: PriceSchedule = { per_core_second: 1000, per_gfuel: 300, minimum: 10 };

export class MeshNode {
  readonly events = new EventLog();
  readonly startedAt = iso(Date.now());
  readonly requester: Requester;
  readonly provider: Provider;
  readonly frames: FrameAssembler;
  readonly machine: Machine;
  readonly gpu: GpuService;
  /** Why I offered nothing at the last look (to tell when that changes). */
  #pausedReason: string | null = null;
  readonly #timers: NodeJS.Timeout[] = [];
  #publishTimer: NodeJS.Timeout | undefined;
  #followed = new Set<string>();
  #clock = 0;
  #lastPublish = 0;
  #stopped = false;

  private constructor(
    readonly options: MeshNodeOptions,
    readonly identity: Identity,
    readonly journal: Journal,
    readonly state: MeshState,
    readonly network: MeshNetwork,
    readonly executor: Executor,
    readonly ctx: NodeContext,
  ) {
    const workers = executor.workers;
    this.frames = new FrameAssembler(ctx);
    this.machine = new Machine(options.dataDir, executor, () => this.availabilityChanged(), ctx.log);
    this.gpu = new GpuService(options.gpu ?? { mode: 'off' });
    // After the CPU calibration: the GPU's score is measured against the same reference.
    void this.machine.ready.then(async () => {
      if (this.#stopped) return;
      const status = await this.gpu.start(this.machine.info, executor);
      if (status.reason) ctx.log(status.reason);
      this.emit('gpu.changed', { state: status.state, reason: status.reason });
      this.availabilityChanged();
    });
    this.requester = new Requester(ctx, executor, {
      graceSeconds: options.graceSeconds ?? 30,
      providerPipeline: 8,
      onVerdict: (unitId) => this.frames.onVerdict(unitId),
    });
    this.provider = new Provider(ctx, executor, {
      price: () => this.price,
      slots: () => this.currentSlots(),
      concurrency: workers + 2,
      gpu: this.gpu,
    });
  }

  /** What I ask for my compute: what the user set, else the node's options, else the defaults. */
  get price(): PriceSchedule {
    return this.state.price ?? this.options.price ?? DEFAULT_PRICE;
  }

  async setPrice(price: PriceSchedule): Promise<void> {
    await this.record([{ type: 'price.set', price }]);
    this.emit('price.changed', {
      per_core_second: price.per_core_second,
      per_gfuel: price.per_gfuel ?? null,
      minimum: price.minimum,
    });
  }

  static async start(options: MeshNodeOptions): Promise<MeshNode> {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    const identity = await loadOrCreateIdentity(options.dataDir);
    const opened = Journal.open(join(options.dataDir, 'journal.sqlite'));
    if (!opened.ok) throw new Error(`journal: ${opened.error.message}`);
    const journal = opened.journal;
    const state = new MeshState(identity.peerId);
    for (const event of journal.events()) state.apply(event);
    const blobs = new BlobStore(join(options.dataDir, 'blobs'));
    await Promise.all(shippedModules().map((module) => blobs.put(module)));
    const mine = state.receipts.get(identity.peerId)?.at(-1);
    const receipts = new ReceiptChain(identity, mine ? { cid: mine.cid, seq: mine.receipt.seq } : undefined);
    const executor = Executor.start({ workers: options.workers ?? cpus().length });
    const network = await MeshNetwork.start({
      identity,
      catalog: MESSAGE_TYPES,
      listen: options.listen,
      mdns: options.mdns ?? true,
      bootstrap: options.bootstrap,
    });
    const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
    let node: MeshNode | undefined;
    const ctx: NodeContext = {
      me: identity.peerId,
      identity,
      state,
      blobs,
      receipts,
      commitments: new Map(),
      now: () => Date.now(),
      record: async (events) => node!.record(events),
      send: async (peer, type, body) => node!.send(peer, type, body),
      fetchBlob: (peer, cid, maxBytes) => network.fetchBlob(peer, cid, { maxBytes, timeoutMs: 30_000 }),
      emit: (type, data) => node!.emit(type, data),
      commitmentChanged: () => node!.publishSoon(),
      log,
    };
    node = new MeshNode(options, identity, journal, state, network, executor, ctx);
    node.#wire();
    await node.requester.resume();
    node.provider.reconcile();
    void node.frames.resume().catch((err) => log(`assembling frames: ${describeError(err)}`));
    return node;
  }

  get peerId(): string {
    return this.identity.peerId;
  }

  #wire(): void {
    const { network } = this;
    network.serveBlobs({ open: (cid) => this.ctx.blobs.open(cid) });
    network.onMessage((msg, from) => this.#onMessage(msg, from.from));
    network.onDrop((peer, reason, detail) => {
      this.emit('message.dropped', { peer, reason, detail: detail.slice(0, 200) });
      void this.record([{ type: 'peer.penalized', peer_id: peer, reason }]);
    });
    network.onPeer((event, peer, addresses) => {
      if (event === 'connect') {
        this.emit('peer.connected', { peer });
        this.provider.reconcile(peer);
        void this.frames.resume().catch((err) => this.ctx.log(`assembling frames: ${describeError(err)}`));
        setTimeout(() => this.publishSoon(), 200); // after the subscription exchange
      } else if (event === 'disconnect') this.emit('peer.disconnected', { peer });
      if (event !== 'disconnect' && addresses.length > 0)
        void this.record([{ type: 'peer.seen', peer_id: peer, addresses: addresses.slice(0, 16) }]);
    });
    network.subscribe(ADVERT_TOPIC);
    this.followTrusted();
    this.#timers.push(setInterval(() => this.availabilityChanged(), COMMITMENT_HEARTBEAT_MS));
    this.#timers.push(
      setInterval(
        () => void this.requester.checkDeadlines().catch((e) => this.ctx.log(describeError(e))),
        DEADLINE_CHECK_MS,
      ),
    );
    this.#timers.push(setInterval(() => this.provider.reconcile(), COMMITMENT_HEARTBEAT_MS));
    this.publishSoon();
  }

  async #onMessage(msg: VerifiedMessage, from: string): Promise<{ type: string; body: unknown } | undefined> {
    const type = msg.type as MessageType;
    switch (type) {
      case 'commitment': {
        const commitment = msg.body as MessageBody<'commitment'>;
        if (commitment.peer_id !== msg.author || !this.#followed.has(msg.author)) return undefined;
        this.ctx.commitments.set(msg.author, commitment);
        this.provider.onCommitment(msg.author, commitment);
        return undefined;
      }
      case 'offers':
        await this.requester.onOffers(from, (msg.body as MessageBody<'offers'>).offers);
        return { type: 'ack', body: {} };
      case 'acceptances':
        return {
          type: 'accepted',
          body: await this.provider.onAcceptances(from, msg.body as MessageBody<'acceptances'>),
        };
      case 'result':
        return { type: 'settlement', body: await this.requester.onResult(from, msg.body as MessageBody<'result'>) };
      case 'release':
        return { type: 'settlement', body: await this.requester.onRelease(from, msg.body as MessageBody<'release'>) };
      case 'settlement':
        await this.provider.applySettlement(from, msg.body as MessageBody<'settlement'>);
        return { type: 'ack', body: {} };
      default:
        return undefined;
    }
  }

  /** Subscribes to the commitments of every peer I trust, and only those (the trust graph). */
  followTrusted(): void {
    const trusted = new Set([...this.state.trust].filter(([, t]) => t.weight > 0).map(([peer]) => peer));
    for (const peer of trusted) if (!this.#followed.has(peer)) this.network.subscribe(commitmentTopic(peer));
    for (const peer of this.#followed) {
      if (trusted.has(peer)) continue;
      this.network.unsubscribe(commitmentTopic(peer));
      this.ctx.commitments.delete(peer);
    }
    this.#followed = trusted;
  }

  async record(events: NewEvent[]): Promise<boolean[]> {
    if (events.length === 0) return [];
    const at = iso(Date.now());
    const full = events.map((e) => ({ event_id: randomUUID(), ...e, at }) as Parameters<MeshState['apply']>[0]);
    const outcomes = await Promise.all(full.map((e) => this.journal.append(e)));
    return outcomes.map((outcome, i) => {
      const event = full[i]!;
      if (!outcome.ok) {
        this.ctx.log(`journal refused ${event.type}: ${outcome.error.message}`);
        return false;
      }
      if (!outcome.duplicate) {
        this.state.apply(event);
        if (event.type === 'ledger.entry')
          this.emit('ledger.entry', { kind: event.entry.kind, assignment_id: event.entry.assignment_id });
      }
      return true;
    });
  }

  async send<T extends MessageType>(
    peer: string,
    type: T,
    body: MessageBody<T>,
  ): Promise<{ type: string; body: unknown } | undefined> {
    try {
      return await this.network.request(peer, type, body, { timeoutMs: 10_000 });
    } catch (err) {
      this.ctx.log(`sending ${type} to ${peer} failed: ${describeError(err)}`);
      return undefined;
    }
  }

  emit(type: ApiEventType, data: ApiEvent['data']): void {
    this.events.push(type, data);
  }

  /**
   * Publishes my commitment soon: at once when the last one went out a while ago, else when
   * PUBLISH_INTERVAL_MS has passed since it. A commitment can carry a thousand units; sending one
   * per result would spend the CPU on signing and validating what barely changed.
   */
  publishSoon(): void {
    if (this.#stopped || this.#publishTimer) return;
    const wait = Math.max(5, this.#lastPublish + PUBLISH_INTERVAL_MS - Date.now());
    this.#publishTimer = setTimeout(() => {
      this.#publishTimer = undefined;
      this.#lastPublish = Date.now();
      this.#publish().catch((err) => this.ctx.log(`publishing my commitment failed: ${describeError(err)}`));
    }, wait);
  }

  async #publish(): Promise<void> {
    this.#clock++;
    const commitment: ComputeCommitment = {
      peer_id: this.peerId,
      availability_slots: this.currentSlots(),
      work_requests: this.requester.workRequests(),
      trust_weights: Object.fromEntries(
        [...this.state.trust].filter(([, t]) => t.weight > 0).map(([peer, t]) => [peer, t.weight]),
      ),
      contribution_history: {
        total_work_units_completed: 0,
        total_compute_hours: 0,
        average_result_quality: 1,
        reliability_score: 1,
      },
      damping_factor: 1,
      over_allocation_history: [],
      timestamp: iso(Date.now()),
      vector_clock: { [this.peerId]: this.#clock },
    };
    await this.network.publish(commitmentTopic(this.peerId), 'commitment', commitment);
    this.provider.roundSoon();
  }

  /**
   * What I offer now (core/availability): the slots of my weekly windows and one-off slots in force,
   * capped by the machine and the CPU cap — or, with none set, all my workers for the next hour —
   * unless sharing is off, I run on battery with "pause on battery", other programs keep the CPU
   * busy with "only when idle", or the calibration has not finished (my bids would be guesses).
   * Sharing is still gated by trust: nobody untrusted sees my slots.
   */
  availability(): Availability {
    if (!this.machine.calibration)
      return {
        slots: [],
        paused: {
          reason: 'calibrating',
          message: "measuring this machine's speed (a second or so after the first start)",
        },
      };
    const nowMs = Date.now();
    // With a GPU ready, render tiles that allow it run there: its score is the render score.
    const score = this.gpu.status.performance_score ?? this.machine.calibration.performance_score;
    const vram = this.gpu.slotVramGb ?? 0;
    const current = currentAvailability({
      nowMs,
      utcOffsetMinutes: (ms) => -new Date(ms).getTimezoneOffset(),
      sharing: this.state.sharing,
      windows: [...this.state.windows.values()],
      oneOffs: [...this.state.slots.values()],
      settings: this.state.settings,
      machine: {
        threads: this.executor.workers,
        ram_gb: this.machine.info?.ram_gb ?? totalmem() / 2 ** 30,
        ...(vram > 0 ? { vram_gb: vram } : {}),
      },
      power: this.machine.power,
      otherLoadPct: this.machine.load.otherLoadPct(),
      userIdleSeconds: this.machine.userIdleSeconds,
      algorithms: supportedAlgorithms(vram > 0).map((id) => ({
        algorithm_id: id,
        version: ALGORITHM_VERSION,
        supported: true,
        performance_score: id === RENDER_ALGORITHM ? score : 1,
      })),
    });
    // A slot already open counts from now: the scheduler sizes a slot by its length.
    const fromNow = iso(nowMs);
    return {
      ...current,
      slots: current.slots.map((s) => (Date.parse(s.start_time) < nowMs ? { ...s, start_time: fromNow } : s)),
    };
  }

  currentSlots(): AvailabilitySlot[] {
    return this.availability().slots;
  }

  /** Power, load, settings or windows changed: republish, and on battery hand running units back. */
  availabilityChanged(): void {
    const { paused } = this.availability();
    if ((paused?.reason ?? null) !== this.#pausedReason) {
      this.#pausedReason = paused?.reason ?? null;
      this.emit('availability.changed', {
        offering: paused === null,
        reason: paused?.reason ?? null,
        message: paused?.message ?? null,
      });
      if (paused?.reason === 'on_battery') void this.provider.release('paused');
    }
    this.publishSoon();
  }

  /** The desktop app's idle signal (powerMonitor): "only when idle" then also waits for the person to step away. */
  setUserIdleSeconds(seconds: number): void {
    const away = (s: number | null) => s === null || s >= USER_IDLE_SECONDS;
    const changed = away(this.machine.userIdleSeconds) !== away(seconds);
    this.machine.userIdleSeconds = seconds;
    if (changed) this.availabilityChanged();
  }

  async setSharing(on: boolean): Promise<void> {
    if (this.state.sharing === on) return;
    await this.record([{ type: 'sharing.set', on }]);
    this.emit('sharing.changed', { sharing: on });
    if (!on) await this.provider.release('sharing_off');
    this.availabilityChanged();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.machine.stop();
    this.frames.stop();
    clearTimeout(this.#publishTimer);
    await this.network.stop();
    await this.gpu.stop();
    await this.executor.close();
    this.journal.close();
  }
}

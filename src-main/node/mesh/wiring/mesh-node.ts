// A running mesh node: its identity, journal and state, the p2p network, the sandbox, and the two
// halves of the round (requester, provider), wired together; the daemon and the desktop app start
// one, and the local API serves it (api-handlers.ts). Its housekeeping (the state's keeper, the
// blob collector) is built in housekeeping.ts. Lifecycle: `start` opens the journal, the blob
// store, the sandbox and the network, in that order (opening.ts), then starts the requester and
// provider; a failed step closes what was opened, in reverse. `stop` aborts every network wait
// (ctx.signal), stops the provider and requester, waits for the work in flight, then closes the
// network, the GPU, the sandbox and the journal.
import { withJobInputs } from '../context/blobs.js';
import type { Availability } from '../../../core/availability/index.js';
import type { ApiEvent, ApiEventType } from '../../../core/api/contract.js';
import { describeError } from '../../../core/errors.js';
import type { MeshState } from '../../../core/mesh/state/state.js';
import { ADVERT_TOPIC } from '../../../core/protocol/messages.js';
import { MIN_PIPELINE } from '../../../core/scheduler/index.js';
import type { AvailabilitySlot, PriceSchedule } from '../../../core/schemas/index.js';
import type { BlobCollector } from '../../blobs/collector.js';
import { RequesterQuota } from '../../blobs/quota.js';
import { loadStorageConfig } from '../../config/storage-config.js';
import type { Executor } from '../../exec/index.js';
import type { GpuService } from '../../gpu/gpu-service.js';
import type { Identity } from '../../identity/identity.js';
import type { Journal } from '../../journal/index.js';
import { Redialer, type MeshNetwork } from '../../p2p/index.js';
import type { AvailabilityWatch } from '../machine/availability.js';
import { CommitmentPublisher } from '../peers/commitment.js';
import { countJobs } from '../views/job-tally.js';
import { journalStep } from '../state/journal-step.js';
import { Following } from '../peers/following.js';
import { iso, type NewEvent, type NodeContext } from '../context/node-context.js';
import { EventLog } from '../views/event-log.js';
import { NodeEvents } from '../context/node-events.js';
import { FrameOutputs } from '../render/frame-outputs.js';
import type { Inbox } from './inbox.js';
import { handleNetwork, onPeerChanges } from './network-handlers.js';
import { Invites } from '../peers/invites.js';
import { InFlight, Opened } from '../basics/lifecycle.js';
import type { Machine } from '../machine/machine.js';
import { openHardware } from '../machine/hardware.js';
import { BlenderProbe } from '../machine/blender-probe.js';
import { nodeKinds } from '../../kinds/built-in.js';
import { askPeersToRead } from '../requester/remote-preflight.js';
import { PeerPreflights } from '../provider/peer-preflights.js';
import { FramePreviews } from '../render/blender-previews.js';
import { peerCalls } from '../peers/peer-calls.js';
import { Heartbeat } from '../peers/heartbeat.js';
import { openResources, type Opening } from './opening.js';
import { Provider } from '../provider/provider.js';
import { Requester } from '../requester/requester.js';
import { openWorkflows, type WorkflowRunner } from '../workflows/workflow-runner.js';
import type { LoadedState, StateKeeper } from '../state/state-keeper.js';
import { openCollector, openKeeper } from './housekeeping.js';
import { logTo, type MeshNodeOptions } from './node-options.js';
import { DEFAULT_PRICE } from '../../../core/scheduler/pricing.js';
import { openCircles, type Circles, type CircleSync } from '../../circles/index.js';

export type { MeshNodeOptions } from './node-options.js';

export class MeshNode {
  readonly events = new EventLog();
  readonly startedAt = iso(Date.now());
  readonly identity: Identity;
  readonly journal: Journal;
  readonly state: MeshState;
  readonly network: MeshNetwork;
  readonly executor: Executor;
  readonly ctx: NodeContext;
  readonly requester: Requester;
  readonly workflows: WorkflowRunner;
  readonly provider: Provider;
  readonly frames: FrameOutputs;
  readonly machine: Machine;
  readonly gpu: GpuService;
  readonly blender: BlenderProbe;
  /** PNG previews of my jobs' verified EXR frames, in a PNG thread of their own. */
  readonly #previews = new FramePreviews();
  readonly invites: Invites;
  /** My circles: their logs, policies and votes (node/circles). */
  readonly circles: Circles;
  readonly #circleSync: CircleSync;
  /** The state's snapshots, and compaction of finished jobs. */
  readonly keeper: StateKeeper;
  /** How this start loaded the state: from a snapshot, or folded in full. */
  readonly loaded: LoadedState;
  readonly collector: BlobCollector;
  /** Dials the peers I trust at start, and again with backoff when they go away. */
  readonly #redial: Redialer;
  readonly #commitment: CommitmentPublisher;
  readonly #following: Following;
  readonly #inbox: Inbox;
  /** Why I offered nothing at the last look (to tell when that changes). */
  readonly #availability: AvailabilityWatch;
  /** My commitment again every 2 s while I have open units, less often when idle. */
  readonly #heartbeat: Heartbeat;
  /** What happens to the node that several pieces act on: each subscribes where it is built. */
  readonly #bus = new NodeEvents();
  /** Aborted by stop: ends every network wait (ctx.signal). */
  readonly #stopping = new AbortController();
  /** Journal writes, sends, fetches, message handlers and background work not yet settled. */
  readonly #inFlight = new InFlight();
  #stopped: Promise<void> | undefined;
  readonly #unlock: () => void;

  private constructor(
    readonly options: MeshNodeOptions,
    opening: Opening,
  ) {
    ({
      unlock: this.#unlock,
      identity: this.identity,
      journal: this.journal,
      state: this.state,
      network: this.network,
      executor: this.executor,
    } = opening);
    const { network, executor } = opening;
    const log = logTo(options);
    const signal = this.#stopping.signal;
    const storage = options.storage ?? loadStorageConfig(options.dataDir);
    const blobs = withJobInputs(opening.blobs, this.state);
    const quota = new RequesterQuota(storage.requester_quota_bytes);
    const bus = this.#bus;
    ({ circles: this.circles, sync: this.#circleSync } = openCircles(this.journal.connection, network, () => this.ctx));
    // Every piece is built after what it calls, and reaches what is built after it only through the bus.
    this.ctx = {
      me: this.identity.peerId,
      identity: this.identity,
      state: this.state,
      blobs,
      quota,
      receipts: opening.receipts,
      events: bus,
      commitments: new Map(),
      now: () => Date.now(),
      signal,
      record: (events) => this.record(events),
      ...peerCalls(network, signal, this.#inFlight, log),
      circles: this.circles,
      background: (what, work) => this.#background(what, work),
      emit: (type, data) => this.emit(type, data),
      commitmentChanged: (newJob) => bus.emit('commitment.changed', newJob ?? false),
      log,
      kinds: nodeKinds(() => this.ctx.blender, options.kinds),
      blender: (this.blender = new BlenderProbe(
        this.state,
        () => bus.emit('availability.changed'),
        log,
        this.#previews,
        (scene, whyNotHere) => askPeersToRead(this.ctx, scene, whyNotHere),
        signal,
      )),
    };
    const loaded = (this.loaded = opening.loaded);
    this.keeper = openKeeper(
      this.journal,
      this.state,
      (events) => this.record(events),
      log,
      options.history,
      loaded.snapshotSeq,
    );
    this.frames = new FrameOutputs(this.ctx, this.journal.archive);
    ({
      machine: this.machine,
      gpu: this.gpu,
      availability: this.#availability,
    } = openHardware(options.dataDir, options.gpu, this.state, executor, this.blender, this.ctx.kinds, {
      changed: () => bus.emit('availability.changed'),
      stopped: () => this.#stopped !== undefined,
      onBattery: () => bus.emit('on-battery'),
      publishSoon: () => bus.emit('commitment.changed', false),
      emit: (type, data) => this.emit(type, data),
      log,
    }));
    const availability = this.#availability;
    bus.on('availability.changed', () => void (this.#stopped || availability.changed()));
    this.requester = new Requester(this.ctx, executor, {
      graceSeconds: options.graceSeconds ?? 30,
      providerPipeline: MIN_PIPELINE,
      dataLocality: options.dataLocality,
      onVerdict: (unitId) => this.frames.onVerdict(unitId),
      closedEarlier: (provider, ids) => this.journal.ledger.closings(this.identity.peerId, provider, ids),
      connectedPeers: () => network.connectedPeers(),
      price: () => this.price,
    });
    this.workflows = openWorkflows(this.ctx, this.journal, this.requester);
    this.provider = new Provider(this.ctx, executor, {
      price: () => this.price,
      slots: () => this.currentSlots(),
      concurrency: executor.workers + 2,
      gpu: this.gpu,
    });
    const provider = this.provider;
    this.collector = openCollector({
      journal: this.journal,
      blobs,
      state: this.state,
      storage,
      quota,
      log,
      workflows: this.workflows,
      provider,
    });
    const commitment = (this.#commitment = new CommitmentPublisher(this.ctx, network, {
      slots: () => this.currentSlots(),
      workRequests: (audience) => this.requester.workRequests(audience),
      contribution: () => provider.contribution(),
      published: () => provider.roundSoon(),
    }));
    this.#following = new Following(this.ctx, network, (peer) => commitment.resend(peer));
    const redial = (this.#redial = new Redialer(network.reach, (peer) => network.reach.link(peer) !== null, log));
    const requester = this.requester;
    const heartbeat = (this.#heartbeat = new Heartbeat(
      () => !requester.hasOpenUnits(),
      () => this.availabilityChanged(),
    ));
    onPeerChanges(bus, {
      redial,
      waking: [this.machine, { wake: () => void (this.#stopped || heartbeat.wake()) }],
      emit: (type, data) => this.emit(type, data),
      publishSoon: () => this.publishSoon(),
    });
    this.invites = Invites.of(this, network.reach, log);
    const inbox = { requester, provider, following: this.#following, circles: this.#circleSync };
    this.#inbox = { ...inbox, me: this.ctx.me, preflights: new PeerPreflights(this.ctx) };
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

  /** Opens everything in order; a failure closes what was opened, in reverse, and is rethrown. */
  static async start(options: MeshNodeOptions): Promise<MeshNode> {
    const opened = new Opened(logTo(options));
    let node: MeshNode;
    try {
      node = new MeshNode(options, await openResources(options, opened));
    } catch (err) {
      await opened.closeAll();
      throw err;
    }
    // From here the node owns what was opened: its stop closes it all.
    try {
      await node.#start();
    } catch (err) {
      await node.stop();
      throw err;
    }
    return node;
  }

  async #start(): Promise<void> {
    this.collector.start(); // first, so that the quotas are counted before any acceptance
    this.#wire();
    await this.requester.start();
    this.workflows.start();
    this.provider.start();
    this.keeper.start();
    this.#background('assembling frames', this.frames.resume());
    this.#background(
      'counting jobs',
      countJobs(this.state, () => this.#stopped !== undefined),
    );
    if (!this.options.deferMachine) this.machine.start();
  }

  get peerId(): string {
    return this.identity.peerId;
  }

  #wire(): void {
    handleNetwork(this.network, {
      state: this.state,
      blobs: this.ctx.blobs,
      invites: this.invites,
      inbox: this.#inbox,
      bus: this.#bus,
      stopped: () => this.#stopped !== undefined,
      track: (work) => this.#inFlight.track(work),
      background: (what, work) => this.#background(what, work),
      record: (events) => this.record(events),
      emit: (type, data) => this.emit(type, data),
    });
    this.network.subscribe(ADVERT_TOPIC);
    this.#circleSync.start(this.#bus);
    this.followTrusted();
    this.#heartbeat.start();
    this.publishSoon();
  }

  /** My trust in `peer` changed: the topics I follow, and my commitment to it, if I trust it now. */
  trustChanged(peer: string): void {
    this.followTrusted();
    this.#commitment.resend(peer);
  }

  /** Follows the commitments of the peers I trust (the trust graph), keeps them connected, and has the relay slots follow. */
  followTrusted(): void {
    this.#following.followTrusted(this.state);
    const trusted = [...this.state.trust].filter(([, t]) => t.weight > 0).map(([peer]) => peer);
    this.#redial.keep(trusted.map((peer) => [peer, this.state.peers.get(peer)?.addresses ?? []]));
    this.network.reach.trustChanged();
  }

  /** See NodeContext.record: throws RecordError when the journal refuses an event for any reason but the ledger's. */
  record(events: NewEvent[]): Promise<void> {
    return this.#inFlight.track(this.#record(events));
  }

  async #record(events: NewEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      await journalStep(this, events);
    } finally {
      this.#bus.emit('wake'); // the watchers and the heartbeat are back to their shortest intervals
    }
  }

  #background(what: string, work: Promise<unknown>): void {
    this.#inFlight.track(work).catch((err) => this.ctx.log(`${what}: ${describeError(err)}`));
  }

  emit(type: ApiEventType, data: ApiEvent['data']): void {
    this.events.push(type, data);
    // What waits on a job of mine (a workflow's step) hears that it ended when the API does: once a
    // completion (a job with frames, once they are made), and at a cancel.
    if ((type === 'job.completed' || type === 'job.cancelled') && typeof data['job_id'] === 'string')
      this.#bus.emit('job.ended', data['job_id']);
  }

  /** Publishes my commitment soon (throttled: commitment.ts), or at once (`now`: a new job). */
  publishSoon(now = false): void {
    this.#commitment.soon(now);
  }

  /** What I offer now, and why not when nothing (availability.ts). */
  availability(): Availability {
    return this.#availability.now();
  }

  currentSlots(): AvailabilitySlot[] {
    return this.availability().slots;
  }

  /** Power, load, settings or windows changed: republish, and on battery hand running units back. */
  availabilityChanged(): void {
    this.#bus.emit('availability.changed');
  }

  /** The desktop app's idle signal (powerMonitor): "only when idle" then also waits for the person to step away. */
  setUserIdleSeconds(seconds: number): void {
    if (this.#availability.userIdle(seconds)) this.availabilityChanged();
  }

  async setSharing(on: boolean): Promise<void> {
    if (this.state.sharing === on) return;
    await this.record([{ type: 'sharing.set', on }]);
    this.emit('sharing.changed', { sharing: on });
    if (!on) await this.provider.release('sharing_off');
    this.availabilityChanged();
  }

  /** Stops everything, in the reverse order of start; resolves once all is closed. Idempotent. */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    const log = (what: string) => (err: unknown) => this.ctx.log(`stopping ${what}: ${describeError(err)}`);
    this.#stopping.abort(); // every network wait ends now
    for (const piece of [this.#heartbeat, this.#redial, this.#commitment, this.collector, this.#circleSync])
      piece.stop();
    await this.provider.stop().catch(log('the provider'));
    await this.workflows.stop().catch(log('the workflows'));
    await this.requester.stop().catch(log('the requester'));
    this.frames.stop();
    this.#previews.close();
    this.machine.stop();
    await this.#inFlight.settled();
    await this.network.stop().catch(log('the network'));
    await this.#inFlight.settled(); // what the network delivered while it closed
    await this.gpu.stop().catch(log('the GPU'));
    await this.executor.close().catch(log('the sandbox'));
    await this.keeper.stop(); // after the last change to the state: the next start folds nothing
    this.ctx.blobs.close();
    this.journal.close();
    this.#unlock(); // another node may open the data dir now
  }
}

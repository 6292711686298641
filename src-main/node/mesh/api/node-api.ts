// What the local API may do with a running node, as one interface: the handlers name an operation
// (submit a job, set its budget, read the ledger, connect to a peer) and never walk the node's
// fields. `nodeApi` is the one place that reaches into MeshNode's pieces for them.
import type { ApiEvent, ApiEventType } from '../../../core/api/contract.js';
import type { MeshState } from '../../../core/mesh/state/state.js';
import type { ComputeCommitment, PriceSchedule } from '../../../core/schemas/index.js';
import type { BlobCollector } from '../../blobs/collector.js';
import type { GpuService } from '../../gpu/gpu-service.js';
import type { Archive } from '../../journal/archive.js';
import type { Journal } from '../../journal/index.js';
import type { MeshNetwork } from '../../p2p/index.js';
import type { Blobs } from '../context/blobs.js';
import type { NewEvent } from '../context/node-context.js';
import type { JobBudgets } from '../jobs/job-budgets.js';
import type { JobQuotes } from '../jobs/job-quotes.js';
import type { JobSubmits } from '../jobs/job-submits.js';
import type { BlenderProbe } from '../machine/blender-probe.js';
import type { Machine } from '../machine/machine.js';
import type { Provider } from '../provider/provider.js';
import type { FrameOutputs } from '../render/frame-outputs.js';
import type { Requester } from '../requester/requester.js';
import { PackOutputs } from '../units/pack-outputs.js';
import type { EventLog } from '../views/event-log.js';
import { outputsPage, unitStderr, verifiedOutput } from '../views/job-outputs.js';
import type { UnitSources } from '../views/job-view.js';
import type { MeshNode } from '../wiring/mesh-node.js';
import type { WorkflowRunner } from '../workflows/workflow-runner.js';
import type { Circles } from '../../circles/index.js';
import type { ReachDeps } from './reach-handlers.js';

export interface NodeApi {
  readonly peerId: string;
  /** The node's name (its options'), else the end of its peer id. */
  readonly name: string;
  readonly mdns: boolean;
  readonly startedAt: string;
  /** What the handlers read; they change it only through `record` and the operations below. */
  readonly state: MeshState;
  readonly price: PriceSchedule;
  /** How long finished jobs are kept before compaction. */
  readonly retentionMs: number;
  /** Sandbox worker threads. */
  readonly workers: number;
  record(events: NewEvent[]): Promise<void>;
  emit(type: ApiEventType, data: ApiEvent['data']): void;
  log(message: string): void;
  readonly events: Pick<EventLog, 'since'>;
  readonly network: Pick<MeshNetwork, 'dropped' | 'blobsServed' | 'connectedPeers' | 'listenAddresses' | 'connect'> &
    Pick<MeshNetwork['reach'], 'link'>;
  /** The trust `peer`'s last commitment says it has in me, if I follow it. */
  theirTrustInMe(peer: string): number | undefined;
  trustChanged(peer: string): void;
  /** What I share now, and the switches and settings that change it. */
  readonly sharing: Pick<MeshNode, 'availability' | 'availabilityChanged' | 'setSharing' | 'setPrice' | 'publishSoon'>;
  readonly provider: Pick<Provider, 'running' | 'queued' | 'contribution' | 'roundSoon'>;
  readonly machine: Pick<Machine, 'info' | 'power' | 'calibration' | 'otherLoadPct'>;
  readonly gpu: Pick<GpuService, 'status' | 'acceptsShaderUnits'>;
  readonly blender: Pick<BlenderProbe, 'status' | 'find' | 'read' | 'previews'>;
  /** The peers' latest commitments: what each offers, and whom it trusts. */
  readonly commitments: ReadonlyMap<string, ComputeCommitment>;
  /** My jobs: submitted, cancelled, budgeted, their offers, outputs and frames. */
  readonly jobs: Pick<JobSubmits, 'submit' | 'submitStream' | 'submitRender'> &
    Pick<Requester, 'cancel' | 'failureHere' | 'liveOf' | 'offers' | 'acceptFrom'> &
    Pick<FrameOutputs, 'view'> & {
      setBudget: JobBudgets['set'];
      /** A job's quote before it is submitted: nothing stored or journaled (job-quotes.ts). */
      estimate: JobQuotes['input'];
      estimateRender: JobQuotes['render'];
      /** Where a job's units and outputs are read from (the state, the archive, packs' outputs). */
      unitSources: UnitSources;
      verifiedOutput(...args: DropFirst<Parameters<typeof verifiedOutput>>): ReturnType<typeof verifiedOutput>;
      outputsPage(...args: DropFirst<Parameters<typeof outputsPage>>): ReturnType<typeof outputsPage>;
      unitStderr(...args: DropFirst<Parameters<typeof unitStderr>>): ReturnType<typeof unitStderr>;
    };
  readonly blobs: Pick<Blobs, 'get' | 'put' | 'putMany' | 'putMissing' | 'size' | 'hasAllStored' | 'removals'>;
  /** My workflows: run, viewed, cancelled (node/mesh/workflows/workflow-runner.ts). */
  readonly workflows: Pick<WorkflowRunner, 'run' | 'view' | 'ids' | 'cancel' | 'settled'>;
  /** My circles: founded, viewed, proposed to and voted in (node/circles). */
  readonly circles: Pick<Circles, 'ids' | 'state' | 'create' | 'propose' | 'vote' | 'cids' | 'me'>;
  readonly ledger: Journal['ledger'];
  readonly archive: Archive;
  readonly storage: Pick<BlobCollector, 'last' | 'freedTotal' | 'usage' | 'config' | 'quota'>;
  readonly reach: ReachDeps;
}

type DropFirst<T extends unknown[]> = T extends [unknown, ...infer Rest] ? Rest : never;

export function nodeApi(node: MeshNode): NodeApi {
  const { ctx, requester, provider, network, journal, collector } = node;
  const unitSources: UnitSources = { state: node.state, archive: journal.archive, packs: new PackOutputs(ctx.blobs) };
  return {
    peerId: node.peerId,
    name: node.options.name ?? node.peerId.slice(-8),
    mdns: node.options.mdns ?? true,
    startedAt: node.startedAt,
    state: node.state,
    get price() {
      return node.price;
    },
    get retentionMs() {
      return node.keeper.retentionMs;
    },
    workers: node.executor.workers,
    record: (events) => node.record(events),
    emit: (type, data) => node.emit(type, data),
    log: (message) => ctx.log(message),
    events: node.events,
    network: {
      dropped: () => network.dropped(),
      blobsServed: () => network.blobsServed(),
      connectedPeers: () => network.connectedPeers(),
      listenAddresses: () => network.listenAddresses(),
      connect: (address) => network.connect(address),
      link: (peer) => network.reach.link(peer),
    },
    theirTrustInMe: (peer) => ctx.commitments.get(peer)?.trust_weights[node.peerId],
    trustChanged: (peer) => node.trustChanged(peer),
    sharing: {
      availability: () => node.availability(),
      availabilityChanged: () => node.availabilityChanged(),
      setSharing: (on) => node.setSharing(on),
      setPrice: (price) => node.setPrice(price),
      publishSoon: (now) => node.publishSoon(now),
    },
    provider: {
      get running() {
        return provider.running;
      },
      get queued() {
        return provider.queued;
      },
      contribution: () => provider.contribution(),
      roundSoon: () => provider.roundSoon(),
    },
    machine: node.machine,
    gpu: node.gpu,
    blender: node.blender,
    commitments: ctx.commitments,
    jobs: {
      submit: (spec) => requester.submits.submit(spec),
      submitStream: (terms, input, declared) => requester.submits.submitStream(terms, input, declared),
      submitRender: (spec) => requester.submits.submitRender(spec),
      cancel: (jobId, reason) => requester.cancel(jobId, reason),
      failureHere: (job, index, failure) => requester.failureHere(job, index, failure),
      liveOf: (record) => requester.liveOf(record),
      offers: (jobId) => requester.offers(jobId),
      acceptFrom: (jobId, peer) => requester.acceptFrom(jobId, peer),
      view: (job) => node.frames.view(job),
      setBudget: (jobId, budget) => requester.budgets.set(jobId, budget),
      estimate: (spec) => requester.quotes.input(spec),
      estimateRender: (spec) => requester.quotes.render(spec),
      unitSources,
      verifiedOutput: (...args) => verifiedOutput(ctx, ...args),
      outputsPage: (...args) => outputsPage(ctx, ...args),
      unitStderr: (...args) => unitStderr(ctx, ...args),
    },
    blobs: ctx.blobs,
    workflows: node.workflows,
    circles: node.circles,
    ledger: journal.ledger,
    archive: journal.archive,
    storage: collector,
    reach: {
      dataDir: node.options.dataDir,
      reach: network.reach,
      invites: node.invites,
      started: node.options.network,
    },
  };
}

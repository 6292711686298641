// Stub API handlers and an in-memory event feed for the transport tests: every handler records its
// call and answers a fixed, contract-valid result, so a test can check both what reached the
// handlers (nothing, on a refusal) and what came back.
import type { WorkflowView } from '../../src-main/core/api/workflow-methods.js';
import { GPU_OFF } from '../../src-main/core/gpu/index.js';
import { ApiError } from '../../src-main/node/api/errors.js';
import { DEFAULT_STORAGE_CONFIG } from '../../src-main/core/storage/storage-config.js';
import { DEFAULT_SHARING_SETTINGS } from '../../src-main/core/schemas/availability.js';
import type {
  ApiEvent,
  ApiHandlers,
  EventFeed,
  JobEstimate,
  JobView,
  MethodName,
  MethodResult,
} from '../../src-main/core/api/contract.js';

export const STUB_PEER = '12D3KooWStubPeer';
export const AT = '2030-01-01T00:00:00.000Z';

export const STUB_STATUS: MethodResult<'status'> = {
  peer_id: STUB_PEER,
  name: 'stub node',
  listen: ['/ip4/127.0.0.1/tcp/4001'],
  sharing: true,
  mdns: false,
  connections: 1,
  peers_known: 2,
  slots: 1,
  workers: 4,
  units_running: 0,
  units_queued: 3,
  jobs_running: 1,
  balance: 12_500,
  dropped: {},
  blobs_served: { blobs: 0, bytes: 0 },
  price: { per_core_second: 10, minimum: 100 },
  started_at: AT,
  keep_finished_days: 7,
  availability: { offering: true, cores: 4, paused: null },
  hardware: null,
  calibration: null,
  gpu: GPU_OFF,
  memory: { rss_mb: 180, heap_used_mb: 60, heap_total_mb: 80, external_mb: 12, array_buffers_mb: 4 },
  other_load_pct: null,
  contribution: {
    total_work_units_completed: 40,
    total_compute_hours: 1.5,
    average_result_quality: 0.95,
    reliability_score: 0.9,
    damping_factor: 0.8,
    over_allocation_history: [0.6, 0.7, 0.6],
  },
  policies: [],
  blender: { sharing: false, min_trust: 0.8, state: 'off', algorithm: null, reason: null },
};

const STUB_WORKFLOW: WorkflowView = {
  workflow_id: 'wf-stub',
  name: null,
  outcome: 'running',
  submitted_at: '2026-01-01T00:00:00.000Z',
  steps: [],
};

export const STUB_JOB: JobView = {
  job_id: 'job-1',
  name: 'hash a file',
  algorithm: 'hash/sha256@1.0.0',
  state: 'running',
  units_total: 4,
  units_created: 4,
  units_per_pack: 1,
  units_verified: 1,
  units_failed: 0,
  redundancy: 1,
  budget: 5000,
  held: 1000,
  spent: 250,
  budget_needed: null,
  manual_accept: false,
  open_to_strangers: false,
  submitted_at: AT,
  completed_at: null,
  cancel_reason: null,
  waiting: null,
  refusals: [],
  units_awaiting_agreement: 0,
};

const STUB_NETWORK: MethodResult<'network.get'> = {
  listen_port: 40_000,
  upnp: true,
  relay: { mode: 'auto', max_reservations: 16, max_bytes: 1 << 28, max_seconds: 3600 },
  addresses: [],
  reachable: false,
  relaying: false,
  reservations: [],
  restart_needed: false,
};

/** A quote, as jobs.estimate gives one: 4 units at 10 each, at this node's own prices. */
export const STUB_ESTIMATE: JobEstimate = {
  units: 4,
  units_per_pack: 1,
  frames: null,
  tile: null,
  redundancy: 1,
  unit_price: 10,
  unit_held: 10,
  cost: 36,
  budget_needed: 40,
  budget: 100,
  enough: true,
  seconds: 0.004,
  cores: 1,
  priced_by: 'own',
  prices:
    "this node's own prices, units like these being priced by time (1.000 credits a core-second, at least 0.010 a unit)",
};

/** A stub node is in no circle. */
const notFound = (method: string): never => {
  throw new ApiError('not_found', `${method}: I am a member of no circle`);
};

export interface RecordedCall {
  method: MethodName;
  params: unknown;
}

/** Handlers that record every call; `overrides` replace some of them (and are recorded too). */
export function stubHandlers(overrides: Partial<ApiHandlers> = {}): { handlers: ApiHandlers; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const answers: ApiHandlers = {
    status: async () => STUB_STATUS,
    'peers.list': async () => ({ peers: [], total: 0 }),
    'peers.add': async () => ({ peer_id: STUB_PEER }),
    'peers.pardon': async ({ peer_id }) => ({ peer_id, pardoned: false }),
    'trust.set': async ({ peer_id, weight }) => ({ peer_id, weight }),
    'trust.list': async () => ({ trust: [{ peer_id: STUB_PEER, weight: 0.5, updated_at: AT }] }),
    'slots.add': async (p) => ({
      slot: {
        slot_id: p.slot_id ?? 'slot-1',
        start_time: p.start_time,
        end_time: p.end_time,
        resources: { cpu_cores: p.cpu_cores, ram_gb: p.ram_gb },
        algorithms: [],
        priority: 0.5,
      },
    }),
    'slots.list': async () => ({ slots: [] }),
    'slots.remove': async () => ({ removed: true }),
    'sharing.set': async ({ on }) => ({ sharing: on }),
    'windows.add': async (p) => ({
      window: { ...p, window_id: p.window_id ?? 'window-1' },
      description: 'stub window',
    }),
    'windows.list': async () => ({ windows: [] }),
    'windows.remove': async () => ({ removed: true }),
    'settings.get': async () => ({ settings: DEFAULT_SHARING_SETTINGS }),
    'settings.set': async (p) => ({
      settings: {
        ...DEFAULT_SHARING_SETTINGS,
        ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)),
      },
    }),
    'policies.get': async () => ({ policies: [] }),
    'workflows.run': async () => ({ workflow_id: STUB_WORKFLOW.workflow_id, steps: 1 }),
    'workflows.status': async () => ({ workflow: STUB_WORKFLOW }),
    'workflows.list': async () => ({ workflows: [STUB_WORKFLOW] }),
    'workflows.output': async () => ({ fields: { units: 1 }, files: [], next: null }),
    'workflows.cancel': async () => ({ workflow: { ...STUB_WORKFLOW, outcome: 'cancelled' } }),
    'circles.list': async () => ({ circles: [] }),
    'circles.create': async () => notFound('circles.create'),
    'circles.show': async () => notFound('circles.show'),
    'circles.propose': async () => notFound('circles.propose'),
    'circles.vote': async () => notFound('circles.vote'),
    'policies.set': async ({ policies }) => ({ policies }),
    'jobs.submit': async () => ({ job_id: STUB_JOB.job_id, units: 4 }),
    'blobs.put': async ({ data_base64 }) => ({
      cid: 'bafkreistub',
      bytes: Buffer.from(data_base64, 'base64').byteLength,
    }),
    'jobs.estimate': async ({ budget, redundancy }) => ({ ...STUB_ESTIMATE, budget, redundancy }),
    'render.estimate': async ({ budget, redundancy }) => ({
      ...STUB_ESTIMATE,
      budget,
      redundancy,
      frames: 1,
      tile: 64,
    }),
    'jobs.status': async () => ({ job: STUB_JOB }),
    'jobs.list': async () => ({ jobs: [STUB_JOB], total: 1 }),
    'jobs.cancel': async () => ({ job: { ...STUB_JOB, state: 'cancelled' } }),
    'jobs.set_budget': async ({ budget }) => ({ job: { ...STUB_JOB, budget } }),
    'jobs.delete': async ({ job_id }) => ({ deleted: job_id }),
    'storage.get': async () => ({
      blobs: 0,
      row_bytes: 0,
      file_bytes: 0,
      by_kind: { module: 0, input: 0, output: 0, shipped: 0, unneeded: 0 },
      requesters: [],
      requesters_total: 0,
      last_collection: null,
      freed_bytes_total: 0,
      settings: DEFAULT_STORAGE_CONFIG,
    }),
    'jobs.output': async () => ({ output_cid: 'bafkstub', output_base64: '' }),
    'jobs.outputs': async () => ({ outputs: [], next: null }),
    'render.submit': async (p) => ({
      job_id: STUB_JOB.job_id,
      units: 4,
      frames: p.last_frame - p.first_frame + 1,
      tile: p.tile,
    }),
    'jobs.frames': async () => ({
      width: 64,
      height: 64,
      tile: 64,
      tiles: null,
      frames: [{ frame: 0, tiles_total: 1, tiles_verified: 0, png_cid: null }],
    }),
    'jobs.frame': async () => ({ png_cid: 'bafkstub', png_base64: '' }),
    'jobs.blender_frames': async () => ({ width: null, height: null, tile: null, tiles: null, frames: [] }),
    'blender.check': async () => ({ found: false, version: null, algorithm: null, reason: 'Blender is not on PATH' }),
    'blender.preflight': async () => {
      throw new ApiError('bad_request', 'this node cannot read Blender scenes: Blender is not on PATH');
    },
    'blender.frames': async () => ({ width: 64, height: 48, frames: [], frames_total: 0, format: 'png' as const }),
    'blender.preview': async ({ unit_id }) => {
      throw new ApiError('not_found', `no unit ${unit_id} of a job of mine`);
    },
    'prices.set': async (p) => ({ price: { per_core_second: p.per_core_second ?? 10, minimum: p.minimum ?? 100 } }),
    'offers.list': async () => ({ offers: [] }),
    'offers.accept': async () => ({ accepted: 0, refused: [] }),
    'ledger.jobs': async () => ({ jobs: [], total: 0 }),
    'ledger.transfers': async () => ({ transfers: [] }),
    'ledger.get': async () => ({ balance: 0, earned: 0, spent: 0, peers: [], peers_total: 0, held: 0, entries: [] }),
    'receipts.verify': async () => ({ total: 0, chains: [] }),
    'events.since': async () => ({ events: [] }),
    'invites.create': async () => ({
      code: 'mesh-invite:stub',
      invite_id: '0011223344556677',
      expires_at: AT,
      addresses: [],
      reachable: false,
    }),
    'invites.accept': async () => ({ peer_id: STUB_PEER, name: null, link: null }),
    'invites.list': async () => ({ invites: [] }),
    'network.get': async () => STUB_NETWORK,
    'network.set': async () => STUB_NETWORK,
    ...overrides,
  };
  const handlers = Object.fromEntries(
    Object.entries(answers).map(([method, answer]) => [
      method,
      (params: unknown) => {
        calls.push({ method: method as MethodName, params });
        return (answer as (p: unknown) => Promise<unknown>)(params);
      },
    ]),
  ) as ApiHandlers;
  return { handlers, calls };
}

export function apiEvent(id: number): ApiEvent {
  return { id, at: AT, type: 'job.submitted', data: { job_id: `job-${id}` } };
}

/** A feed holding events in memory: `emit` appends one and hands it to every subscriber. */
export class MemoryEventFeed implements EventFeed {
  readonly events: ApiEvent[] = [];
  readonly listeners = new Set<(event: ApiEvent) => void>();
  subscribeCalls = 0;

  constructor(count = 0) {
    for (let id = 1; id <= count; id += 1) this.events.push(apiEvent(id));
  }

  subscribe(afterId: number, listener: (event: ApiEvent) => void): () => void {
    this.subscribeCalls += 1;
    for (const event of this.events) if (event.id > afterId) listener(event);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ApiEvent): void {
    this.events.push(event);
    for (const listener of this.listeners) listener(event);
  }
}

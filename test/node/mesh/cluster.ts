// Real nodes on 127.0.0.1 in this process, each with its own data dir, journal and sandbox,
// connected by address (mDNS off), and their API handlers, as the daemon serves them.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiHandlers, JobView } from '../../../src-main/core/api/contract.js';
import { apiHandlers } from '../../../src-main/node/mesh/api/api-handlers.js';
import { startDaemon, type Daemon } from '../../../src-main/node/mesh/api/daemon.js';
import { nodeApi } from '../../../src-main/node/mesh/api/node-api.js';
import { MeshNode, type MeshNodeOptions } from '../../../src-main/node/mesh/wiring/mesh-node.js';

export interface TestNode {
  node: MeshNode;
  api: ApiHandlers;
  dataDir: string;
}

/** `from` dials `to`, again after a moment when a dial is refused, up to CONNECT_TRIES times. */
async function connectPair(from: TestNode, to: TestNode): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await from.node.network.connect(to.node.network.listenAddresses()[0]!);
      return;
    } catch (err) {
      if (attempt >= CONNECT_TRIES) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

export async function startNode(options: Partial<MeshNodeOptions> = {}): Promise<TestNode> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'mesh-node-'));
  const node = await MeshNode.start({
    dataDir,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
    workers: 1,
    log: () => {},
    ...options,
  });
  return { node, api: apiHandlers(nodeApi(node)), dataDir };
}

/** Connect attempts a pair gets: a node just restarted was once refused its first dial ("no valid addresses"). */
const CONNECT_TRIES = 5;

/** Connects every pair and sets the given trust (default: everyone trusts everyone fully). */
export async function meshOf(nodes: TestNode[], trust: (from: number, to: number) => number = () => 1): Promise<void> {
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) await connectPair(nodes[i]!, nodes[j]!);
  }
  for (let i = 0; i < nodes.length; i++) {
    for (let j = 0; j < nodes.length; j++) {
      const w = trust(i, j);
      if (i !== j && w > 0) await nodes[i]!.api['trust.set']({ peer_id: nodes[j]!.node.peerId, weight: w });
    }
  }
}

/**
 * Waits until `provider` has a commitment of `requester` that lists a slot: before it, a provider
 * that trusts it less than fully takes its units at the free-rider's trickle (a node lists no slot
 * until its calibration is done, which a loaded machine takes a while to finish).
 */
export async function seenGivingBack(provider: TestNode, requester: TestNode): Promise<void> {
  await waitFor(
    `${provider.node.peerId} to see a slot of ${requester.node.peerId}`,
    () => (provider.node.ctx.commitments.get(requester.node.peerId)?.availability_slots.length ?? 0) > 0,
    30_000,
  );
}

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A sha256 job over `units` random 64-byte chunks, two replicas each, with a budget that never runs
 * out; `unitsPerPack`: as the job says (absent: the node packs them, core/mesh/rules/packs.ts).
 */
export function hashJob(
  units: number,
  manualAccept: boolean,
  unitsPerPack?: number,
): { params: Parameters<ApiHandlers['jobs.submit']>[0]; input: Buffer; chunk: number } {
  const chunk = 64;
  const input = randomBytes(units * chunk);
  const params: Parameters<ApiHandlers['jobs.submit']>[0] = {
    library: 'hash',
    method: 'sha256',
    input_base64: input.toString('base64'),
    chunk_bytes: chunk,
    redundancy: 2,
    budget: 10_000_000,
    priority: 0.5,
    manual_accept: manualAccept,
    open_to_strangers: false,
    ...(unitsPerPack === undefined ? {} : { units_per_pack: unitsPerPack }),
  };
  return { params, input, chunk };
}

/** Waits until the job has ended (completed, failed or cancelled: not running, nor paused) and returns it. */
export async function jobEnded(api: ApiHandlers, jobId: string, timeoutMs: number): Promise<JobView> {
  return waitFor(
    'the job to complete',
    async () => {
      const { job } = await api['jobs.status']({ job_id: jobId, units: false });
      return job.state === 'running' || job.state === 'paused' ? undefined : job;
    },
    timeoutMs,
  );
}

export async function stopAll(nodes: TestNode[]): Promise<void> {
  await Promise.all(nodes.map((n) => n.node.stop()));
}

/**
 * Stops the nodes and removes their data dirs, retrying a dir that a last write of a stopping node
 * filled again while it was being removed (ENOTEMPTY).
 */
export async function stopAndRemove(nodes: TestNode[]): Promise<void> {
  await stopAll(nodes);
  for (const n of nodes) rmSync(n.dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}

/**
 * A requester as a daemon in `dataDir` (meshctl reaches it there) and `count` providers, all
 * trusting each other; `stop` stops them all.
 */
export async function daemonAndProviders(
  dataDir: string,
  count = 2,
): Promise<{ daemon: Daemon; handlers: ApiHandlers; providers: TestNode[]; stop: () => Promise<void> }> {
  const daemon = await startDaemon({
    dataDir,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
    workers: 1,
    log: () => {},
  });
  const providers: TestNode[] = [];
  for (let i = 0; i < count; i++) providers.push(await startNode());
  await meshOf([{ node: daemon.node, api: daemon.handlers, dataDir }, ...providers]);
  return {
    daemon,
    handlers: daemon.handlers,
    providers,
    stop: async () => void (await Promise.all([daemon.stop(), ...providers.map((p) => p.node.stop())])),
  };
}

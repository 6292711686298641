// A node with its local API: what `meshctl node start` and the desktop app run. The
// API listens on 127.0.0.1 behind the data dir's token; api.json tells local clients where. It
// listens first, before the node's code is even loaded, so a browser can load the web UI while
// the node starts (its calls wait for the node).
import { setFlagsFromString } from 'node:v8';
import {
  BUILT_UI_DIR,
  loadOrCreateToken,
  removeApiEndpoint,
  startApiServer,
  writeApiEndpoint,
  type ApiBackend,
  type ApiServer,
} from '../../api/index.js';
import { assertDataDirFree } from '../../config/data-dir-lock.js';
import { ensureDataDir } from '../../config/data-dir.js';
import { loadNetworkConfig, stableListen } from '../../config/network-config.js';
import type { ApiHandlers } from '../../../core/api/contract.js';
import type { MeshNode, MeshNodeOptions } from '../wiring/mesh-node.js';
import type { NodeApi } from './node-api.js';
import { putBlob } from './storage-handlers.js';
import { letWaitingRequestsIn } from '../basics/start-steps.js';

export interface Daemon {
  node: MeshNode;
  /** The contract's handlers over this node: what the HTTP API serves, and the desktop app's IPC. */
  handlers: ApiHandlers;
  api: ApiServer;
  stop(): Promise<void>;
}

/** How far past what is live V8 may let the heap grow before it collects again, in percent (see startDaemon). */
const HEAP_GROWING_PERCENT = 100;

/**
 * A node with NAT traversal on (network.json's settings); with no `listen`, on every interface at
 * the port network.json keeps, so peers find it again after a restart. `onListening` is told the
 * API's address as soon as it listens, while the node is still starting.
 */
export async function startDaemon(
  options: MeshNodeOptions & { apiPort?: number },
  onListening?: (api: ApiServer) => void,
): Promise<Daemon> {
  // When activity stops, V8's memory reducer collects twice to give memory back; here the second
  // frees 0.1–0.5 MB of a ~35 MB heap for as much CPU as the first (~50 ms): one is enough.
  setFlagsFromString('--memory-reducer-gc-count=1');
  // V8 lets its heap grow to up to 4× what was live at its last full collection when collecting
  // is cheap for it; under a steady stream of small messages that room filled with garbage that was
  // not given back while the stream lasted (a flood took the heap from 77 to 359 MB with 73 MB
  // live: docs/BENCHMARKS.md, rogue_rss). Twice what is live bounds the garbage without capping the
  // heap (a big job's state still has all the room it needs) and cost 100,000 tiny units no
  // throughput, where 1.5× cost them about a tenth (mesh_tiny).
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  ensureDataDir(options.dataDir);
  assertDataDirFree(options.dataDir); // before the API listens: no address is printed for a node that cannot start
  let backendUp!: (backend: ApiBackend) => void;
  let backendFailed!: (err: unknown) => void;
  const backend = new Promise<ApiBackend>((resolve, reject) => {
    backendUp = resolve;
    backendFailed = reject;
  });
  backend.catch(() => {}); // the server answers with the failure; this function throws it
  const api = await startApiServer({
    backend,
    token: loadOrCreateToken(options.dataDir),
    port: options.apiPort ?? 0,
    uiDir: BUILT_UI_DIR,
  });
  onListening?.(api);
  await letWaitingRequestsIn();
  let node: MeshNode;
  let handlers: ApiHandlers;
  let operations: NodeApi;
  try {
    // Loaded here, once the API listens: most of a start is loading this code.
    const [{ MeshNode }, { apiHandlers }, { nodeApi }] = await Promise.all([
      import('../wiring/mesh-node.js'),
      import('./api-handlers.js'),
      import('./node-api.js'),
    ]);
    await letWaitingRequestsIn();
    const network = options.network ?? (await loadNetworkConfig(options.dataDir));
    node = await MeshNode.start({
      ...options,
      network,
      listen: options.listen ?? stableListen(network),
      deferMachine: true,
    });
    operations = nodeApi(node);
    handlers = apiHandlers(operations);
  } catch (err) {
    backendFailed(err);
    await api.close();
    throw err;
  }
  backendUp({
    handlers,
    events: node.events,
    uploads: {
      'jobs.submit': (terms, input, declared) => operations.jobs.submitStream(terms, input, declared),
      'blobs.put': (bytes) => putBlob(operations, bytes),
    },
  });
  writeApiEndpoint(options.dataDir, { url: api.url, pid: process.pid });
  // The probe spawns programs and calibration takes every core: after the API answers, not before.
  node.machine.start();
  let stopping: Promise<void> | undefined;
  return {
    node,
    handlers,
    api,
    stop: () =>
      (stopping ??= (async () => {
        removeApiEndpoint(options.dataDir, process.pid);
        await api.close();
        await node.stop();
      })()),
  };
}

// What a mesh node is started with (mesh-node.ts), and where its log lines go.
import type { NetworkConfig } from '../../../core/reach/network-config.js';
import type { PriceSchedule } from '../../../core/schemas/index.js';
import type { StorageConfig } from '../../../core/storage/storage-config.js';
import type { GpuOptions } from '../../gpu/gpu-service.js';
import type { WorkloadKind } from '../../kinds/seam.js';
import type { StateKeeperOptions } from '../state/state-keeper.js';

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
  /** Units go to providers that hold their data already (default: yes; off to measure what it saves). */
  dataLocality?: boolean;
  /** GPU units (default off here; `meshctl node start` defaults to auto). */
  gpu?: GpuOptions;
  /** NAT traversal with these settings (the daemon's, from network.json); absent: direct dials only. */
  network?: NetworkConfig;
  /** Snapshots of the state and compaction of finished jobs (state-keeper.ts). */
  history?: StateKeeperOptions;
  /** Blob retention, collection and per-requester quota (default: the data dir's storage.json, else the defaults). */
  storage?: StorageConfig;
  log?: (message: string) => void;
  /** Kinds of work of the node's own besides the built-in ones (node/kinds/seam.ts), planned, offered and run alike. */
  kinds?: readonly WorkloadKind[];
  /** The hardware probe and calibration wait for machine.start() (the daemon's, once its API answers); else they start with the node. */
  deferMachine?: boolean;
}

/** Where the node's log lines go: the caller's logger, else standard error. */
export function logTo(options: Pick<MeshNodeOptions, 'log'>): (message: string) => void {
  return options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
}

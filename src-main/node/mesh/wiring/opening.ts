// What a node opens at start, in order: its identity, the journal (its state loaded: state-keeper.ts), the
// blob store with the shipped modules, the receipt chain, the sandbox and the network. Each thing
// that must be closed is registered with `opened` as soon as it is open, so a later failure
// closes it (lifecycle.ts); the node's stop closes them in the reverse order.
import { mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { MeshState } from '../../../core/mesh/state/state.js';
import { MESSAGE_TYPES } from '../../../core/protocol/messages.js';
import { addressKind } from '../../../core/reach/addresses.js';
import type { NetworkConfig } from '../../../core/reach/network-config.js';
import { BlobStore } from '../../blobs/store.js';
import { lockDataDir } from '../../config/data-dir-lock.js';
import { Executor } from '../../exec/index.js';
import { loadOrCreateIdentity, type Identity } from '../../identity/identity.js';
import { Journal } from '../../journal/index.js';
import { MeshNetwork } from '../../p2p/index.js';
import { ReceiptChain } from '../../receipts/index.js';
import { shippedModules } from '../../kinds/library/library.js';
import type { Opened } from '../basics/lifecycle.js';
import { letWaitingRequestsIn } from '../basics/start-steps.js';
import { loadState, type LoadedState } from '../state/state-keeper.js';
import { logTo } from './node-options.js';

export interface Opening {
  /** Releases the data dir (config/data-dir-lock.ts): the last thing a stop does. */
  unlock: () => void;
  identity: Identity;
  journal: Journal;
  state: MeshState;
  /** How the state was loaded: from a snapshot, or folded in full. */
  loaded: LoadedState;
  blobs: BlobStore;
  receipts: ReceiptChain;
  executor: Executor;
  network: MeshNetwork;
}

export async function openResources(
  options: {
    dataDir: string;
    workers?: number;
    listen?: string[];
    mdns?: boolean;
    bootstrap?: string[];
    network?: NetworkConfig;
    log?: (message: string) => void;
  },
  opened: Opened,
): Promise<Opening> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const unlock = lockDataDir(options.dataDir);
  opened.add('the data dir lock', unlock); // released last, once all else is closed
  const identity = await loadOrCreateIdentity(options.dataDir);
  const journaled = Journal.open(join(options.dataDir, 'journal.sqlite'));
  if (!journaled.ok) throw new Error(`journal: ${journaled.error.message}`);
  const journal = journaled.journal;
  opened.add('the journal', () => journal.close());
  const loaded = loadState(journal, identity.peerId);
  if (loaded.snapshotSeq === null && loaded.folded > 0)
    logTo(options)(`state folded from all ${loaded.folded} events of the journal (no snapshot used: ${loaded.miss})`);
  const { state } = loaded;
  // Small blobs are rows of the journal's database (opened and migrated just above), on its connection.
  const blobs = new BlobStore(join(options.dataDir, 'blobs'), { database: journal.connection });
  opened.add('the blob store', () => blobs.close());
  await Promise.all(shippedModules().map((module) => blobs.put(module)));
  await letWaitingRequestsIn();
  const mine = state.receipts.get(identity.peerId)?.at(-1);
  const receipts = new ReceiptChain(identity, mine ? { cid: mine.cid, seq: mine.receipt.seq } : undefined);
  const executor = Executor.start({
    workers: options.workers ?? cpus().length,
    meteredDir: join(options.dataDir, 'metered-modules'),
  });
  opened.add('the sandbox', () => executor.close());
  const network = await MeshNetwork.start({
    identity,
    catalog: MESSAGE_TYPES,
    listen: options.listen,
    mdns: options.mdns ?? true,
    bootstrap: options.bootstrap,
    ...(options.network ? { reach: reachOptions(options.network, options.listen ?? [], state, logTo(options)) } : {}),
  });
  opened.add('the network', () => network.stop());
  return { unlock, identity, journal, state, loaded, blobs, receipts, executor, network };
}

/** NAT traversal for the people I trust; UPnP only when I listen beyond loopback (a router could forward to me). */
function reachOptions(config: NetworkConfig, listen: string[], state: MeshState, log: (message: string) => void) {
  return {
    log,
    trusts: (peer: string) => state.myTrustIn(peer) > 0,
    relay: config.relay,
    upnp: config.upnp && listen.some((a) => !['loopback', 'relayed'].includes(addressKind(a))),
  };
}

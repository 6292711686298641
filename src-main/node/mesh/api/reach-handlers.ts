// The local API's methods for reaching people: invites, and the network settings (port, UPnP,
// relay). The relay's mode takes effect at once where the relay runs; the port, UPnP and the
// relay's limits at the next start (the view says so).
import type { ApiHandlers, MethodResult } from '../../../core/api/contract.js';
import type { NetworkConfig } from '../../../core/reach/network-config.js';
import { ApiError } from '../../api/errors.js';
import { loadNetworkConfig, saveNetworkConfig } from '../../config/network-config.js';
import type { Invites } from '../peers/invites.js';
import type { Reach } from '../../p2p/index.js';

export interface ReachDeps {
  dataDir: string;
  reach: Reach;
  invites: Invites;
  /** What the node started with; undefined for a node started without NAT traversal. */
  started: NetworkConfig | undefined;
}

type ReachHandlers = Pick<
  ApiHandlers,
  'invites.create' | 'invites.accept' | 'invites.list' | 'network.get' | 'network.set'
>;

export function reachHandlers({ dataDir, reach, invites, started }: ReachDeps): ReachHandlers {
  const view = (saved: NetworkConfig): MethodResult<'network.get'> => {
    const sameLimits =
      started !== undefined &&
      (['max_reservations', 'max_bytes', 'max_seconds'] as const).every((k) => saved.relay[k] === started.relay[k]);
    const relayNeedsStart = saved.relay.mode !== 'off' && started?.relay.mode === 'off';
    return {
      ...saved,
      addresses: reach.addresses().slice(0, 64),
      reachable: reach.reachable(),
      relaying: reach.relaying(),
      reservations: reach.reservations().slice(0, 1024),
      restart_needed:
        started === undefined ||
        saved.listen_port !== started.listen_port ||
        saved.upnp !== started.upnp ||
        !sameLimits ||
        relayNeedsStart,
    };
  };
  return {
    async 'invites.create'({ trust, expires_seconds, circle }) {
      return invites.create(trust, expires_seconds, circle);
    },
    async 'invites.accept'({ code, trust }) {
      return invites.accept(code, trust);
    },
    async 'invites.list'() {
      return invites.list();
    },
    async 'network.get'() {
      return view(await loadNetworkConfig(dataDir));
    },
    async 'network.set'(changes) {
      const saved = await loadNetworkConfig(dataDir);
      const next: NetworkConfig = {
        listen_port: changes.listen_port ?? saved.listen_port,
        upnp: changes.upnp ?? saved.upnp,
        relay: {
          ...saved.relay,
          ...Object.fromEntries(Object.entries(changes.relay ?? {}).filter(([, v]) => v !== undefined)),
        },
      };
      try {
        saveNetworkConfig(dataDir, next);
      } catch (err) {
        throw new ApiError('bad_request', `network settings: ${err instanceof Error ? err.message : String(err)}`);
      }
      reach.relayMode = next.relay.mode;
      return view(next);
    },
  };
}

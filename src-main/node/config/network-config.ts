// network.json in the data dir: the node's listen port, chosen once (a free port drawn from
// PORT_RANGE) so that peers and invites that knew the node's address find it after a restart;
// UPnP; the relay settings. Changed through the API (`network.set`), read at start.
import { createServer } from 'node:net';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJson } from '../../core/schemas/index.js';
import {
  DEFAULT_RELAY,
  MAX_NETWORK_CONFIG_BYTES,
  NetworkConfigSchema,
  portFrom,
  type NetworkConfig,
} from '../../core/reach/network-config.js';

const FILE = 'network.json';

/** Whether nothing listens on TCP `port` here now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The data dir's network settings; the first time, a free port is drawn and the file written. */
export async function loadNetworkConfig(dataDir: string): Promise<NetworkConfig> {
  const path = join(dataDir, FILE);
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = undefined;
  }
  if (text !== undefined) {
    const read = decodeJson(NetworkConfigSchema, text, MAX_NETWORK_CONFIG_BYTES);
    if (!read.ok) throw new Error(`${path}: ${read.error.message} (fix it, or remove it to start afresh)`);
    return read.value;
  }
  let port = portFrom(Math.random());
  for (let tries = 0; tries < 20 && !(await portFree(port)); tries++) port = portFrom(Math.random());
  const config: NetworkConfig = { listen_port: port, upnp: true, relay: DEFAULT_RELAY };
  saveNetworkConfig(dataDir, config);
  return config;
}

export function saveNetworkConfig(dataDir: string, config: NetworkConfig): void {
  const path = join(dataDir, FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(NetworkConfigSchema.parse(config), null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Where a node listens when the person named no address: every interface, on its own port. */
export function stableListen(config: NetworkConfig): string[] {
  return [`/ip4/0.0.0.0/tcp/${config.listen_port}`];
}

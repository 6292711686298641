// A home router that speaks UPnP: Debian's miniupnpd (nftables build) run in a router namespace
// of netns.ts, as the Internet Gateway Device on its LAN side. It answers SSDP searches on `lan`,
// and maps a port on request from the home's own address (secure mode) by adding a DNAT rule and
// a forward rule to nftables chains made here; `wan` is its external interface.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { Home } from './netns.js';

const exec = promisify(execFile);

/** Why miniupnpd cannot run here, or undefined when it can. */
export function miniupnpdUnavailable(): string | undefined {
  if (spawnSync('sh', ['-c', 'command -v miniupnpd']).status !== 0)
    return 'needs `miniupnpd` (apt-get install -y miniupnpd-nftables)';
  return undefined;
}

/**
 * The table and chains miniupnpd fills (its default chain names; it does not make them itself). The home
 * router's own forward chain drops what the LAN did not start, so it also lets through what a
 * mapping translated (`ct status dnat`), as a router's port forwards do: without a mapping,
 * nothing is translated and nothing new comes in.
 */
const CHAINS = `add rule ip home forwarding ct status dnat accept
table inet miniupnpd {
  chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }
  chain miniupnpd { }
  chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }
  chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; }
  chain prerouting_miniupnpd { }
  chain postrouting_miniupnpd { }
}
`;

export interface Mapping {
  protocol: string;
  externalPort: number;
  internalHost: string;
  internalPort: number;
  description: string;
}

export interface UpnpRouter {
  /** The mappings miniupnpd holds now (its lease file). */
  mappings(): Mapping[];
  /** The router's DNAT rules now, as nft lists them. */
  dnatRules(): Promise<string[]>;
  log: string[];
  stop(): Promise<void>;
}

/** Starts miniupnpd on `home`'s router, for its LAN (10.N.0.0/24) only. */
export async function startUpnpRouter(home: Home): Promise<UpnpRouter> {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-miniupnpd-'));
  const lan = home.ip.replace(/\.\d+$/, '.0/24');
  const leases = join(dir, 'leases');
  writeFileSync(
    join(dir, 'miniupnpd.conf'),
    [
      'ext_ifname=wan',
      'listening_ip=lan',
      'port=0',
      'enable_upnp=yes',
      'enable_natpmp=no',
      'secure_mode=yes',
      'upnp_table_name=miniupnpd',
      'upnp_nat_table_name=miniupnpd',
      `lease_file=${leases}`,
      `uuid=${randomUUID()}`,
      `allow 1024-65535 ${lan} 1024-65535`,
      'deny 0-65535 0.0.0.0/0 0-65535',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve, reject) => {
    const nft = execFile('ip', ['netns', 'exec', home.router, 'nft', '-f', '-'], (err) =>
      err ? reject(err) : resolve(),
    );
    nft.stdin?.end(CHAINS);
  });
  // -d: in the foreground, logging to stderr; `ip netns exec` execs it, so the child is miniupnpd.
  const args = ['netns', 'exec', home.router, 'miniupnpd', '-d', '-f', join(dir, 'miniupnpd.conf')];
  const child: ChildProcess = spawn('ip', [...args, '-P', join(dir, 'pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      log.push(line);
      if (line.includes('HTTP listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`miniupnpd exited with ${code}: ${log.join('\n')}`)));
  });
  return {
    log,
    mappings: () => {
      let text = '';
      try {
        text = readFileSync(leases, 'utf8');
      } catch {
        return []; // no lease file until the first mapping
      }
      // PROTO:extPort:intHost:intPort:expiry:description (the description may hold colons)
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [protocol, ext, host, int, , ...description] = line.split(':');
          return {
            protocol: protocol!,
            externalPort: Number(ext),
            internalHost: host!,
            internalPort: Number(int),
            description: description.join(':'),
          };
        });
    },
    dnatRules: async () => {
      const chain = ['netns', 'exec', home.router, 'nft', 'list', 'chain', 'inet', 'miniupnpd', 'prerouting_miniupnpd'];
      const { stdout } = await exec('ip', chain);
      return stdout.split('\n').filter((line) => line.includes('dnat'));
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

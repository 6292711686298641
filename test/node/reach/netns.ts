// Real NATs on this machine, for the reach tests and benchmarks: network namespaces joined by veth
// pairs. A "public" namespace holds the internet, 11.11.11.0/24 on a bridge, with a reachable node
// at 11.11.11.10; each "home" namespace is a LAN (10.N.0.0/24) behind its own router namespace,
// whose WAN side (11.11.11.N+1) masquerades the LAN's traffic
// with nftables and forwards nothing inbound that the LAN did not start. Only the namespaces made
// here are used; `destroy` removes them (and with them every veth), whatever state they are in.
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * The "internet" inside the namespaces. Not a documentation range (203.0.113.0/24 and its kind):
 * libp2p counts those as private, so AutoNAT and DCUtR would ignore every address on them. These
 * namespaces have no route out, so no packet to this range leaves the machine.
 */
const INTERNET = '11.11.11';
export const PUBLIC_IP = `${INTERNET}.10`;

/** Why namespaces cannot be made here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to make network namespaces (CI runs as root)';
  for (const tool of ['ip', 'nft'])
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      return `needs \`${tool}\` (apt-get install -y ${tool === 'ip' ? 'iproute2' : 'nftables'})`;
  return undefined;
}

export interface Home {
  ns: string;
  ip: string;
  router: string;
  wanIp: string;
}

export interface Topology {
  public: { ns: string; ip: string };
  homes: Home[];
  destroy(): Promise<void>;
}

async function sh(...args: string[]): Promise<void> {
  await exec(args[0]!, args.slice(1));
}

/** Runs `script` through nft inside `ns`. */
async function nft(ns: string, script: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], (err) => (err ? reject(err) : resolve()));
    child.stdin?.end(script);
  });
}

/** Builds the public namespace and `homes` home LANs behind their routers. */
export async function buildTopology(homes: number): Promise<Topology> {
  const tag = `mr${randomBytes(3).toString('hex')}`; // unique: names stay under 15 characters with a suffix
  const made: string[] = [];
  const topology: Topology = {
    public: { ns: `${tag}pub`, ip: PUBLIC_IP },
    homes: [],
    destroy: async () => {
      for (const ns of made.reverse()) await exec('ip', ['netns', 'del', ns]).catch(() => {});
    },
  };
  const netns = async (name: string) => {
    await sh('ip', 'netns', 'add', name);
    made.push(name);
    await sh('ip', '-n', name, 'link', 'set', 'lo', 'up');
  };
  try {
    const pub = topology.public.ns;
    await netns(pub);
    await sh('ip', '-n', pub, 'link', 'add', 'br0', 'type', 'bridge');
    await sh('ip', '-n', pub, 'addr', 'add', `${PUBLIC_IP}/24`, 'dev', 'br0');
    await sh('ip', '-n', pub, 'link', 'set', 'br0', 'up');
    for (let n = 1; n <= homes; n++) {
      const home: Home = { ns: `${tag}h${n}`, ip: `10.${n}.0.2`, router: `${tag}r${n}`, wanIp: `${INTERNET}.${n + 1}` };
      await netns(home.router);
      await netns(home.ns);
      // WAN: router ↔ the public bridge
      await sh('ip', 'link', 'add', `${tag}w${n}`, 'type', 'veth', 'peer', 'name', `${tag}x${n}`);
      await sh('ip', 'link', 'set', `${tag}w${n}`, 'netns', home.router);
      await sh('ip', 'link', 'set', `${tag}x${n}`, 'netns', pub);
      await sh('ip', '-n', pub, 'link', 'set', `${tag}x${n}`, 'master', 'br0', 'up');
      await sh('ip', '-n', home.router, 'link', 'set', `${tag}w${n}`, 'name', 'wan');
      await sh('ip', '-n', home.router, 'addr', 'add', `${home.wanIp}/24`, 'dev', 'wan');
      await sh('ip', '-n', home.router, 'link', 'set', 'wan', 'up');
      // LAN: router ↔ home
      await sh('ip', 'link', 'add', `${tag}l${n}`, 'type', 'veth', 'peer', 'name', `${tag}e${n}`);
      await sh('ip', 'link', 'set', `${tag}l${n}`, 'netns', home.router);
      await sh('ip', 'link', 'set', `${tag}e${n}`, 'netns', home.ns);
      await sh('ip', '-n', home.router, 'link', 'set', `${tag}l${n}`, 'name', 'lan');
      await sh('ip', '-n', home.router, 'addr', 'add', `10.${n}.0.1/24`, 'dev', 'lan');
      await sh('ip', '-n', home.router, 'link', 'set', 'lan', 'up');
      await sh('ip', '-n', home.ns, 'link', 'set', `${tag}e${n}`, 'name', 'eth0');
      await sh('ip', '-n', home.ns, 'addr', 'add', `${home.ip}/24`, 'dev', 'eth0');
      await sh('ip', '-n', home.ns, 'link', 'set', 'eth0', 'up');
      await sh('ip', '-n', home.ns, 'route', 'add', 'default', 'via', `10.${n}.0.1`);
      await sh('ip', 'netns', 'exec', home.router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
      // A home router: the LAN's connections go out masqueraded; nothing comes in that the LAN did not start.
      await nft(
        home.router,
        `table ip home {
  chain postrouting {
    type nat hook postrouting priority 100;
    oifname "wan" masquerade
  }
  chain forwarding {
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    iifname "lan" oifname "wan" accept
  }
}
`,
      );
      topology.homes.push(home);
    }
  } catch (err) {
    await topology.destroy();
    throw err;
  }
  return topology;
}

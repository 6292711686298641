// Real `meshctl node start` processes inside network namespaces, and meshctl run there as a person
// would run it (`ip netns exec <ns> meshctl …`): a node's API listens on 127.0.0.1 of its own
// namespace, which the test's namespace cannot reach.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { MESHCTL } from '../mesh/child-nodes.js';
import type { NetworkConfig } from '../../../src-main/core/reach/network-config.js';

export interface NsNode {
  ns: string;
  dataDir: string;
  peerId: string;
  process: ChildProcess;
  log: string[];
}

const started: NsNode[] = [];

/** Starts a node in `ns`; `network` is written to its data dir first (port, relay limits). */
export async function startNsNode(
  ns: string,
  options: { name: string; network?: NetworkConfig; listen?: string; workers?: number; dataDir?: string },
): Promise<NsNode> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), `mesh-${options.name}-`));
  if (options.network) writeFileSync(join(dataDir, 'network.json'), JSON.stringify(options.network), { mode: 0o600 });
  const args = ['netns', 'exec', ns, process.execPath, MESHCTL, 'node', 'start', '--data-dir', dataDir, '--no-mdns'];
  args.push('--name', options.name, '--workers', String(options.workers ?? 1), '--gpu', 'off');
  if (options.listen) args.push('--listen', options.listen);
  const child = spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => log.push(line));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`node ${options.name} exited with ${code}: ${log.join('\n')}`)));
  });
  const { peerId } = JSON.parse(line) as { peerId: string };
  const node = { ns, dataDir, peerId, process: child, log };
  started.push(node);
  return node;
}

/** meshctl in the node's namespace, against its data dir: its stdout. Throws with stderr on failure. */
export function ctlText(node: NsNode, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'ip',
      ['netns', 'exec', node.ns, process.execPath, MESHCTL, ...args, '--data-dir', node.dataDir],
      { maxBuffer: 64 << 20 },
      (err, stdout, stderr) => (err ? reject(new Error(stderr.trim() || err.message)) : resolve(stdout)),
    );
  });
}

/** The same with `--json`, parsed. */
export async function ctl<T = Record<string, unknown>>(node: NsNode, ...args: string[]): Promise<T> {
  return JSON.parse(await ctlText(node, ...args, '--json')) as T;
}

/** meshctl that is expected to fail: its one-line error. */
export async function ctlError(node: NsNode, ...args: string[]): Promise<string> {
  try {
    await ctl(node, ...args);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`meshctl ${args.join(' ')} succeeded`);
}

/** Polls `check` until it returns a value (not undefined), or throws after `ms`. */
export async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: string | undefined;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err instanceof Error ? err.message : JSON.stringify(err);
    }
    await sleep(300);
  }
  throw new Error(`timed out waiting for ${what}${last === undefined ? '' : `: ${last}`}`);
}

export interface PeerLink {
  peer_id: string;
  connected: boolean;
  link: { kind: 'direct' | 'relayed'; address: string; rtt_ms: number | null; limits: unknown } | null;
}

export async function linkTo(from: NsNode, to: NsNode): Promise<PeerLink | undefined> {
  const { peers } = await ctl<{ peers: PeerLink[] }>(from, 'peers');
  return peers.find((p) => p.peer_id === to.peerId);
}

/** Stops every node started here (SIGTERM, then SIGKILL after 5 s). */
export async function stopAllNsNodes(): Promise<void> {
  await Promise.all(
    started.splice(0).map(async (node) => {
      if (node.process.exitCode !== null || node.process.signalCode !== null) return;
      const exited = new Promise((resolve) => node.process.once('exit', resolve));
      node.process.kill('SIGTERM');
      const timer = setTimeout(() => node.process.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

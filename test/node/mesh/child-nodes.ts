// `meshctl node start` in child processes on 127.0.0.1 (mDNS off), each with its own data dir,
// reached through its local API like any client: the nodes of the multi-process tests.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ApiClient } from '../../../src-main/node/api/index.js';

/** The CLI built next to this test (the build folder has the same layout as the repo). */
export const MESHCTL = fileURLToPath(new URL('../../../src-main/cli/meshctl.js', import.meta.url));

/** `meshctl node start` on a loopback port of its own, mDNS off, in `dataDir`, with `extra` options. */
export function nodeStartArgs(dataDir: string, extra: string[] = [], port = 0): string[] {
  return [
    MESHCTL,
    'node',
    'start',
    '--data-dir',
    dataDir,
    '--listen',
    `/ip4/127.0.0.1/tcp/${port}`,
    '--no-mdns',
    ...extra,
  ];
}

export interface ChildNode {
  dataDir: string;
  peerId: string;
  listen: string;
  api: ApiClient;
  process: ChildProcess;
  /** The last 2,000 characters it wrote to standard error. */
  stderr: () => string;
}

const started: ChildNode[] = [];

export interface ChildOptions {
  dataDir?: string;
  workers?: number;
  graceSeconds?: number;
  /** The TCP port to listen on (a restarted node keeps its own, as a real one does); any free one if absent. */
  port?: number;
  /** Extra environment, e.g. MESH_POWER_OVERRIDE=battery. */
  env?: Record<string, string>;
}

/** Starts a node; resolves once it printed its {peerId, listen, api} line. */
export async function startChild(options: ChildOptions = {}): Promise<ChildNode> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'mesh-child-'));
  const args = nodeStartArgs(dataDir, ['--workers', String(options.workers ?? 1)], options.port);
  if (options.graceSeconds !== undefined) args.push('--grace-seconds', String(options.graceSeconds));
  const child = spawn('./node_modules/.bin/node', args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MESH_GPU: 'off', ...options.env },
  });
  let stderr = ''; // its last words, should it fail to start
  const log = createWriteStream(join(dataDir, 'node.log'), { flags: 'a' }); // all of them, across restarts
  child.stderr.setEncoding('utf8').on('data', (data: string) => {
    stderr = (stderr + data).slice(-2000);
    log.write(data);
  });
  child.once('exit', () => log.end());
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`meshctl node start exited with ${code}: ${stderr}`)));
  });
  const { peerId, listen } = JSON.parse(line) as { peerId: string; listen: string[] };
  const node = {
    dataDir,
    peerId,
    listen: listen[0]!,
    api: ApiClient.fromDataDir(dataDir),
    process: child,
    stderr: () => stderr,
  };
  started.push(node);
  return node;
}

/** Starts one node per options given, connected to each other and trusting each other fully. */
export async function startMesh(options: ChildOptions[]): Promise<ChildNode[]> {
  const nodes = await Promise.all(options.map((o) => startChild(o)));
  await meshAll(nodes);
  return nodes;
}

const run = promisify(execFile);

/** meshctl, as a user runs it: exit code, stdout and stderr. */
export async function meshctl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('./node_modules/.bin/node', [MESHCTL, ...args], { maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Connects every pair and has each trust every other fully. */
export async function meshAll(nodes: ChildNode[]): Promise<void> {
  for (let i = 0; i < nodes.length; i++)
    for (let j = i + 1; j < nodes.length; j++) await nodes[i]!.api.call('peers.add', { multiaddr: nodes[j]!.listen });
  for (const from of nodes)
    for (const to of nodes) if (from !== to) await from.api.call('trust.set', { peer_id: to.peerId, weight: 1 });
}

export async function stopChild(node: ChildNode, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (node.process.exitCode !== null || node.process.signalCode !== null) return;
  const exited = new Promise((resolve) => node.process.once('exit', resolve));
  node.process.kill(signal);
  await exited;
}

/** `check`'s value once it has one, asked every `everyMs` (a UI's pace, not a busy poll). */
export async function within<T>(
  what: string,
  ms: number,
  check: () => Promise<T | undefined>,
  everyMs = 1_000,
): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((resolve) => setTimeout(resolve, everyMs))) {
    const value = await check();
    if (value !== undefined) return value;
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The job's view once it has ended (completed, failed or cancelled: not running, nor paused), asked each second. */
export function jobEnd(node: ChildNode, jobId: string, ms: number) {
  return within('the job to end', ms, async () => {
    const { job } = await node.api.call('jobs.status', { job_id: jobId });
    return job.state === 'running' || job.state === 'paused' ? undefined : job;
  });
}

/** The workflow's view once it has ended (its outcome no longer `running`), asked every 20 ms. */
export function workflowEnd(api: ApiClient, workflowId: string, ms = 600_000) {
  return within(
    'the workflow to end',
    ms,
    async () => {
      const { workflow } = await api.call('workflows.status', { workflow_id: workflowId });
      return workflow.outcome === 'running' ? undefined : workflow;
    },
    20,
  );
}

/** For an `after` hook: no child outlives the test file. */
export function killAllChildren(): void {
  for (const child of started)
    if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
}

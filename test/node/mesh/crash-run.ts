// Real daemons (meshctl child processes) killed with SIGKILL at random points of sha256 jobs and
// restarted from their data dirs, then checked: no unit lost, none paid twice, the ledgers agree,
// every receipt chain verifies, and every output of a completed job is in the requester's own
// store, hash-checked. The crash test and the crash benchmark both run this; the randomness is
// seeded (the seed is printed) so a failing run can be replayed.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sha256OfCid } from '../../../src-main/core/mesh/state/input-cids.js';
import { unpackOutput } from '../../../src-main/node/mesh/units/pack-outputs.js';
import { startChild, stopChild, type ChildNode } from './child-nodes.js';
import { waitFor } from './cluster.js';

/** A node of these runs: one worker, deadlines 2 s past their estimate; restarted, on its own data dir and port. */
const start = (was?: ChildNode): Promise<ChildNode> =>
  startChild({
    workers: 1,
    graceSeconds: 2,
    ...(was ? { dataDir: was.dataDir, port: Number(/\/tcp\/(\d+)/.exec(was.listen)![1]) } : {}),
  });

/** Requester first, then two providers, all connected and trusting each other. */
export async function startTrio(): Promise<ChildNode[]> {
  const nodes = await Promise.all([start(), start(), start()]);
  for (let i = 0; i < nodes.length; i++)
    for (let j = i + 1; j < nodes.length; j++) await nodes[i]!.api.call('peers.add', { multiaddr: nodes[j]!.listen });
  for (const from of nodes)
    for (const to of nodes) if (from !== to) await from.api.call('trust.set', { peer_id: to.peerId, weight: 1 });
  return nodes;
}

/** SIGKILLs node `i`, waits `downMs`, and starts it again on its data dir and port, dialing the others. */
export async function killAndRestart(nodes: ChildNode[], i: number, downMs = 0): Promise<void> {
  await stopChild(nodes[i]!, 'SIGKILL');
  if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
  const node = await start(nodes[i]);
  nodes[i] = node;
  for (const [j, other] of nodes.entries()) {
    if (other === node) continue;
    if (other.process.exitCode !== null || other.process.signalCode !== null)
      throw new Error(
        `node ${j} died by itself (${other.process.exitCode ?? other.process.signalCode}): ${other.stderr()}`,
      );
    await node.api.call('peers.add', { multiaddr: other.listen });
  }
}

export interface HashJob {
  job_id: string;
  input: Buffer;
  chunk: number;
  units: number;
}

export async function submitHashJob(requester: ChildNode, units: number, chunk = 4096): Promise<HashJob> {
  const input = randomBytes(units * chunk);
  const { job_id } = await requester.api.call('jobs.submit', {
    library: 'hash',
    method: 'sha256',
    input_base64: input.toString('base64'),
    chunk_bytes: chunk,
    redundancy: 1,
    budget: 100_000_000,
    priority: 0.5,
    manual_accept: false,
  });
  return { job_id, input, chunk, units };
}

/** Units verified of the job so far. */
export async function verifiedOf(requester: ChildNode, job: HashJob): Promise<number> {
  return (await requester.api.call('jobs.status', { job_id: job.job_id, units: false })).job.units_verified;
}

/** Waits until every job has ended and no node holds escrow; a timeout is reported, not thrown. */
export async function settle(nodes: ChildNode[], jobs: HashJob[], timeoutMs: number): Promise<string | undefined> {
  let seen = '';
  try {
    await waitFor(
      'the jobs to end and every escrow to close',
      async () => {
        const states = await Promise.all(
          jobs.map((j) => nodes[0]!.api.call('jobs.status', { job_id: j.job_id, units: false })),
        );
        const held = await Promise.all(nodes.map((n) => n.api.call('ledger.get', { limit: 0 })));
        seen = `jobs ${states.map((s) => `${s.job.state} ${s.job.units_verified}/${s.job.units_total}`).join(', ')}; held ${held.map((l) => l.held).join(', ')}`;
        return states.every((s) => s.job.state !== 'running') && held.every((l) => l.held === 0) ? true : undefined;
      },
      timeoutMs,
    );
    return undefined;
  } catch {
    const open = [];
    for (const job of jobs) {
      const { units } = await nodes[0]!.api.call('jobs.status', { job_id: job.job_id, units: true });
      open.push(
        ...units!
          .filter((u) => u.status !== 'verified')
          .map(
            (u) =>
              `${u.unit_id} ${u.status} [${u.providers.map((p) => nodes.findIndex((n) => n.peerId === p)).join(',')}]`,
          ),
      );
    }
    return `not settled after ${timeoutMs} ms: ${seen}; open units ${open.slice(0, 10).join(', ')} (logs: ${nodes.map((n) => n.dataDir).join(' ')})`;
  }
}

/** A blob from the requester's own store, read as the store keeps it: a row (small) or a file. */
function ownBlob(requester: ChildNode, cid: string): Buffer | undefined {
  const db = new Database(join(requester.dataDir, 'journal.sqlite'), { readonly: true });
  try {
    const row = db
      .prepare<[Uint8Array], Buffer>('SELECT bytes FROM small_blobs WHERE digest = ?')
      .pluck()
      .get(sha256OfCid(cid)!);
    if (row) return row;
  } finally {
    db.close();
  }
  try {
    return readFileSync(join(requester.dataDir, 'blobs', cid.slice(-3, -1), cid));
  } catch {
    return undefined;
  }
}

/** The units' outputs in every pack output the requester's store holds (its small blobs), as hex. */
function outputsInStoredPacks(requester: ChildNode): Set<string> {
  const db = new Database(join(requester.dataDir, 'journal.sqlite'), { readonly: true });
  try {
    const rows = db.prepare<[], Buffer>('SELECT bytes FROM small_blobs').pluck().all();
    return new Set(rows.flatMap((bytes) => unpackOutput(bytes)?.map((o) => Buffer.from(o).toString('hex')) ?? []));
  } finally {
    db.close();
  }
}

/**
 * Every output of the job, asked of the requester's API and read from its own store (a packed
 * unit's, from its pack's output there), checked against the SHA-256 of its chunk.
 */
export async function missingOutputs(requester: ChildNode, job: HashJob): Promise<string[]> {
  const { job: view, units } = await requester.api.call('jobs.status', { job_id: job.job_id, units: true });
  const inPacks = view.units_per_pack > 1 ? outputsInStoredPacks(requester) : new Set<string>();
  const missing: string[] = [];
  for (const unit of units!) {
    const expected = createHash('sha256')
      .update(job.input.subarray(unit.index * job.chunk, (unit.index + 1) * job.chunk))
      .digest();
    const own = unit.output_cid === null ? undefined : ownBlob(requester, unit.output_cid);
    if (!own?.equals(expected) && !inPacks.has(expected.toString('hex')))
      missing.push(`${unit.unit_id}: not in the requester's store`);
    try {
      const { output_base64 } = await requester.api.call('jobs.output', { job_id: job.job_id, unit_id: unit.unit_id });
      if (!Buffer.from(output_base64, 'base64').equals(expected)) missing.push(`${unit.unit_id}: wrong output`);
    } catch (err) {
      missing.push(`${unit.unit_id}: ${(err as Error).message}`);
    }
  }
  return missing;
}

/**
 * The unit of each assignment the node's ledger paid, and how many escrows it has of each status,
 * read from its journal (read-only, beside the running node).
 */
function escrowsOf(node: ChildNode): { paid: string[]; statuses: string } {
  const db = new Database(join(node.dataDir, 'journal.sqlite'), { readonly: true });
  try {
    const paid = db.prepare<[], string>("SELECT unit_id FROM ledger_escrows WHERE status = 'paid'").pluck().all();
    const statuses = db
      .prepare<[], { status: string; n: number }>('SELECT status, COUNT(*) AS n FROM ledger_escrows GROUP BY status')
      .all();
    return { paid, statuses: statuses.map((s) => `${s.n} ${s.status}`).join(', ') };
  } finally {
    db.close();
  }
}

/** The first lines of the node's log (node.log, across restarts) that speak of convictions or refunds. */
function refundLines(node: ChildNode): string[] {
  try {
    const log = readFileSync(join(node.dataDir, 'node.log'), 'utf8');
    return log
      .split('\n')
      .filter((line) => /convicted|refund|could not be had/.test(line))
      .slice(0, 3);
  } catch {
    return [];
  }
}

/**
 * What is wrong once the nodes have settled, over all `jobs` run so far (the outputs of
 * `outputsOf` only): each a sentence; none when all holds.
 */
export async function violations(nodes: ChildNode[], jobs: HashJob[], outputsOf = jobs): Promise<string[]> {
  const found: string[] = [];
  const requester = nodes[0]!;
  /** What the requester pays once each: a unit, or a pack of them (core/mesh/rules/packs.ts). */
  let units = 0;
  for (const job of jobs) {
    const { job: view } = await requester.api.call('jobs.status', { job_id: job.job_id, units: false });
    units += Math.ceil(job.units / view.units_per_pack);
    if (view.state !== 'completed' || view.units_verified !== job.units)
      found.push(`unit lost: job ${job.job_id} is ${view.state}, ${view.units_verified}/${job.units} verified`);
    else if (outputsOf.includes(job))
      found.push(...(await missingOutputs(requester, job)).map((m) => `output cannot be had: ${m}`));
  }
  const ledgers = await Promise.all(nodes.map((n) => n.api.call('ledger.get', { limit: 0 })));
  // Every assignment the requester paid, from its ledger's tables: the API lists only the newest 10,000 entries, and a
  // hundred kills with deep pipelines make more than that (escrows and refunds of units taken back).
  const { paid, statuses } = escrowsOf(requester);
  if (paid.length !== units || new Set(paid).size !== units)
    found.push(
      `paid ${paid.length} assignments (of ${new Set(paid).size} units or packs) for ${units}; escrows ${statuses}; ` +
        `the requester's log on refunds: ${refundLines(requester).join(' / ') || 'none'} (${requester.dataDir})`,
    );
  ledgers.forEach((l, i) => {
    if (l.held !== 0) found.push(`node ${i} still holds ${l.held} in escrow`);
  });
  for (let i = 0; i < nodes.length; i++)
    for (let j = i + 1; j < nodes.length; j++) {
      const mine = ledgers[i]!.peers.find((p) => p.peer_id === nodes[j]!.peerId)?.balance ?? 0;
      const theirs = ledgers[j]!.peers.find((p) => p.peer_id === nodes[i]!.peerId)?.balance ?? 0;
      if (mine + theirs !== 0)
        found.push(`ledgers disagree: node ${i} says ${mine} with node ${j}, which says ${theirs}`);
    }
  for (const [i, node] of nodes.entries()) {
    const { chains } = await node.api.call('receipts.verify', {});
    for (const chain of chains)
      if (!chain.ok) found.push(`node ${i}: the receipt chain of ${chain.author} fails: ${chain.error}`);
  }
  return found;
}

/** mulberry32: a small seeded generator, so a run's kills can be replayed from its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface CrashRunOptions {
  kills: number;
  /** Kills during each job; after each job the nodes settle and the invariants are checked. */
  killsPerJob: number;
  unitsPerJob: number;
  seed: number;
  log?: (line: string) => void;
}

export interface CrashRunOutcome {
  kills: number;
  jobs: number;
  violations: string[];
  ms: number;
}

/**
 * Jobs one after another on a requester and two providers; during each, `killsPerJob` SIGKILLs of
 * a random node at a random moment (each node restarted before the next kill), then the invariants.
 */
export async function crashRun(options: CrashRunOptions): Promise<CrashRunOutcome> {
  const random = seeded(options.seed);
  const log = options.log ?? (() => {});
  const started = Date.now();
  const nodes = await startTrio();
  const allViolations: string[] = [];
  const jobs: HashJob[] = [];
  let kills = 0;
  try {
    while (kills < options.kills) {
      const job = await submitHashJob(nodes[0]!, options.unitsPerJob);
      jobs.push(job);
      for (let k = 0; k < options.killsPerJob && kills < options.kills; k++, kills++) {
        await new Promise((r) => setTimeout(r, Math.floor(random() * 1500)));
        const victim = Math.floor(random() * nodes.length);
        const downMs = Math.floor(random() * 1000);
        log(
          `kill ${kills + 1}: node ${victim} (${(await safeVerified(nodes[0]!, job)) ?? '?'} verified), down ${downMs} ms`,
        );
        await killAndRestart(nodes, victim, downMs);
      }
      const stuck = await settle(nodes, [job], 120_000);
      const found = stuck ? [stuck] : await violations(nodes, jobs, [job]);
      log(`job ${jobs.length} after ${kills} kills: ${found.length === 0 ? 'all invariants hold' : found.join('; ')}`);
      allViolations.push(...found);
      if (stuck) break; // the next job would only pile onto this one
    }
  } finally {
    await Promise.all(nodes.map((n) => stopChild(n, 'SIGKILL')));
  }
  return { kills, jobs: jobs.length, violations: allViolations, ms: Date.now() - started };
}

async function safeVerified(requester: ChildNode, job: HashJob): Promise<number | undefined> {
  return verifiedOf(requester, job).catch(() => undefined);
}

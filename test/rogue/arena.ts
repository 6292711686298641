// Where the rogue attacks: a target node T (a real MeshNode: journal, sandbox, libp2p on
// loopback) that has completed a job with an honest peer B, both trusting each other, and a rogue
// R that T trusts too (the worst case: a trusted peer gone bad). After each attack the arena says
// what changed: whether T still answers, whether it lost anything, whether R gained anything or
// made T blame B, and how much T's journal grew.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { ApiHandlers } from '../../src-main/core/api/contract.js';
import { jobEnded, meshOf, startNode, stopAll, waitFor, type TestNode } from '../node/mesh/cluster.js';
import { RoguePeer, WIRE } from './rogue-peer.js';
import { EventStore } from '../../src-main/node/journal/event-store.js';

export interface Arena {
  t: TestNode;
  b: TestNode;
  rogue: RoguePeer;
  /** The completed job and the blob CIDs it names (its module and one input). */
  jobId: string;
  blobs: { module: string; input: string };
  /** An open job of T's, manual accept: offers for it are listed, not taken. */
  openJobId: string;
  openUnitId: string;
  stop(): Promise<void>;
}

export interface Baseline {
  ledger: Awaited<ReturnType<ApiHandlers['ledger.get']>>;
  units: number;
  events: number;
  penaltiesOfB: number;
}

export function hashParams(units: number, manual: boolean): Parameters<ApiHandlers['jobs.submit']>[0] {
  return {
    library: 'hash',
    method: 'sha256',
    input_base64: Buffer.alloc(units * 64, 7).toString('base64'),
    chunk_bytes: 64,
    redundancy: 1,
    budget: 10_000_000,
    priority: 0.5,
    manual_accept: manual,
    open_to_strangers: false,
  };
}

export async function openArena(): Promise<Arena> {
  const nodes = [await startNode(), await startNode()];
  const [t, b] = nodes as [TestNode, TestNode];
  const rogue = await RoguePeer.start();
  try {
    await rogue.serve(); // R answers direct requests: T's acceptances when R provides (attacks-provider.ts)
    await meshOf(nodes);
    await rogue.dial(t.node.network.listenAddresses()[0]!);
    await t.api['trust.set']({ peer_id: rogue.peerId, weight: 1 });
    const { job_id: jobId } = await t.api['jobs.submit'](hashParams(2, false));
    const done = await jobEnded(t.api, jobId, 60_000);
    if (done.state !== 'completed') throw new Error(`the arena's job ended ${done.state}`);
    const assignment = [...t.node.state.assignments.values()].find((a) => a.acceptance.job_id === jobId)!;
    const unit = t.node.state.units.get(assignment.acceptance.unit_id)!.unit;
    // B stops sharing, so the open job stays open: offers for it come from the rogue only.
    await b.api['sharing.set']({ on: false });
    const { job_id: openJobId } = await t.api['jobs.submit'](hashParams(1, true));
    const openUnitId = [...t.node.state.units.values()].find((u) => u.unit.job_id === openJobId)!.unit.unit_id;
    // R subscribes to its own topic so that T, which follows it, grafts it into that topic's mesh.
    rogue.libp2p.services.pubsub.subscribe(WIRE.commitments(rogue.peerId));
    rogue.libp2p.services.pubsub.subscribe(WIRE.adverts);
    await waitFor(
      'T to follow R',
      () => rogue.libp2p.services.pubsub.getSubscribers(WIRE.commitments(rogue.peerId)).length > 0 || undefined,
      20_000,
    );
    return {
      t,
      b,
      rogue,
      jobId,
      blobs: { module: unit.input_cid ?? unit.module_cid ?? 'none', input: unit.input_cid ?? 'none' },
      openJobId,
      openUnitId,
      stop: async () => {
        await rogue.stop();
        await stopAll(nodes);
      },
    };
  } catch (err) {
    await rogue.stop();
    await stopAll(nodes);
    throw err;
  }
}

/** Events in T's journal, of one type or all, read from its SQLite file by a second connection. */
export function journalCount(node: TestNode, type?: string, peer?: string): number {
  const db = new Database(join(node.dataDir, 'journal.sqlite'), { readonly: true, fileMustExist: true });
  try {
    node.node.journal.flush();
    let n = 0;
    for (const { event } of new EventStore(db).events())
      if (
        (type === undefined || event.type === type) &&
        (peer === undefined || ('peer_id' in event && event.peer_id === peer))
      )
        n++;
    return n;
  } finally {
    db.close();
  }
}

export async function baseline(arena: Arena): Promise<Baseline> {
  const { t, b, jobId } = arena;
  const { job } = await t.api['jobs.status']({ job_id: jobId, units: false });
  return {
    ledger: await t.api['ledger.get']({ limit: 10_000 }),
    units: job.units_verified,
    events: journalCount(t),
    penaltiesOfB: journalCount(t, 'peer.penalized', b.node.peerId),
  };
}

/** What an attack left behind; `violations` empty when T survived it and R gained nothing. */
export async function aftermath(
  arena: Arena,
  before: Baseline,
  maxNewEvents: number,
  /** The attack ran a job of T's (R as its provider, B finishing it): T paid B, and only R must have gained nothing. */
  ranJob = false,
): Promise<{ violations: string[]; newEvents: number }> {
  const { t, b, rogue, jobId } = arena;
  const violations: string[] = [];
  const health = await Promise.race([
    t.api.status({}).then(() => 'ok'),
    new Promise<string>((resolve) => setTimeout(() => resolve('no answer in 5 s'), 5_000).unref()),
  ]).catch((err: unknown) => `status failed: ${String(err)}`);
  if (health !== 'ok') violations.push(`health: ${health}`);
  const { job } = await t.api['jobs.status']({ job_id: jobId, units: false });
  if (job.state !== 'completed' || job.units_verified !== before.units)
    violations.push(`the completed job is now ${job.state} with ${job.units_verified} verified`);
  const ledger = await t.api['ledger.get']({ limit: 10_000 });
  const credited = ledger.entries.filter((e) => !before.ledger.entries.some((o) => o.entry_id === e.entry_id));
  if (credited.length > 0 && !ranJob)
    violations.push(`new ledger entries: ${credited.map((e) => e.entry_id).join(', ')}`);
  if (ledger.peers.some((p) => p.peer_id === rogue.peerId && p.balance !== 0))
    violations.push('the rogue has a balance with T');
  const paidRogue = [...t.node.state.assignments.values()].filter(
    (a) => a.acceptance.provider_peer === rogue.peerId && a.escrow !== 'refunded',
  );
  if (paidRogue.length > 0)
    violations.push(`the rogue's assignments not refunded: ${paidRogue.map((a) => String(a.escrow)).join(', ')}`);
  if (ledger.balance !== before.ledger.balance && !ranJob) violations.push('T balance changed');
  const penaltiesOfB = journalCount(t, 'peer.penalized', b.node.peerId);
  if (penaltiesOfB !== before.penaltiesOfB) violations.push(`B was penalized ${penaltiesOfB - before.penaltiesOfB}×`);
  if ((t.node.state.reputation.get(b.node.peerId)?.rejected ?? 0) > 0) violations.push('B has rejected outcomes at T');
  const newEvents = journalCount(t) - before.events;
  if (newEvents > maxNewEvents) violations.push(`the journal grew by ${newEvents} events (at most ${maxNewEvents})`);
  return { violations, newEvents };
}

// The rogue peer (npm run bench -- rogue; test/rogue/):
// - rogue_attacks_survived of rogue_attacks_total: each attack of the table run against a target
//   node in this process (test/rogue/arena.ts); survived when the target answered its API, lost
//   nothing, blamed nobody else, and the rogue gained nothing and grew the journal by ≤ 4 events.
// - rogue_rss_growth_mb (target ≤ 50) and rogue_rss_late_growth_mb (target ≤ 5: no leak): a real
//   daemon (`meshctl node start`, its own process) flooded for MESH_BENCH_ROGUE_SECONDS (default
//   300) by a rogue it trusts, as fast as the rogue can: signed requests on 4 sessions, bad bodies,
//   gossip on its topic, blob requests and oversized frames. Growth: the largest RSS of the first
//   minute minus the RSS before the flood; late growth: the largest RSS of the last minute minus the
//   largest of the first. Beside them, what the flood left in the heap: a snapshot of the target
//   at the end against one of a twin daemon started beside it and never flooded (a snapshot of
//   the target itself before the flood would leave its RSS hundreds of MB higher, and hide growth).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { aftermath, baseline, openArena } from '../test/rogue/arena.js';
import { MESH_ATTACKS } from '../test/rogue/attacks-mesh.js';
import { PROVIDER_ATTACKS } from '../test/rogue/attacks-provider.js';
import { WIRE_ATTACKS } from '../test/rogue/attacks-wire.js';
import { commitmentOf } from '../test/rogue/bodies.js';
import { RoguePeer, WIRE } from '../test/rogue/rogue-peer.js';
import { startDaemonProcess, type DaemonProcess } from './fixtures/daemon-process.js';
import { heapGrowth, heapSnapshot, heapSummary } from './fixtures/heap-summary.js';
import { round, type Benchmark, type Figure } from './harness.js';

async function attacksSurvived(): Promise<Figure[]> {
  const attacks = [...WIRE_ATTACKS, ...MESH_ATTACKS, ...PROVIDER_ATTACKS];
  const arena = await openArena();
  const failed: string[] = [];
  try {
    for (const attack of attacks) {
      const start = await baseline(arena);
      const missed = await attack.run(arena).catch((err: unknown) => [`threw: ${String(err)}`]);
      const { violations } = await aftermath(arena, start, attack.maxNewEvents ?? 4, attack.ranJob);
      if (missed.length + violations.length > 0) failed.push(attack.name);
    }
  } finally {
    await arena.stop();
  }
  return [
    { name: 'rogue_attacks_survived', value: attacks.length - failed.length, unit: 'attacks', failed },
    { name: 'rogue_attacks_total', value: attacks.length, unit: 'attacks' },
  ];
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

/** `count` envelopes signed ahead, so that the flood is not held back by the rogue's own signing. */
function signed(count: number, make: (i: number) => Promise<Uint8Array>): Promise<Uint8Array[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => make(i)));
}

/** Sends `pool` in batches of 50 on fresh sessions until `end`, from the start again once used up (replays then); counts the replies. */
async function requestLoop(rogue: RoguePeer, peer: string, end: number, pool: Uint8Array[]): Promise<number> {
  let answered = 0;
  for (let i = 0; Date.now() < end; i = (i + 50) % pool.length) {
    const replies = await rogue.requests(peer, pool.slice(i, i + 50), 5_000).catch(() => []);
    answered += replies.length;
    if (replies.length === 0) await sleep(10);
  }
  return answered;
}

async function gossipLoop(rogue: RoguePeer, end: number, pool: Uint8Array[]): Promise<number> {
  let sent = 0;
  for (let i = 0; Date.now() < end; i = (i + 1) % pool.length, sent++) {
    await rogue.gossip(WIRE.commitments(rogue.peerId), pool[i]!);
    await sleep(1); // room for the other loops
  }
  return sent;
}

async function blobAndFrameLoop(rogue: RoguePeer, peer: string, end: number): Promise<number> {
  let sent = 0;
  while (Date.now() < end) {
    await Promise.all(Array.from({ length: 8 }, (_, i) => rogue.blob(peer, { cid: `bafk${sent + i}` })));
    const { stream } = await rogue.session(peer).catch(() => ({ stream: undefined }));
    try {
      stream?.send(new Uint8Array([0x80, 0x80, 0x80, 0x08])); // a 16 MiB length prefix
    } catch {
      // the target closed the session first
    }
    stream?.abort(new Error('oversized'));
    sent += 9;
  }
  return sent;
}

/** The largest RSS sampled in [from, to) seconds of the flood. */
function peakIn(samples: ReadonlyArray<{ at: number; mb: number }>, from: number, to: number): number {
  return Math.max(...samples.filter(({ at }) => at >= from && at < to).map(({ mb }) => mb));
}

async function flood(
  daemon: DaemonProcess,
  twin: DaemonProcess,
  seconds: number,
  snapshots: string,
): Promise<Figure[]> {
  const rogue = await RoguePeer.start();
  try {
    await rogue.dial(daemon.listen[0]!);
    await daemon.api.call('trust.set', { peer_id: rogue.peerId, weight: 1 });
    rogue.libp2p.services.pubsub.subscribe(WIRE.commitments(rogue.peerId));
    const target = daemon.peerId;
    const releases = await signed(6000, () => rogue.envelope('release', { assignments: [], reason: 'failed' }));
    const badOffers = await signed(1000, () => rogue.envelope('offers', { offers: [{ bad: 'x'.repeat(4000) }] }));
    const commitments = await signed(1000, (i) =>
      rogue.envelope('commitment', commitmentOf(rogue.peerId, { [target]: 1 }, i + 1)),
    );
    await sleep(3_000); // the daemon follows the rogue and settles
    const before = rssMb(daemon.pid);
    const memoryBefore = (await daemon.api.call('status', {})).memory;
    const start = Date.now();
    const samples: Array<{ at: number; mb: number }> = [];
    const sampler = setInterval(() => samples.push({ at: (Date.now() - start) / 1000, mb: rssMb(daemon.pid) }), 250);
    // Where the memory is, from the node itself, at each minute's end: its JS heap, or outside it.
    const byMinute: Array<Record<string, number>> = [];
    const minutes = setInterval(
      () =>
        void daemon.api
          .call('status', {})
          .then(({ memory }) => byMinute.push(memory))
          .catch(() => undefined),
      60_000,
    );
    const end = start + seconds * 1000;
    const counts = await Promise.all([
      requestLoop(rogue, target, end, releases.slice(0, 3000)),
      requestLoop(rogue, target, end, releases.slice(3000)),
      requestLoop(rogue, target, end, badOffers),
      gossipLoop(rogue, end, commitments),
      blobAndFrameLoop(rogue, target, end),
    ]);
    clearInterval(sampler);
    clearInterval(minutes);
    const status = await daemon.api.call('status', {});
    const heapAfter = heapSummary(await heapSnapshot(daemon.pid, snapshots));
    const heapTwin = heapSummary(await heapSnapshot(twin.pid, snapshots));
    const dropped = status.dropped[rogue.peerId] ?? {};
    const firstMinute = peakIn(samples, 0, 60);
    const lastMinute = peakIn(samples, Math.max(60, seconds - 60), seconds + 1);
    const common = { seconds, rss_before_mb: round(before) };
    return [
      {
        name: 'rogue_rss_growth_mb',
        value: round(firstMinute - before),
        unit: 'MB',
        target: 50,
        ...common,
        rss_peak_first_minute_mb: round(firstMinute),
        replies_read: counts[0] + counts[1] + counts[2],
        gossip_sent: counts[3],
        blob_and_oversized_sent: counts[4],
        dropped_by_reason: dropped,
      },
      {
        name: 'rogue_rss_late_growth_mb',
        value: round(lastMinute - firstMinute),
        unit: 'MB',
        target: 5,
        ...common,
        rss_peak_last_minute_mb: round(lastMinute),
        rss_by_minute_mb: Array.from({ length: Math.ceil(seconds / 60) }, (_, m) =>
          round(peakIn(samples, m * 60, (m + 1) * 60)),
        ),
        memory_before_mb: memoryBefore,
        memory_by_minute_mb: byMinute,
        heap_beyond_unflooded_twin: heapGrowth(heapTwin, heapAfter),
      },
    ];
  } finally {
    await rogue.stop();
  }
}

export const benchmarks: Benchmark[] = [
  { names: ['rogue_attacks_survived', 'rogue_attacks_total'], run: attacksSurvived },
  {
    names: ['rogue_rss_growth_mb', 'rogue_rss_late_growth_mb'],
    async run() {
      const snapshots = mkdtempSync(join(tmpdir(), 'mesh-bench-rogue-heap-'));
      const options = { workers: 1, nodeArgs: ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshots}`] };
      const daemons: DaemonProcess[] = [];
      try {
        for (const name of ['rogue-target', 'rogue-twin']) daemons.push(await startDaemonProcess({ name, ...options }));
        const [daemon, twin] = daemons as [DaemonProcess, DaemonProcess];
        return await flood(daemon, twin, Number(process.env.MESH_BENCH_ROGUE_SECONDS ?? 300), snapshots);
      } finally {
        await Promise.all(daemons.map((d) => d.stop()));
        rmSync(snapshots, { recursive: true, force: true });
      }
    },
  },
];

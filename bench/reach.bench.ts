// Reaching people behind NATs (npm run bench -- reach), on the namespaces of the NAT test: a public
// node at 11.11.11.10 relaying for the people it trusts, and two homes behind masquerading routers.
// - invite_to_first_unit_ms: bob accepts alice's invite (through the relay) → the first unit of
//   alice's waiting job starts on bob's node (its `unit.started` event).
// - relayed_blob_mb_per_s / direct_blob_mb_per_s: one 16 MiB unit (sha256) from alice, run on bob
//   (relayed) and on the public node (direct, the baseline), from `unit.started` there to
//   `unit.finished` at alice: the input's fetch, the hash and the result's way back; all but the
//   fetch is the same in both.
// - hole_punch_success: bob's node restarted 10 times; the share of times its link to alice ended
//   direct (DCUtR). direct_after_punch_blob_mb_per_s only where one did.
// Needs root (network namespaces); without it, says so and prints nothing.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildTopology, netnsUnavailable } from '../test/node/reach/netns.js';
import { ctl, ctlText, linkTo, startNsNode, stopAllNsNodes, until, type NsNode } from '../test/node/reach/ns-nodes.js';
import { round, type Benchmark, type Figure } from './harness.js';

const UNIT_MB = 16;
type Event = { id: number; at: string; type: string; data: Record<string, unknown> };

async function events(node: NsNode): Promise<Event[]> {
  const text = await ctlText(node, 'events');
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Event);
}

/** Submits a sha256 job of one `mb` MiB unit on `node`; its job id. */
async function hashJob(node: NsNode, mb: number): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'mesh-reach-bench-')), 'input.bin');
  writeFileSync(file, randomBytes(mb << 20));
  const out = await ctl<{ job_id: string }>(
    node,
    'submit-job',
    '--library',
    'hash',
    '--method',
    'sha256',
    '--input',
    file,
    '--chunk-bytes',
    String(mb << 20),
    '--budget',
    '100000',
  );
  return out.job_id;
}

/** MB/s of `jobId`'s one unit on `provider`: its size over `unit.started` → `unit.finished`; NaN (printed null) with why when it did not finish. */
async function unitMbPerS(
  provider: NsNode,
  requester: NsNode,
  jobId: string,
): Promise<{ value: number; error?: string }> {
  try {
    return { value: round(UNIT_MB / (await unitSeconds(provider, requester, jobId))) };
  } catch (err) {
    return { value: NaN, error: String(err).slice(0, 400) };
  }
}

/** Seconds from `unit.started` of `jobId` on `provider` to its result's arrival at `requester` (`unit.finished`). */
async function unitSeconds(provider: NsNode, requester: NsNode, jobId: string): Promise<number> {
  const [started, finished] = await until<[Event, Event]>(`job ${jobId} on ${provider.ns}`, 120_000, async () => {
    const s = (await events(provider)).find((e) => e.type === 'unit.started' && e.data.job_id === jobId);
    const f = (await events(requester)).find((e) => e.type === 'unit.finished' && e.data.job_id === jobId);
    return s && f ? [s, f] : undefined;
  }).catch(async (err: unknown) => {
    const seen = (await events(provider)).filter((e) => e.data.job_id === jobId).map((e) => e.type);
    throw new Error(`${String(err)}; its events: ${seen.join(' ')}; its log: ${provider.log.slice(-8).join(' | ')}`);
  });
  return (Date.parse(finished.at) - Date.parse(started.at)) / 1000;
}

async function run(): Promise<Figure[]> {
  const why = netnsUnavailable();
  if (why) {
    process.stderr.write(`reach benchmarks skipped: ${why}\n`);
    return [];
  }
  const topology = await buildTopology(2);
  try {
    const [homeA, homeB] = topology.homes as [(typeof topology.homes)[0], (typeof topology.homes)[0]];
    const pub = await startNsNode(topology.public.ns, {
      name: 'public',
      network: {
        listen_port: 4001,
        upnp: true,
        relay: { mode: 'on', max_reservations: 16, max_bytes: 1 << 30, max_seconds: 3600 },
      },
    });
    const alice = await startNsNode(homeA.ns, { name: 'alice' });
    let bob = await startNsNode(homeB.ns, { name: 'bob', workers: 1 });
    await ctl(alice, 'invite', 'accept', (await ctl<{ code: string }>(pub, 'invite')).code);
    await until("alice's relayed address", 30_000, async () =>
      (await ctl<{ addresses: string[] }>(alice, 'network')).addresses.some((a) => a.includes('/p2p-circuit'))
        ? true
        : undefined,
    );
    await ctl(pub, 'sharing', 'off'); // the first unit must be bob's
    const waiting = await hashJob(alice, 1);
    const code = (await ctl<{ code: string }>(alice, 'invite')).code;
    const t0 = Date.now();
    await ctl(bob, 'invite', 'accept', code);
    const first = await until('the first unit on bob', 60_000, async () =>
      (await events(bob)).find((e) => e.type === 'unit.started' && e.data.job_id === waiting),
    );
    const inviteToFirstUnit = Date.parse(first.at) - t0;

    const relayedLink = (await linkTo(bob, alice))?.link?.kind;
    const relayed = await unitMbPerS(bob, alice, await hashJob(alice, UNIT_MB));
    await ctl(bob, 'sharing', 'off');
    await ctl(pub, 'sharing', 'on');
    const direct = await unitMbPerS(pub, alice, await hashJob(alice, UNIT_MB));
    await ctl(pub, 'sharing', 'off');
    await ctl(bob, 'sharing', 'on');

    let punched = 0;
    for (let attempt = 0; attempt < 10; attempt++) {
      bob.process.kill('SIGTERM');
      await new Promise((resolve) => bob.process.once('exit', resolve));
      bob = await startNsNode(homeB.ns, { name: 'bob', workers: 1, dataDir: bob.dataDir });
      await until('bob to reach alice again', 60_000, async () =>
        (await linkTo(bob, alice))?.connected ? true : undefined,
      );
      await sleep(5000); // DCUtR's attempts follow the relayed connection within a second or two
      if ((await linkTo(bob, alice))?.link?.kind === 'direct') punched++;
    }
    const afterPunch = punched > 0 ? await unitMbPerS(bob, alice, await hashJob(alice, UNIT_MB)) : null;
    const nat =
      'routers: nftables masquerade, inbound only for connections the LAN started (address- and port-dependent filtering)';
    return [
      {
        name: 'invite_to_first_unit_ms',
        value: round(inviteToFirstUnit, 0),
        unit: 'ms',
        target: 3000,
        link: relayedLink,
      },
      {
        name: 'relayed_blob_mb_per_s',
        ...relayed,
        unit: 'MB/s',
        baseline: direct.value,
        link: relayedLink,
        unit_mb: UNIT_MB,
      },
      { name: 'direct_blob_mb_per_s', ...direct, unit: 'MB/s', unit_mb: UNIT_MB },
      ...(afterPunch === null
        ? []
        : [{ name: 'direct_after_punch_blob_mb_per_s', ...afterPunch, unit: 'MB/s', baseline: direct.value }]),
      { name: 'hole_punch_success', value: punched / 10, unit: 'share of 10', nat },
    ];
  } finally {
    await stopAllNsNodes();
    await topology.destroy();
  }
}

export const benchmarks: Benchmark[] = [
  {
    names: [
      'invite_to_first_unit_ms',
      'relayed_blob_mb_per_s',
      'direct_blob_mb_per_s',
      'direct_after_punch_blob_mb_per_s',
      'hole_punch_success',
    ],
    run,
  },
];

// Two people behind two home NATs, who have never met, connect through an invite, and one renders
// for the other; then two more, who join the public node by address and trust it with `trust
// set` after connecting (as the Peers page does), the public node trusting them back later, and
// render the same way: a home holds a relay slot on a reachable peer it trusts however the trust
// came, and lets it go when the trust goes. Real namespaces (netns.ts): a public node at
// 11.11.11.10 that relays for the people it trusts, and two homes, each behind a router namespace
// that masquerades with nftables. Real `meshctl node start` in each. Skipped, by name, where
// namespaces cannot be made (no root).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { meshctl } from '../mesh/child-nodes.js';
import { buildTopology, netnsUnavailable, PUBLIC_IP, type Topology } from './netns.js';
import { ctl, ctlError, ctlText, linkTo, startNsNode, stopAllNsNodes, until, type NsNode } from './ns-nodes.js';

const skip = netnsUnavailable();
const RELAY_LIMITS = { max_reservations: 4, max_bytes: 64 * 1024 * 1024, max_seconds: 900 };
const FORMAT = ['--width', '160', '--height', '96', '--spp', '4', '--tile', '32'];

let topology: Topology | undefined;
let pub: NsNode, alice: NsNode, bob: NsNode;

before(async () => {
  if (skip) return;
  topology = await buildTopology(2);
  const [homeA, homeB] = topology.homes as [Topology['homes'][0], Topology['homes'][0]];
  pub = await startNsNode(topology.public.ns, {
    name: 'public',
    network: { listen_port: 4001, upnp: true, relay: { mode: 'auto', ...RELAY_LIMITS } },
  });
  // The homes listen on every interface at the port their data dir keeps (network.json, drawn at first start).
  [alice, bob] = await Promise.all([
    startNsNode(homeA.ns, { name: 'alice', workers: 2 }),
    startNsNode(homeB.ns, { name: 'bob' }),
  ]);
});

after(async () => {
  await stopAllNsNodes();
  await topology?.destroy();
});

type Addresses = { addresses: string[]; reachable: boolean; relaying: boolean; reservations: string[] };

const relayedVia = (relay: NsNode) => (a: string) => a.includes(`/p2p/${relay.peerId}/p2p-circuit`);

/** `requester` renders a frame on `provider`'s machine: byte-identical to render-local, every tile on `provider`. */
async function renderAcross(requester: NsNode, provider: NsNode): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'mesh-nat-frames-'));
  const submitted = await ctlText(
    requester,
    'submit-job',
    '--render',
    'assets/scenes/sample.json',
    '--frames',
    '0',
    ...FORMAT,
    '--budget',
    '1000',
    '--out',
    out,
  );
  assert.match(submitted, /submitted job/);
  const reference = join(out, 'reference.png');
  const local = await meshctl([
    'render-local',
    'assets/scenes/sample.json',
    '--frame',
    '0',
    ...FORMAT,
    '--out',
    reference,
  ]);
  assert.equal(local.code, 0, local.stderr);
  assert.ok(
    readFileSync(join(out, 'frame-0000.png')).equals(readFileSync(reference)),
    'byte-identical to render-local',
  );
  const jobId = /job-[0-9a-f]+/.exec(submitted)![0];
  const { units } = await ctl<{ units: { providers: string[] }[] }>(requester, 'job', 'status', jobId, '--units');
  assert.ok(
    units.every((u) => u.providers.includes(provider.peerId)),
    `every tile was computed on ${provider.peerId}`,
  );
}

test(
  'two home nodes behind NATs meet through an invite and render a job byte-identical to render-local',
  { skip, timeout: 240_000 },
  async (t) => {
    // Alice joins the public node by its invite: a direct dial from her home to 11.11.11.10.
    const toAlice = await ctl<{ code: string; addresses: string[] }>(pub, 'invite', '--trust', '0.5');
    assert.ok(
      toAlice.addresses.some((a) => a.startsWith(`/ip4/${PUBLIC_IP}/tcp/4001`)),
      toAlice.addresses.join(' '),
    );
    const joined = await ctl<{ peer_id: string; link: { kind: string } }>(alice, 'invite', 'accept', toAlice.code);
    assert.equal(joined.peer_id, pub.peerId);
    assert.equal(joined.link.kind, 'direct');

    // AutoNAT: the public node learns it is reachable (a home dialled its address back) and relays;
    // alice learns she is not, and takes a slot on the public node, the one reachable peer she trusts.
    const pubView = await until('the public node to relay', 30_000, async () => {
      const n = await ctl<Addresses>(pub, 'network');
      return n.relaying && n.reservations.includes(alice.peerId) ? n : undefined;
    });
    assert.equal(pubView.reachable, true);
    const aliceView = await until("alice's relayed address", 30_000, async () => {
      const n = await ctl<Addresses>(alice, 'network');
      return n.addresses.some(relayedVia(pub)) ? n : undefined;
    });
    assert.equal(aliceView.reachable, false, 'a home behind a NAT is not reachable from outside');

    // Alice invites bob; bob's node has never seen hers, and no direct address of hers is reachable from his home.
    const toBob = await ctl<{ code: string; addresses: string[]; reachable: boolean }>(
      alice,
      'invite',
      '--trust',
      '0.8',
    );
    assert.ok(toBob.reachable && toBob.addresses.some((a) => a.includes('/p2p-circuit')), toBob.addresses.join(' '));
    const met = await ctl<{ peer_id: string; name: string; link: { kind: string; address: string } }>(
      bob,
      'invite',
      'accept',
      toBob.code,
      '--trust',
      '0.9',
    );
    assert.equal(met.peer_id, alice.peerId);
    assert.equal(met.name, 'alice');
    assert.equal(met.link.kind, 'relayed', `through the public node: ${met.link.address}`);

    // Both trust each other at the weights each chose; alice heard who accepted.
    const trustOf = async (node: NsNode, peer: string) =>
      (await ctl<{ trust: { peer_id: string; weight: number }[] }>(node, 'trust', 'list')).trust.find(
        (w) => w.peer_id === peer,
      )?.weight;
    assert.equal(await trustOf(alice, bob.peerId), 0.8);
    assert.equal(await trustOf(bob, alice.peerId), 0.9);
    const events = (await ctlText(alice, 'events'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; data: Record<string, unknown> });
    assert.ok(events.some((e) => e.type === 'invite.accepted' && e.data.peer === bob.peerId && e.data.name === 'bob'));

    // The code is spent: using it again from another node is refused, clearly.
    assert.match(await ctlError(pub, 'invite', 'accept', toBob.code), /already used/);

    // The relay's limits: its slot holders are the peers it trusts (bob, a stranger to it, has none),
    // and the relayed connection carries the limits the public node set.
    const pubAfter = await ctl<Addresses>(pub, 'network');
    assert.deepEqual(pubAfter.reservations, [alice.peerId]);
    const bobView = await ctl<Addresses>(bob, 'network');
    assert.ok(
      !bobView.addresses.some((a) => a.includes('/p2p-circuit')),
      'bob holds no slot on a relay that does not trust him',
    );
    const relayed = await linkTo(bob, alice);
    if (relayed?.link?.kind === 'relayed') {
      const limits = relayed.link.limits as { bytes: number; seconds: number };
      assert.ok(
        limits.bytes <= RELAY_LIMITS.max_bytes && limits.bytes > RELAY_LIMITS.max_bytes - (4 << 20),
        `${limits.bytes} bytes left`,
      );
    }

    // Bob renders a frame on alice's machine, over whatever link they have now.
    await renderAcross(bob, alice);

    // DCUtR: report whether the relayed connection became direct, and why not when not.
    const final = await linkTo(bob, alice);
    const announced = await Promise.all([alice, bob].map((n) => ctl<Addresses>(n, 'network')));
    t.diagnostic(
      final?.link?.kind === 'direct'
        ? `DCUtR upgraded bob↔alice to a direct connection: ${final.link.address}`
        : announced.some((n) => n.reachable)
          ? `DCUtR did not go direct (link ${final?.link?.kind} ${final?.link?.address}) though a home announces a public address`
          : `DCUtR did not go direct (still ${final?.link?.kind}): neither home announces a public address (${announced
              .map((n) => n.addresses.filter((a) => !a.includes('/p2p-circuit')).join(' '))
              .join(
                ' | ',
              )}), so the hole punch has nothing to dial: AutoNAT confirms none, as each router maps every outgoing TCP connection to its own port and lets nothing in unasked`,
    );
  },
);

test(
  'two home nodes that trust the public node by `trust set` after connecting hold a slot on it, render across it, and let it go',
  { skip, timeout: 240_000 },
  async () => {
    const [homeA, homeB] = topology!.homes as [Topology['homes'][0], Topology['homes'][0]];
    const [carol, dave] = await Promise.all([
      startNsNode(homeA.ns, { name: 'carol', workers: 2 }),
      startNsNode(homeB.ns, { name: 'dave' }),
    ]);
    const pubAddress = `/ip4/${PUBLIC_IP}/tcp/4001/p2p/${pub.peerId}`;
    const refused = (line: string) => line.includes(`relay slot on ${pub.peerId} refused`);
    for (const home of [carol, dave]) {
      // Connected first, trusted after: the home's trust comes before the public node's, which
      // refuses the first ask (it does not trust the home yet) and says yes to a later one.
      assert.equal((await ctl<{ peer_id: string }>(home, 'peer', 'add', pubAddress)).peer_id, pub.peerId);
      await ctl(home, 'trust', 'set', pub.peerId, '0.5');
      await until('the refusal', 5000, async () => (home.log.some(refused) ? true : undefined)).catch(() => {});
      await ctl(pub, 'trust', 'set', home.peerId, '0.5');
    }
    await until('slots for both homes on the public node', 60_000, async () => {
      const n = await ctl<Addresses>(pub, 'network');
      return [carol, dave].every((h) => n.reservations.includes(h.peerId)) ? n : undefined;
    });
    for (const home of [carol, dave]) assert.ok(home.log.some(refused), `${home.peerId} was refused first`);
    const carolRelayed = await until("carol's relayed address", 30_000, async () =>
      (await ctl<Addresses>(carol, 'network')).addresses.find(relayedVia(pub)),
    );

    // Dave reaches carol through the public node, by the address her node shows; they trust each
    // other. The public node, which dave trusts too, offers no compute: the job is the homes' alone.
    await ctl(pub, 'sharing', 'off');
    await ctl(carol, 'trust', 'set', dave.peerId, '0.8');
    await ctl(dave, 'trust', 'set', carol.peerId, '0.9');
    assert.equal((await ctl<{ peer_id: string }>(dave, 'peer', 'add', carolRelayed)).peer_id, carol.peerId);
    await renderAcross(dave, carol);

    // Trust withdrawn: carol lets her slot go (her relayed address goes at once); the public node,
    // withdrawing its own, drops dave's reservation.
    await ctl(carol, 'trust', 'set', pub.peerId, '0');
    assert.ok(!(await ctl<Addresses>(carol, 'network')).addresses.some(relayedVia(pub)), 'carol announces no slot');
    await ctl(pub, 'trust', 'set', dave.peerId, '0');
    await until("the public node to drop dave's reservation", 10_000, async () =>
      (await ctl<Addresses>(pub, 'network')).reservations.includes(dave.peerId) ? undefined : true,
    );
  },
);

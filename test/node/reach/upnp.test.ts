// UPnP port mapping on a real home router: alice's router runs miniupnpd (upnp-router.ts), bob's
// does not (netns.ts). Alice's node (UPnP on, the default) finds the router by SSDP, has it
// forward her port, and once AutoNAT confirms the mapped address through a peer on the internet,
// announces the router's public address: a stranger on the internet dials her there directly.
// Skipped, by name, without root or without miniupnpd.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildTopology, netnsUnavailable, type Home, type Topology } from './netns.js';
import { ctl, startNsNode, stopAllNsNodes, until, type NsNode } from './ns-nodes.js';
import { miniupnpdUnavailable, startUpnpRouter, type UpnpRouter } from './upnp-router.js';

const skip = netnsUnavailable() ?? miniupnpdUnavailable();
const NO_RELAY = { mode: 'off' as const, max_reservations: 4, max_bytes: 1 << 20, max_seconds: 60 };

let topology: Topology | undefined;
let router: UpnpRouter | undefined;
let homeA: Home, homeB: Home;
let pub: NsNode, alice: NsNode, bob: NsNode;

type Network = { listen_port: number; addresses: string[]; reachable: boolean };

before(async () => {
  if (skip) return;
  topology = await buildTopology(2);
  [homeA, homeB] = topology.homes as [Home, Home];
  router = await startUpnpRouter(homeA);
  // No relay anywhere: the only way in to a home is a port its router forwards.
  pub = await startNsNode(topology.public.ns, {
    name: 'public',
    network: { listen_port: 4001, upnp: false, relay: NO_RELAY },
  });
  [alice, bob] = await Promise.all([startNsNode(homeA.ns, { name: 'alice' }), startNsNode(homeB.ns, { name: 'bob' })]);
});

after(async () => {
  await stopAllNsNodes();
  await router?.stop();
  await topology?.destroy();
});

/** Alice's mapping on the router (from miniupnpd's leases), once there is one. */
async function aliceMapping(port: number) {
  return until('the router to map alice’s port', 30_000, async () =>
    router!
      .mappings()
      .find((m) => m.internalHost === homeA.ip && m.internalPort === port && m.description.includes(alice.peerId)),
  );
}

/** Alice's announced address on her router's public IP, once AutoNAT has confirmed it. */
function publicAddressOf(node: NsNode, wanIp: string) {
  return until(`${node.ns} to announce ${wanIp}`, 30_000, async () => {
    const n = await ctl<Network>(node, 'network');
    const address = n.addresses.find((a) => a.startsWith(`/ip4/${wanIp}/tcp/`));
    return address && n.reachable ? address : undefined;
  });
}

async function joinPublicNode(node: NsNode): Promise<void> {
  const { code } = await ctl<{ code: string }>(pub, 'invite', '--trust', '0.5');
  const joined = await ctl<{ link: { kind: string } }>(node, 'invite', 'accept', code);
  assert.equal(joined.link.kind, 'direct');
}

test(
  'the home router forwards the node’s port by UPnP, and a node on the internet dials it there directly',
  { skip, timeout: 180_000 },
  async () => {
    const { listen_port: port } = await ctl<Network>(alice, 'network');
    const mapping = await aliceMapping(port);
    assert.equal(mapping.protocol, 'TCP');
    assert.ok(
      (await router!.dnatRules()).some((rule) => rule.includes(`dnat ip to ${homeA.ip}:${port}`)),
      'the router’s nftables forwards the mapped port to alice',
    );

    // AutoNAT: the public node, asked by each home as it joins, dials the home's public address back.
    await Promise.all([joinPublicNode(alice), joinPublicNode(bob)]);
    const announced = await publicAddressOf(alice, homeA.wanIp);
    assert.ok(announced.startsWith(`/ip4/${homeA.wanIp}/tcp/${mapping.externalPort}/p2p/${alice.peerId}`), announced);
    // Bob's router has no UPnP: he has no public address to announce and stays unreachable.
    const bobView = await ctl<Network>(bob, 'network');
    assert.equal(bobView.reachable, false);
    assert.ok(!bobView.addresses.some((a) => a.startsWith(`/ip4/${homeB.wanIp}/`)), bobView.addresses.join(' '));

    // A stranger on the internet who never met alice connects to her through her router: directly,
    // at the mapped address (there is no relay to go through).
    const stranger = await startNsNode(topology!.public.ns, {
      name: 'stranger',
      network: { listen_port: 4002, upnp: false, relay: NO_RELAY },
    });
    const invite = await ctl<{ code: string; addresses: string[] }>(alice, 'invite', '--trust', '0.7');
    assert.ok(invite.addresses.some((a) => a.startsWith(`/ip4/${homeA.wanIp}/tcp/${mapping.externalPort}`)));
    const met = await ctl<{ peer_id: string; link: { kind: string; address: string } }>(
      stranger,
      'invite',
      'accept',
      invite.code,
    );
    assert.equal(met.peer_id, alice.peerId);
    assert.equal(met.link.kind, 'direct');
    assert.ok(met.link.address.startsWith(`/ip4/${homeA.wanIp}/tcp/${mapping.externalPort}/`), met.link.address);
  },
);

test(
  'the mapping is removed when the node stops, and made and confirmed again when it starts',
  { skip, timeout: 180_000 },
  async () => {
    const { listen_port: port } = await ctl<Network>(alice, 'network');
    const exited = new Promise((resolve) => alice.process.once('exit', resolve));
    alice.process.kill('SIGTERM');
    await exited;
    assert.deepEqual(
      router!.mappings().filter((m) => m.internalHost === homeA.ip),
      [],
      'alice’s node unmaps its port as it stops',
    );
    assert.deepEqual(await router!.dnatRules(), []);

    // The same data dir: the same port, and the public node (trusted since the invite) is dialled at start.
    alice = await startNsNode(homeA.ns, { name: 'alice', dataDir: alice.dataDir });
    const mapping = await aliceMapping(port);
    const announced = await publicAddressOf(alice, homeA.wanIp);
    assert.ok(announced.startsWith(`/ip4/${homeA.wanIp}/tcp/${mapping.externalPort}/`), announced);
  },
);

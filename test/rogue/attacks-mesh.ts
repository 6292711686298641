// Attacks on the mesh's rules: messages out of their place (issue 19, item 3), floods past the
// rate limits (item 3), penalties aimed at others or at the journal (item 2), and what a peer's
// numbers and ids can do to the requester (items 1 and 4).
import type { Arena } from './arena.js';
import { dropsOf, eventually, refusedWith, type Attack } from './attack.js';
import { commitmentOf, listedOffers, offerFor, offersBody } from './bodies.js';
import { RoguePeer, WIRE } from './rogue-peer.js';

const target = (arena: Arena) => arena.t.node.peerId;

/** Drops of R's T counted for a reason of refusing a message out of its place. */
const misplaced = (arena: Arena) => dropsOf(arena, 'wrong_place') + dropsOf(arena, 'oversized');

async function gossipRefused(arena: Arena, topic: string, type: string, body: unknown): Promise<string[]> {
  const before = misplaced(arena);
  await arena.rogue.gossip(topic, await arena.rogue.envelope(type, body));
  return eventually(`T refuses ${type} on ${topic}`, () => misplaced(arena) > before);
}

/** T's gossipsub score of `rogue`. */
function scoreOf(arena: Arena, rogue: RoguePeer): number {
  const { pubsub } = (
    arena.t.node.network as unknown as { libp2p: { services: { pubsub: { getScore(p: string): number } } } }
  ).libp2p.services;
  return pubsub.getScore(rogue.peerId);
}

/** A new rogue that T trusts, connected, in the mesh of its commitments topic on T. */
async function followedRogue(arena: Arena): Promise<RoguePeer> {
  const rogue = await RoguePeer.start();
  await rogue.dial(arena.t.node.network.listenAddresses()[0]!);
  await arena.t.api['trust.set']({ peer_id: rogue.peerId, weight: 1 });
  const topic = WIRE.commitments(rogue.peerId);
  rogue.libp2p.services.pubsub.subscribe(topic);
  const [missed] = await eventually(
    'T to follow it',
    () => rogue.libp2p.services.pubsub.getSubscribers(topic).length > 0,
    10_000,
  );
  if (missed) throw new Error(missed);
  await new Promise((resolve) => setTimeout(resolve, 1500)); // a gossipsub heartbeat: they graft
  return rogue;
}

export const MESH_ATTACKS: Attack[] = [
  {
    name: 'wrong topic: a commitment on the adverts topic',
    item: 3,
    run: (arena) => gossipRefused(arena, WIRE.adverts, 'commitment', commitmentOf(arena.rogue.peerId, {})),
  },
  {
    name: 'wrong topic: a 24 KiB commitment on the adverts topic (over any advert)',
    item: 3,
    run: (arena) => {
      const trust = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`p${i}`.padEnd(52, 'x'), 0.5]));
      return gossipRefused(arena, WIRE.adverts, 'commitment', commitmentOf(arena.rogue.peerId, trust));
    },
  },
  {
    name: "wrong topic: the rogue's commitment on B's topic",
    item: 3,
    run: async (arena) => {
      arena.rogue.libp2p.services.pubsub.subscribe(WIRE.commitments(arena.b.node.peerId));
      await new Promise((resolve) => setTimeout(resolve, 300));
      return gossipRefused(
        arena,
        WIRE.commitments(arena.b.node.peerId),
        'commitment',
        commitmentOf(arena.rogue.peerId, { [target(arena)]: 1 }),
      );
    },
  },
  {
    name: "wrong path: offers by gossip on the rogue's own topic",
    item: 3,
    async run(arena) {
      const offer = offerFor(arena);
      const missed = await gossipRefused(arena, WIRE.commitments(arena.rogue.peerId), 'offers', offersBody(offer));
      if ((await listedOffers(arena)).some((o) => o.offer_id === offer['offer_id']))
        missed.push('the gossiped offer is listed');
      return missed;
    },
  },
  {
    name: 'wrong path: a reply type (ack) sent as a direct request',
    item: 3,
    run: async (arena) =>
      refusedWith(await arena.rogue.request(target(arena), await arena.rogue.envelope('ack', {})), 'wrong_place'),
  },
  {
    name: 'wrong path: an advert sent as a direct request',
    item: 3,
    run: async (arena) =>
      refusedWith(
        await arena.rogue.request(
          target(arena),
          await arena.rogue.envelope('advert', {
            peer_id: arena.rogue.peerId,
            name: 'r',
            hardware: { cpu_model: 'x', cpu_cores: 1, ram_gb: 1 },
            algorithms: [],
            price: { per_core_second: 1, minimum: 1 },
            addresses: [],
            timestamp: new Date().toISOString(),
          }),
        ),
        'wrong_place',
      ),
  },
  {
    name: 'rate flood, direct: 1,000 valid requests on one session, read no faster than the rate',
    item: 3,
    async run(arena) {
      const envelopes = await Promise.all(
        Array.from({ length: 1000 }, () => arena.rogue.envelope('release', { assignments: [], reason: 'failed' })),
      );
      const start = Date.now();
      const replies = await arena.rogue.requests(target(arena), envelopes, 30_000);
      const seconds = (Date.now() - start) / 1000;
      const limited = replies.filter((r) => r.text === JSON.stringify({ error: 'rate_limited' })).length;
      const busy = replies.filter((r) => r.text === JSON.stringify({ error: 'busy' })).length;
      if (limited === 0) return [`no request was rate limited (${replies.length} replies, ${busy} busy)`];
      // Past its burst (400) the session is read only as the rate (200/s) earns requests back: the
      // 1,000 take at least 1.5 s, however fast the rogue writes (refused ones cost no tokens).
      return seconds >= 1.2 ? [] : [`1,000 requests were all read in ${seconds} s: the flood was not held back`];
    },
  },
  {
    name: "rate flood, gossip: 300 commitments on the rogue's topic",
    item: 3,
    async run(arena) {
      const before = dropsOf(arena, 'rate_limited');
      for (let i = 0; i < 300; i++)
        await arena.rogue.gossip(
          WIRE.commitments(arena.rogue.peerId),
          await arena.rogue.envelope('commitment', commitmentOf(arena.rogue.peerId, {}, i + 2)),
        );
      const missed = await eventually('T rate-limits R', () => dropsOf(arena, 'rate_limited') > before);
      // Its own gossip past its rate is held against it: graylisted, its RPCs no longer reach
      // gossipsub's seen cache (each message's id kept two minutes).
      return [...missed, ...(await eventually('T graylists R', () => scoreOf(arena, arena.rogue) < -80))];
    },
  },
  {
    // Graylisted, the rogue's gossip no longer reaches T's validator. The rate flood graylisted R
    // already: a second rogue, whose score only its invalid messages can sink.
    name: 'gossip scoring: invalid gossip sinks the rogue below the graylist',
    item: 3,
    maxNewEvents: 8, // the second rogue seen, trusted, and trusted no more
    async run(arena) {
      const second = await followedRogue(arena);
      try {
        if (scoreOf(arena, second) < 0) return ['T scored the second rogue below 0 before it sent anything'];
        for (let i = 0; i < 5; i++)
          await second.gossip(WIRE.commitments(second.peerId), await second.envelope('ack', {}));
        return await eventually('T scores R below -80', () => scoreOf(arena, second) < -80);
      } finally {
        await arena.t.api['trust.set']({ peer_id: second.peerId, weight: 0 });
        await second.stop();
      }
    },
  },
  {
    name: 'journal spam: 500 bad envelopes on one session',
    item: 2,
    maxNewEvents: 4,
    async run(arena) {
      const bad = await arena.rogue.envelope('offers', { groups: [{ nonsense: true }] });
      const distinct = await Promise.all(
        Array.from({ length: 500 }, () => arena.rogue.envelope('offers', { groups: [{ nonsense: true }] })),
      );
      const replies = await arena.rogue.requests(target(arena), [bad, ...distinct], 30_000);
      return replies.length > 0 ? [] : ['no reply at all'];
    },
  },
  {
    name: 'framing an honest relay: a replay gossiped through B',
    item: 2,
    async run(arena) {
      const { rogue, b } = arena;
      await b.api['trust.set']({ peer_id: rogue.peerId, weight: 1 });
      // A second node with the rogue's key, connected to B only: T hears its gossip through B.
      const twin = await RoguePeer.start(rogue.key);
      try {
        await twin.dial(b.node.network.listenAddresses()[0]!);
        twin.libp2p.services.pubsub.subscribe(WIRE.commitments(rogue.peerId));
        const missed = await eventually(
          'B to follow R',
          () => twin.libp2p.services.pubsub.getSubscribers(WIRE.commitments(rogue.peerId)).length > 0,
          10_000,
        );
        await new Promise((resolve) => setTimeout(resolve, 1500)); // a gossipsub heartbeat: T and B graft
        const envelope = await rogue.envelope('commitment', commitmentOf(rogue.peerId, { [target(arena)]: 1 }, 5000));
        await rogue.request(target(arena), envelope); // T sees it first, directly
        const before = dropsOf(arena, 'replayed', b.node.peerId);
        await twin.gossip(WIRE.commitments(rogue.peerId), envelope); // B has not: it takes and forwards it
        missed.push(
          ...(await eventually(
            'T to see the replay through B',
            () => dropsOf(arena, 'replayed', b.node.peerId) > before,
          )),
        );
        await new Promise((resolve) => setTimeout(resolve, 300)); // a penalty would be journaled by now
        return missed;
      } finally {
        await twin.stop();
        await b.api['trust.set']({ peer_id: rogue.peerId, weight: 0 });
      }
    },
  },
  {
    name: 'an estimate of 1e300 seconds in an offer',
    item: 1,
    async run(arena) {
      const offer = offerFor(arena, { estimated_seconds: 1e300 });
      await arena.rogue.request(target(arena), await arena.rogue.envelope('offers', offersBody(offer)));
      const listed = await listedOffers(arena);
      return listed.some((o) => o.offer_id === offer['offer_id']) ? ['an offer of 1e300 seconds is listed'] : [];
    },
  },
  {
    name: "squatting an honest provider's offer id",
    item: 4,
    async run(arena) {
      const squatted = `${arena.b.node.peerId}#5000.0`; // an id B will use, not one it used
      const offer = offerFor(arena, { offer_id: squatted });
      await arena.rogue.request(target(arena), await arena.rogue.envelope('offers', offersBody(offer)));
      const listed = await listedOffers(arena);
      return listed.some((o) => o.offer_id === squatted && o.provider === arena.rogue.peerId)
        ? ["the rogue holds B's offer id"]
        : [];
    },
  },
];

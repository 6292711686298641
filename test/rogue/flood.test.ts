// Issue 78, item 2: a flood from several rogue peers at once, some of them trusted (a Sybil that
// was given trust several times over), some strangers, each with its own identity, all at the
// same time: commitments listing as many units as fit with ever-new ids (directly and by gossip),
// signed requests, bad bodies, blob requests for CIDs nobody has, and junk on the adverts topic.
// Afterwards every structure the flood could grow on the target is within its cap, and the
// target still answers its API and runs an honest job with its honest peer.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_UNITS_SEEN, MAX_UNITS_SEEN_PER_PEER } from '../../src-main/node/mesh/provider/seen-units.js';
import { PEER_SEEN_RATE, STRANGERS_SEEN_RATE } from '../../src-main/node/mesh/wiring/network-handlers.js';
import { jobEnded, meshOf, startNode, stopAll, waitFor, type TestNode } from '../node/mesh/cluster.js';
import { hashParams, journalCount } from './arena.js';
import { commitmentOf } from './bodies.js';
import { RoguePeer, WIRE } from './rogue-peer.js';

/** How long the rogues flood: long enough for each trusted one to list several times its cap. */
const FLOOD_MS = 12_000;
/** Trusted rogues: three, so that together they could hold more than the total cap. */
const TRUSTED = 3;
const STRANGERS = 2;
/** Units one commitment lists: about 1.6 MB of JSON, under the commitment's cap of 2 MiB. */
const UNITS_PER_COMMITMENT = 8_000;
/** Fresh identities that each connect once (a Sybil), and the times one more connects again. */
const SYBILS = 30;
const RECONNECTIONS = 15;
/** The event log keeps 10,000 events, trimmed when a quarter more came (views/event-log.ts). */
const EVENT_LOG_MOST = 12_500;

let t: TestNode;
let b: TestNode;
const rogues: RoguePeer[] = [];

before(async () => {
  t = await startNode();
  b = await startNode();
  await meshOf([t, b]);
  for (let i = 0; i < TRUSTED + STRANGERS; i++) {
    const rogue = await RoguePeer.start();
    rogues.push(rogue);
    await rogue.dial(t.node.network.listenAddresses()[0]!);
    rogue.libp2p.services.pubsub.subscribe(WIRE.adverts);
    if (i >= TRUSTED) continue;
    await t.api['trust.set']({ peer_id: rogue.peerId, weight: 1 });
    rogue.libp2p.services.pubsub.subscribe(WIRE.commitments(rogue.peerId));
  }
  for (const rogue of rogues.slice(0, TRUSTED))
    await waitFor(
      'T to follow each trusted rogue',
      () => rogue.libp2p.services.pubsub.getSubscribers(WIRE.commitments(rogue.peerId)).length > 0 || undefined,
      20_000,
    );
});

after(async () => {
  await Promise.all(rogues.map((rogue) => rogue.stop()));
  await stopAll([t, b].filter(Boolean));
});

let fresh = 0;

/** A commitment of `rogue`'s asking for `units` units never seen before, in one job also new. */
function listingCommitment(rogue: RoguePeer, units: number): Record<string, unknown> {
  const job = `flood-${++fresh}`;
  const workUnits = Array.from({ length: units }, (_, i) => ({
    unit_id: `${job}.${i}`,
    job_id: job,
    algorithm_id: 'hash',
    algorithm_version: '1.0.0',
    required_resources: { cpu_cores: 1, ram_gb: 1 },
    estimated_duration_seconds: 1,
    priority: 0.5,
    verification_redundancy: 1,
  }));
  const timestamp = new Date().toISOString();
  const request = { request_id: job, requester_id: rogue.peerId, job_id: job, work_units: workUnits, timestamp };
  return { ...commitmentOf(rogue.peerId, { [t.node.peerId]: 1 }, fresh), work_requests: [request] };
}

/** Commitments sent directly (a small one gossiped beside each) until `end`, and at least two of them. */
async function commitmentLoop(rogue: RoguePeer, end: number): Promise<number> {
  let sent = 0;
  while (Date.now() < end || sent < 2) {
    const envelope = await rogue.envelope('commitment', listingCommitment(rogue, UNITS_PER_COMMITMENT));
    await rogue.request(t.node.peerId, envelope, 5_000).catch(() => undefined);
    const small = await rogue.envelope('commitment', listingCommitment(rogue, 500));
    await rogue.gossip(WIRE.commitments(rogue.peerId), small).catch(() => undefined);
    sent++;
  }
  return sent;
}

/** Signed requests in batches of 50 on fresh sessions: valid releases, bodies that fail their schema, malformed bytes. */
async function requestLoop(rogue: RoguePeer, end: number): Promise<number> {
  let sent = 0;
  while (Date.now() < end) {
    const batch = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        i % 3 === 0
          ? rogue.envelope('release', { assignments: [], reason: 'failed' })
          : i % 3 === 1
            ? rogue.envelope('offers', { offers: [{ bad: 'x'.repeat(2000) }] })
            : Promise.resolve(new TextEncoder().encode(`{"v":1,"type":"${i}`)),
      ),
    );
    await rogue.requests(t.node.peerId, batch, 5_000).catch(() => []);
    sent += batch.length;
  }
  return sent;
}

/** Blob requests for CIDs nobody holds, eight at a time, and junk gossip on the adverts topic. */
async function blobAndGossipLoop(rogue: RoguePeer, end: number): Promise<number> {
  let sent = 0;
  while (Date.now() < end) {
    await Promise.all(Array.from({ length: 8 }, () => rogue.blob(t.node.peerId, { cid: `bafk${++fresh}` })));
    const junk = await rogue.envelope('commitment', commitmentOf(rogue.peerId, {}, ++fresh));
    await rogue.gossip(WIRE.adverts, junk).catch(() => undefined);
    sent += 9;
  }
  return sent;
}

/** Connects `rogue` to T, and leaves at once. */
async function comeAndGo(rogue: RoguePeer): Promise<void> {
  await rogue.dial(t.node.network.listenAddresses()[0]!).catch(() => undefined);
  await sleep(50); // its identify
  for (const connection of rogue.libp2p.getConnections()) connection.abort(new Error('gone'));
  await sleep(150); // libp2p takes five connections a second from one address, and resets the rest
}

test('identities coming and going, one again and again and a Sybil with many once each, are journaled within their rates', async () => {
  const started = Date.now();
  const seenBefore = journalCount(t, 'peer.seen');
  const again = await RoguePeer.start();
  try {
    for (let i = 0; i < RECONNECTIONS; i++) await comeAndGo(again);
    for (let i = 0; i < SYBILS; i++) {
      const sybil = await RoguePeer.start();
      await comeAndGo(sybil);
      await sybil.stop();
    }
    await sleep(300); // the last peer.seen written
    const seconds = (Date.now() - started) / 1000;
    const most = (rate: { perSecond: number; burst: number }) => rate.burst + Math.ceil(rate.perSecond * seconds);
    const ofAgain = journalCount(t, 'peer.seen', again.peerId);
    const all = journalCount(t, 'peer.seen') - seenBefore;
    console.log(
      JSON.stringify({ seconds, peer_seen_of_one: ofAgain, peer_seen: all, peers_known: t.node.state.peers.size }),
    );
    assert.ok(ofAgain <= most(PEER_SEEN_RATE), `${ofAgain} peer.seen of one peer that reconnected ${RECONNECTIONS}×`);
    assert.ok(all <= most(STRANGERS_SEEN_RATE), `${all} peer.seen in ${seconds.toFixed(1)} s`);
  } finally {
    await again.stop();
  }
});

test(
  'a flood from several rogue peers at once stays within every cap, and the target keeps working',
  { timeout: 90_000 },
  async () => {
    const eventsBefore = journalCount(t);
    const end = Date.now() + FLOOD_MS;
    const counts = await Promise.all(
      rogues.flatMap((rogue, i) => [
        ...(i < TRUSTED ? [commitmentLoop(rogue, end)] : []),
        requestLoop(rogue, end),
        blobAndGossipLoop(rogue, end),
      ]),
    );
    const seen = t.node.provider.unitsSeen();
    const dropped = t.node.network.dropped();
    const { events } = await t.api['events.since']({ after: 0, limit: 20_000 });
    const journaled = journalCount(t) - eventsBefore;
    const memory = process.memoryUsage();
    console.log(
      JSON.stringify({
        sent: counts,
        units_seen: seen,
        dropped: rogues.map((rogue) => dropped[rogue.peerId] ?? {}),
        api_events: events.length,
        journaled,
        heap_used_mb: Math.round(memory.heapUsed / 2 ** 20),
        rss_mb: Math.round(memory.rss / 2 ** 20),
      }),
    );
    // The flood reached the target: the trusted rogues listed more units than the caps let it keep.
    const listed = counts.slice(0, TRUSTED * 3).filter((_, i) => i % 3 === 0);
    assert.ok(
      listed.reduce((sum, n) => sum + n, 0) * UNITS_PER_COMMITMENT > MAX_UNITS_SEEN &&
        Math.max(...listed) * UNITS_PER_COMMITMENT > MAX_UNITS_SEEN_PER_PEER,
      `commitments sent: ${listed.join(', ')}`,
    );
    assert.ok(
      rogues.every((rogue) => Object.keys(dropped[rogue.peerId] ?? {}).length > 0),
      'every rogue had messages dropped',
    );
    // The caps.
    assert.ok(
      seen.mostOfOnePeer <= MAX_UNITS_SEEN_PER_PEER,
      `${seen.mostOfOnePeer} units of one peer remembered (cap ${MAX_UNITS_SEEN_PER_PEER})`,
    );
    assert.ok(seen.total <= MAX_UNITS_SEEN, `${seen.total} units remembered (cap ${MAX_UNITS_SEEN})`);
    assert.ok(events.length <= EVENT_LOG_MOST, `${events.length} API events kept`);
    for (const rogue of rogues) {
      const told = events.filter((e) => e.type === 'message.dropped' && e.data['peer'] === rogue.peerId).length;
      assert.ok(told <= FLOOD_MS / 1000 + 5, `${told} drop events for one rogue in ${FLOOD_MS / 1000} s`);
    }
    assert.ok(journaled <= 40, `the journal grew by ${journaled} events`);
    // Still working: it answers, and an honest job runs with B.
    await sleep(500);
    const status = await Promise.race([
      t.api.status({}),
      sleep(5_000).then(() => assert.fail('status gave no answer in 5 s')),
    ]);
    assert.equal(status.peer_id, t.node.peerId);
    const { job_id: jobId } = await t.api['jobs.submit'](hashParams(4, false));
    const done = await jobEnded(t.api, jobId, 30_000);
    assert.equal(done.state, 'completed');
  },
);

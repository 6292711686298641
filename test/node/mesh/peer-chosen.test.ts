// What a peer chooses itself, aimed at the requester by a trusted hostile peer H, on real nodes
// over loopback: estimates no unit allows (the round must go on), ids that are an honest
// provider's (B's offers and results must still be taken), and a release naming B's assignments
// (answered only about H's own).
import { unitIdsOf } from '../../../src-main/core/mesh/state/state.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { offerGroupsOf, type MessageBody } from '../../../src-main/core/protocol/messages.js';
import type { Offer } from '../../../src-main/core/schemas/index.js';
import { HostilePeer } from './fixtures/hostile-peer.js';
import { hashJob, jobEnded, meshOf, startNode, stopAll, waitFor, type TestNode } from './cluster.js';

const nodes: TestNode[] = [];
let a: TestNode;
let b: TestNode;
let h: HostilePeer;
after(async () => {
  await stopAll(nodes);
  await h?.stop();
});

before(async () => {
  nodes.push(await startNode(), await startNode());
  [a, b] = nodes as [TestNode, TestNode];
  h = await HostilePeer.start();
  await meshOf(nodes);
  await a.node.network.connect(h.network.listenAddresses()[0]!);
  await a.api['trust.set']({ peer_id: h.peerId, weight: 1 });
});

/** A job of A's with B not offering yet, so that H's offers come first. */
async function submitWhileBWaits(units: number, manual: boolean, redundancy = 1): Promise<string> {
  await b.api['sharing.set']({ on: false });
  const { params } = hashJob(units, manual, 1);
  const { job_id } = await a.api['jobs.submit']({ ...params, redundancy });
  return job_id;
}

/** The offers an `acceptances` message takes (an assignment's id is its offer's). */
const offerIdsIn = (body: MessageBody<'acceptances'>) => body.acceptances.flatMap((group) => group.offer_ids);
/** The unit of H's offer `<H>#<round>.<n>`: here, the job's unit n. */
const unitOfOffer = (units: readonly string[], offerId: string) =>
  units[Number(offerId.slice(offerId.lastIndexOf('.') + 1))]!;

function offerFor(unitId: string, jobId: string, fields: Partial<Offer>): Offer {
  const now = new Date().toISOString();
  return {
    offer_id: `${h.peerId}#1.${unitId}`,
    round: 1,
    unit_id: unitId,
    job_id: jobId,
    requester_peer: a.node.peerId,
    provider_peer: h.peerId,
    slot_id: 'h',
    tier: 1,
    price: 0,
    estimated_seconds: 0.001, // within what a unit of 64 bytes allows
    performance_score: 1,
    expected_start: now,
    expected_end: now,
    timestamp: now,
    ...fields,
  };
}

const unitsOf = (jobId: string) => [...unitIdsOf(a.node.state.jobs.get(jobId)!)];
const assignmentsOf = (jobId: string, provider: string) =>
  [...a.node.state.assignments.values()].filter(
    (x) => x.acceptance.job_id === jobId && x.acceptance.provider_peer === provider,
  );

test('offers whose estimates no unit allows are refused, and A goes on accepting B', { timeout: 60_000 }, async () => {
  const jobId = await submitWhileBWaits(3, false);
  const [first, second] = unitsOf(jobId) as [string, string];
  // Past what a date holds (the round used to throw on it), and decades, cheapest of all: sent raw,
  // since the catalog now refuses the first, and again every second while the offers would live.
  let round = 0;
  const send = async () => {
    round++; // fresh ids: each offer lives its 15 s anew
    const body = {
      groups: offerGroupsOf([
        offerFor(first, jobId, { offer_id: `${h.peerId}#${round}.0`, estimated_seconds: 1e300 }),
        offerFor(second, jobId, { offer_id: `${h.peerId}#${round}.1`, estimated_seconds: 1e9 }),
      ]),
    };
    await h.sendRaw(a.node.peerId, await h.envelope('offers', body));
  };
  await send();
  const again = setInterval(() => void send().catch(() => undefined), 1000);
  try {
    await b.api['sharing.set']({ on: true });
    const done = await jobEnded(a.api, jobId, 20_000);
    assert.equal(done.state, 'completed');
    assert.deepEqual(assignmentsOf(jobId, h.peerId), [], 'H was given nothing');
  } finally {
    clearInterval(again);
  }
});

test("offers under B's next offer ids do not shut B out, and H gets none of them", { timeout: 60_000 }, async () => {
  const jobId = await submitWhileBWaits(3, false);
  const next = b.node.provider.nextRound();
  // Every id B will use in its next rounds, each on a unit of the job, at price 0.
  const offers = [0, 1, 2].flatMap((r) =>
    unitsOf(jobId).map((unitId, n) => offerFor(unitId, jobId, { offer_id: `${b.node.peerId}#${next + r}.${n}` })),
  );
  await h.network.request(a.node.peerId, 'offers', { groups: offerGroupsOf(offers) });
  await b.api['sharing.set']({ on: true });
  const done = await jobEnded(a.api, jobId, 20_000);
  assert.equal(done.state, 'completed');
  assert.deepEqual(assignmentsOf(jobId, h.peerId), [], 'H was given nothing');
  for (const x of assignmentsOf(jobId, b.node.peerId)) assert.ok(x.acceptance.assignment_id.startsWith(b.node.peerId));
  // Offers are held in memory until accepted, and then only their terms are journaled, with the
  // acceptance: A's journal has B's three acceptances and nothing of H's.
  const events = [...a.node.journal.events()];
  assert.equal(events.filter((e) => e.type === 'offer.recorded' && e.offer.job_id === jobId).length, 0);
  const accepted = events.flatMap((e) =>
    e.type === 'offers.accepted' ? e.accepted.filter(({ acceptance }) => acceptance.job_id === jobId) : [],
  );
  assert.deepEqual(
    accepted.map((e) => `${e.acceptance.provider_peer} ${e.terms ? 'with its terms' : 'without'}`),
    accepted.map(() => `${b.node.peerId} with its terms`),
  );
  assert.equal(accepted.length, 3);
});

test("results naming B's assignments do not stop B's results from being taken", { timeout: 60_000 }, async () => {
  const jobId = await submitWhileBWaits(3, true, 2);
  const units = unitsOf(jobId);
  await h.network.request(a.node.peerId, 'offers', {
    groups: offerGroupsOf(
      units.map((unitId, n) => offerFor(unitId, jobId, { offer_id: `${h.peerId}#7.${n}`, price: 10 })),
    ),
  });
  await b.api['sharing.set']({ on: true });
  const bOffers = await waitFor('B to offer for every unit', () => {
    const held = a.node.requester.heldOffers(jobId).filter((o) => o.provider_peer === b.node.peerId);
    return held.length === units.length ? held : undefined;
  });
  // H takes its assignments and answers each at once with a result for B's assignment of that unit
  // (B's offer id, which A's acceptance of it will take), under a receipt of H's.
  const sent: Promise<unknown>[] = [];
  h.network.onMessage(async (msg) => {
    if (msg.type !== 'acceptances') return undefined;
    const offerIds = offerIdsIn(msg.body as MessageBody<'acceptances'>);
    for (const offerId of offerIds) {
      const unitId = unitOfOffer(units, offerId);
      const stolen = bOffers.find((o) => o.unit_id === unitId)!.offer_id;
      sent.push(h.sendWrongResult(a.node.peerId, stolen, unitId, jobId));
    }
    return { type: 'accepted', body: { refused: [] } };
  });
  assert.equal((await a.api['offers.accept']({ job_id: jobId, node_id: h.peerId })).accepted, units.length);
  await waitFor('H to have sent its results', () => sent.length === units.length);
  await Promise.all(sent);
  assert.equal((await a.api['offers.accept']({ job_id: jobId, node_id: b.node.peerId })).accepted, units.length);
  await waitFor(
    "B's results to be taken",
    () =>
      assignmentsOf(jobId, b.node.peerId).every((x) => x.result?.result_id === `${x.acceptance.assignment_id}/result`),
    20_000,
  );
  for (const x of assignmentsOf(jobId, h.peerId)) assert.equal(x.result, undefined, 'H’s results were refused');
  h.network.onMessage(async () => undefined);
});

test(
  'a result declaring an output larger than any executor makes is refused, not journaled',
  { timeout: 60_000 },
  async () => {
    const jobId = await submitWhileBWaits(2, true, 2);
    const units = unitsOf(jobId);
    await h.network.request(a.node.peerId, 'offers', {
      groups: offerGroupsOf(
        units.map((unitId, n) => offerFor(unitId, jobId, { offer_id: `${h.peerId}#9.${n}`, price: 10 })),
      ),
    });
    const sent: Promise<unknown>[] = [];
    h.network.onMessage(async (msg) => {
      if (msg.type !== 'acceptances') return undefined;
      const offerIds = offerIdsIn(msg.body as MessageBody<'acceptances'>);
      for (const offerId of offerIds)
        sent.push(h.sendWrongResult(a.node.peerId, offerId, unitOfOffer(units, offerId), jobId, 2 ** 40));
      return { type: 'accepted', body: { refused: [] } };
    });
    assert.equal((await a.api['offers.accept']({ job_id: jobId, node_id: h.peerId })).accepted, units.length);
    await waitFor('H to have sent its results', () => sent.length === units.length);
    await Promise.all(sent); // each answered, so each was judged
    for (const x of assignmentsOf(jobId, h.peerId)) assert.equal(x.result, undefined, 'a 1 TiB output is not believed');
    h.network.onMessage(async () => undefined);
    await b.api['sharing.set']({ on: true });
  },
);

test("a release naming B's assignments tells H nothing of them", { timeout: 60_000 }, async () => {
  const jobId = await submitWhileBWaits(2, false);
  await b.api['sharing.set']({ on: true });
  assert.equal((await jobEnded(a.api, jobId, 30_000)).state, 'completed');
  // Results accepted unchecked are paid as their job completes, just after it says so.
  await waitFor('B to be paid for its assignments', () => {
    const its = assignmentsOf(jobId, b.node.peerId);
    return its.length > 0 && its.every((x) => x.closing);
  });
  const theirs = assignmentsOf(jobId, b.node.peerId).map((x) => x.acceptance.assignment_id);
  const reply = await h.network.request(a.node.peerId, 'release', { assignments: theirs, reason: 'failed' });
  assert.equal(reply?.type, 'settlement');
  assert.deepEqual(reply.body, { entries: [], receipts: [] });
  // B itself is still answered about its own.
  for (const x of assignmentsOf(jobId, b.node.peerId)) assert.equal(x.escrow, 'paid');
});

// A hostile peer that honest nodes trust: everything it sends that breaks the protocol is dropped
// and counted by reason, and its wrong results lose every vote, so the job still ends right.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { commitmentTopic } from '../../../src-main/core/protocol/messages.js';
import { HostilePeer } from './fixtures/hostile-peer.js';
import { meshOf, startNode, stopAll, hashJob, jobEnded, waitFor, type TestNode } from './cluster.js';

const nodes: TestNode[] = [];
let hostile: HostilePeer | undefined;
after(async () => {
  await stopAll(nodes);
  await hostile?.stop();
});

let a: TestNode;
let b: TestNode;
let c: TestNode;
let h: HostilePeer;

before(async () => {
  nodes.push(await startNode(), await startNode(), await startNode());
  [a, b, c] = nodes as [TestNode, TestNode, TestNode];
  hostile = h = await HostilePeer.start();
  await meshOf(nodes);
  for (const n of nodes) {
    await n.node.network.connect(h.network.listenAddresses()[0]!);
    await n.api['trust.set']({ peer_id: h.peerId, weight: 1 });
  }
});

test('every bad message of a trusted peer is dropped and counted by reason', { timeout: 60_000 }, async () => {
  // Direct, at B: one of each kind of bad envelope.
  const ack = await h.envelope('ack', {});
  await h.sendRaw(b.node.peerId, new TextEncoder().encode('{"v":1,"type":"ack",'));
  await h.sendRaw(b.node.peerId, await h.envelope('release', { padding: 'x'.repeat(300_000) }));
  const unsigned = JSON.parse(Buffer.from(ack).toString()) as Record<string, unknown>;
  delete unsigned['sig'];
  await h.sendRaw(b.node.peerId, Buffer.from(JSON.stringify(unsigned)));
  await h.sendRaw(
    b.node.peerId,
    Buffer.from(JSON.stringify({ ...unsigned, sig: Buffer.alloc(64).toString('base64') })),
  );
  await h.sendRaw(b.node.peerId, await h.envelope('ack', {}, { author: c.node.peerId }));
  const replay = await h.envelope('release', { assignments: [], reason: 'failed' }); // a request, where it belongs
  await h.sendRaw(b.node.peerId, replay);
  await h.sendRaw(b.node.peerId, replay);
  // Gossip, on its own commitment topic, which B follows because it trusts H.
  await waitFor(
    'B to follow H',
    () => h.network.subscribers(commitmentTopic(h.peerId)).includes(b.node.peerId),
    20_000,
  );
  await h.gossipRaw(new TextEncoder().encode('not json'));
  await h.gossipRaw(await h.envelope('commitment', {}, { author: c.node.peerId }));

  const expected = { malformed: 2, oversized: 1, invalid: 1, bad_signature: 1, forged_author: 2, replayed: 1 };
  const dropped = await waitFor(
    'B to count every drop',
    async () => {
      const counts = (await b.api.status({})).dropped[h.peerId] ?? {};
      return Object.values(counts).reduce((s, n) => s + (n ?? 0), 0) >= 8 ? counts : undefined;
    },
    20_000,
  );
  assert.deepEqual(dropped, expected);
});

test(
  'wrong results of a trusted peer are caught by a check against A own run, not outvoted: the job ends right and only the liar is convicted',
  { timeout: 60_000 },
  async () => {
    // Accepted by hand, so that H is surely one of each unit's two workers, with honest B.
    await h.actAsProvider(a.node.peerId);
    const unitCount = 8; // B offers a requester at most its pipeline at once (MIN_PIPELINE): all of them
    const { params, input, chunk } = hashJob(unitCount, true, 1);
    const { job_id } = await a.api['jobs.submit'](params);
    await waitFor(
      'offers from H and B on every unit',
      async () => {
        const { offers } = await a.api['offers.list']({ job_id });
        return [h.peerId, b.node.peerId].every((p) => offers.filter((o) => o.provider === p).length === unitCount);
      },
      20_000,
    );
    assert.equal((await a.api['offers.accept']({ job_id, node_id: h.peerId })).accepted, unitCount);
    assert.equal((await a.api['offers.accept']({ job_id, node_id: b.node.peerId })).accepted, unitCount);
    // No third vote is needed: every dissent is settled by A's own run of the unit.
    const done = await jobEnded(a.api, job_id, 30_000);
    assert.equal(done.state, 'completed');
    assert.equal(done.units_verified, unitCount);

    const { units } = await a.api['jobs.status']({ job_id, units: true });
    for (const unit of units!) {
      const { output_base64 } = await a.api['jobs.output']({ job_id, unit_id: unit.unit_id });
      const expectedHash = createHash('sha256')
        .update(input.subarray(unit.index * chunk, (unit.index + 1) * chunk))
        .digest();
      assert.deepEqual(Buffer.from(output_base64, 'base64'), expectedHash, unit.unit_id);
    }
    const { peers } = await a.api['peers.list']({});
    const view = (peer: string) => peers.find((p) => p.peer_id === peer)!;
    assert.ok(view(h.peerId).reputation < 0.5, `H's reputation with A: ${view(h.peerId).reputation}`);
    assert.notEqual(view(h.peerId).convicted_at, null, 'H is convicted');
    assert.ok(view(h.peerId).caught_lying >= 1);
    assert.equal(view(h.peerId).effective_trust, 0, 'and gets no more work from A');
    assert.equal(view(b.node.peerId).convicted_at, null, 'B is not');
    assert.equal(view(b.node.peerId).caught_lying, 0);
    assert.ok(view(b.node.peerId).checks_passed >= 1);
    assert.equal(a.node.state.reputation.get(b.node.peerId)?.rejected ?? 0, 0, 'no honest result was rejected');
    // H is paid for nothing: every one of its escrows was refunded.
    for (const assignment of a.node.state.assignments.values())
      if (assignment.acceptance.provider_peer === h.peerId) assert.equal(assignment.escrow, 'refunded');
    // Said once, when convicted (the desktop app notifies on this event); never of the honest.
    const { events } = await a.api['events.since']({ after: 0, limit: 10_000 });
    const lyingEvents = events.filter((e) => e.type === 'peer.caught_lying');
    assert.equal(lyingEvents.length, 1);
    assert.ok(lyingEvents.every((e) => e.data['peer'] === h.peerId && e.data['job_id'] === job_id));
  },
);

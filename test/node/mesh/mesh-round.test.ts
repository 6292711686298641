// The whole round across three real nodes: submit, offer, accept, execute, consensus, settle.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, test } from 'node:test';
import { NodeEventSchema, validate } from '../../../src-main/core/schemas/index.js';
import { meshOf, startNode, stopAll, hashJob, jobEnded, waitFor, type TestNode } from './cluster.js';

const nodes: TestNode[] = [];
after(() => stopAll(nodes));

test(
  'three nodes that trust each other complete 300 hash units with redundancy 2, are paid as workers and verifiers, and their ledgers agree',
  { timeout: 120_000 },
  async () => {
    nodes.push(await startNode(), await startNode(), await startNode());
    const [a] = nodes as [TestNode, TestNode, TestNode];
    await meshOf(nodes);
    const { params, input, chunk } = hashJob(300, false, 1);
    const { job_id, units } = await a.api['jobs.submit'](params);
    assert.equal(units, 300);
    const done = await jobEnded(a.api, job_id, 100_000);
    assert.equal(done.state, 'completed');
    assert.equal(done.units_verified, 300);

    const { units: views } = await a.api['jobs.status']({ job_id, units: true });
    for (const unit of views!) {
      assert.equal(unit.status, 'verified');
      assert.equal(new Set(unit.providers).size, 2, `${unit.unit_id} verified by two distinct peers`);
      assert.ok(!unit.providers.includes(a.node.peerId));
    }
    // The requester journals an acceptance with its offer's terms, not the whole offer: each
    // assignment keeps the provider's estimate (the job view's `estimated_seconds`) all the same.
    assert.equal([...a.node.journal.events()].filter((e) => e.type === 'offer.recorded').length, 0);
    for (const assignment of a.node.state.assignments.values())
      assert.ok((assignment.estimatedSeconds ?? 0) > 0, `${assignment.acceptance.assignment_id} keeps its estimate`);

    // The results are right: each output is the SHA-256 of its chunk.
    for (const i of [0, 1, 150, 299]) {
      const { output_base64 } = await a.api['jobs.output']({ job_id, unit_id: views![i]!.unit_id });
      const expected = createHash('sha256')
        .update(input.subarray(i * chunk, (i + 1) * chunk))
        .digest();
      assert.deepEqual(Buffer.from(output_base64, 'base64'), expected);
    }

    // Every settlement has reached the providers: the three ledgers agree to the credit.
    const ledgers = await waitFor('settlements to arrive', async () => {
      const all = await Promise.all(nodes.map((n) => n.api['ledger.get']({ limit: 0 })));
      return all.every((l) => l.held === 0) ? all : undefined;
    });
    assert.equal(
      ledgers.reduce((sum, l) => sum + l.balance, 0),
      0,
      'balances sum to zero',
    );
    assert.ok(ledgers[0]!.balance < 0 && ledgers[1]!.balance > 0 && ledgers[2]!.balance > 0);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        if (i === j) continue;
        const mine = ledgers[i]!.peers.find((p) => p.peer_id === nodes[j]!.node.peerId)?.balance ?? 0;
        const theirs = ledgers[j]!.peers.find((p) => p.peer_id === nodes[i]!.node.peerId)?.balance ?? 0;
        assert.equal(mine + theirs, 0, `node ${i} and node ${j} agree on what they owe each other`);
      }
    }
    // Replicas that agreed verified each other: each provider is also paid verifier shares (rewards).
    for (const i of [1, 2]) {
      const { entries } = await nodes[i]!.api['ledger.get']({ limit: 1000 });
      assert.ok(
        entries.some((e) => e.kind === 'reward'),
        `node ${i} was paid as a verifier`,
      );
    }
    // Every message between these honest nodes passed its receiver's checks: a node sends its own
    // messages as its code typed them (no schema check at sealing), so this is where one that a
    // peer would refuse shows up.
    for (const [i, n] of nodes.entries()) assert.deepEqual(n.node.network.dropped(), {}, `node ${i} dropped nothing`);
    // The job says what it cost: what left the requester's ledger, not the prices offered.
    assert.equal((await nodes[0]!.api['jobs.status']({ job_id, units: false })).job.spent, -ledgers[0]!.balance);
    // The earnings chart's data: each transfer signed from my side, summing to my balance.
    for (const [i, n] of nodes.entries()) {
      const { transfers } = await n.api['ledger.transfers']({ limit: 10_000 });
      assert.equal(
        transfers.reduce((sum, t) => sum + t.amount, 0),
        ledgers[i]!.balance,
        `node ${i}'s transfers sum to its balance`,
      );
      assert.ok(transfers.every((t) => t.job_id === job_id && t.peer_id !== n.node.peerId));
    }
    // The UI hears of a batch of units as one event a job and provider, and of a batch of ledger
    // entries as one: every assignment is still counted once as accepted, and once as finished.
    const feed = a.node.events.since(0, 10_000);
    const counted = (one: string, many: string) =>
      feed.reduce((n, e) => n + (e.type === one ? 1 : e.type === many ? (e.data['units'] as number) : 0), 0);
    const assignments = [...a.node.state.assignments.values()];
    assert.equal(counted('unit.accepted', 'units.accepted'), assignments.length);
    assert.equal(counted('unit.finished', 'units.finished'), assignments.filter((x) => x.result).length);
    assert.equal(counted('unit.verified', 'units.verified'), 300);
    const batchEvents = feed.filter((e) =>
      ['units.accepted', 'units.finished', 'units.verified', 'ledger.entries'].includes(e.type),
    );
    assert.ok(batchEvents.length > 0, 'batches of units are one event each');
    assert.ok(
      feed.filter((e) => e.type.startsWith('unit')).length < assignments.length,
      `${feed.length} events for ${assignments.length} assignments`,
    );
    // Receipts: every chain a node holds checks out.
    for (const n of nodes) {
      const { chains } = await n.api['receipts.verify']({});
      assert.ok(chains.length > 0);
      for (const chain of chains) assert.ok(chain.ok, `${chain.author}: ${chain.error}`);
    }
    // An author that is no peer id is named as such, not answered "no receipts".
    await assert.rejects(nodes[0]!.api['receipts.verify']({ author: 'garbage' }), /author: garbage is not a peer id/);
    // The nodes journal their own events unparsed (Journal.appendOwn): every one they wrote is
    // still within the schema that events from outside are held to.
    for (const [i, n] of nodes.entries())
      for (const event of n.node.journal.events()) {
        const checked = validate(NodeEventSchema, event);
        assert.ok(checked.ok, `node ${i}'s ${event.type}: ${checked.ok ? '' : checked.error.message}`);
      }
    // A provider journals batches, not units: its units ride with their acceptances, its results
    // with their receipt, its escrows and the settlements' closings a batch each (the units decided
    // together are told together, also to the provider whose result did not decide them).
    for (const provider of nodes.slice(1)) {
      const events = [...provider.node.journal.events()];
      const ran = [...provider.node.state.assignments.values()].filter((x) => x.result).length;
      assert.ok(ran > 0);
      assert.deepEqual(
        events.filter((e) => e.type === 'unit.created' || e.type === 'result.recorded'),
        [],
      );
      const ledger = events.filter((e) => e.type === 'ledger.entry' || e.type === 'ledger.entries');
      assert.ok(
        ledger.length * 10 <= ran,
        `${ledger.length} ledger events for ${ran} units: a tenth of one a unit at most`,
      );
      assert.ok(events.length <= ran, `${events.length} events for ${ran} units: one a unit at most`);
    }
    // The requester's verdicts reached in one turn (a message's units) are one event: 300 in 20 in one run.
    const verdicts = [...a.node.journal.events()].flatMap((e) =>
      e.type === 'units.verified' ? [e.verdicts.length] : e.type === 'unit.verified' ? [1] : [],
    );
    assert.equal(
      verdicts.reduce((sum, n) => sum + n, 0),
      300,
      'a verdict a unit',
    );
    assert.ok(
      verdicts.length * 4 <= 300,
      `${verdicts.length} verdict events for 300 units: a quarter of one a unit at most`,
    );
  },
);

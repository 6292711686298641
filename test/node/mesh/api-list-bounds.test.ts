// A node keeps every job its user submitted (until the user deletes it), every peer it has seen or
// dealt with, every requester whose blobs it holds: past the bound of the API's lists, each list
// keeps what matters most (the newest jobs; the peers trusted, connected, seen last; the largest
// balances and holdings) and says how many there are, rather than answering with a list its own
// contract refuses (an internal error, for the CLI and the UI's pages).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { API_METHODS } from '../../../src-main/core/api/contract.js';
import { LIMITS, validate } from '../../../src-main/core/schemas/index.js';
import { ephemeralIdentity } from '../../../src-main/node/identity/identity.js';
import { startNode, stopAll, type TestNode } from './cluster.js';

const nodes: TestNode[] = [];
after(() => stopAll(nodes));

const JOBS = LIMITS.recordEntries + 4;

test(
  'with more jobs than a list holds, jobs.list keeps its contract: the newest, and how many in all',
  { timeout: 120_000 },
  async () => {
    const requester = await startNode();
    nodes.push(requester);
    const me = requester.node.peerId;
    await requester.node.ctx.record(
      Array.from({ length: JOBS }, (_, i) => ({
        type: 'job.submitted' as const,
        job: { job_id: `job-many-${i}`, requester: me, name: `job ${i}`, unit_count: 1, redundancy: 1, budget: 10 },
      })),
    );
    const listed = await requester.api['jobs.list']({});
    const checked = validate(API_METHODS['jobs.list'].result, listed);
    assert.ok(checked.ok, checked.ok ? '' : checked.error.message);
    assert.equal(listed.total, JOBS);
    assert.equal(listed.jobs.length, LIMITS.recordEntries);
    assert.deepEqual([listed.jobs[0]!.job_id, listed.jobs.at(-1)!.job_id], ['job-many-4', `job-many-${JOBS - 1}`]);
  },
);

test(
  'with more peers seen than a list holds, peers.list keeps its contract: those trusted first, and how many in all',
  { timeout: 120_000 },
  async () => {
    const node = await startNode();
    nodes.push(node);
    const PEERS = LIMITS.recordEntries + 10;
    const trusted = (await ephemeralIdentity()).peerId;
    const peer = (i: number) => (i === 0 ? trusted : `12D3KooWSeenPeer${String(i).padStart(5, '0')}`);
    // Seen one after the other, the first the longest ago; the first is the one I trust.
    await node.node.ctx.record(
      Array.from({ length: PEERS }, (_, i) => ({ type: 'peer.seen' as const, peer_id: peer(i), addresses: [] })),
    );
    await node.api['trust.set']({ peer_id: peer(0), weight: 0.5 });
    const listed = await node.api['peers.list']({});
    const checked = validate(API_METHODS['peers.list'].result, listed);
    assert.ok(checked.ok, checked.ok ? '' : checked.error.message);
    assert.equal(listed.total, PEERS);
    assert.equal(listed.peers.length, LIMITS.recordEntries);
    assert.ok(
      listed.peers.some((p) => p.peer_id === peer(0)),
      'the peer I trust is listed',
    );
  },
);

test(
  'with more counterparties and requesters than a list holds, ledger.get and storage.get keep their contracts: the largest, and how many',
  { timeout: 120_000 },
  async () => {
    const node = await startNode();
    nodes.push(node);
    const MANY = LIMITS.recordEntries + 4;
    const peer = (i: number) => `12D3KooWCounterparty${String(i).padStart(5, '0')}`;
    // Peer i paid me i + 1 (the ledger's flows, as ledger-view.ts writes them); peer i's blobs on my disk are i + 1 bytes.
    const db = node.node.journal.connection;
    db.prepare('INSERT INTO ledger_peers (peer_id) VALUES (?)').run(node.node.peerId);
    const me = db.prepare('SELECT peer_no FROM ledger_peers WHERE peer_id = ?').pluck().get(node.node.peerId);
    const addPeer = db.prepare('INSERT INTO ledger_peers (peer_id) VALUES (?)');
    const addFlow = db.prepare('INSERT INTO ledger_flows (from_no, to_no, amount) VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < MANY; i++) addFlow.run(Number(addPeer.run(peer(i)).lastInsertRowid), me, i + 1);
    })();
    for (let i = 0; i < MANY; i++) node.node.collector.quota.take(peer(i), `bafkreiblob${i}`, i + 1);

    const ledger = await node.api['ledger.get']({ limit: 0 });
    const ledgerChecked = validate(API_METHODS['ledger.get'].result, ledger);
    assert.ok(ledgerChecked.ok, ledgerChecked.ok ? '' : ledgerChecked.error.message);
    assert.equal(ledger.peers_total, MANY);
    assert.equal(ledger.peers.length, LIMITS.recordEntries);
    assert.ok(!ledger.peers.some((p) => p.balance <= 4), 'the four smallest balances are left out');

    const storage = await node.api['storage.get']({});
    const storageChecked = validate(API_METHODS['storage.get'].result, storage);
    assert.ok(storageChecked.ok, storageChecked.ok ? '' : storageChecked.error.message);
    assert.equal(storage.requesters_total, MANY);
    assert.equal(storage.requesters.length, LIMITS.recordEntries);
    assert.ok(!storage.requesters.some((r) => r.bytes <= 4), 'the four holding least are left out');
  },
);

test(
  'with receipts from more authors than a list holds, receipts.verify keeps its contract: my chain first, and how many authors in all',
  { timeout: 120_000 },
  async () => {
    const node = await startNode();
    nodes.push(node);
    const me = node.node.peerId;
    const MANY = LIMITS.recordEntries + 3;
    // Author 2 is asked for by name, so its id is a real one (the API refuses what is no peer id).
    const named = (await ephemeralIdentity()).peerId;
    const author = (i: number) =>
      i === MANY - 1 ? me : i === 2 ? named : `12D3KooWReceiptAuthor${String(i).padStart(5, '0')}`;
    // One receipt each, mine stored last; none of them signed (a chain of one that fails to verify still counts).
    await node.node.ctx.record(
      Array.from({ length: MANY }, (_, i) => ({
        type: 'receipt.stored' as const,
        cid: `bafy-receipt-${i}`,
        receipt: {
          kind: 'execution' as const,
          author: author(i),
          seq: 0,
          prev: null,
          timestamp: new Date().toISOString(),
          assignment_id: `${author(i)}#1.${i}`,
          unit_id: `job-receipts/${i}`,
          job_id: 'job-receipts',
          requester_peer: me,
          module_cid: 'bafy-module',
          input_cid: `bafy-input-${i}`,
          output_cid: `bafy-output-${i}`,
          verification_hash: `hash-${i}`,
          fuel: 1,
          wall_ms: 1,
        },
      })),
    );
    const verified = await node.api['receipts.verify']({});
    const checked = validate(API_METHODS['receipts.verify'].result, verified);
    assert.ok(checked.ok, checked.ok ? '' : checked.error.message);
    assert.equal(verified.total, MANY);
    assert.equal(verified.chains.length, LIMITS.recordEntries);
    assert.equal(verified.chains[0]!.author, me, 'my own chain is checked first');
    assert.equal(verified.chains[0]!.receipts, 1);
    // One author by name: its chain alone; an author of whom I hold nothing has no chain, not a broken one.
    const one = await node.api['receipts.verify']({ author: author(2) });
    assert.deepEqual(
      one.chains.map((c) => [c.author, c.receipts]),
      [[author(2), 1]],
    );
    assert.equal(one.total, 1);
    const nobody = (await ephemeralIdentity()).peerId;
    assert.deepEqual(await node.api['receipts.verify']({ author: nobody }), { total: 0, chains: [] });
  },
);

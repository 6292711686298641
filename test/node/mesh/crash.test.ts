// A provider killed mid-job (SIGKILL, no shutdown): the job still completes on the others, the
// killed node resumes from its journal when restarted, and nobody is paid twice.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ledgerEntriesOf } from '../../../src-main/core/schemas/events.js';
import { Journal } from '../../../src-main/node/journal/index.js';
import { killAllChildren, startChild as startNode, stopChild, type ChildNode } from './child-nodes.js';
import { waitFor } from './cluster.js';

after(killAllChildren);

/** A node of this test: one worker, and deadlines that pass 2 s after their estimate. */
const startChild = (dataDir?: string): Promise<ChildNode> =>
  startNode({ workers: 1, graceSeconds: 2, ...(dataDir ? { dataDir } : {}) });

test(
  'a provider killed mid-job: the job completes, the provider resumes on restart, nobody is paid twice',
  { timeout: 180_000 },
  async (t) => {
    const [a, b, firstC] = await Promise.all([startChild(), startChild(), startChild()]);
    let c = firstC;
    const nodes = [a, b, c];
    await a.api.call('peers.add', { multiaddr: b.listen });
    await a.api.call('peers.add', { multiaddr: c.listen });
    await b.api.call('peers.add', { multiaddr: c.listen });
    for (const from of nodes)
      for (const to of nodes) if (from !== to) await from.api.call('trust.set', { peer_id: to.peerId, weight: 1 });

    // B holds back until C dies, so that C surely holds units when it is killed; then B takes over.
    await b.api.call('sharing.set', { on: false });
    const unitCount = 120;
    const { job_id } = await a.api.call('jobs.submit', {
      library: 'hash',
      method: 'sha256',
      input_base64: randomBytes(unitCount * 4096).toString('base64'),
      chunk_bytes: 4096,
      redundancy: 1,
      budget: 100_000_000,
      priority: 0.5,
      manual_accept: false,
    });
    // Kill C while it holds units it has not returned. Tiny units are done in a blink, so C is frozen
    // (SIGSTOP) first, and killed only if A still waits on some of them once what C had sent is in.
    const heldByC = async (): Promise<string> => {
      const { job, units } = await a.api.call('jobs.status', { job_id, units: true });
      const byC = units!.filter((u) => u.providers.includes(c.peerId));
      const assigned = byC.filter((u) => u.status === 'assigned').length;
      return assigned > 0 ? '' : `${job.units_verified} verified, C had ${byC.length} (none assigned)`;
    };
    let seen = '';
    await waitFor(
      'C to be frozen mid-job',
      async () => {
        seen = await heldByC();
        if (seen !== '') return undefined;
        c.process.kill('SIGSTOP');
        await new Promise((resolve) => setTimeout(resolve, 300));
        seen = await heldByC();
        if (seen === '') return true;
        c.process.kill('SIGCONT');
        return undefined;
      },
      60_000,
    ).catch((err: Error) => assert.fail(`${err.message}: ${seen}`));
    await stopChild(c, 'SIGKILL');
    const killedAt = Date.now();
    await b.api.call('sharing.set', { on: true });

    let progress = '';
    const done = await waitFor(
      'the job to complete without C',
      async () => {
        const { job, units } = await a.api.call('jobs.status', { job_id, units: true });
        const onC = units!.filter((u) => u.status === 'assigned' && u.providers.includes(c.peerId)).length;
        progress = `${job.units_verified} verified, ${onC} still assigned to C`;
        return job.state === 'running' ? undefined : job;
      },
      90_000,
    ).catch((err: Error) => assert.fail(`${err.message}: ${progress}`));
    assert.equal(done.state, 'completed');
    assert.equal(done.units_verified, unitCount);
    const completedIn = Date.now() - killedAt;

    c = await startChild(c.dataDir); // same identity and journal
    nodes[2] = c;
    await a.api.call('peers.add', { multiaddr: c.listen });
    await b.api.call('peers.add', { multiaddr: c.listen });
    // Settled down: no escrow left held anywhere (C's came back as refunds or settlements).
    let held: number[] = [];
    const ledgers = await waitFor(
      'every escrow to close',
      async () => {
        const all = await Promise.all(nodes.map((n) => n.api.call('ledger.get', { limit: 10_000 })));
        held = all.map((l) => l.held);
        return all.every((l) => l.held === 0) ? all : undefined;
      },
      30_000,
    ).catch((err: Error) => assert.fail(`${err.message}: held on A, B, C = ${held.join(', ')}`));

    // On A: each unit has exactly one assignment still standing, and exactly one settlement was paid
    // per assignment: a pack of units (its tiny units travel in packs, core/mesh/rules/packs.ts) is one.
    const { job: view, units } = await a.api.call('jobs.status', { job_id, units: true });
    for (const unit of units!) assert.deepEqual([unit.status, unit.providers.length], ['verified', 1], unit.unit_id);
    const packs = Math.ceil(unitCount / view.units_per_pack);
    assert.ok(view.units_per_pack > 1, 'the job went in packs');
    const settled = ledgers[0]!.entries.filter((e) => e.kind === 'settle');
    assert.equal(settled.length, packs);
    assert.equal(new Set(settled.map((e) => e.assignment_id)).size, packs);

    assert.equal(
      ledgers.reduce((sum, l) => sum + l.balance, 0),
      0,
      'balances sum to zero',
    );
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        if (i === j) continue;
        const mine = ledgers[i]!.peers.find((p) => p.peer_id === nodes[j]!.peerId)?.balance ?? 0;
        const theirs = ledgers[j]!.peers.find((p) => p.peer_id === nodes[i]!.peerId)?.balance ?? 0;
        assert.equal(mine + theirs, 0, `node ${i} and node ${j} agree on what they owe each other`);
      }
    }

    // How C's interrupted assignments closed, read from its journal once it has shut down cleanly.
    await Promise.all(nodes.map((n) => stopChild(n, 'SIGTERM')));
    const opened = Journal.open(join(c.dataDir, 'journal.sqlite'));
    assert.ok(opened.ok);
    const refunds: Record<string, number> = {};
    let settlements = 0;
    for (const entry of [...opened.journal.events()].flatMap(ledgerEntriesOf)) {
      if (entry.kind === 'refund') refunds[entry.reason] = (refunds[entry.reason] ?? 0) + 1;
      if (entry.kind === 'settle') settlements++;
    }
    opened.journal.close();
    // Whether C's interrupted units come back to it as late refunds depends on whether C had journaled
    // their acceptance before it died; either way nothing of A's stays held on C (checked above).
    const refundedOnA = ledgers[0]!.entries.filter(
      (e) => e.kind === 'refund' && e.assignment_id.startsWith(c.peerId),
    ).length;
    assert.ok(refundedOnA > 0, "A refunded C's interrupted assignments");
    t.diagnostic(
      `job completed ${completedIn} ms after the kill; A refunded ${refundedOnA} of C's; C: ${settlements} settled, refunds ${JSON.stringify(refunds)}`,
    );
  },
);

// Finished jobs compacted, across restarts of real nodes: the requester's jobs, their units (who ran
// each, and how long), outputs, refusals, receipts and balances look the same through the API as
// before, field for field; their units and assignments are out of
// memory (requester and provider alike), garbage collection keeps its outputs, and the next start
// loads the snapshot and folds nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiHandlers } from '../../../src-main/core/api/contract.js';
import { hashJob, jobEnded, meshOf, startNode, stopAll, stopAndRemove, waitFor, type TestNode } from './cluster.js';

const UNITS = 12;

/** What the user sees of the job and the money: must not change with compaction. */
async function userView(api: ApiHandlers, jobId: string) {
  const { job, units } = await api['jobs.status']({ job_id: jobId, units: true });
  const outputs = [];
  for (const unit of units!)
    outputs.push((await api['jobs.output']({ job_id: jobId, unit_id: unit.unit_id })).output_base64);
  const page = await api['jobs.outputs']({ job_id: jobId });
  const { balance, peers, held } = await api['ledger.get']({ limit: 0 });
  const { chains } = await api['receipts.verify']({});
  return {
    job,
    units,
    outputs,
    page,
    ledger: { balance, peers, held },
    chains,
  };
}

test(
  'a restart after compaction shows the same jobs, outputs, receipts and balances, from a snapshot',
  { timeout: 120_000 },
  async (t) => {
    const nodes = [await startNode(), await startNode()];
    const [requester, provider] = nodes as [TestNode, TestNode];
    t.after(() => stopAndRemove(nodes));
    await meshOf(nodes);
    // Units that travel alone: each keeps its provider, estimate and time.
    const { params } = hashJob(UNITS, false, 1);
    const { job_id } = await requester.api['jobs.submit']({ ...params, redundancy: 1 });
    assert.equal((await jobEnded(requester.api, job_id, 90_000)).state, 'completed');
    await waitFor('settlements to reach the provider', async () =>
      (await provider.api['ledger.get']({ limit: 0 })).held === 0 ? true : undefined,
    );
    // A job its provider refused (a quota it used up since it offered), then cancelled: its refusals are kept.
    const refused = (await requester.api['jobs.submit']({ ...hashJob(4, true).params, redundancy: 1 })).job_id;
    await waitFor('an offer on the refused job', async () =>
      (await requester.api['offers.list']({ job_id: refused })).offers.length > 0 ? true : undefined,
    );
    await provider.api['policies.set']({ policies: [{ kind: 'quota', units_per_day: 1 }] });
    assert.equal(
      (await requester.api['offers.accept']({ job_id: refused, node_id: provider.node.peerId })).refused.length,
      1,
    );
    await requester.api['jobs.cancel']({ job_id: refused });
    await provider.api['policies.set']({ policies: [] });
    const refusedBefore = (await requester.api['jobs.status']({ job_id: refused, units: false })).job;
    assert.equal(refusedBefore.refusals[0]?.units, 4);
    const before = await userView(requester.api, job_id);
    // What each node's store needs half an hour on (the provider keeps what it fetched and computed
    // for an hour after a settlement; the requester a finished job's inputs for a week): compaction
    // must not shorten it.
    const halfAnHourOn = Date.now() + 30 * 60_000;
    const storageBefore = nodes.map((n) => n.node.collector.usage(halfAnHourOn).by_kind);
    assert.ok(storageBefore[1]!.output > 0, "the provider's outputs are still kept then");
    const closings = [...requester.node.state.assignments.values()]
      .filter((a) => a.acceptance.job_id === job_id)
      .map((a) => [a.closing!, ...(a.reward ? [a.reward] : [])]);
    assert.ok(before.units!.every((u) => u.providers[0] === provider.node.peerId && u.seconds !== null));
    assert.ok(before.chains.length > 0 && before.chains.every((c) => c.ok));
    assert.deepEqual(
      before.page.outputs.map((u) => u.output_base64),
      before.outputs,
      "the job's outputs in one page, as unit by unit",
    );

    // Both restart with no retention: what finished is compacted at start.
    await stopAll(nodes);
    for (const [i, n] of nodes.entries()) {
      nodes[i] = await startNode({ dataDir: n.dataDir, history: { retentionMs: 0 } });
    }
    const [r2, p2] = nodes as [TestNode, TestNode];
    await waitFor('the jobs to be compacted', async () =>
      r2.node.state.jobs.get(job_id)?.summary && r2.node.state.jobs.get(refused)?.summary ? true : undefined,
    );
    await waitFor('the provider to compact its part', async () =>
      [...p2.node.state.assignments.values()].some((a) => a.acceptance.job_id === job_id) ? undefined : true,
    );
    // A snapshot follows the compaction: a start after a crash does not load the finished jobs again.
    await waitFor('a snapshot of the compacted state', async () => {
      const saved = r2.node.journal.snapshots.load(r2.node.peerId, r2.node.journal.lastSeq());
      return 'state' in saved && saved.state.jobs.get(job_id)?.summary && saved.state.assignments.size === 0
        ? true
        : undefined;
    });
    assert.equal([...r2.node.state.units.values()].filter((u) => u.unit.job_id === job_id).length, 0);
    assert.equal(r2.node.state.assignments.size, 0);
    assert.equal([...p2.node.state.units.values()].length, 0);
    assert.deepEqual(
      nodes.map((n) => n.node.collector.usage(halfAnHourOn).by_kind),
      storageBefore,
      'the same blobs kept, for as long',
    );
    // Garbage collection a year on keeps a compacted job's outputs (until the user deletes the job).
    r2.node.collector.collect(Date.now() + 365 * 24 * 3600_000);
    assert.deepEqual(await userView(r2.api, job_id), before, 'the same, once compacted');
    assert.deepEqual((await r2.api['jobs.status']({ job_id: refused, units: false })).job, refusedBefore);

    // A provider that never heard how its assignments closed (its settlement lost as it went
    // offline) sends their results again: it is answered from the journal. Anyone else, with nothing.
    const askedAgain = (from: string) =>
      r2.node.requester.onResults(from, {
        results: closings.map(([closing]) => ({
          assignment_id: closing!.assignment_id,
          output_bytes: 32,
          computation_time_seconds: 0.01,
          timestamp: new Date().toISOString(),
        })),
        receipts: [],
      });
    assert.deepEqual((await askedAgain(p2.node.peerId)).entries, closings.flat());
    assert.deepEqual((await askedAgain(r2.node.peerId)).entries, [], 'not its assignments: nothing');

    // A clean stop writes a snapshot; the next start loads it and has nothing to fold.
    await r2.node.stop();
    nodes[0] = await startNode({ dataDir: r2.dataDir, history: { retentionMs: 0 } });
    const r3 = nodes[0];
    assert.equal(r3.node.loaded.snapshotSeq, r3.node.journal.lastSeq());
    assert.equal(r3.node.loaded.folded, 0);
    assert.deepEqual(await userView(r3.api, job_id), before, 'the same, from the snapshot');
    assert.deepEqual((await r3.api['jobs.status']({ job_id: refused, units: false })).job, refusedBefore);
    const { job } = await r3.api['jobs.status']({ job_id, units: false });
    assert.equal(job.units_verified, UNITS);

    // What the provider kept for its compacted part is forgotten once its retention (an hour) has passed.
    assert.ok(p2.node.journal.archive.keptNeeds('provider').length > 0);
    p2.node.collector.collect(Date.now() + 2 * 3600_000);
    assert.deepEqual(p2.node.journal.archive.keptNeeds('provider'), []);

    // Deleted, the job's kept details go with it.
    assert.notEqual(r3.node.journal.archive.details(job_id, 0), null);
    await r3.api['jobs.delete']({ job_id });
    assert.equal(r3.node.journal.archive.details(job_id, 0), null);
  },
);

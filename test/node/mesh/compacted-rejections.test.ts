// A provider whose results were refunded as rejected, and that never heard how they closed (its
// settlement lost as it went offline), asks again once the requester has compacted the job: it
// is answered from the journal with the refunds and the signed verdicts behind them, as it was
// from the state before, since a provider takes a refund as rejected only with the requester's
// verdict against its result (settlement-intake.ts). Without them its escrow stays held for good.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rejectionShown } from '../../../src-main/core/ledger/index.js';
import type { MessageBody } from '../../../src-main/core/protocol/messages.js';
import { verdictsIn } from '../../../src-main/core/schemas/index.js';
import { verifyCheckedReceipt } from '../../../src-main/node/receipts/index.js';
import { trustedLiar } from './fixtures/trusted-liar.js';
import { hashJob, jobEnded, meshOf, startNode, stopAndRemove, waitFor, type TestNode } from './cluster.js';

test(
  "after compaction, a liar's refunds as rejected are answered with the verdicts behind them, to it alone",
  { timeout: 120_000 },
  async (t) => {
    const nodes = [await startNode(), await startNode()];
    t.after(() => stopAndRemove(nodes));
    const [requester, honest] = nodes as [TestNode, TestNode];
    await meshOf(nodes);
    const liar = await trustedLiar(requester);
    t.after(() => liar.stop());
    // The liar gets the first units; the honest provider then does the job.
    await honest.api['sharing.set']({ on: false });
    const { job_id } = await requester.api['jobs.submit']({ ...hashJob(12, false).params, redundancy: 1 });
    const liarsResults = () =>
      [...requester.node.state.assignments.values()].filter(
        (a) => a.acceptance.job_id === job_id && a.acceptance.provider_peer === liar.peerId && a.result,
      );
    await waitFor('the liar to deliver results', async () => (liarsResults().length > 0 ? true : undefined), 20_000);
    await honest.api['sharing.set']({ on: true });
    assert.equal((await jobEnded(requester.api, job_id, 90_000)).state, 'completed');
    const lied = liarsResults();
    assert.ok(lied.every((a) => a.closing?.kind === 'refund' && a.closing.reason === 'rejected'));
    const ids = lied.map((a) => a.acceptance.assignment_id);
    const askedAgain = (node: TestNode, from: string) =>
      node.node.requester.onResults(from, {
        results: ids.map((assignment_id) => ({
          assignment_id,
          output_bytes: 32,
          computation_time_seconds: 0.01,
          timestamp: new Date().toISOString(),
        })),
        receipts: [],
      });
    const fromState = await askedAgain(requester, liar.peerId);

    // Restarted with no retention: the job is compacted at start.
    await requester.node.stop();
    nodes[0] = await startNode({ dataDir: requester.dataDir, history: { retentionMs: 0 } });
    const r2 = nodes[0];
    await waitFor('the job to be compacted', async () => (r2.node.state.jobs.get(job_id)?.summary ? true : undefined));
    assert.equal(r2.node.state.assignments.size, 0);

    const fromJournal = await askedAgain(r2, liar.peerId);
    assert.equal(fromJournal.entries.length, lied.length, 'a refund for each of its results');
    assert.deepEqual(fromJournal.entries, fromState.entries, 'the same refunds as from the state');
    assert.deepEqual(fromJournal.receipts, fromState.receipts, 'with the same signed verdicts');
    // What the provider checks before it takes them: my signature, and a verdict against each result.
    const verdicts = [];
    for (const signed of fromJournal.receipts) {
      const checked = await verifyCheckedReceipt(signed);
      assert.ok(checked.ok && checked.receipt.author === r2.node.peerId, 'signed by the requester');
      verdicts.push(...verdictsIn(checked.receipt));
    }
    for (const { result } of lied)
      assert.ok(rejectionShown(result!, verdicts), `${result!.result_id}'s rejection is shown`);

    const toOther: MessageBody<'settlement'> = await askedAgain(r2, honest.node.peerId);
    assert.deepEqual(toOther, { entries: [], receipts: [] }, 'not its assignments: nothing');
  },
);

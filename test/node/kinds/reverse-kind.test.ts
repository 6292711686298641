// The seam holds (issue 88, item 6): a kind registered by this test alone (reverse/kind.ts) is
// planned, offered, run and checked by three real nodes on loopback, with no role folder naming it;
// a provider that lies about its units is caught by the requester's own run, as for any kind.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { jobEnded, meshOf, startNode, stopAll, waitFor, type TestNode } from '../mesh/cluster.js';
import { REVERSE_ALGORITHM, reverseKind } from './reverse/kind.js';

const terms = (input: Buffer, redundancy: number) => ({
  kind: 'reverse',
  input_base64: input.toString('base64'),
  chunk_bytes: 32,
  redundancy,
  budget: 10_000_000,
  priority: 0.5,
  manual_accept: false,
  open_to_strangers: false,
});

/** Each unit's verified output, in order. */
async function outputsOf(node: TestNode, jobId: string): Promise<Buffer[]> {
  const { outputs } = await node.api['jobs.outputs']({ job_id: jobId });
  return Promise.all(
    outputs.map(async ({ unit_id }) => {
      const { output_base64 } = await node.api['jobs.output']({ job_id: jobId, unit_id });
      return Buffer.from(output_base64, 'base64');
    }),
  );
}

test(
  "a kind of the test's own runs across three nodes: planned, offered, run, verified and paid",
  { timeout: 120_000 },
  async () => {
    const nodes = await Promise.all([0, 1, 2].map(() => startNode({ kinds: [reverseKind()] })));
    const [requester, ...providers] = nodes as [TestNode, TestNode, TestNode];
    try {
      // One provider offers a one-off slot added through the API: it too offers what the node runs
      // now, this kind included (a slot added so once kept a list without Blender, at score 1).
      const { slot } = await providers[0].api['slots.add']({
        slot_id: 'one-off',
        start_time: new Date(Date.now() - 1000).toISOString(),
        end_time: new Date(Date.now() + 3600_000).toISOString(),
        cpu_cores: 1,
        ram_gb: 1,
      });
      await meshOf(nodes);
      // The providers' slots offer it, as the kind's runtime says.
      const offering = (provider: TestNode) =>
        requester.node.ctx.commitments
          .get(provider.node.peerId)
          ?.availability_slots.filter((one) => one.algorithms.some((a) => a.algorithm_id === REVERSE_ALGORITHM));
      for (const provider of providers)
        await waitFor('a slot offering reverse/bytes', () => (offering(provider)?.length ? true : undefined), 30_000);
      assert.deepEqual(
        offering(providers[0])!.map((one) => one.slot_id),
        [slot.slot_id],
        'the one-off slot added through the API offers the kind',
      );
      const input = randomBytes(32 * 12);
      const { job_id: jobId, units } = await requester.api['jobs.submit'](terms(input, 2));
      assert.equal(units, 12);
      const job = await jobEnded(requester.api, jobId, 60_000);
      assert.equal(job.state, 'completed');
      const outputs = await outputsOf(requester, jobId);
      assert.equal(outputs.length, 12);
      outputs.forEach((output, i) =>
        assert.deepEqual(output, Buffer.from(input.subarray(i * 32, (i + 1) * 32)).reverse(), `unit ${i}`),
      );
      // Both providers ran units (two replicas each), and were paid for them.
      for (const provider of providers) {
        const ran = [...provider.node.state.assignments.values()].filter((a) => a.result);
        assert.ok(ran.length > 0, `provider ${provider.node.peerId} ran none`);
      }
      // Terms that name no kind here, or give it params it refuses, are refused saying why.
      await assert.rejects(
        requester.api['jobs.submit']({ ...terms(input, 1), kind: 'rotate' }),
        /"rotate" is no kind of work this node plans/,
      );
      await assert.rejects(
        requester.api['jobs.submit']({ ...terms(input, 1), params: { by: 2 } }),
        /a reverse job takes none/,
      );
    } finally {
      await stopAll(nodes);
    }
  },
);

test(
  "a provider that lies about the units of a kind of the test's own is convicted by the requester's run",
  { timeout: 120_000 },
  async () => {
    const requester = await startNode({ kinds: [reverseKind()] });
    const liar = await startNode({ kinds: [reverseKind(true)] });
    const nodes = [requester, liar];
    try {
      await meshOf(nodes);
      const input = randomBytes(32 * 8);
      const { job_id: jobId } = await requester.api['jobs.submit'](terms(input, 1));
      // A new provider is on probation: its results are checked by the requester's own run.
      await waitFor(
        'the liar convicted',
        () => requester.node.state.checks.isConvicted(liar.node.peerId) || undefined,
        60_000,
      );
      // No lie becomes an output: a unit whose result was caught is verified on the requester's own run.
      const job = await jobEnded(requester.api, jobId, 60_000);
      assert.equal(job.state, 'completed');
      const outputs = await outputsOf(requester, jobId);
      outputs.forEach((output, i) =>
        assert.deepEqual(output, Buffer.from(input.subarray(i * 32, (i + 1) * 32)).reverse(), `unit ${i}`),
      );
      // And nothing the liar returned is paid.
      const paid = [...requester.node.state.assignments.values()].filter(
        (a) => a.acceptance.provider_peer === liar.node.peerId && a.closing?.kind === 'settle',
      );
      assert.equal(paid.length, 0, `the liar was paid for ${paid.length} results`);
    } finally {
      await stopAll(nodes);
    }
  },
);

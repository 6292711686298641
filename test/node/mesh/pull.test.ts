// A commitment lists a few open units of each job, however big, and says how many it has open;
// providers pull the rest over the direct protocol. Pulls are gated as the commitment is (a closed
// job's units go only to peers its requester trusts), and two providers pulling at once get
// different units.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { unitIdOf } from '../../../src-main/core/mesh/state/unit-table.js';
import { MESSAGE_TYPES, unitsOf, type MessageBody } from '../../../src-main/core/protocol/messages.js';
import { loadOrCreateIdentity } from '../../../src-main/node/identity/identity.js';
import { loadKernel } from '../../../src-main/node/exec/kernels.js';
import { MeshNetwork } from '../../../src-main/node/p2p/index.js';
import { hashJob, jobEnded, meshOf, startNode, stopAll, waitFor, type TestNode } from './cluster.js';

test('a big job is listed a few units at a time, pulled by the provider, and completes with every output right', async () => {
  const [requester, provider] = await Promise.all([startNode(), startNode({ workers: 2 })]);
  try {
    await meshOf([requester, provider]);
    const units = 500;
    const { params, input, chunk } = hashJob(units, false, 1);
    const { job_id: jobId } = await requester.api['jobs.submit']({ ...params, redundancy: 1 });
    const seen = await waitFor('the provider to hold the job in its requester’s commitment', () =>
      provider.node.ctx.commitments.get(requester.node.peerId)?.work_requests.find((r) => r.job_id === jobId),
    );
    assert.ok(seen.work_units.length <= 8, `${seen.work_units.length} units listed`);
    assert.ok((seen.open_units ?? 0) > seen.work_units.length, 'the rest is counted, for pulling');
    const bytes = JSON.stringify(provider.node.ctx.commitments.get(requester.node.peerId)).length;
    assert.ok(bytes < 16 * 1024, `the commitment is ${bytes} bytes`);

    const job = await jobEnded(requester.api, jobId, 90_000);
    assert.equal(job.state, 'completed');
    for (const i of [0, 1, 250, units - 1]) {
      const { output_base64 } = await requester.api['jobs.output']({ job_id: jobId, unit_id: unitIdOf(jobId, i) });
      const expected = createHash('sha256')
        .update(input.subarray(i * chunk, (i + 1) * chunk))
        .digest();
      assert.deepEqual(Buffer.from(output_base64, 'base64'), expected, `unit ${i}`);
    }
  } finally {
    await stopAll([requester, provider]);
  }
});

/** A bare peer (no node): it connects to `to` and pulls. */
async function barePeer(
  to: TestNode,
): Promise<{ peerId: string; pull: (body: MessageBody<'pull'>) => Promise<string[]>; stop: () => Promise<void> }> {
  const identity = await loadOrCreateIdentity(mkdtempSync(join(tmpdir(), 'mesh-pull-peer-')));
  const network = await MeshNetwork.start({ identity, catalog: MESSAGE_TYPES, mdns: false });
  await network.connect(to.node.network.listenAddresses()[0]!);
  return {
    peerId: network.peerId,
    async pull(body) {
      const reply = await network.request(to.node.peerId, 'pull', body);
      assert.equal(reply?.type, 'units');
      return unitsOf((reply.body as MessageBody<'units'>).groups).map((unit) => unit.unit_id);
    },
    stop: () => network.stop(),
  };
}

test('pulls: a closed job to trusted peers only, a job open to strangers to anyone, at most `max`, different units to each', async () => {
  const requester = await startNode();
  const peers = await Promise.all([barePeer(requester), barePeer(requester), barePeer(requester)]);
  const [trustedA, trustedB, stranger] = peers;
  try {
    for (const peer of [trustedA, trustedB]) await requester.api['trust.set']({ peer_id: peer.peerId, weight: 0.5 });
    const { params } = hashJob(100, false, 1);
    const { job_id: closed } = await requester.api['jobs.submit']({ ...params, redundancy: 1 });
    const { job_id: open } = await requester.api['jobs.submit']({ ...params, redundancy: 1, open_to_strangers: true });

    assert.deepEqual(await stranger.pull({ job_id: closed, max: 10 }), [], 'a stranger gets nothing of a closed job');
    assert.deepEqual(
      await trustedA.pull({ job_id: 'no-such-job', max: 10 }),
      [],
      'nor anyone of a job that is not there',
    );

    const toA = await trustedA.pull({ job_id: closed, max: 30 });
    const toB = await trustedB.pull({ job_id: closed, max: 30 });
    assert.equal(toA.length, 30);
    assert.equal(toB.length, 30);
    assert.deepEqual(
      toA.filter((id) => toB.includes(id)),
      [],
      'two providers pulling at once get different units',
    );
    // A provider pulls again only once it has offered for what it was lent: those offers may still be
    // on their way, so it is lent other units, then units lent to others, never its own again.
    const againA = await trustedA.pull({ job_id: closed, max: 30 });
    assert.equal(againA.length, 30);
    assert.deepEqual(
      againA.filter((id) => toA.includes(id) || toB.includes(id)),
      [],
      'fresh units first',
    );
    const lastA = await trustedA.pull({ job_id: closed, max: 30 });
    assert.deepEqual(
      lastA.filter((id) => toA.includes(id) || againA.includes(id)),
      [],
      'never what it was lent lately',
    );
    assert.equal(lastA.filter((id) => toB.includes(id)).length, 20, 'the 10 fresh units left, then 20 lent to another');
    assert.equal(
      (await stranger.pull({ job_id: open, max: 5 })).length,
      5,
      'a job open to strangers is pulled by anyone',
    );

    assert.equal(MESSAGE_TYPES.pull.schema.safeParse({ job_id: closed, max: 1_000_000 }).success, false);

    // Units of 8 KB each (their params): a reply of all 300 would be past the message's 2 MiB.
    // The hash kernel as the user's own module: a kernel of the library takes no params it does not read.
    const heavy = {
      ...hashJob(300, false, 1).params,
      library: undefined,
      method: undefined,
      wasm_base64: Buffer.from(loadKernel('hash')).toString('base64'),
      redundancy: 1,
      params: { algorithm: 'sha256', note: 'x'.repeat(8000) },
    };
    const { job_id: heavyJob } = await requester.api['jobs.submit'](heavy);
    const pulled = await trustedA.pull({ job_id: heavyJob, max: 1000 });
    assert.ok(pulled.length > 0 && pulled.length < 300, `${pulled.length} units of 8 KB in one reply`);
  } finally {
    await Promise.all(peers.map((peer) => peer.stop()));
    await stopAll([requester]);
  }
});

// My commitment sent directly to a peer that follows me (node/mesh/peers/commitment.ts): at once when my
// jobs change, but when only the listed units and open counts of the same jobs moved on (every
// verdict moves them), at most every SAME_JOBS_RESEND_MS; the peer then gets the latest.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ComputeCommitment, WorkRequest, WorkUnit } from '../../../src-main/core/schemas/index.js';
import type { MeshNetwork } from '../../../src-main/node/p2p/index.js';
import { NodeEvents } from '../../../src-main/node/mesh/context/node-events.js';
import { CommitmentPublisher } from '../../../src-main/node/mesh/peers/commitment.js';
import type { NodeContext } from '../../../src-main/node/mesh/context/node-context.js';

const ME = 'me';
const PEER = 'peer';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function request(jobId: string, open: number): WorkRequest {
  const unit = (n: number) => ({ unit_id: `${jobId}/${n}` }) as WorkUnit;
  return {
    requester_id: ME,
    job_id: jobId,
    open_units: open,
    work_units: [unit(100 - open), unit(101 - open)],
  } as WorkRequest;
}

test('a peer hears at once of a new job, but of the same jobs moving on at most every 2 s, and then the latest', async () => {
  let requests = [request('job-a', 100)];
  const sent: { at: number; requests: WorkRequest[] }[] = [];
  const started = Date.now();
  const ctx = {
    me: ME,
    events: new NodeEvents(),
    now: () => Date.now(),
    state: { trust: new Map([[PEER, { weight: 1 }]]) },
    commitments: new Map([[PEER, { peer_id: PEER, trust_weights: { [ME]: 1 } }]]),
    send: async (_peer: string, type: string, body: ComputeCommitment) => {
      if (type === 'commitment') sent.push({ at: Date.now() - started, requests: body.work_requests });
      return { type: 'ack', body: {} };
    },
    background: (_what: string, work: Promise<unknown>) => void work.catch(assert.fail),
  } as unknown as NodeContext;
  const network = { connectedPeers: () => [PEER], publish: async () => {} } as unknown as MeshNetwork;
  const publisher = new CommitmentPublisher(ctx, network, {
    slots: () => [],
    workRequests: () => requests,
    contribution: () => ({}) as never,
    published: () => {},
  });
  try {
    publisher.soon();
    await sleep(100);
    assert.equal(sent.length, 1, 'the first one at once');

    for (let open = 99; open > 95; open--) {
      requests = [request('job-a', open)];
      publisher.soon();
      await sleep(300);
    }
    assert.equal(sent.length, 1, 'the same job moving on, 1.2 s: not sent again yet');

    requests = [request('job-a', 95), request('job-b', 10)];
    publisher.soon();
    await sleep(300);
    assert.equal(sent.length, 2, 'a new job: sent at its next publication');
    assert.deepEqual(
      sent[1]!.requests.map((r) => r.job_id),
      ['job-a', 'job-b'],
    );

    requests = [request('job-a', 90), request('job-b', 9)];
    publisher.soon();
    await sleep(2_300);
    assert.equal(sent.length, 3, 'the moved-on requests follow, once');
    assert.ok(sent[2]!.at - sent[1]!.at >= 1_900, `${sent[2]!.at - sent[1]!.at} ms after the last`);
    assert.deepEqual(
      sent[2]!.requests.map((r) => r.open_units),
      [90, 9],
      'the latest',
    );
  } finally {
    publisher.stop();
  }
});

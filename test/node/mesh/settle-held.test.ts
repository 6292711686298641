// A job's results accepted unchecked are paid when the job completes: once each. The last
// verdicts of a job close together (a batch of results), and each of them sees the job complete;
// every one of them paying all the held results again sent a provider the same settlements over
// and over (31 times for a 3,000-unit job, each a second of signing and checking).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageBody } from '../../../src-main/core/protocol/messages.js';
import { hashJob, jobEnded, meshOf, startNode, stopAll, waitFor } from './cluster.js';

test('each result held until its job completes is paid in one settlement message, however many verdicts close last', async () => {
  const [requester, provider] = await Promise.all([startNode(), startNode({ workers: 2 })]);
  try {
    await meshOf([requester, provider]);
    // Every settlement the requester sends, by the assignments it pays.
    const paidIn: string[][] = [];
    const network = requester.node.network;
    const request = network.request.bind(network);
    network.request = (peer, type, body, options) => {
      if (type === 'settlement')
        paidIn.push(
          (body as MessageBody<'settlement'>).entries.flatMap((e) => (e.kind === 'settle' ? [e.assignment_id] : [])),
        );
      return request(peer, type, body, options);
    };
    const units = 600;
    const { params } = hashJob(units, false);
    const { job_id: jobId } = await requester.api['jobs.submit']({ ...params, redundancy: 1 });
    const job = await jobEnded(requester.api, jobId, 60_000);
    assert.equal(job.state, 'completed');
    // Every unit paid to the provider, as its own journal has it (the held ones included).
    await waitFor(
      'the provider paid for every unit',
      () => {
        const paid = [...provider.node.state.assignments.values()].filter((a) => a.escrow === 'paid');
        return paid.length === units ? true : undefined;
      },
      20_000,
    );
    const sent = paidIn.flat();
    assert.ok(sent.length > 0, 'some results were held until the job completed (else this test shows nothing)');
    assert.equal(new Set(sent).size, sent.length, `${sent.length - new Set(sent).size} settles sent more than once`);
  } finally {
    await stopAll([requester, provider]);
  }
});

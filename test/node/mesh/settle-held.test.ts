// A job's results accepted unchecked are paid when the job completes: once each. The last
// verdicts of a job close together (a batch of results), and each of them sees the job complete;
// every one of them paying all the held results again sent a provider the same settlements over
// and over (31 times for a 3,000-unit job, each a second of signing and checking).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageBody } from '../../../src-main/core/protocol/messages.js';
import { hashJob, jobEnded, meshOf, startNode, stopAll, type TestNode, waitFor } from './cluster.js';

/**
 * The provider's results message that would end the job waits until the requester has said it
 * holds more than `atLeast` results unchecked. Results that all arrive at once are decided with
 * their job complete and paid in the replies, so none is ever held (a CI run did so once in six).
 */
function holdBackLastResults(provider: TestNode, units: number, atLeast: number): void {
  const network = provider.node.network;
  const request = network.request.bind(network);
  let sent = 0;
  let held = 0;
  network.request = async (peer, type, body, options) => {
    if (type !== 'results') return request(peer, type, body, options);
    sent += (body as MessageBody<'results'>).results.length;
    if (sent >= units)
      await waitFor('the requester to hold results', () => held > atLeast || undefined, 20_000).catch(() => undefined);
    const reply = await request(peer, type, body, options);
    if (reply?.type === 'settlement') held += (reply.body as MessageBody<'settlement'>).held?.length ?? 0;
    return reply;
  };
}

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
    holdBackLastResults(provider, units, 0);
    const { params } = hashJob(units, false, 1);
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

test('a provider that missed the settlement of its held results asks for it a batch at a time, without a reconnect', async () => {
  const [requester, provider] = await Promise.all([startNode(), startNode({ workers: 2 })]);
  try {
    await meshOf([requester, provider]);
    // The requester's settlements pushed at the job's end are lost on the way.
    let pushesLost = 0;
    const network = requester.node.network;
    const request = network.request.bind(network);
    network.request = (peer, type, body, options) => {
      if (type !== 'settlement') return request(peer, type, body, options);
      pushesLost++;
      return Promise.resolve(undefined);
    };
    const units = 600;
    holdBackLastResults(provider, units, 128);
    // Every results message the provider sends, by size.
    const resultsSent: number[] = [];
    const providerNetwork = provider.node.network;
    const providerRequest = providerNetwork.request.bind(providerNetwork);
    providerNetwork.request = (peer, type, body, options) => {
      if (type === 'results') resultsSent.push((body as MessageBody<'results'>).results.length);
      return providerRequest(peer, type, body, options);
    };
    const { params } = hashJob(units, false, 1);
    const { job_id: jobId } = await requester.api['jobs.submit']({ ...params, redundancy: 1 });
    assert.equal((await jobEnded(requester.api, jobId, 60_000)).state, 'completed');
    const sentBefore = resultsSent.length;
    const held = [...provider.node.state.assignments.values()].filter((a) => a.escrow === 'held').length;
    assert.ok(held > 128, `${held} results held at the end (else this test shows nothing)`);
    // The settles are pushed once journaled, on disk (a FULL step): a moment after the job completed.
    await waitFor('the requester pushed its settlements', () => (pushesLost > 0 ? true : undefined), 10_000);

    await waitFor(
      'the provider paid for every unit',
      () => ([...provider.node.state.assignments.values()].every((a) => a.escrow === 'paid') ? true : undefined),
      40_000,
    );
    // Asked in full messages, a few more than the held results need: not all of them at every turn.
    const asked = resultsSent.slice(sentBefore);
    assert.ok(asked.length <= Math.ceil(held / 128) + 3, `${asked.length} results messages for ${held} held results`);
  } finally {
    await stopAll([requester, provider]);
  }
});

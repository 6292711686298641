// A cancel tells each provider how its assignments closed in one settlement, not one an assignment
// (a job of thousands of units, cancelled, would send thousands of messages), against a fake
// context: a real state and ledger rules, no network.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { MessageBody } from '../../../src-main/core/protocol/messages.js';
import { Executor } from '../../../src-main/node/exec/index.js';
import { ephemeralIdentity } from '../../../src-main/node/identity/identity.js';
import { Requester } from '../../../src-main/node/mesh/requester/requester.js';
import { hashUnit } from './fixtures/accepted-unit.js';
import { acceptAsRequester, fakeContext } from './fixtures/fake-context.js';

const executor = Executor.start({ workers: 1 });
after(() => executor.close());

const JOB = 'job-cancel';
const PRICE = 100;
const BUDGET = 100_000;

test('cancelling a job tells each provider of its refunds in one settlement', async () => {
  const ctx = await fakeContext();
  const [busy, other] = [(await ephemeralIdentity()).peerId, (await ephemeralIdentity()).peerId];
  // Five units on one provider, one on another: none has a result yet.
  const providers = [busy, busy, busy, busy, busy, other];
  const cid = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'; // blobs nobody fetches here
  const unit = (i: number) => hashUnit(`${JOB}/${i}`, JOB, cid, cid);
  await ctx.record([
    {
      type: 'job.submitted',
      job: {
        job_id: JOB,
        requester: ctx.me,
        name: 'sha256',
        unit_count: providers.length,
        redundancy: 1,
        budget: BUDGET,
      },
    },
    ...providers.map((_, i) => ({ type: 'unit.created' as const, unit: unit(i) })),
  ]);
  for (const [i, provider] of providers.entries())
    await acceptAsRequester(ctx, { unitId: `${JOB}/${i}`, jobId: JOB, provider, price: PRICE, budget: BUDGET, n: i });
  const requester = new Requester(ctx, executor, { graceSeconds: 30, providerPipeline: 8 });
  await requester.cancel(JOB);
  await ctx.settled();

  const settlements = ctx.sent.filter((m) => m.type === 'settlement');
  assert.deepEqual(settlements.map((m) => m.peer).sort(), [busy, other].sort(), 'one settlement a provider');
  const refunds = (peer: string) =>
    (settlements.find((m) => m.peer === peer)!.body as MessageBody<'settlement'>).entries.map((e) =>
      e.kind === 'refund' ? e.reason : e.kind,
    );
  assert.deepEqual(refunds(busy), Array(5).fill('cancelled'));
  assert.deepEqual(refunds(other), ['cancelled']);
  await requester.stop();
});

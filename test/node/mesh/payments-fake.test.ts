// The requester's payments (node/mesh/settlement/payments.ts) against a fake context: results accepted
// unchecked stay held until their job completes, then each is paid once, with one settlement per
// provider however often the completion is seen; and a settlement message never carries more
// assignments than its schema admits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageBody } from '../../../src-main/core/protocol/messages.js';
import type { WorkUnit } from '../../../src-main/core/schemas/index.js';
import { ephemeralIdentity } from '../../../src-main/node/identity/identity.js';
import { iso } from '../../../src-main/node/mesh/context/node-context.js';
import { Payments } from '../../../src-main/node/mesh/settlement/payments.js';
import { acceptanceEvents } from '../../../src-main/node/mesh/settlement/ledger-events.js';
import { isProvisional } from '../../../src-main/node/mesh/settlement/pricing.js';
import { acceptedOffer, fakeContext, type FakeContext } from './fixtures/fake-context.js';

const JOB = 'job-pay';
const PRICE = 10;

/**
 * My job of `units` units, each accepted by one of `providers` (in turn), its result in and its
 * verdict taken on that result alone, unchecked (so its escrow is held); the last unit's verdict
 * completes the job.
 */
async function jobAcceptedUnchecked(
  units: number,
  providers: string[],
  options: Parameters<typeof fakeContext>[0] = {},
): Promise<FakeContext> {
  const ctx = await fakeContext(options);
  const at = iso(ctx.now());
  await ctx.record([
    {
      type: 'job.submitted',
      job: { job_id: JOB, requester: ctx.me, name: 'pay', unit_count: units, redundancy: 1, budget: units * PRICE },
    },
  ]);
  for (let i = 0; i < units; i++) {
    const provider = providers[i % providers.length]!;
    const unit: WorkUnit = {
      unit_id: `${JOB}/${i}`,
      job_id: JOB,
      algorithm_id: 'hash/sha256',
      algorithm_version: '1.0.0',
      required_resources: { cpu_cores: 1, ram_gb: 0.0625 },
      estimated_duration_seconds: 1,
      priority: 0.5,
      verification_redundancy: 1,
      params: {},
    };
    const { acceptance } = acceptedOffer({
      unitId: unit.unit_id,
      jobId: JOB,
      requester: ctx.me,
      provider,
      price: PRICE,
      atMs: ctx.now(),
      n: i,
    });
    const assignmentId = acceptance.assignment_id;
    const resultId = `${assignmentId}/result`;
    await ctx.record([
      { type: 'unit.created', unit },
      ...acceptanceEvents([{ acceptance, parties: { requester: ctx.me, worker: provider }, jobBudget: units * PRICE }]),
      {
        type: 'result.recorded',
        result: {
          result_id: resultId,
          work_unit_id: unit.unit_id,
          assignment_id: assignmentId,
          computed_by_peer: provider,
          output_cid: `out-${i}`,
          output_bytes: 32,
          computation_time_seconds: 1,
          resources_used: { cpu_cores: 1, ram_gb: 0.0625 },
          verification_hash: `out-${i}`,
          timestamp: at,
        },
      },
      {
        type: 'unit.verified',
        unit_id: unit.unit_id,
        verdict: 'verified',
        consensus_hash: `out-${i}`,
        agreeing_results: [resultId],
        unchecked_results: [resultId],
      },
    ]);
  }
  return ctx;
}

const held = (ctx: FakeContext) =>
  [...ctx.state.assignments.values()].filter((a) => isProvisional(ctx.state, a)).map((a) => a.acceptance);

test('held results are paid once when their job completes, one settlement per provider, however often it is seen', async () => {
  const providers = [(await ephemeralIdentity()).peerId, (await ephemeralIdentity()).peerId];
  const ctx = await jobAcceptedUnchecked(6, providers);
  assert.ok(ctx.state.jobs.get(JOB)!.completedAt, 'the setup: the job is complete');
  assert.equal(held(ctx).length, 6, 'the setup: every result held, unchecked');
  const payments = new Payments(ctx);
  // Two verdicts that close together each see the job complete.
  const told = await Promise.all([payments.settleHeld(JOB), payments.settleHeld(JOB)]);
  await ctx.settled();
  assert.deepEqual(told.flat().sort(), [...providers].sort(), 'each provider told once, by the first');
  assert.equal(held(ctx).length, 0);
  const settles = ctx.recordedOf('ledger.entry').filter((e) => e.entry.kind === 'settle');
  assert.equal(settles.length, 6, 'each assignment settled once');
  const sent = ctx.sent.filter((m) => m.type === 'settlement');
  assert.deepEqual(sent.map((m) => m.peer).sort(), [...providers].sort());
  for (const { peer, body } of sent) {
    const { entries } = body as MessageBody<'settlement'>;
    assert.equal(entries.filter((e) => e.kind === 'settle').length, 3, `${peer} is told of its 3 assignments`);
  }
  await payments.stop();
});

test('a job with more held results than a settlement admits is told in several messages', async () => {
  const provider = (await ephemeralIdentity()).peerId;
  const ctx = await jobAcceptedUnchecked(650, [provider]);
  const payments = new Payments(ctx);
  await payments.settleHeld(JOB);
  await ctx.settled();
  const sizes = ctx.sent.map((m) => (m.body as MessageBody<'settlement'>).entries.length);
  assert.deepEqual(sizes, [300, 300, 50]);
  await payments.stop();
});

test('a provider slow to answer is sent its settlements a few at a time, and gets them all', async () => {
  // Sent all at once, those a busy provider could not answer within a send's 10 s were lost.
  const provider = (await ephemeralIdentity()).peerId;
  let answering = 0;
  let most = 0;
  const ctx = await jobAcceptedUnchecked(3_000, [provider], {
    respond: async () => {
      most = Math.max(most, ++answering);
      await new Promise((resolve) => setTimeout(resolve, 5));
      answering--;
      return { type: 'ack', body: {} };
    },
  });
  const payments = new Payments(ctx);
  await payments.settleHeld(JOB);
  await ctx.settled();
  assert.equal(ctx.sent.length, 10, 'all its 3,000 assignments told, 300 a message');
  assert.ok(most <= 4, `at most 4 awaiting its answer at once, not ${most}`);
  await payments.stop();
});

test('a settlement its provider refuses (past its rate limit) is sent again until it is taken', async () => {
  // A job's completion pushed its held results' settlements at once; the provider refused those past
  // its limit on one peer's requests, and was left holding them, asking for them 128 at a time.
  const provider = (await ephemeralIdentity()).peerId;
  const refusals = new Map<string, number>();
  const ctx = await jobAcceptedUnchecked(900, [provider], {
    respond: ({ body }) => {
      const first = (body as MessageBody<'settlement'>).entries[0]!.assignment_id;
      const refused = refusals.get(first) ?? 0;
      if (refused === 2) return { type: 'ack', body: {} };
      refusals.set(first, refused + 1);
      return undefined; // rate_limited, say: no reply
    },
  });
  const payments = new Payments(ctx);
  await payments.settleHeld(JOB);
  await ctx.settled();
  assert.equal(refusals.size, 3, 'three settlements of 300');
  assert.equal(ctx.sent.length, 9, 'each sent three times: refused twice, then taken');
  await payments.stop();
});

test('a job not yet complete pays nothing held', async () => {
  const provider = (await ephemeralIdentity()).peerId;
  const ctx = await jobAcceptedUnchecked(3, [provider]);
  ctx.state.jobs.get(JOB)!.completedAt = undefined; // as if a unit were still open
  const payments = new Payments(ctx);
  assert.deepEqual(await payments.settleHeld(JOB), []);
  assert.equal(held(ctx).length, 3);
  assert.equal(ctx.sent.length, 0);
  await payments.stop();
});

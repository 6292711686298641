// The requester's verdicts signed in batches (node/mesh/verdicts/verdict-receipts.ts): those reached in the
// same turn share one verification receipt, a later one gets the next link of the chain, and a
// batch stays within what a receipt holds; settlements carry the receipts behind their refunds as
// rejected, split where they would not fit (node/mesh/settlement/settlement-messages.ts), the reply to a hand-back too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MESSAGE_TYPES, type MessageBody } from '../../../src-main/core/protocol/messages.js';
import type { Executor } from '../../../src-main/node/exec/index.js';
import { LIMITS, validate, verdictsIn, type Verdict } from '../../../src-main/core/schemas/index.js';
import { Requester } from '../../../src-main/node/mesh/requester/requester.js';
import type { NewEvent } from '../../../src-main/node/mesh/context/node-context.js';
import { acceptanceEvents, refundEvent } from '../../../src-main/node/mesh/settlement/ledger-events.js';
import { settlementsFor } from '../../../src-main/node/mesh/settlement/settlement-messages.js';
import {
  MAX_VERDICT_BYTES_PER_RECEIPT,
  VerdictReceipts,
} from '../../../src-main/node/mesh/verdicts/verdict-receipts.js';
import { verifyChain } from '../../../src-main/node/receipts/index.js';
import { acceptedOffer, fakeContext } from './fixtures/fake-context.js';

const verdict = (n: number, agreeing = [`provider#1.${n}/result`]): Verdict => ({
  unit_id: `job/${n}`,
  job_id: 'job',
  verdict: 'verified',
  consensus_hash: `bafkreioutput${n}`,
  agreeing,
  dissenting: [],
});

test('verdicts reached in one turn share a receipt; a later one is the next link of the chain', async () => {
  const ctx = await fakeContext();
  const receipts = new VerdictReceipts(ctx);
  const together = await Promise.all([0, 1, 2].map((n) => receipts.sign(verdict(n))));
  assert.equal(new Set(together.map((r) => r.cid)).size, 1, 'one receipt for the three');
  const [first] = together;
  assert.ok(first!.receipt.kind === 'verification_batch');
  assert.deepEqual(
    first!.receipt.verdicts.map((v) => v.unit_id),
    ['job/0', 'job/1', 'job/2'],
  );
  const later = await receipts.sign(verdict(3));
  assert.notEqual(later.cid, first!.cid);
  assert.equal(later.receipt.prev, first!.cid);
  assert.deepEqual(await verifyChain([first!.signed, later.signed]), {
    ok: true,
    author: ctx.me,
    length: 2,
    head: later.cid,
  });
});

test("a turn's verdicts are journaled with their receipt, in one step: verdicts side by side first, then what they pay, then the receipt", async () => {
  const ctx = await fakeContext();
  const steps: string[][] = [];
  let refuse = false;
  const receipts = new VerdictReceipts({
    receipts: ctx.receipts,
    now: () => ctx.now(),
    background: (what, work) => ctx.background(what, work),
    signal: ctx.signal,
    record: async (events) => {
      steps.push(events.map((e) => (e.type === 'unit.verified' ? e.unit_id : e.type)));
      if (refuse) throw new Error('disk full');
      return ctx.record(events);
    },
  });
  const verdictEvent = (n: number): NewEvent => ({
    type: 'unit.verified',
    event_id: `verdict/job/${n}`,
    unit_id: `job/${n}`,
    verdict: 'verified',
    consensus_hash: `bafkreioutput${n}`,
  });
  const refund = (n: number) => refundEvent(ctx.now(), `provider#1.${n}`, 'rejected');
  await Promise.all([
    receipts.sign(verdict(0), [verdictEvent(0), refund(0)]),
    receipts.sign(verdict(1), [verdictEvent(1)]),
  ]);
  assert.deepEqual(steps, [['job/0', 'job/1', 'ledger.entry', 'receipt.stored']]);

  // A step the journal refuses fails each verdict of its turn; the next turn goes on.
  refuse = true;
  const refused = await Promise.allSettled([
    receipts.sign(verdict(2), [verdictEvent(2)]),
    receipts.sign(verdict(3), [verdictEvent(3)]),
  ]);
  assert.deepEqual(
    refused.map((o) => o.status),
    ['rejected', 'rejected'],
  );
  refuse = false;
  const next = await receipts.sign(verdict(4), [verdictEvent(4)]);
  assert.deepEqual(steps.at(-1), ['job/4', 'receipt.stored']);
  assert.equal(next.receipt.seq, 1, "the refused step's receipt is no link of my chain: the next takes its seq");
});

test('a batch is cut at the verdicts a receipt holds, and at its bytes', async () => {
  const ctx = await fakeContext();
  const receipts = new VerdictReceipts(ctx);
  const many = await Promise.all(
    Array.from({ length: LIMITS.verdictsPerReceipt + 5 }, (_, n) => receipts.sign(verdict(n))),
  );
  assert.deepEqual(
    new Set(many.map((r) => r.cid)).size,
    2,
    `${LIMITS.verdictsPerReceipt} in the first receipt, 5 in the next`,
  );
  // Verdicts with long lists of agreeing results: no receipt past its byte budget.
  const long = Array.from({ length: LIMITS.resultsPerConsensus }, (_, i) => `${'p'.repeat(100)}#1.${i}/result`);
  const big = await Promise.all(Array.from({ length: 20 }, (_, n) => receipts.sign(verdict(n, long))));
  for (const cid of new Set(big.map((r) => r.cid))) {
    const { receipt } = big.find((r) => r.cid === cid)!;
    assert.ok(receipt.kind === 'verification_batch');
    assert.ok(JSON.stringify(receipt.verdicts).length <= MAX_VERDICT_BYTES_PER_RECEIPT + 1024);
  }
  assert.ok(new Set(big.map((r) => r.cid)).size > 1, 'split into several receipts');
});

/** 150 assignments of `provider` refunded as rejected, each verdict (~7 KB) signed on its own: ~1 MB of receipts. */
async function refundedApart(provider: string) {
  const ctx = await fakeContext();
  const receipts = new VerdictReceipts(ctx);
  const dissent = Array.from({ length: LIMITS.resultsPerConsensus }, (_, i) => `${'d'.repeat(100)}#1.${i}/result`);
  const ids: string[] = [];
  for (let n = 0; n < 150; n++) {
    const { offer, acceptance } = acceptedOffer({
      unitId: `job/${n}`,
      jobId: 'job',
      requester: ctx.me,
      provider,
      price: 10,
      atMs: ctx.now(),
      n,
    });
    const signed = await receipts.sign({ ...verdict(n, []), dissenting: dissent });
    await ctx.record([
      ...acceptanceEvents([
        { acceptance, parties: { requester: ctx.me, worker: provider }, jobBudget: Number.MAX_SAFE_INTEGER, offer },
      ]),
      {
        type: 'receipt.stored',
        event_id: `receipt/${signed.cid}`,
        cid: signed.cid,
        receipt: signed.receipt,
        sig: signed.signed.sig,
      },
      refundEvent(ctx.now(), offer.offer_id, 'rejected'),
    ]);
    ids.push(offer.offer_id);
  }
  return { ctx, ids };
}

test('refunds as rejected whose verdicts were signed apart are told in as many settlements as their receipts need, each once', async () => {
  const { ctx, ids } = await refundedApart('provider-peer');
  const settlements = settlementsFor(ctx.state, ids);
  assert.ok(settlements.length > 1, `${settlements.length} settlement(s)`);
  for (const settlement of settlements) {
    assert.ok(validate(MESSAGE_TYPES.settlement.schema, settlement).ok);
    assert.ok(Buffer.byteLength(JSON.stringify(settlement)) <= MESSAGE_TYPES.settlement.maxBytes);
    // Each refund goes with the receipt behind it.
    const units = new Set(settlement.receipts.flatMap((r) => verdictsIn(r.receipt).map((v) => v.unit_id)));
    for (const entry of settlement.entries)
      assert.ok(units.has(ctx.state.assignments.get(entry.assignment_id)!.acceptance.unit_id));
  }
  assert.deepEqual(
    settlements.flatMap((s) => s.entries.map((e) => e.assignment_id)),
    ids,
    'every refund told once, in order',
  );
});

test('a provider handing back assignments refunded apart hears every refund: the reply, and the settlements after it', async () => {
  const provider = 'provider-peer';
  const { ctx, ids } = await refundedApart(provider);
  const requester = new Requester(ctx, {} as Executor, { graceSeconds: 30, providerPipeline: 1 });
  const reply = await requester.onRelease(provider, { assignments: ids, reason: 'failed' });
  await ctx.settled();
  const after = ctx.sent.filter((m) => m.peer === provider && m.type === 'settlement');
  const told = [reply, ...after.map((m) => m.body as MessageBody<'settlement'>)].flatMap((s) =>
    s.entries.map((e) => e.assignment_id),
  );
  assert.ok(after.length > 0, 'the receipts need more than the reply');
  assert.deepEqual(told, ids, 'each refund told once, in order');
});

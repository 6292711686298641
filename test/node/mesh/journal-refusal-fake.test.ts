// A journal that fails a commit (the disk full, an I/O error) loses nothing: the verdict it refused
// is reached again once it can be journaled, and my chain of receipts keeps no link that was never
// journaled (receipts.verify would find a gap in my own chain). Against a fake context (fixtures/)
// whose journal fails one step, as a failed SQLite transaction fails all of it.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { WORKER_SHARE_BPS } from '../../../src-main/core/ledger/index.js';
import { Executor } from '../../../src-main/node/exec/index.js';
import { iso, RecordError, type NewEvent } from '../../../src-main/node/mesh/context/node-context.js';
import { signAndJournal } from '../../../src-main/node/mesh/settlement/outgoing-receipts.js';
import { verifyChain, type ReceiptFields } from '../../../src-main/node/receipts/index.js';
import { PRICE, requesterWithAcceptedUnit, resultMessage, sha256, UNIT } from './fixtures/accepted-unit.js';
import { fakeContext, type FakeContext } from './fixtures/fake-context.js';

const executor = Executor.start({ workers: 1 });
after(() => executor.close());

/** Makes the journal fail, whole, the first step that holds an event of `type`. */
function failFirstStepWith(ctx: FakeContext, type: NewEvent['type']): { failed: () => number } {
  const record = ctx.record.bind(ctx);
  let failed = 0;
  ctx.record = async (events: NewEvent[]) => {
    if (failed === 0 && events.some((e) => e.type === type)) {
      failed++;
      await new Promise((resolve) => setImmediate(resolve));
      throw new RecordError(events.map((e) => ({ type: e.type, code: 'storage_failed', message: 'disk I/O error' })));
    }
    return record(events);
  };
  return { failed: () => failed };
}

/** My receipts as journaled, in seq order, checked as receipts.verify checks my own chain. */
async function myChain(ctx: FakeContext) {
  const mine = ctx.recordedOf('receipt.stored').filter((e) => e.receipt.author === ctx.me);
  const sorted = mine.sort((a, b) => a.receipt.seq - b.receipt.seq);
  return {
    seqs: sorted.map((e) => e.receipt.seq),
    check: await verifyChain(sorted.map((e) => ({ receipt: e.receipt, sig: e.sig }))),
  };
}

test('a verdict whose journal step failed is reached again later, paid once, and my chain of receipts has no gap', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const setup = await requesterWithAcceptedUnit(executor);
  const { ctx, verdicts, acceptance, chunk } = setup;
  const journal = failFirstStepWith(ctx, 'unit.verified');

  // The result is taken; its verdict's step (verdict, payment, verification receipt) fails to commit.
  const reply = await verdicts.onResults(
    acceptance.provider_peer,
    await resultMessage(setup, sha256(chunk), setup.provider),
  );
  await ctx.settled();
  assert.equal(journal.failed(), 1, 'the setup: the verdict step was refused');
  assert.equal(ctx.state.units.get(UNIT)!.verdict, undefined, 'nothing of the refused step is in the state');
  assert.deepEqual(reply.entries, [], 'the provider is told nothing it could act on');
  assert.equal(ctx.state.assignments.get(acceptance.assignment_id)!.escrow, 'held');
  assert.ok(
    ctx.logged.some((line) => /verdicts not journaled \(disk I\/O error\); deciding them again/.test(line)),
    ctx.logged.join('\n'),
  );

  // A while later the unit is decided again, and this time its step is journaled.
  t.mock.timers.tick(60_000);
  await ctx.settled();
  await new Promise((resolve) => setImmediate(resolve));
  await ctx.settled();
  const unit = ctx.state.units.get(UNIT)!;
  assert.equal(unit.verdict, 'verified');
  assert.equal(ctx.state.assignments.get(acceptance.assignment_id)!.escrow, 'paid');
  assert.equal(ctx.ledger.balance(acceptance.provider_peer), (PRICE * WORKER_SHARE_BPS) / 10_000, 'paid once');
  const settled = ctx.sent.filter((m) => m.type === 'settlement' && m.peer === acceptance.provider_peer);
  assert.equal(settled.length, 1, 'the provider is told of its payment');

  // The verification receipt signed for the refused step was never journaled: the one journaled
  // after it takes its place in my chain, which verifies whole from its start.
  const chain = await myChain(ctx);
  assert.deepEqual(chain.seqs, [0]);
  assert.equal(chain.check.ok, true, JSON.stringify(chain.check));
  await verdicts.stop();
});

test('a receipt whose step failed after the next was signed on it is journaled alone once the journal takes it', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const ctx = await fakeContext();
  const record = ctx.record.bind(ctx);
  let secondAsked!: () => void;
  const second = new Promise<void>((resolve) => (secondAsked = resolve));
  let calls = 0;
  ctx.record = async (events: NewEvent[]) => {
    const call = ++calls;
    if (call === 2) secondAsked();
    if (call === 1) {
      await second; // the first commit fails only once the second receipt is signed on it
      throw new RecordError([{ type: 'receipt.stored', code: 'storage_failed', message: 'disk I/O error' }]);
    }
    return record(events);
  };
  const fields = (n: number): ReceiptFields => ({
    kind: 'verification_batch',
    timestamp: iso(ctx.now()),
    verdicts: [
      { unit_id: `job/${n}`, job_id: 'job', verdict: 'rejected', consensus_hash: null, agreeing: [], dissenting: [] },
    ],
  });
  const [first, next] = await Promise.allSettled([signAndJournal(ctx, fields(0)), signAndJournal(ctx, fields(1))]);
  assert.equal(first.status, 'rejected', 'the step that failed says so');
  assert.equal(next.status, 'fulfilled');
  assert.deepEqual((await myChain(ctx)).seqs, [1], 'a gap, for now');

  t.mock.timers.tick(1000);
  await ctx.settled();
  const chain = await myChain(ctx);
  assert.deepEqual(chain.seqs, [0, 1], 'the receipt the second names is journaled after all');
  assert.equal(chain.check.ok, true, JSON.stringify(chain.check));
});

// What a provider takes of a requester's settlement (node/mesh/settlement/settlement-intake.ts), over the
// provider's real state as its journal builds it: only entries that close its own held
// assignments with that requester, at the agreed share; no settle under what its fuel costs; no
// refund as rejected of a result it returned without the requester's own signed verdict against it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WORKER_SHARE_BPS } from '../../../src-main/core/ledger/index.js';
import type { SignedReceipt } from '../../../src-main/core/protocol/messages.js';
import type { Acceptance, LedgerEntry, Verdict, WorkResult } from '../../../src-main/core/schemas/index.js';
import { ephemeralIdentity } from '../../../src-main/node/identity/identity.js';
import { iso } from '../../../src-main/node/mesh/context/node-context.js';
import { acceptanceEvents } from '../../../src-main/node/mesh/settlement/ledger-events.js';
import {
  refundedHeld,
  entriesForMe,
  underpaidSettles,
  unbackedRefunds,
} from '../../../src-main/node/mesh/settlement/settlement-intake.js';
import { encodeReceipt, ReceiptChain } from '../../../src-main/node/receipts/index.js';
import { acceptedOffer, fakeContext, type FakeContext } from './fixtures/fake-context.js';

const JOB = 'job-theirs';
const UNIT = `${JOB}/0`;
const PRICE = 100;
const OUTPUT = 'bafkreioutputofmine';
/** 1,000 per 10⁹ fuel, 10 at least: 60 M fuel costs 60, under the 100 escrowed. */
const FUEL_PRICE = { per_gfuel: 1_000, minimum: 10 };
const FUEL = 60_000_000;
/** When the requester wrote what it sends: fixed, so that two writings of an entry are equal. */
const AT = '2025-06-01T12:00:00.000Z';

/** A peer that signs its receipts in a chain of its own. */
async function signer(): Promise<{ peer: string; chain: ReceiptChain }> {
  const identity = await ephemeralIdentity();
  return { peer: identity.peerId, chain: new ReceiptChain(identity) };
}

interface Provider {
  ctx: FakeContext;
  requester: Awaited<ReturnType<typeof signer>>;
  acceptance: Acceptance;
  result?: WorkResult;
}

/**
 * The provider's journal for one unit of `requester`'s: my offer, its acceptance and escrow, and
 * (unless `returned` is false) the result I computed and sent, with my execution receipt.
 */
async function provider({ returned = true, fuelPriced = false } = {}): Promise<Provider> {
  const ctx = await fakeContext();
  const requester = await signer();
  const at = iso(ctx.now());
  const { offer, acceptance } = acceptedOffer({
    unitId: UNIT,
    jobId: JOB,
    requester: requester.peer,
    provider: ctx.me,
    price: PRICE,
    atMs: ctx.now(),
    ...(fuelPriced ? { fuelPrice: FUEL_PRICE } : {}),
  });
  const id = offer.offer_id;
  const unit = {
    unit_id: UNIT,
    job_id: JOB,
    algorithm_id: 'hash/sha256',
    algorithm_version: '1',
    required_resources: { cpu_cores: 1, ram_gb: 0.0625 },
    estimated_duration_seconds: 0.001,
    priority: 0.5,
    verification_redundancy: 1,
  };
  // As acceptance-intake.ts journals an acceptance: the unit, then both sides' acceptance events.
  await ctx.record([
    { type: 'offer.recorded', event_id: `offer/${id}`, offer },
    { type: 'unit.created', event_id: `unit/${UNIT}`, unit },
    ...acceptanceEvents([
      { acceptance, parties: { requester: requester.peer, worker: ctx.me }, jobBudget: Number.MAX_SAFE_INTEGER },
    ]),
  ]);
  if (!returned) return { ctx, requester, acceptance };
  const receipt = await ctx.receipts.next({
    kind: 'execution_batch',
    timestamp: at,
    requester_peer: requester.peer,
    results: [{ assignment_id: id, unit_id: UNIT, job_id: JOB, output_cid: OUTPUT, fuel: FUEL, wall_ms: 1 }],
  });
  const result: WorkResult = {
    result_id: `${id}/result`,
    work_unit_id: UNIT,
    assignment_id: id,
    computed_by_peer: ctx.me,
    output_cid: OUTPUT,
    output_bytes: 32,
    fuel: FUEL,
    computation_time_seconds: 0.001,
    resources_used: { cpu_cores: 1, ram_gb: 0.0625 },
    verification_hash: OUTPUT,
    timestamp: at,
  };
  // As execution-queue.ts journals a result it computed, and result-outbox.ts its receipt.
  await ctx.record([
    { type: 'result.recorded', event_id: `result/${result.result_id}`, result },
    { type: 'receipt.stored', event_id: `receipt/${receipt.cid}`, ...stored(receipt.signed) },
  ]);
  return { ctx, requester, acceptance, result };
}

/** A signed receipt as `receipt.stored` journals it. */
const stored = (signed: SignedReceipt) => ({
  cid: encodeReceipt(signed.receipt).cid,
  receipt: signed.receipt,
  sig: signed.sig,
});

const settle = (assignmentId: string, bps = WORKER_SHARE_BPS, amount?: number): LedgerEntry => ({
  kind: 'settle',
  entry_id: `settle/${assignmentId}`,
  assignment_id: assignmentId,
  ...(amount !== undefined ? { amount } : {}),
  worker_share_bps: bps,
  at: AT,
});

const refund = (assignmentId: string, reason: 'rejected' | 'late' | 'cancelled'): LedgerEntry => ({
  kind: 'refund',
  entry_id: `refund/${assignmentId}`,
  assignment_id: assignmentId,
  reason,
  at: AT,
});

/** A verdict on the unit, signed by `by`. */
async function verdict(
  by: Awaited<ReturnType<typeof signer>>,
  fields: Pick<Verdict, 'verdict' | 'consensus_hash' | 'agreeing' | 'dissenting'>,
): Promise<SignedReceipt> {
  const { signed } = await by.chain.next({
    kind: 'verification_batch',
    timestamp: AT,
    verdicts: [{ unit_id: UNIT, job_id: JOB, ...fields }],
  });
  return signed;
}

test('entries for me: only those closing my own held assignments with their requester, at the agreed share; no release', async () => {
  const { ctx, requester, acceptance } = await provider();
  const id = acceptance.assignment_id;
  const forMe = (from: string, entries: LedgerEntry[]) =>
    entriesForMe(ctx.state, ctx.me, from, entries, (a) =>
      ctx.circles.workerSharesSince(undefined, Date.parse(a.acceptance.timestamp)),
    );

  assert.deepEqual(forMe(requester.peer, [settle(id)]), [settle(id)]);
  assert.deepEqual(forMe(requester.peer, [refund(id, 'late')]), [refund(id, 'late')]);
  assert.deepEqual(forMe(requester.peer, [settle(id, 5_000)]), [], 'a worker share other than the agreed one');
  const other = await signer();
  assert.deepEqual(forMe(requester.peer, [settle(`${other.peer}#1.0`)]), [], "another provider's assignment");
  assert.deepEqual(forMe(other.peer, [settle(id)]), [], 'from a peer that is not its requester');
  // A release is its requester's own: my escrow holds what my offer said until it is settled.
  const release: LedgerEntry = { kind: 'release', entry_id: `release/${id}`, assignment_id: id, amount: 1, at: AT };
  assert.deepEqual(forMe(requester.peer, [release]), [], 'a release');

  // Once it is paid, nothing closes it again: neither here nor, were it journaled, in the ledger.
  await ctx.record([{ type: 'ledger.entry', entry: settle(id) }]);
  assert.equal(ctx.state.assignments.get(id)?.escrow, 'paid');
  assert.deepEqual(forMe(requester.peer, [refund(id, 'late')]), []);
  assert.deepEqual(forMe(requester.peer, [settle(id)]), []);
  await ctx.record([{ type: 'ledger.entry', entry: refund(id, 'late') }]);
  assert.equal(ctx.state.assignments.get(id)?.escrow, 'paid', 'the ledger refused the refund: not applied');
  assert.equal(ctx.ledger.balance(ctx.me), (PRICE * WORKER_SHARE_BPS) / 10_000);
});

test('a settle for less than my own fuel costs at my offer’s rate is underpaid', async () => {
  const { ctx, acceptance } = await provider({ fuelPriced: true });
  const id = acceptance.assignment_id;
  const owed = 60; // ⌈1,000 × 60 M / 10⁹⌉
  const underpaid = (entry: LedgerEntry) => [...underpaidSettles(ctx.state, [entry])];

  assert.deepEqual(underpaid(settle(id, WORKER_SHARE_BPS, owed - 1)), [id]);
  assert.deepEqual(underpaid(settle(id, WORKER_SHARE_BPS, owed)), []);
  assert.deepEqual(underpaid(settle(id)), [], 'the whole escrow');
  assert.deepEqual(underpaid(refund(id, 'late')), [], 'a refund is not a settle');
});

test('a refund as rejected of my result stands only on its requester’s signed verdict against that result', async () => {
  const { ctx, requester, acceptance, result } = await provider();
  const id = acceptance.assignment_id;
  const mine = result!.result_id;
  const unbacked = async (receipts: SignedReceipt[], entry = refund(id, 'rejected')) => [
    ...(await unbackedRefunds(ctx.state, requester.peer, [entry], receipts)),
  ];

  assert.deepEqual(await unbacked([]), [id], 'no verdict at all');
  assert.deepEqual(await unbacked([], refund(id, 'late')), [], 'only a refund as rejected needs one');
  const rejected = await verdict(requester, {
    verdict: 'rejected',
    consensus_hash: null,
    agreeing: [],
    dissenting: [mine],
  });
  assert.deepEqual(await unbacked([rejected]), [], 'its rejection names my result as dissenting');
  const otherHash = await verdict(requester, {
    verdict: 'verified',
    consensus_hash: 'bafkreisomethingelse',
    agreeing: [],
    dissenting: [mine],
  });
  assert.deepEqual(await unbacked([otherHash]), [], 'it verified another output than mine');
  const mineAgreed = await verdict(requester, {
    verdict: 'verified',
    consensus_hash: OUTPUT,
    agreeing: [mine],
    dissenting: [],
  });
  assert.deepEqual(await unbacked([mineAgreed]), [id], 'its verdict says my result was right');

  // Not the requester's: signed by another peer, or changed after it was signed.
  const other = await signer();
  assert.deepEqual(
    await unbacked([
      await verdict(other, { verdict: 'rejected', consensus_hash: null, agreeing: [], dissenting: [mine] }),
    ]),
    [id],
  );
  const blank = await verdict(requester, { verdict: 'rejected', consensus_hash: null, agreeing: [], dissenting: [] });
  const forged = { ...blank, receipt: { ...blank.receipt, dissenting: [mine] } };
  assert.deepEqual(await unbacked([forged]), [id], 'a signature over another receipt');

  // A verdict it sent before, kept in my journal, backs it too.
  await ctx.record([{ type: 'receipt.stored', ...stored(rejected) }]);
  assert.deepEqual(await unbacked([]), []);
});

test('a refund as rejected of an assignment I returned nothing for needs no verdict', async () => {
  const { ctx, requester, acceptance } = await provider({ returned: false });
  const refunds = await unbackedRefunds(ctx.state, requester.peer, [refund(acceptance.assignment_id, 'rejected')], []);
  assert.deepEqual([...refunds], []);
});

test('a refund as cancelled or late of a result its requester said it holds is refused; any other stands', () => {
  const held = new Map([['held-one', 1_000]]);
  const since = (id: string) => held.get(id);
  assert.deepEqual([...refundedHeld([refund('held-one', 'cancelled')], since)], ['held-one']);
  assert.deepEqual([...refundedHeld([refund('not-held', 'cancelled')], since)], [], 'it never said it holds it');
  assert.deepEqual([...refundedHeld([refund('held-one', 'late')], since)], ['held-one'], 'a result in is not late');
  assert.deepEqual([...refundedHeld([refund('held-one', 'rejected')], since)], [], 'rejected: its verdict decides');
  assert.deepEqual([...refundedHeld([settle('held-one')], since)], [], 'a settle pays it');
});

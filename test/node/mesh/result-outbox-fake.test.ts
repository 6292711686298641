// The provider's results on their way (node/mesh/provider/result-outbox.ts): the results sent together go
// with one execution receipt, signed and journaled before the message leaves (new results in the
// same commit); a result sent again (after a restart) goes with the receipt it was signed in, never
// a second one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MAX_INLINE_OUTPUT_BYTES_PER_MESSAGE,
  MAX_RESULTS_PER_MESSAGE,
  MAX_STDERR_BYTES_PER_MESSAGE,
  MESSAGE_TYPES,
  type MessageBody,
} from '../../../src-main/core/protocol/messages.js';
import { MAX_WASI_STDERR_BYTES, validate, type WorkResult } from '../../../src-main/core/schemas/index.js';
import { ephemeralIdentity } from '../../../src-main/node/identity/identity.js';
import { iso } from '../../../src-main/node/mesh/context/node-context.js';
import { ResultOutbox } from '../../../src-main/node/mesh/provider/result-outbox.js';
import { acceptanceEvents } from '../../../src-main/node/mesh/settlement/ledger-events.js';
import { verifyReceipt } from '../../../src-main/node/receipts/index.js';
import { acceptedOffer, fakeContext, type FakeContext } from './fixtures/fake-context.js';

const JOB = 'job-theirs';

/** A provider that computed `count` units of one requester's job: offers, acceptances, escrows, results journaled. */
async function providerWithResults(count: number): Promise<{ ctx: FakeContext; requester: string; ids: string[] }> {
  const ctx = await fakeContext({ respond: () => ({ type: 'settlement', body: { entries: [], receipts: [] } }) });
  const requester = (await ephemeralIdentity()).peerId;
  const ids: string[] = [];
  for (let n = 0; n < count; n++) ids.push((await computed(ctx, requester, n)).id);
  return { ctx, requester, ids };
}

/**
 * Unit n of the job, accepted from me and computed: its result journaled with no receipt yet (as
 * before a restart), or with `fresh`, only made (as execution-queue.ts hands it to the outbox).
 */
async function computed(
  ctx: FakeContext,
  requester: string,
  n: number,
  fresh = false,
  /** Its output's bytes, kept in my store; without them, a CID of nothing stored. */
  outputBytes?: Uint8Array,
  /** Its stderr (a WASI unit's), kept in my store and named by the result. */
  stderrBytes?: Uint8Array,
): Promise<{ id: string; result: WorkResult }> {
  const unitId = `${JOB}/${n}`;
  const { offer, acceptance } = acceptedOffer({
    unitId,
    jobId: JOB,
    requester,
    provider: ctx.me,
    price: 100,
    atMs: ctx.now(),
    n,
  });
  const unit = {
    unit_id: unitId,
    job_id: JOB,
    algorithm_id: 'hash/sha256',
    algorithm_version: '1',
    module_cid: 'bafkreimodule',
    input_cid: `bafkreiinput${n}`,
    required_resources: { cpu_cores: 1, ram_gb: 0.0625 },
    estimated_duration_seconds: 0.001,
    priority: 0.5,
    verification_redundancy: 1,
  };
  const output = outputBytes ? await ctx.blobs.put(outputBytes) : `bafkreioutput${n}`;
  const result: WorkResult = {
    result_id: `${offer.offer_id}/result`,
    work_unit_id: unitId,
    assignment_id: offer.offer_id,
    computed_by_peer: ctx.me,
    output_cid: output,
    output_bytes: outputBytes?.byteLength ?? 32,
    fuel: 1000 + n,
    computation_time_seconds: 0.002,
    resources_used: { cpu_cores: 1, ram_gb: 0.0625 },
    verification_hash: output,
    timestamp: iso(ctx.now()),
    ...(stderrBytes ? { stderr_cid: await ctx.blobs.put(stderrBytes) } : {}),
  };
  await ctx.record([
    { type: 'offer.recorded', event_id: `offer/${offer.offer_id}`, offer },
    { type: 'unit.created', event_id: `unit/${unitId}`, unit },
    ...acceptanceEvents([{ acceptance, parties: { requester, worker: ctx.me }, jobBudget: Number.MAX_SAFE_INTEGER }]),
    ...(fresh ? [] : [{ type: 'result.recorded' as const, event_id: `result/${result.result_id}`, result }]),
  ]);
  return { id: offer.offer_id, result };
}

/** No other unit of mine running or queued: a result waits only for its turn's others. */
const nothingElseComing = () => false;
/** Well under how long a result waits for others on their way (GATHER_MS, 250 ms, in result-outbox.ts). */
const UNDER_GATHER_MS = 100;

const resultsSent = (ctx: FakeContext) =>
  ctx.sent.filter((m) => m.type === 'results').map((m) => m.body as MessageBody<'results'>);

test('results sent together go in one message with one execution receipt for them all, journaled before it left', async () => {
  const { ctx, requester, ids } = await providerWithResults(3);
  const outbox = new ResultOutbox(ctx, async () => {}, nothingElseComing);
  await Promise.all(ids.map((id) => outbox.send(requester, id)));
  await ctx.settled();

  const [message, ...more] = resultsSent(ctx);
  assert.equal(more.length, 0, 'one message');
  assert.deepEqual(
    message!.results.map((r) => r.assignment_id),
    ids,
  );
  assert.equal(message!.receipts.length, 1, 'one receipt');
  const checked = await verifyReceipt(message!.receipts[0]);
  assert.ok(checked.ok && checked.receipt.kind === 'execution_batch');
  assert.equal(checked.receipt.author, ctx.me);
  assert.equal(checked.receipt.requester_peer, requester);
  assert.deepEqual(
    checked.receipt.results.map((e) => [e.assignment_id, e.unit_id, e.input_cid, e.output_cid, e.fuel, e.wall_ms]),
    ids.map((id, n) => [id, `${JOB}/${n}`, `bafkreiinput${n}`, `bafkreioutput${n}`, 1000 + n, 2]),
  );
  const stored = ctx.recordedOf('receipt.stored');
  assert.deepEqual(
    stored.map((e) => e.cid),
    [checked.cid],
    'journaled once, as the receipt sent',
  );
  for (const id of ids) assert.equal(ctx.state.executionOf(id)?.cid, checked.cid);
  await outbox.stop();
});

test('while units of mine are on their way a result waits to share their message; the last of them sends it at once, as a lone result goes', async () => {
  const { ctx, requester, ids } = await providerWithResults(4);
  let onTheirWay = 2;
  const outbox = new ResultOutbox(
    ctx,
    async () => {},
    () => onTheirWay > 0,
  );
  const started = performance.now();
  const sends = [outbox.send(requester, ids[0]!)];
  for (const id of ids.slice(1, 3)) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    onTheirWay--;
    sends.push(outbox.send(requester, id));
  }
  await Promise.all(sends);
  // The wait's timer, set at the first result, could not have fired yet: the last result sent it.
  assert.ok(
    performance.now() - started < UNDER_GATHER_MS,
    `answered ${performance.now() - started} ms after the first`,
  );
  await ctx.settled();
  assert.deepEqual(
    resultsSent(ctx).map((m) => m.results.map((r) => r.assignment_id)),
    [ids.slice(0, 3)],
    'one message for the three',
  );

  const alone = performance.now();
  await outbox.send(requester, ids[3]!);
  assert.ok(performance.now() - alone < UNDER_GATHER_MS, 'a lone result does not wait');
  assert.equal(resultsSent(ctx).length, 2);
  await outbox.stop();
});

test('a stream of results goes as many a message as one carries, without waiting out the gathering; those handed over in one turn go together', async () => {
  const { ctx, requester, ids } = await providerWithResults(MAX_RESULTS_PER_MESSAGE + 8);
  const outbox = new ResultOutbox(
    ctx,
    async () => {},
    () => true,
  ); // always more on their way
  const started = performance.now();
  const sends: Promise<void>[] = [];
  for (const id of ids.slice(0, MAX_RESULTS_PER_MESSAGE)) {
    sends.push(outbox.send(requester, id));
    await new Promise(setImmediate); // one a turn, as units end
  }
  await Promise.all(sends);
  assert.ok(performance.now() - started < UNDER_GATHER_MS, 'the last result a message carries sent it');
  sends.push(...ids.slice(MAX_RESULTS_PER_MESSAGE).map((id) => outbox.send(requester, id))); // the rest in one turn: they wait for more
  await Promise.all(sends);
  await ctx.settled();
  assert.deepEqual(
    resultsSent(ctx).map((m) => m.results.length),
    [MAX_RESULTS_PER_MESSAGE, 8],
  );
  await outbox.stop();
});

test('results of long units wait for others until they hold 400 ms of work between them, then go without waiting out the gathering', async () => {
  const ctx = await fakeContext({ respond: () => ({ type: 'settlement', body: { entries: [], receipts: [] } }) });
  const requester = (await ephemeralIdentity()).peerId;
  const units = [];
  for (let n = 0; n < 6; n++) units.push(await computed(ctx, requester, n, true));
  const outbox = new ResultOutbox(
    ctx,
    async () => {},
    () => true,
  ); // more on their way
  const started = performance.now();
  // Render units of 90 ms: four hold 360 ms and wait; the fifth makes 450 and sends the five at once.
  const sent = units
    .slice(0, 5)
    .map(({ id, result }) => outbox.send(requester, id, { ...result, computation_time_seconds: 0.09 }));
  await Promise.all(sent);
  assert.ok(performance.now() - started < UNDER_GATHER_MS, 'sent without waiting out the gathering');
  assert.deepEqual(
    resultsSent(ctx).map((m) => m.results.length),
    [5],
  );
  // A unit of 400 ms or more is enough for a message by itself.
  const [long] = units.slice(5);
  const again = performance.now();
  await outbox.send(requester, long!.id, { ...long!.result, computation_time_seconds: 0.4 });
  assert.ok(performance.now() - again < UNDER_GATHER_MS);
  assert.deepEqual(
    resultsSent(ctx).map((m) => m.results.length),
    [5, 1],
  );
  await outbox.stop();
});

test('new results are journaled with the receipt of their message, in one commit, before it leaves; at a stop, those waiting are journaled', async () => {
  const ctx = await fakeContext({ respond: () => ({ type: 'settlement', body: { entries: [], receipts: [] } }) });
  const requester = (await ephemeralIdentity()).peerId;
  const units = [];
  for (let n = 0; n < 4; n++) units.push(await computed(ctx, requester, n, true));
  const commits: string[][] = [];
  const record = ctx.record.bind(ctx);
  ctx.record = (events) => {
    commits.push(events.map((e) => e.type));
    return record(events);
  };
  const outbox = new ResultOutbox(ctx, async () => {}, nothingElseComing);
  await Promise.all(units.slice(0, 3).map(({ id, result }) => outbox.send(requester, id, result)));
  await ctx.settled();

  const [message, ...more] = resultsSent(ctx);
  assert.equal(more.length, 0, 'one message');
  assert.equal(message!.results.length, 3);
  assert.deepEqual(commits, [['results.recorded', 'receipt.stored']]);
  for (const { id, result } of units.slice(0, 3)) assert.deepEqual(ctx.state.assignments.get(id)?.result, result);

  // The node stops before the fourth result's message is made: it is journaled, to be sent after the restart.
  const [fourth] = units.slice(3);
  const sent = outbox.send(requester, fourth!.id, fourth!.result);
  await outbox.stop();
  await sent;
  await ctx.settled();
  assert.equal(resultsSent(ctx).length, 1, 'nothing more sent');
  assert.deepEqual(ctx.state.assignments.get(fourth!.id)?.result, fourth!.result);
  assert.equal(ctx.state.executionOf(fourth!.id), undefined, 'its receipt is signed when it is sent');
});

test('a result sent again goes with the receipt it was signed in; a new one beside it gets a receipt of its own', async () => {
  const { ctx, requester, ids } = await providerWithResults(2);
  const outbox = new ResultOutbox(ctx, async () => {}, nothingElseComing);
  await Promise.all(ids.map((id) => outbox.send(requester, id)));
  const first = resultsSent(ctx)[0]!.receipts[0]!;

  // As after a restart: both sent again, with a third unit that ended since.
  const { id: third } = await computed(ctx, requester, 2);
  await Promise.all([...ids, third].map((id) => outbox.send(requester, id)));
  await ctx.settled();

  const again = resultsSent(ctx)[1]!;
  assert.equal(again.results.length, 3);
  assert.equal(again.receipts.length, 2);
  assert.deepEqual(again.receipts[0], first, 'the same receipt, not signed anew');
  const second = await verifyReceipt(again.receipts[1]);
  assert.ok(second.ok && second.receipt.kind === 'execution_batch');
  assert.deepEqual(
    second.receipt.results.map((e) => e.assignment_id),
    [third],
  );
  assert.equal(second.receipt.seq, first.receipt.seq + 1, 'the next link of my chain');
  assert.equal(ctx.recordedOf('receipt.stored').length, 2);
  await outbox.stop();
});

test("small outputs past a message's room for inline bytes go inline in the next message, not left to be fetched", async () => {
  const ctx = await fakeContext({ respond: () => ({ type: 'settlement', body: { entries: [], receipts: [] } }) });
  const requester = (await ephemeralIdentity()).peerId;
  const tileBytes = 16 * 1024; // a 64×64 RGBA8 tile, as large as an inline output may be
  const count = Math.floor(MAX_INLINE_OUTPUT_BYTES_PER_MESSAGE / tileBytes) + 8;
  const outputs = new Map<string, Uint8Array>();
  for (let n = 0; n < count; n++) {
    const bytes = new Uint8Array(tileBytes).fill(n);
    const { id } = await computed(ctx, requester, n, false, bytes);
    outputs.set(id, bytes);
  }
  const outbox = new ResultOutbox(ctx, async () => {}, nothingElseComing);
  await Promise.all([...outputs.keys()].map((id) => outbox.send(requester, id)));
  await ctx.settled();

  const messages = resultsSent(ctx);
  assert.equal(messages.length, 2, 'the ones without room went in a second message');
  const inline = (m: MessageBody<'results'>) =>
    m.results.reduce((sum, r) => sum + Buffer.from(r.output_base64 ?? '', 'base64').byteLength, 0);
  for (const message of messages) assert.ok(inline(message) <= MAX_INLINE_OUTPUT_BYTES_PER_MESSAGE);
  const items = messages.flatMap((m) => m.results);
  assert.equal(items.length, count, 'every result sent once');
  for (const { assignment_id, output_base64 } of items)
    assert.deepEqual(
      Buffer.from(output_base64 ?? '', 'base64'),
      Buffer.from(outputs.get(assignment_id)!),
      `${assignment_id} carries its output`,
    );
  await outbox.stop();
});

test("WASI units' stderr rides beside their results, up to a message's room for it; the rest in the next message", async () => {
  const ctx = await fakeContext({ respond: () => ({ type: 'settlement', body: { entries: [], receipts: [] } }) });
  const requester = (await ephemeralIdentity()).peerId;
  const count = MAX_STDERR_BYTES_PER_MESSAGE / MAX_WASI_STDERR_BYTES + 2;
  const stderrs = new Map<string, Uint8Array>();
  for (let n = 0; n < count; n++) {
    const bytes = new Uint8Array(MAX_WASI_STDERR_BYTES).fill(65 + n);
    const { id } = await computed(ctx, requester, n, false, undefined, bytes);
    stderrs.set(id, bytes);
  }
  const outbox = new ResultOutbox(ctx, async () => {}, nothingElseComing);
  await Promise.all([...stderrs.keys()].map((id) => outbox.send(requester, id)));
  await ctx.settled();

  const messages = resultsSent(ctx);
  assert.equal(messages.length, 2, 'the ones without room went in a second message');
  for (const message of messages) {
    const carried = message.results.reduce(
      (sum, r) => sum + Buffer.from(r.stderr_base64 ?? '', 'base64').byteLength,
      0,
    );
    assert.ok(carried <= MAX_STDERR_BYTES_PER_MESSAGE, `${carried} bytes of stderr in one message`);
    assert.ok(validate(MESSAGE_TYPES.results.schema, message).ok, 'a message its requester takes');
  }
  const items = messages.flatMap((m) => m.results);
  assert.equal(items.length, count, 'every result sent once');
  for (const { assignment_id, stderr_base64 } of items)
    assert.deepEqual(Buffer.from(stderr_base64 ?? '', 'base64'), Buffer.from(stderrs.get(assignment_id)!));
  await outbox.stop();
});

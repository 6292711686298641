// A round that accepts a provider's whole pipeline of tiny units (up to 1,000) journals and sends
// it in steps of at most 250 acceptances: one step of 1,000 held each side's main thread 60–110 ms.
// Against a fake context: a real state and acceptance policy, no network (the messages are read
// from what the requester sent).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import type { MessageBody } from '../../../src-main/core/protocol/messages.js';
import { Executor } from '../../../src-main/node/exec/index.js';
import { ephemeralIdentity } from '../../../src-main/node/identity/identity.js';
import { waitFor } from './cluster.js';
import { fakeContext } from './fixtures/fake-context.js';
import { offeredUnits } from './fixtures/offered-units.js';

const executor = Executor.start({ workers: 1 });
after(() => executor.close());

const JOB = 'job-many-tiny';
const UNITS = 600;

test('a round of 600 tiny units goes to its provider in messages of at most 250 acceptances, each unit once', async () => {
  const ctx = await fakeContext();
  const provider = (await ephemeralIdentity()).peerId;
  const moduleCid = await ctx.blobs.put(new Uint8Array(randomBytes(100)));
  const inputs = await Promise.all(Array.from({ length: UNITS }, () => ctx.blobs.put(new Uint8Array(randomBytes(64)))));
  const requester = await offeredUnits(ctx, executor, { jobId: JOB, moduleCid, inputs, budget: 100_000_000, provider });

  const sent = () =>
    ctx.sent
      .filter((m) => m.type === 'acceptances')
      .map((m) => (m.body as MessageBody<'acceptances'>).acceptances.flatMap((group) => group.offer_ids));
  await waitFor('every unit accepted', () => sent().flat().length >= UNITS || undefined);
  const messages = sent();
  assert.ok(messages.length >= 3, `${messages.length} messages`);
  assert.ok(
    messages.every((acceptances) => acceptances.length <= 250),
    `sizes ${messages.map((m) => m.length).join(', ')}`,
  );
  const units = messages.flat().map((offerId) => ctx.state.assignments.get(offerId)?.acceptance.unit_id);
  assert.equal(new Set(units).size, UNITS, 'each unit accepted once');
  await requester.stop();
  await ctx.settled();
});

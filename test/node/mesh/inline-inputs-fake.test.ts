// The small inputs that travel with a provider's acceptances go once each: a render job's tiles of
// a frame share its scene, which went once per tile. Against a fake context: a real state and
// acceptance policy, no network (the message is read from what the requester sent).
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

const JOB = 'job-shared-input';

test('acceptances carry an input that their units share once', async () => {
  const ctx = await fakeContext();
  const provider = (await ephemeralIdentity()).peerId;
  // Three units over one input (as a frame's tiles over its scene), one over an input of its own.
  const shared = await ctx.blobs.put(new Uint8Array(randomBytes(2_000)));
  const own = await ctx.blobs.put(new Uint8Array(randomBytes(2_000)));
  const inputs = [shared, shared, shared, own];
  const moduleCid = await ctx.blobs.put(new Uint8Array(randomBytes(100)));
  const requester = await offeredUnits(ctx, executor, { jobId: JOB, moduleCid, inputs, budget: 100_000, provider });

  const message = await waitFor('the acceptances sent', () => {
    const sent = ctx.sent.find((m) => m.type === 'acceptances');
    return sent && (sent.body as MessageBody<'acceptances'>);
  });
  assert.equal(message.acceptances.flatMap((group) => group.offer_ids).length, 4);
  assert.deepEqual((message.inline ?? []).map((blob) => blob.cid).sort(), [shared, own].sort(), 'each input once');
  await requester.stop();
  await ctx.settled();
});

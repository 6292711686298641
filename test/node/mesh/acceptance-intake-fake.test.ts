// A requester's acceptances as the provider judges them (acceptance-intake.ts): each names an offer
// of mine by its id, and the Acceptance journaled is rebuilt from that offer, the requester and
// me, with the role, deadline and time the requester gave it. Against a fake context: a real state
// and admission, no network.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AcceptedOffers } from '../../../src-main/core/protocol/messages.js';
import type { Offer, WorkUnit } from '../../../src-main/core/schemas/index.js';
import { ephemeralIdentity } from '../../../src-main/node/identity/identity.js';
import { judgeAcceptances } from '../../../src-main/node/mesh/provider/acceptance-intake.js';
import { iso } from '../../../src-main/node/mesh/context/node-context.js';
import { hashUnit } from './fixtures/accepted-unit.js';
import { acceptedOffer, fakeContext } from './fixtures/fake-context.js';

test('an acceptance takes my offer to that requester as made; one naming an offer to another, or none of mine, is refused', async () => {
  const ctx = await fakeContext();
  const [requester, other] = (await Promise.all([ephemeralIdentity(), ephemeralIdentity()])).map((id) => id.peerId);
  await ctx.record([
    { type: 'sharing.set', on: true },
    { type: 'trust.set', peer_id: requester!, weight: 1 },
    { type: 'trust.set', peer_id: other!, weight: 1 },
  ]);
  const atMs = ctx.now();
  const offers = new Map<string, Offer>();
  const units = new Map<string, WorkUnit>();
  for (const [n, to] of [requester!, other!].entries()) {
    const jobId = `job-${n}`;
    const { offer } = acceptedOffer({
      unitId: `${jobId}/0`,
      jobId,
      requester: to,
      provider: ctx.me,
      price: 10,
      atMs,
      n,
    });
    offers.set(offer.offer_id, offer);
    units.set(offer.unit_id, hashUnit(offer.unit_id, jobId, `module-${n}`, `input-${n}`));
  }
  const [mine, theirs] = [...offers.values()];
  const unknown = `${ctx.me}#1.99`;
  const groups: AcceptedOffers[] = [
    {
      offer_ids: [mine!.offer_id, theirs!.offer_id, unknown, mine!.offer_id], // mine named twice: judged once
      role: 'primary',
      deadline: iso(atMs + 60_000),
      timestamp: iso(atMs),
    },
  ];
  const judge = (from: string) =>
    judgeAcceptances(
      ctx,
      from,
      groups,
      (unitId) => units.get(unitId),
      (offerId) => offers.get(offerId),
    );

  const intake = judge(requester!);
  assert.deepEqual(intake.accepted, [mine!.offer_id]);
  const expected = {
    assignment_id: mine!.offer_id,
    offer_id: mine!.offer_id,
    unit_id: mine!.unit_id,
    job_id: mine!.job_id,
    requester_peer: requester,
    provider_peer: ctx.me,
    price: mine!.price,
    role: 'primary',
    deadline: groups[0]!.deadline,
    timestamp: groups[0]!.timestamp,
  };
  assert.deepEqual(intake.acceptances, [expected], 'rebuilt from my offer, the requester and me');
  assert.deepEqual(
    intake.events.map((e) => e.type),
    ['offers.accepted', 'ledger.entry'],
    'one acceptance and one escrow, though named twice',
  );
  assert.deepEqual(
    intake.refused,
    [theirs!.offer_id, unknown].map((id) => ({
      assignment_id: id,
      reason: 'no open offer of mine matches this acceptance',
    })),
    'an offer to another requester, and an id of no offer of mine',
  );

  await ctx.record(intake.events);
  assert.deepEqual(ctx.state.assignments.get(mine!.offer_id)?.acceptance, expected, 'journaled as rebuilt');
  const again = judge(requester!);
  assert.deepEqual(again.accepted, [mine!.offer_id], 're-delivered: already mine');
  assert.deepEqual(again.events, [], 'nothing journaled twice');
  const stolen = judge(other!);
  assert.ok(
    stolen.refused.some((r) => r.assignment_id === mine!.offer_id),
    'another requester naming the assignment is refused, not told it is its',
  );
  assert.deepEqual(stolen.accepted, [theirs!.offer_id], 'its own offer it takes');
});

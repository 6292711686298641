// Blender units as the provider judges them (the Blender kind's refusal, acceptance-intake.ts): refused while
// Blender sharing is off (the default), refused for a requester I trust below my threshold, refused
// when my Blender is another major.minor or I have none; accepted only with all of them right. The
// offer round's filter leaves out the units it would refuse. Against a fake context: a real state
// and admission, no network.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AcceptedOffers } from '../../../src-main/core/protocol/messages.js';
import type { ComputeCommitment, Offer, WorkUnit } from '../../../src-main/core/schemas/index.js';
import { DEFAULT_SHARING_SETTINGS } from '../../../src-main/core/schemas/availability.js';
import { ephemeralIdentity } from '../../../src-main/node/identity/identity.js';
import { judgeAcceptances } from '../../../src-main/node/mesh/provider/acceptance-intake.js';
import { withoutRefusedUnits } from '../../../src-main/node/mesh/provider/refused-units.js';
import { nodeKinds } from '../../../src-main/node/kinds/built-in.js';
import type { NodeContext } from '../../../src-main/node/mesh/context/node-context.js';
import { iso } from '../../../src-main/node/mesh/context/node-context.js';
import { hashUnit } from './fixtures/accepted-unit.js';
import { acceptedOffer, fakeContext } from './fixtures/fake-context.js';

const BLENDER = 'blender-cycles/3.4';

test('a Blender unit is accepted only with Blender sharing on, from a peer trusted at the threshold, for my major.minor', async () => {
  assert.equal(DEFAULT_SHARING_SETTINGS.blender_sharing, false, 'off by default');
  const ctx = await fakeContext();
  const [trusted, doubted] = (await Promise.all([ephemeralIdentity(), ephemeralIdentity()])).map((id) => id.peerId);
  await ctx.record([
    { type: 'sharing.set', on: true },
    { type: 'trust.set', peer_id: trusted!, weight: 0.9 },
    { type: 'trust.set', peer_id: doubted!, weight: 0.5 },
  ]);
  const atMs = ctx.now();
  const offers = new Map<string, Offer>();
  const units = new Map<string, WorkUnit>();
  const offerTo = (requester: string, n: number, algorithm: string) => {
    const jobId = `job-${n}`;
    const { offer } = acceptedOffer({ unitId: `${jobId}/0`, jobId, requester, provider: ctx.me, price: 10, atMs, n });
    offers.set(offer.offer_id, offer);
    units.set(offer.unit_id, {
      ...hashUnit(offer.unit_id, jobId, `module-${n}`, `input-${n}`),
      algorithm_id: algorithm,
    });
    return offer.offer_id;
  };
  // My Blender as the Blender kind sees it: the one I render with while sharing, if any.
  let rendering: string | undefined;
  const blender = { sharedInstall: () => (rendering === undefined ? undefined : { algorithm: rendering }) };
  const kinds = nodeKinds(() => blender as unknown as NodeContext['blender']);
  const judged = { state: ctx.state, me: ctx.me, now: () => ctx.now(), commitments: ctx.commitments, kinds };
  const judge = (from: string, offerId: string, mine: string | undefined) => {
    const groups: AcceptedOffers[] = [
      { offer_ids: [offerId], role: 'primary', deadline: iso(atMs + 60_000), timestamp: iso(atMs) },
    ];
    rendering = mine;
    const intake = judgeAcceptances(
      judged,
      from,
      groups,
      (id) => units.get(id),
      (id) => offers.get(id),
    );
    return intake.accepted.length === 1 ? 'accepted' : intake.refused[0]!.reason;
  };
  const setBlender = (on: boolean) =>
    ctx.record([
      { type: 'settings.set', settings: { ...DEFAULT_SHARING_SETTINGS, blender_sharing: on, blender_min_trust: 0.8 } },
    ]);

  let n = 0;
  assert.equal(
    judge(trusted!, offerTo(trusted!, n++, BLENDER), undefined),
    'I do not render Blender scenes for others',
  );
  await setBlender(true);
  assert.equal(
    judge(doubted!, offerTo(doubted!, n++, BLENDER), BLENDER),
    'I render Blender scenes only for peers I trust at 0.8 or more (you: 0.5)',
  );
  assert.equal(
    judge(trusted!, offerTo(trusted!, n++, BLENDER), undefined),
    'I have no Blender that runs in the sandbox',
  );
  assert.equal(
    judge(trusted!, offerTo(trusted!, n++, 'blender-cycles/4.2'), BLENDER),
    'my Blender renders blender-cycles/3.4, not blender-cycles/4.2',
  );
  assert.equal(judge(trusted!, offerTo(trusted!, n++, BLENDER), BLENDER), 'accepted');
  assert.equal(judge(doubted!, offerTo(doubted!, n++, 'hash/sha256'), undefined), 'accepted', 'other units as before');
  await setBlender(false);
  assert.equal(judge(trusted!, offerTo(trusted!, n++, BLENDER), BLENDER), 'I do not render Blender scenes for others');

  // The offer round's filter: the same judgement, before any offer is made.
  await setBlender(true);
  const commitment = (peer: string): ComputeCommitment => ({
    peer_id: peer,
    availability_slots: [],
    work_requests: [
      {
        job_id: 'job-w',
        work_units: [
          { ...hashUnit('job-w/0', 'job-w', 'm', 'i'), algorithm_id: BLENDER },
          hashUnit('job-w/1', 'job-w', 'm', 'i'),
        ],
      },
    ] as ComputeCommitment['work_requests'],
    trust_weights: {},
    contribution_history: {} as ComputeCommitment['contribution_history'],
    damping_factor: 1,
    over_allocation_history: [],
    timestamp: iso(atMs),
    vector_clock: {},
  });
  rendering = BLENDER;
  const unitsLeft = (peer: string) =>
    withoutRefusedUnits({ kinds, state: ctx.state, me: ctx.me, circles: ctx.circles }, [
      commitment(peer),
    ])[0]!.work_requests[0]!.work_units.map((u) => u.unit_id);
  assert.deepEqual(unitsLeft(trusted!), ['job-w/0', 'job-w/1']);
  assert.deepEqual(unitsLeft(doubted!), ['job-w/1'], 'its Blender unit is not offered');
});

// The per-batch wire forms of pulled units, offers and acceptances (core/protocol/messages.ts): a batch's shared
// terms go once, each unit's own fields in its item, and the receiver rebuilds every record whole,
// as the sender made it: grouped, so in order within their group (a group comes where its first
// record did). Past the batch cap in all, a message is invalid however it is grouped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  acceptedOffersOf,
  MESSAGE_TYPES,
  offerGroupsOf,
  offerMessagesOf,
  offersOf,
  unitGroupsOf,
  unitsOf,
} from '../../src-main/core/protocol/messages.js';
import * as A from './arbitraries.js';

const PROVIDER = '12D3KooWBmdedkurSsG5Efk1XiMfwxwdkTs58eSQAGUF81nJRjmu';
const REQUESTER = '12D3KooWFYjYFxYNjiaGYZEkkQoSjewhPvpdjMKwvzdVGT99HrdW';

/** `records` in the order grouping puts them: by the first of each group, then in order. */
function grouped<T>(records: readonly T[], groupOf: (record: T) => string): T[] {
  const groups = new Map<string, T[]>();
  for (const record of records) groups.set(groupOf(record), [...(groups.get(groupOf(record)) ?? []), record]);
  return [...groups.values()].flat();
}

test('property: offers grouped by their terms and rebuilt are the offers sent, and pass the schema', () => {
  fc.assert(
    fc.property(fc.array(A.offerArb, { maxLength: 12 }), fc.integer({ min: 1, max: 4 }), (drawn, kinds) => {
      // A round's offers share most terms: draw them from a few.
      const offers = drawn.map((offer, i) => ({
        ...drawn[i % kinds]!,
        offer_id: offer.offer_id,
        unit_id: offer.unit_id,
        estimated_seconds: offer.estimated_seconds,
        expected_start: offer.expected_start,
        expected_end: offer.expected_end,
        requester_peer: REQUESTER,
        provider_peer: PROVIDER,
      }));
      const groups = offerGroupsOf(offers);
      assert.ok(groups.length <= Math.min(kinds, offers.length));
      assert.ok(MESSAGE_TYPES.offers.schema.safeParse({ groups }).success);
      const terms = (offer: (typeof offers)[number]) =>
        JSON.stringify([
          offer.round,
          offer.job_id,
          offer.slot_id,
          offer.tier,
          offer.price,
          offer.fuel_price ?? null,
          offer.performance_score,
          offer.timestamp,
        ]);
      assert.deepEqual(offersOf(groups, PROVIDER, REQUESTER), grouped(offers, terms));
    }),
  );
});

test('property: pulled units grouped by all they share and rebuilt are the units sent, and pass the schema', () => {
  fc.assert(
    fc.property(fc.array(A.workUnitArb, { maxLength: 12 }), fc.integer({ min: 1, max: 4 }), (drawn, kinds) => {
      // A batched job's units share all but their id and input: draw them from a few.
      const units = drawn.map((unit, i) => {
        const { input_cid: _input, ...shared } = drawn[i % kinds]!;
        return { ...shared, unit_id: `${unit.unit_id}-${i}`, ...(unit.input_cid ? { input_cid: unit.input_cid } : {}) };
      });
      const groups = unitGroupsOf(units);
      assert.ok(groups.length <= Math.min(kinds, units.length));
      assert.ok(MESSAGE_TYPES.units.schema.safeParse({ groups }).success);
      assert.deepEqual(
        unitsOf(groups),
        grouped(units, ({ unit_id: _u, input_cid: _i, ...shared }) => JSON.stringify(shared)),
      );
    }),
  );
});

test('property: acceptances grouped by role, deadline and time name every offer once', () => {
  fc.assert(
    fc.property(fc.array(A.acceptanceArb, { maxLength: 12 }), (drawn) => {
      const acceptances = drawn.map((acceptance, i) => ({ ...acceptance, offer_id: `offer-${i}` }));
      const groups = acceptedOffersOf(acceptances);
      assert.ok(MESSAGE_TYPES.acceptances.schema.safeParse({ acceptances: groups }).success);
      assert.deepEqual(
        groups.flatMap((g) => g.offer_ids),
        grouped(acceptances, (a) => `${a.role} ${a.deadline} ${a.timestamp}`).map((a) => a.offer_id),
      );
      for (const a of acceptances) {
        const group = groups.find((g) => g.offer_ids.includes(a.offer_id))!;
        assert.deepEqual([group.role, group.deadline, group.timestamp], [a.role, a.deadline, a.timestamp]);
      }
    }),
  );
});

test('at most 1,000 offers or acceptances a message in all, however they are grouped', () => {
  const [offer] = fc.sample(A.offerArb, { numRuns: 1, seed: 7 });
  const items = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => ({ ...offer!, offer_id: `o${from + i}`, unit_id: `u${from + i}` }));
  const inTwo = (n: number) => [...offerGroupsOf(items(n / 2)), ...offerGroupsOf(items(n / 2, n))];
  assert.ok(MESSAGE_TYPES.offers.schema.safeParse({ groups: inTwo(1000) }).success);
  assert.equal(MESSAGE_TYPES.offers.schema.safeParse({ groups: inTwo(1002) }).success, false);
  const accepted = (n: number) => ({
    offer_ids: Array.from({ length: n }, (_, i) => `o${i}`),
    role: 'primary',
    deadline: offer!.timestamp,
    timestamp: offer!.timestamp,
  });
  assert.ok(MESSAGE_TYPES.acceptances.schema.safeParse({ acceptances: [accepted(500), accepted(500)] }).success);
  assert.equal(
    MESSAGE_TYPES.acceptances.schema.safeParse({ acceptances: [accepted(500), accepted(501)] }).success,
    false,
  );
});

test('a round of more offers than a message carries goes in several messages, each valid, the offers in order', () => {
  const [offer] = fc.sample(A.offerArb, { numRuns: 1, seed: 11 });
  const offers = Array.from({ length: 2500 }, (_, i) => ({
    ...offer!,
    offer_id: `o${i}`,
    unit_id: `u${i}`,
    requester_peer: REQUESTER,
    provider_peer: PROVIDER,
  }));
  const bodies = offerMessagesOf(offers);
  assert.deepEqual(
    bodies.map(({ groups }) => offersOf(groups, PROVIDER, REQUESTER).length),
    [1000, 1000, 500],
  );
  for (const body of bodies) assert.ok(MESSAGE_TYPES.offers.schema.safeParse(body).success);
  assert.deepEqual(
    bodies.flatMap(({ groups }) => offersOf(groups, PROVIDER, REQUESTER)),
    offers,
  );
  assert.deepEqual(offerMessagesOf([]), []);
});

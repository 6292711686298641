// The provider's damping, wired: each round's offers resolve (accepted, or lapsed after OFFER_TTL_MS)
// into the damping factor that scales the capacity of its next round, and into what its
// commitment publishes. The offer rounds over a state and a clock of the test's, with no network: offers
// are caught as sent, and acceptances are applied to the state as a requester's would be.
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { MeshState } from '../../../src-main/core/mesh/state/state.js';
import { offersOf, unitGroupsOf, type OfferGroup } from '../../../src-main/core/protocol/messages.js';
import { OFFER_TTL_MS } from '../../../src-main/core/scheduler/index.js';
import type {
  Acceptance,
  AvailabilitySlot,
  ComputeCommitment,
  NodeEvent,
  Offer,
} from '../../../src-main/core/schemas/index.js';
import type { NodeContext } from '../../../src-main/node/mesh/context/node-context.js';
import { OfferRounds } from '../../../src-main/node/mesh/provider/offer-round.js';
import { commitment, iso, request, T0, unit } from '../../core/scheduler-fixtures.js';
import { nodeKinds } from '../../../src-main/node/kinds/built-in.js';

const ME = 'peer-provider';
const REQUESTER = 'peer-requester';

/** A requester's acceptance of `offer` at `nowMs`. */
const acceptanceOf = (offer: Offer, nowMs: number): Acceptance => ({
  assignment_id: offer.offer_id,
  offer_id: offer.offer_id,
  unit_id: offer.unit_id,
  job_id: offer.job_id,
  requester_peer: REQUESTER,
  provider_peer: ME,
  price: offer.price,
  role: 'primary',
  deadline: iso(nowMs + 60_000),
  timestamp: iso(nowMs),
});

/**
 * A provider with one core for 80 s from now, and a requester that trusts it with 100 units of 10 s:
 * the slot holds 8 of them, which is also as many as the requester takes of it at once (its pipeline).
 */
function setup({ listed, slotSeconds = 80 }: { listed?: number; slotSeconds?: number } = {}) {
  let now = T0;
  const state = new MeshState(ME);
  state.apply({ type: 'trust.set', event_id: 'trust', at: iso(now), peer_id: REQUESTER, weight: 1 });
  const units = Array.from({ length: 100 }, (_, i) => unit(`u${i}`, 'job', 'a', { cpu_cores: 1, ram_gb: 1 }, 10));
  const commitments = new Map<string, ComputeCommitment>([
    [
      REQUESTER,
      commitment(
        REQUESTER,
        { [ME]: 1 },
        [],
        [
          listed === undefined
            ? request(REQUESTER, 'job', units)
            : { ...request(REQUESTER, 'job', units.slice(0, listed)), open_units: units.length },
        ],
      ),
    ],
  ]);
  let seq = 0;
  const sent: Offer[] = [];
  const ctx = {
    kinds: nodeKinds(() => undefined),
    me: ME,
    state,
    commitments,
    now: () => now,
    record: async (events: Array<Omit<NodeEvent, 'at' | 'event_id'> & { event_id?: string }>) => {
      for (const e of events) state.apply({ event_id: `e${++seq}`, ...e, at: iso(now) } as NodeEvent);
    },
    send: async (peer: string, type: string, body: { groups: OfferGroup[]; max: number }) => {
      if (type === 'offers') sent.push(...offersOf(body.groups, ME, peer));
      // The requester answers a pull with the units after those it listed.
      if (type === 'pull')
        return { type: 'units', body: { groups: unitGroupsOf(units.slice(listed, (listed ?? 0) + body.max)) } };
      return undefined;
    },
    background: () => {},
    emit: () => {},
    commitmentChanged: () => {},
    log: () => {},
  } as unknown as NodeContext;
  const slot = (): AvailabilitySlot => ({
    slot_id: 'slot',
    start_time: iso(now),
    end_time: iso(now + slotSeconds * 1000),
    resources: { cpu_cores: 1, ram_gb: 1 },
    algorithms: [{ algorithm_id: 'a', version: '1.0.0', supported: true, performance_score: 1 }],
    priority: 1,
  });
  const rounds = new OfferRounds(ctx, {
    price: () => ({ per_core_second: 1, minimum: 1 }),
    slots: () => [slot()],
  });
  /** One round: the offers it made, of which the requester takes `accept`; then `waitMs` pass. */
  const round = async (accept: 'none' | 'all', waitMs: number) => {
    const before = sent.length;
    await rounds.run();
    const made = sent.slice(before);
    if (accept === 'all')
      for (const offer of made)
        state.apply({
          type: 'offer.accepted',
          event_id: `accept/${offer.offer_id}`,
          at: iso(now),
          acceptance: acceptanceOf(offer, now),
        });
    now += waitMs;
    return made.length;
  };
  /** The same provider started again over its state (its journal), with none of its memory. */
  const restarted = () =>
    new OfferRounds(ctx, { price: () => ({ per_core_second: 1, minimum: 1 }), slots: () => [slot()] });
  return { rounds, round, state, units, sent, restarted };
}

test('a provider whose offers go unaccepted offers fewer each round; once they are all accepted it recovers to 1', async () => {
  const { rounds, round } = setup();
  assert.deepEqual(rounds.contribution().damping_factor, 1);

  // Nobody accepts: each round's offers lapse before the next round, which offers less.
  const falling: number[] = [];
  for (let i = 0; i < 10; i++) falling.push(await round('none', OFFER_TTL_MS));
  assert.equal(falling[0], 8, 'undamped: the whole slot, 8 units of 10 s in 80 s');
  assert.ok(
    falling.every((n, i) => i === 0 || n <= falling[i - 1]!),
    `never more than the round before: ${falling.join(', ')}`,
  );
  assert.equal(falling.at(-1), 1, `down to the floor, a fifth of the slot (16 s): ${falling.join(', ')}`);
  const damped = rounds.contribution();
  assert.equal(damped.damping_factor, 0.2);
  assert.deepEqual(damped.over_allocation_history, [1, 1, 1]);

  // Every offer is taken at once: each round resolves without waiting for its offers to lapse.
  const recovering: number[] = [];
  for (let i = 0; i < 8; i++) recovering.push(await round('all', 1000));
  assert.equal(recovering.at(-1), 8, `back to the whole slot: ${recovering.join(', ')}`);
  const recovered = rounds.contribution();
  assert.equal(recovered.damping_factor, 1);
  assert.deepEqual(recovered.over_allocation_history, [0, 0, 0]);
});

test('stopped, the rounds offer nothing: neither a round asked for soon nor one run by hand', async () => {
  const { rounds, round, sent } = setup();
  assert.equal(
    await round('none', OFFER_TTL_MS),
    8,
    'before the stop, a round offers the slot (its offers then lapse)',
  );
  rounds.stop();
  const offers = sent.length;
  rounds.soon();
  await new Promise((resolve) => setTimeout(resolve, 100)); // past ROUND_GAP_MS: a scheduled round would have run
  assert.equal(await round('none', OFFER_TTL_MS), 0);
  assert.equal(sent.length, offers);
});

test('a unit a requester stops listing is forgotten once no offer on it could still be accepted; one it lists again is kept', async () => {
  const { rounds, round, units } = setup();
  const listing = (listed: typeof units) => commitment(REQUESTER, { [ME]: 1 }, [], [request(REQUESTER, 'job', listed)]);
  rounds.onCommitment(REQUESTER, listing(units));
  assert.equal(rounds.unitOf(REQUESTER, 'u0')?.unit_id, 'u0');
  await round('none', OFFER_TTL_MS);
  rounds.onCommitment(REQUESTER, listing(units.slice(50))); // u0..u49 were taken by others
  await round('none', OFFER_TTL_MS + 1);
  assert.equal(rounds.unitOf(REQUESTER, 'u0')?.unit_id, 'u0', 'still remembered: an offer on it may yet be accepted');
  await round('none', 0);
  assert.equal(rounds.unitOf(REQUESTER, 'u0'), undefined, 'forgotten two offer lifetimes after it was last listed');
  assert.equal(rounds.unitOf(REQUESTER, 'u49'), undefined);
  assert.equal(rounds.unitOf(REQUESTER, 'u50')?.unit_id, 'u50', 'listed since: kept');
});

test('a restarted provider never makes an offer id it made before: its rounds go on past those it reserved', async () => {
  const { rounds, state, sent, restarted } = setup();
  await rounds.run();
  await rounds.run();
  const before = new Set(sent.map((offer) => offer.offer_id));
  assert.equal(before.size, sent.length);
  assert.ok(before.size > 0);
  const reserved = state.roundsReserved;
  assert.ok(
    reserved >= Math.max(...sent.map((offer) => offer.round)),
    'its rounds were reserved before their offers went out',
  );
  rounds.stop();
  const again = restarted();
  const from = sent.length;
  await again.run();
  const after = sent.slice(from);
  assert.ok(after.length > 0);
  assert.deepEqual(
    after.filter((offer) => before.has(offer.offer_id)).map((offer) => offer.offer_id),
    [],
  );
  assert.ok(after.every((offer) => offer.round > reserved));
});

test('an offer the requester took is forgotten at once; one still open is kept for its acceptance', async () => {
  const { rounds, state, sent } = setup();
  await rounds.run();
  assert.equal(sent.length, 8);
  const [taken, open] = [sent.slice(0, 3), sent.slice(3)];
  const acceptances = taken.map((offer) => acceptanceOf(offer, T0));
  state.apply({
    type: 'offers.accepted',
    event_id: 'accepts',
    at: iso(T0),
    accepted: acceptances.map((acceptance) => ({ acceptance })),
  });
  rounds.taken(REQUESTER, acceptances);
  assert.deepEqual(
    rounds.recentOffers().map((offer) => offer.offer_id),
    open.map((offer) => offer.offer_id),
  );
  assert.equal(rounds.offer(taken[0]!.offer_id), undefined);
  assert.equal(rounds.offer(open[0]!.offer_id)?.unit_id, open[0]!.unit_id);
  // The taken units are not offered again: their assignments hold them.
  await rounds.run();
  const again = sent.slice(8).map((offer) => offer.unit_id);
  assert.ok(!again.some((unitId) => taken.some((offer) => offer.unit_id === unitId)), again.join(', '));
});

test('units pulled are offered as soon as they come, not a round gap later', async () => {
  // Two units listed of 100 open: the first round offers them and pulls 6 more (the pipeline is 8).
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { rounds, sent } = setup({ listed: 2 });
    const settle = async () => {
      for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    rounds.soon();
    mock.timers.tick(10);
    await settle();
    assert.deepEqual(
      sent.map((offer) => offer.unit_id),
      ['u0', 'u1'],
    );
    // The pull's reply came while the first round's offers went out: its round does not wait
    // out ROUND_GAP_MS (200 ms) since the last one, so the pipeline refills within a round trip.
    mock.timers.tick(1);
    await settle();
    assert.deepEqual(sent.map((offer) => offer.unit_id).sort(), ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7']);
    rounds.stop();
  } finally {
    mock.timers.reset();
  }
});

test('offers the requester passed over hold its pipeline for a second only; they keep my slot, and their units are not offered again', async () => {
  // Requesters do not say which offers they passed over (another provider's won the unit). Counted
  // until they lapsed (15 s), such offers kept a provider of a render job from the units left.
  // A slot of 200 s holds 20 units of 10 s; the requester's pipeline with me is 8 of them.
  const { rounds, round, sent, units } = setup({ slotSeconds: 200 });
  rounds.onCommitment(REQUESTER, commitment(REQUESTER, { [ME]: 1 }, [], [request(REQUESTER, 'job', units)]));
  assert.equal(await round('none', 500), 8, 'the first round offers the whole pipeline');
  assert.equal(await round('none', 600), 0, 'half a second on, those offers may still be taken: nothing more');
  const first = new Set(sent.map((offer) => offer.unit_id));
  assert.equal(await round('none', 0), 8, 'past a second, they no longer fill the pipeline: 8 more units are offered');
  const second = sent.slice(8).map((offer) => offer.unit_id);
  assert.deepEqual(
    second.filter((unitId) => first.has(unitId)),
    [],
    'none of them for a unit already offered for',
  );
  assert.equal(await round('none', 1100), 0, 'the 8 fresh ones fill the pipeline');
  assert.equal(await round('none', 0), 4, 'and all 16 still hold the slot: 4 places of it left');
});

// Numbers and ids a provider chooses in its offers, pushed to their limits: one bad offer is
// refused and the round goes on for every other offer and unit.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  acceptByPolicy,
  acceptOffer,
  DEFAULT_ACCEPTANCE_POLICY,
  OFFER_TTL_MS,
  OfferBook,
} from '../../src-main/core/scheduler/index.js';
import { OfferSchema, type Offer } from '../../src-main/core/schemas/index.js';
import { T0, unit } from './scheduler-fixtures.js';

const u1 = unit('u1', 'job', 'a', { cpu_cores: 1, ram_gb: 1 }, 10);
const u2 = unit('u2', 'job', 'a', { cpu_cores: 1, ram_gb: 1 }, 10);

function offer(provider: string, unitId: string, fields: Partial<Offer> = {}): Offer {
  return {
    offer_id: `${provider}#0.${unitId}`,
    round: 0,
    unit_id: unitId,
    job_id: 'job',
    requester_peer: 'me',
    provider_peer: provider,
    slot_id: 's',
    tier: 1,
    price: 10,
    estimated_seconds: 10,
    performance_score: 1,
    expected_start: new Date(T0).toISOString(),
    expected_end: new Date(T0).toISOString(),
    timestamp: new Date(T0).toISOString(),
    ...fields,
  };
}

const ctx = {
  me: 'me',
  nowMs: T0,
  policy: DEFAULT_ACCEPTANCE_POLICY,
  trustIn: () => 1,
  reputationOf: () => 0.5,
  acceptedProviders: () => [],
  budgetLeft: () => 1000,
};

describe('offers that would freeze the requester', () => {
  test('an estimate too large for a date is refused, and the round accepts every other offer', () => {
    // Cheapest and first in rank: before the bound, its deadline threw inside the round.
    const huge = offer('evil', 'u1', { estimated_seconds: 1e300, price: 0 });
    const honest = [offer('p1', 'u1'), offer('p1', 'u2')];
    const round = acceptByPolicy(ctx, [u1, u2], [huge, ...honest]);
    assert.deepEqual(
      round.acceptances.map((a) => a.offer_id),
      ['p1#0.u1', 'p1#0.u2'],
    );
    assert.deepEqual(
      round.refusals.map((r) => [r.offer_id, r.code]),
      [['evil#0.u1', 'unreasonable']],
    );
  });

  test('an estimate within a date but beyond what the unit allows any provider is refused', () => {
    // 10 s on the reference machine: the slowest provider the scheduler knows takes 1,000 s.
    assert.equal(acceptOffer(ctx, offer('p1', 'u1', { estimated_seconds: 1000 }), u1).ok, true);
    const slow = acceptOffer(ctx, offer('p1', 'u1', { estimated_seconds: 1001 }), u1);
    assert.ok(!slow.ok);
    assert.equal(slow.refusal.code, 'unreasonable');
    const decades = acceptOffer(ctx, offer('p1', 'u1', { estimated_seconds: 30 * 365 * 86400 }), u1);
    assert.ok(!decades.ok && decades.refusal.code === 'unreasonable');
  });

  test('a deadline policy that overflows refuses the offer instead of throwing', () => {
    const wild = { ...ctx, policy: { ...DEFAULT_ACCEPTANCE_POLICY, graceSeconds: 1e15 } };
    const outcome = acceptOffer(wild, offer('p1', 'u1'), u1);
    assert.ok(!outcome.ok && outcome.refusal.code === 'unreasonable');
    assert.doesNotThrow(() => acceptByPolicy(wild, [u1], [offer('p1', 'u1')]));
  });

  test('the wire schema refuses an estimate no unit allows', () => {
    assert.equal(OfferSchema.safeParse(offer('p1', 'u1', { estimated_seconds: 1e300 })).success, false);
    assert.equal(OfferSchema.safeParse(offer('p1', 'u1', { estimated_seconds: 365 * 86400 * 100 })).success, true);
  });
});

describe('offer ids are their provider’s', () => {
  test('an offer whose id is not prefixed by its provider is refused: it could take another’s assignment id', () => {
    const forged = offer('evil', 'u1', { offer_id: 'p1#0.u1', price: 0 });
    const round = acceptByPolicy(ctx, [u1], [forged, offer('p1', 'u1')]);
    assert.deepEqual(
      round.acceptances.map((a) => `${a.assignment_id} ${a.provider_peer}`),
      ['p1#0.u1 p1'],
    );
    assert.deepEqual(
      round.refusals.map((r) => r.code),
      ['foreign_id'],
    );
    const prefixOnly = acceptOffer(ctx, offer('p1', 'u1', { offer_id: 'p1-0' }), u1);
    assert.ok(!prefixOnly.ok && prefixOnly.refusal.code === 'foreign_id');
  });
});

describe('offers held in memory', () => {
  test('a provider’s new offer for a unit replaces its old one; the book is bounded and lapsed offers make room', () => {
    const book = new OfferBook(2);
    assert.ok(book.add(offer('p1', 'u1'), T0));
    assert.ok(book.add(offer('p1', 'u1', { offer_id: 'p1#1.u1' }), T0 + 1));
    assert.deepEqual(
      book.live('u1', T0 + 1).map((h) => h.offer.offer_id),
      ['p1#1.u1'],
    );
    assert.ok(book.add(offer('p2', 'u1'), T0 + 2));
    assert.equal(book.add(offer('p3', 'u2'), T0 + 3), false, 'full of live offers: refused');
    assert.equal(book.size, 2);
    assert.deepEqual(book.live('u1', T0 + OFFER_TTL_MS + 2), [], 'lapsed');
    assert.ok(book.add(offer('p3', 'u2'), T0 + OFFER_TTL_MS + 2), 'the lapsed ones made room');
    assert.equal(book.size, 1);
    assert.equal(book.take('u2', 'p3#0.u2')?.provider_peer, 'p3');
    assert.equal(book.size, 0);
  });
});

describe("a circle's scheduling timeouts", () => {
  const inCircle = { ...u1, circle: 'c' };
  const limited = {
    ...ctx,
    circleLimits: (u: { circle?: string }) =>
      u.circle ? { offerTimeoutSeconds: 30, unitTimeoutSeconds: 60 } : undefined,
  };

  test("an offer older than its circle's offer timeout, or slower than its unit timeout, is refused; a deadline is cut to it", () => {
    const stale = offer('p1', 'u1', { timestamp: new Date(T0 - 31_000).toISOString() });
    assert.equal(acceptOffer(limited, stale, inCircle).ok, false);
    assert.equal(acceptOffer(limited, stale, u1).ok, true, 'outside a circle: the node lets offers lapse itself');
    const slow = acceptOffer(limited, offer('p1', 'u1', { estimated_seconds: 61 }), inCircle);
    assert.ok(!slow.ok && slow.refusal.code === 'unreasonable' && /60 s its circle allows/.test(slow.refusal.message));
    // 20 s estimated: 3 × 20 + 30 = 90 s, cut to the circle's 60.
    const taken = acceptOffer(limited, offer('p1', 'u1', { estimated_seconds: 20 }), inCircle);
    assert.ok(taken.ok);
    assert.equal(Date.parse(taken.acceptance.deadline) - T0, 60_000);
    const outside = acceptOffer(limited, offer('p1', 'u1', { estimated_seconds: 20 }), u1);
    assert.ok(outside.ok);
    assert.equal(Date.parse(outside.acceptance.deadline) - T0, 90_000);
  });
});

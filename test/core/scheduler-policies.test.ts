// The scheduler's policies toward requesters (core/scheduler): how many of my units one takes at
// once (its pipeline), reciprocity, and manual acceptance. The farm and the matrix are in
// scheduler.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  acceptByPolicy,
  acceptOffer,
  allocate,
  DEFAULT_ACCEPTANCE_POLICY,
  pipelineOf,
} from '../../src-main/core/scheduler/index.js';
import { commitment, request, slot, T0, unit } from './scheduler-fixtures.js';

const PRICE = { per_core_second: 10, minimum: 1 };
describe('a requester takes only so many of my units at once (its pipeline)', () => {
  // 16 one-core hour-long units fill my 16-core hour; two friends want 16 each, but each takes at
  // most 8 of mine at a time: the whole slot going to the first would leave half of it idle.
  const provider = commitment('p', { top: 0.9, next: 0.5 }, [slot('s', 1, { cpu_cores: 16, ram_gb: 64 }, [['a', 1]])]);
  const job = (peer: string) =>
    commitment(
      peer,
      { p: 1 },
      [],
      [
        request(
          peer,
          `${peer}-job`,
          Array.from({ length: 16 }, (_, i) =>
            unit(`${peer}-u${i}`, `${peer}-job`, 'a', { cpu_cores: 1, ram_gb: 1 }, 3600),
          ),
        ),
      ],
    );
  const requesters = [job('top'), job('next')];
  /** Offers each requester gets when each may take `room` units. */
  const offersWith = (room: Record<string, number>) => {
    const { offers } = allocate({
      provider,
      requesters,
      round: 0,
      nowMs: T0,
      price: PRICE,
      requesterRoom: (peer) => room[peer] ?? 0,
    });
    return ['top', 'next'].map((peer) => offers.filter((o) => o.requester_peer === peer).length);
  };

  test("past a requester's room the slot goes to the next requester", () => {
    assert.deepEqual(offersWith({ top: 8, next: 8 }), [8, 8]);
  });
  test('a requester with no room gets nothing; the rest of the slot stays free when no one else can take it', () => {
    assert.deepEqual(offersWith({ top: 0, next: 5 }), [0, 5]);
  });
  test("a provider's pipeline: 8 units, or one per core of its largest slot, at most 64", () => {
    const withCores = (...cores: number[]) =>
      commitment(
        'p',
        {},
        cores.map((c, i) => slot(`s${i}`, 1, { cpu_cores: c, ram_gb: 1 }, [['a', 1]])),
      );
    assert.equal(pipelineOf(undefined), 8);
    assert.equal(pipelineOf(withCores(4)), 8);
    assert.equal(pipelineOf(withCores(4, 16, 12)), 16);
    assert.equal(pipelineOf(withCores(4096)), 64);
    assert.equal(pipelineOf(withCores(2), 3), 3);
  });
  test('for short units, two seconds of work a core, at most 3,000 units and at most its share', () => {
    const withCores = (cores: number) =>
      commitment('p', {}, [slot('s', 1, { cpu_cores: cores, ram_gb: 1 }, [['a', 1]])]);
    assert.equal(pipelineOf(withCores(2), undefined, 0.5), 8);
    assert.equal(pipelineOf(withCores(2), undefined, 0.01), 400);
    // Tiny units count as a millisecond each: 2 cores hold 3,000 of them, not the 4,000 of two seconds.
    assert.equal(pipelineOf(withCores(2), undefined, 0.00002), 3000);
    assert.equal(pipelineOf(withCores(1), undefined, 0.001), 2000);
    assert.equal(pipelineOf(withCores(2), undefined, 0.00002, 700), 700);
  });
  test('two providers each offering a requester part of its units offer different ones (each lists them from a start of its own)', () => {
    const offered = (me: string) =>
      allocate({
        provider: { ...provider, peer_id: me },
        requesters: [job('top')],
        round: 0,
        nowMs: T0,
        price: PRICE,
        requesterRoom: () => 4,
      }).offers.map((o) => o.unit_id);
    const [a, b] = [offered('provider-a'), offered('provider-b')];
    assert.equal(a.length, 4);
    assert.equal(b.length, 4);
    assert.ok(
      a.some((u) => !b.includes(u)),
      `both offered ${a.join(' ')}`,
    );
  });
  test('with no room given, nothing limits a requester', () => {
    const { offers } = allocate({ provider, requesters, round: 0, nowMs: T0, price: PRICE });
    assert.equal(offers.filter((o) => o.requester_peer === 'top').length, 16);
  });
});

describe('reciprocity: a requester that gives nothing back comes after those that do', () => {
  // One unit fits my slot. The free-rider is the friend I trust more, but lists no slot for me and
  // has computed nothing; the other lists a slot (it offers me its machine).
  const provider = commitment('p', { freeRider: 0.9, sharer: 0.3, other: 0.2 }, [
    slot('s', 1, { cpu_cores: 1, ram_gb: 1 }, [['a', 1]]),
  ]);
  const job = (peer: string, slots = [] as ReturnType<typeof slot>[]) =>
    commitment(peer, { p: 1 }, slots, [
      request(peer, `${peer}-job`, [unit(`${peer}-u`, `${peer}-job`, 'a', { cpu_cores: 1, ram_gb: 1 }, 3600)]),
    ]);
  const sharerSlot = slot('theirs', 1, { cpu_cores: 2, ram_gb: 2 }, [['a', 1]]);
  const winner = (requesters: ReturnType<typeof commitment>[]) =>
    allocate({ provider, requesters, round: 0, nowMs: T0, price: PRICE }).offers.map((o) => o.requester_peer);

  test('the one that lists a slot gets my slot, though I trust the free-rider more', () => {
    assert.deepEqual(winner([job('freeRider'), job('sharer', [sharerSlot])]), ['sharer']);
  });
  test('so does one that has computed for the mesh, with no slot now', () => {
    const computed = {
      ...job('sharer'),
      contribution_history: { ...job('sharer').contribution_history, total_work_units_completed: 3 },
    };
    assert.deepEqual(winner([job('freeRider'), computed]), ['sharer']);
  });
  test('among those that give back, trust still decides; alone, a free-rider still gets my idle slot', () => {
    assert.deepEqual(winner([job('other', [sharerSlot]), job('sharer', [sharerSlot])]), ['sharer']);
    assert.deepEqual(winner([job('freeRider')]), ['freeRider']);
  });
});

describe('manual acceptance (offers accept)', () => {
  const u = unit('u1', 'job', 'a', { cpu_cores: 1, ram_gb: 1 }, 10, 0.5, 2);
  const offer = (provider: string, price: number) => ({
    offer_id: `${provider}#0.0`,
    round: 0,
    unit_id: 'u1',
    job_id: 'job',
    requester_peer: 'me',
    provider_peer: provider,
    slot_id: 's',
    tier: 1 as const,
    price,
    estimated_seconds: 10,
    performance_score: 1,
    expected_start: new Date(T0).toISOString(),
    expected_end: new Date(T0).toISOString(),
    timestamp: new Date(T0).toISOString(),
  });
  const ctx = (taken: string[], budget: number) => ({
    me: 'me',
    nowMs: T0,
    policy: DEFAULT_ACCEPTANCE_POLICY,
    trustIn: () => 1,
    reputationOf: () => 0.5,
    acceptedProviders: () => taken,
    budgetLeft: () => budget,
  });
  test('a chosen offer becomes an assignment with a deadline of 3x its estimate + 30 s', () => {
    const r = acceptOffer(ctx([], 100), offer('p1', 40), u);
    assert.ok(r.ok);
    if (r.ok) {
      assert.equal(r.acceptance.role, 'primary');
      assert.equal(Date.parse(r.acceptance.deadline) - T0, 60_000);
    }
    const second = acceptOffer(ctx(['p1'], 100), offer('p2', 40), u);
    assert.ok(second.ok && second.acceptance.role === 'verification');
  });
  test('the same checks as automatic acceptance refuse it', () => {
    const code = (r: ReturnType<typeof acceptOffer>) => (r.ok ? 'accepted' : r.refusal.code);
    assert.equal(code(acceptOffer(ctx(['p1'], 100), offer('p1', 40), u)), 'same_provider');
    assert.equal(code(acceptOffer(ctx(['p1', 'p2'], 100), offer('p3', 40), u)), 'redundancy_met');
    assert.equal(code(acceptOffer(ctx([], 30), offer('p1', 40), u)), 'over_budget');
    assert.equal(code(acceptOffer(ctx([], 100), offer('me', 40), u)), 'self_offer');
    assert.equal(code(acceptOffer(ctx([], 100), offer('p1', 40), undefined)), 'unknown_unit');
  });
  test('an offer from a provider I have not trusted is refused unless the job is open to strangers', () => {
    const stranger = { ...ctx([], 100), trustIn: (peer: string) => (peer === 'p1' ? 1 : 0) };
    const refused = acceptOffer(stranger, offer('p2', 40), u);
    assert.ok(!refused.ok);
    assert.equal(refused.refusal.code, 'untrusted');
    assert.match(refused.refusal.message, /p2 is not a peer I trust, and job job is not open to strangers/);
    assert.equal(acceptOffer({ ...stranger, openToStrangers: () => false }, offer('p2', 40), u).ok, false);
    assert.ok(acceptOffer({ ...stranger, openToStrangers: (job) => job === 'job' }, offer('p2', 40), u).ok);
    assert.ok(acceptOffer(stranger, offer('p1', 40), u).ok, 'a trusted provider is accepted as before');
  });
  test('by policy too: a stranger gets no unit of a closed job, even when my trusted providers are full', () => {
    const units = [u, { ...u, unit_id: 'u2' }];
    const offers = units.flatMap((w) =>
      ['p1', 'p2'].map((p) => ({ ...offer(p, 10), offer_id: `${p}#0.${w.unit_id}`, unit_id: w.unit_id })),
    );
    const base = {
      ...ctx([], 100),
      trustIn: (peer: string) => (peer === 'p1' ? 1 : 0),
      providerRoom: (peer: string) => (peer === 'p1' ? 1 : 8),
    };
    const closed = acceptByPolicy(base, units, offers);
    assert.deepEqual(
      closed.acceptances.map((a) => `${a.unit_id} ${a.provider_peer}`),
      ['u1 p1'],
    );
    assert.deepEqual(
      closed.refusals
        .filter((r) => r.code === 'untrusted')
        .map((r) => r.offer_id)
        .sort(),
      ['p2#0.u1', 'p2#0.u2'],
    );
    const open = acceptByPolicy({ ...base, openToStrangers: () => true }, units, offers);
    assert.deepEqual(
      open.acceptances.map((a) => `${a.unit_id} ${a.provider_peer}`),
      ['u1 p1', 'u1 p2', 'u2 p2'],
    );
  });
});

// Data locality on the requester's side (core/scheduler/holdings.ts, accept.ts): a unit goes to the
// provider that holds its data already, while that provider has room; the record is bounded.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { acceptByPolicy, DEFAULT_ACCEPTANCE_POLICY, Holdings } from '../../src-main/core/scheduler/index.js';
import type { Offer, WorkUnit } from '../../src-main/core/schemas/index.js';
import { T0, unit } from './scheduler-fixtures.js';

const withInput = (id: string, input: string, job = 'job'): WorkUnit => ({
  ...unit(id, job, 'a', { cpu_cores: 1, ram_gb: 1 }, 10),
  input_cid: input,
});

const offer = (provider: string, u: WorkUnit, seconds = 10): Offer => ({
  offer_id: `${provider}#0.${u.unit_id}`,
  round: 0,
  unit_id: u.unit_id,
  job_id: u.job_id,
  requester_peer: 'me',
  provider_peer: provider,
  slot_id: 's',
  tier: 1 as const,
  price: 10,
  estimated_seconds: seconds,
  performance_score: 1,
  expected_start: new Date(T0).toISOString(),
  expected_end: new Date(T0).toISOString(),
  timestamp: new Date(T0).toISOString(),
});

/** Acceptance as the node does it: the holdings noted as units are accepted, each provider with `room`. */
function accept(
  holdings: Holdings,
  units: WorkUnit[],
  offers: Offer[],
  room: (peer: string) => number = () => Infinity,
  locality = 1,
  awaitLocal?: (unit: WorkUnit, taken: readonly string[]) => boolean,
  taken: readonly string[] = [],
) {
  const rooms = new Map<string, number>();
  return acceptByPolicy(
    {
      me: 'me',
      nowMs: T0,
      policy: { ...DEFAULT_ACCEPTANCE_POLICY, locality },
      trustIn: () => 1,
      reputationOf: () => 0.5,
      acceptedProviders: () => taken,
      budgetLeft: () => 1e9,
      providerRoom: (peer) => room(peer) - (rooms.get(peer) ?? 0),
      localShare: (peer, u) => holdings.share(peer, u),
      ...(awaitLocal ? { awaitLocal } : {}),
      willHold: (peer, u) => {
        rooms.set(peer, (rooms.get(peer) ?? 0) + 1);
        holdings.note(peer, u.input_cid!, 100_000);
      },
    },
    units,
    offers,
  ).acceptances.map((a) => `${a.unit_id} ${a.provider_peer}`);
}

describe('data locality', () => {
  test('a unit goes to the provider holding its input, though another is first by name and faster', () => {
    const holdings = new Holdings(16 * 1024);
    holdings.note('p2', 'cid-x', 100_000);
    const u = withInput('u', 'cid-x');
    assert.deepEqual(accept(holdings, [u], [offer('p1', u, 5), offer('p2', u, 10)]), ['u p2']);
    // Off (its weight 0): by trust, price and time alone, the faster one.
    assert.deepEqual(accept(holdings, [u], [offer('p1', u, 5), offer('p2', u, 10)], undefined, 0), ['u p1']);
  });

  test("two steps over the same files in one round: each file's second unit follows its first", () => {
    const holdings = new Holdings(16 * 1024);
    const files = ['a', 'b', 'c', 'd'];
    // Step one's unit of each file, then step two's, as the node orders them (by index).
    const units = files.flatMap((f, i) => [
      withInput(`one-${i}`, `cid-${f}`, 'one'),
      withInput(`two-${i}`, `cid-${f}`, 'two'),
    ]);
    const offers = units.flatMap((u) => [offer('p1', u), offer('p2', u)]);
    const taken = accept(holdings, units, offers, () => 4);
    const providerOf = new Map(taken.map((line) => line.split(' ') as [string, string]));
    for (const i of files.keys())
      assert.equal(providerOf.get(`two-${i}`), providerOf.get(`one-${i}`), taken.join(', '));
    // And the room of each still holds: both providers work.
    assert.deepEqual(new Set(providerOf.values()), new Set(['p1', 'p2']));
  });

  test('a provider holding the data but without room: the unit goes elsewhere', () => {
    const holdings = new Holdings(16 * 1024);
    holdings.note('p2', 'cid-x', 100_000);
    const u = withInput('u', 'cid-x');
    const full = (peer: string) => (peer === 'p2' ? 0 : 1);
    assert.deepEqual(accept(holdings, [u], [offer('p1', u), offer('p2', u)], full), ['u p1']);
    const again = new Holdings(16 * 1024);
    again.note('p2', 'cid-x', 100_000);
    assert.deepEqual(accept(again, [u], [offer('p1', u), offer('p2', u)]), ['u p2']);
  });

  test('the share is by bytes of input and files; nothing noted is 0', () => {
    const holdings = new Holdings(16 * 1024);
    const u = { ...withInput('u', 'cid-in'), required_dataset: 'cid-files' };
    assert.equal(holdings.share('p1', u), 0);
    holdings.note('p1', 'cid-files', 300_000);
    holdings.note('p2', 'cid-in', 100_000);
    assert.equal(holdings.share('p1', u), 0.75);
    assert.equal(holdings.share('p2', u), 0.25);
  });

  test('bounded: the oldest blob goes first, and a blob keeps its latest four holders', () => {
    const holdings = new Holdings(16 * 1024, 3);
    const big = 20_000;
    for (const cid of ['a', 'b', 'c', 'd']) holdings.note('p1', cid, big);
    assert.equal(holdings.size, 3);
    assert.equal(holdings.bytesOf('a'), undefined);
    holdings.note('p1', 'b', big); // b noted again: now the newest, c the oldest
    holdings.note('p1', 'e', big);
    assert.equal(holdings.bytesOf('c'), undefined);
    assert.equal(holdings.bytesOf('b'), big);
    for (const peer of ['q1', 'q2', 'q3', 'q4', 'q5']) holdings.note(peer, 'e', big);
    const e = withInput('u', 'e');
    assert.equal(holdings.share('q1', e), 0);
    assert.equal(holdings.share('q5', e), 1);
    // A blob that rides inline with its acceptance is not worth remembering: it crosses anyway.
    holdings.note('p1', 'small', 16 * 1024);
    assert.equal(holdings.bytesOf('small'), undefined);
  });

  test('a unit with no offer from a holder with room waits while the requester lets it, then goes to any', () => {
    const holdings = new Holdings(16 * 1024);
    holdings.note('p2', 'cid-x', 100_000);
    const u = withInput('u', 'cid-x');
    const full = (peer: string) => (peer === 'p2' ? 0 : 1);
    const offers = [offer('p1', u), offer('p2', u)];
    assert.deepEqual(
      accept(holdings, [u], offers, full, 1, () => true),
      [],
    );
    assert.deepEqual(
      accept(holdings, [u], offers, full, 1, () => false),
      ['u p1'],
    );
    // Off, no unit waits.
    assert.deepEqual(
      accept(new Holdings(16 * 1024), [u], offers, full, 0, () => true),
      ['u p1'],
    );
  });
});

test("a unit's second worker does not wait for the holder already on it: the requester is told who is", () => {
  const holdings = new Holdings(16 * 1024);
  holdings.note('p2', 'cid-x', 100_000);
  const u = { ...withInput('u', 'cid-x'), verification_redundancy: 2 };
  const waitsForAnotherHolder = (_: WorkUnit, taken: readonly string[]) => !taken.includes('p2');
  // p2 holds the input and runs the unit already: its second worker is p1 at once.
  assert.deepEqual(accept(holdings, [u], [offer('p1', u)], undefined, 1, waitsForAnotherHolder, ['p2']), ['u p1']);
  // Nobody on it yet, p2 full: it waits for p2.
  const fresh = new Holdings(16 * 1024);
  fresh.note('p2', 'cid-x', 100_000);
  const full = (peer: string) => (peer === 'p2' ? 0 : 1);
  assert.deepEqual(accept(fresh, [u], [offer('p1', u)], full, 1, waitsForAnotherHolder), []);
});

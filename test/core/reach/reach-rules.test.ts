// The pure rules of reaching people: when an invite may be redeemed, which invites are kept, what
// an address says about reaching a node, which addresses an invite carries, the redial schedule.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { addressKind, inviteAddresses, isReachable } from '../../../src-main/core/reach/addresses.js';
import { INVITE_LIMITS, keptInvites, redeemDecision, type InviteRecord } from '../../../src-main/core/reach/invite.js';
import {
  PORT_RANGE,
  portFrom,
  REDIAL,
  redialDelayMs,
  relayServing,
} from '../../../src-main/core/reach/network-config.js';

const NOW = Date.parse('2030-01-01T12:00:00Z');
const ALICE = '12D3KooWAlice';
const BOB = '12D3KooWBob';
const record = (overrides: Partial<InviteRecord> = {}): InviteRecord => ({
  id: '0011223344556677',
  secret_sha256: 'a'.repeat(64),
  trust: 0.5,
  created_at: '2030-01-01T11:00:00.000Z',
  expires_at: '2030-01-02T11:00:00.000Z',
  accepted_by: null,
  accepted_at: null,
  ...overrides,
});

test('an invite is redeemed once, before it expires, with its secret; each refusal says why', () => {
  assert.deepEqual(redeemDecision(record(), true, BOB, NOW), { ok: true, again: false });
  assert.equal(codeOf(redeemDecision(undefined, true, BOB, NOW)), 'unknown_invite');
  assert.equal(codeOf(redeemDecision(record(), false, BOB, NOW)), 'wrong_secret');
  assert.equal(codeOf(redeemDecision(record({ expires_at: '2030-01-01T12:00:00.000Z' }), true, BOB, NOW)), 'expired');
  const used = record({ accepted_by: ALICE, accepted_at: '2030-01-01T11:30:00.000Z' });
  const refused = redeemDecision(used, true, BOB, NOW);
  assert.equal(codeOf(refused), 'used');
  assert.match(refused.ok ? '' : refused.message, /already used, at 2030-01-01T11:30/);
  // The one who redeemed it asking again (its reply was lost) is answered yes again, even once
  // expired, with when it first did.
  assert.deepEqual(redeemDecision(used, true, ALICE, NOW + 7 * 86_400_000), {
    ok: true,
    again: true,
    accepted_at: '2030-01-01T11:30:00.000Z',
  });
  // A wrong secret is refused before anything else is told about the invite.
  assert.equal(codeOf(redeemDecision(used, false, ALICE, NOW)), 'wrong_secret');
});

test('a node keeps every pending invite first, then the newest settled ones, up to the limit', () => {
  const pending = record({ id: '1'.repeat(16), created_at: '2030-01-01T00:00:00.000Z' });
  const settled = Array.from({ length: INVITE_LIMITS.kept }, (_, i) =>
    record({
      id: i.toString(16).padStart(16, '0'),
      created_at: new Date(NOW - 1000 + i).toISOString(),
      accepted_by: BOB,
    }),
  );
  const kept = keptInvites([...settled, pending], NOW);
  assert.equal(kept.length, INVITE_LIMITS.kept);
  assert.equal(kept[0]!.id, pending.id, 'the pending one, though the oldest, is kept');
  assert.ok(!kept.some((r) => r.id === settled[0]!.id), 'the oldest settled one goes');
});

test('what an address says: public, private, loopback, relayed (a relay on loopback is no way in)', () => {
  assert.equal(addressKind('/ip4/203.0.113.10/tcp/4001'), 'public');
  for (const a of ['/ip4/10.1.0.2/tcp/1', '/ip4/192.168.1.5/tcp/1', '/ip4/172.20.0.1/tcp/1', '/ip4/100.64.1.1/tcp/1'])
    assert.equal(addressKind(a), 'private', a);
  assert.equal(addressKind('/ip4/172.32.0.1/tcp/1'), 'public');
  assert.equal(addressKind('/ip4/127.0.0.1/tcp/1'), 'loopback');
  assert.equal(addressKind('/ip6/::1/tcp/1'), 'loopback');
  assert.equal(addressKind('/ip6/fd00::1/tcp/1'), 'private');
  assert.equal(addressKind('/ip6/2001:db8::1/tcp/1'), 'public');
  assert.equal(addressKind('/ip4/203.0.113.10/tcp/4001/p2p/12D3KooWR/p2p-circuit'), 'relayed');
  assert.equal(addressKind('/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWR/p2p-circuit'), 'loopback');
  assert.equal(isReachable(['/ip4/10.1.0.2/tcp/1', '/ip4/203.0.113.10/tcp/4001/p2p/R/p2p-circuit']), false);
  assert.equal(isReachable(['/ip4/203.0.113.10/tcp/4001']), true);
});

test("an invite carries public, then relayed, then LAN addresses, without the inviter's id; loopback only when there is nothing else", () => {
  const me = '12D3KooWMe';
  const addrs = [
    `/ip4/127.0.0.1/tcp/5/p2p/${me}`,
    `/ip4/10.1.0.2/tcp/5/p2p/${me}`,
    `/ip4/203.0.113.10/tcp/4001/p2p/R/p2p-circuit/p2p/${me}`,
    `/ip4/198.51.100.7/tcp/5/p2p/${me}`,
  ];
  assert.deepEqual(inviteAddresses(addrs, me, 8), [
    '/ip4/198.51.100.7/tcp/5',
    '/ip4/203.0.113.10/tcp/4001/p2p/R/p2p-circuit',
    '/ip4/10.1.0.2/tcp/5',
  ]);
  assert.deepEqual(inviteAddresses(addrs, me, 1), ['/ip4/198.51.100.7/tcp/5']);
  assert.deepEqual(inviteAddresses([`/ip4/127.0.0.1/tcp/5/p2p/${me}`], me, 8), ['/ip4/127.0.0.1/tcp/5']);
});

test('the relay serves when on, or when auto and reachable, never when off', () => {
  assert.equal(relayServing('on', false), true);
  assert.equal(relayServing('auto', true), true);
  assert.equal(relayServing('auto', false), false);
  assert.equal(relayServing('off', true), false);
});

test('redials back off from 1 s to 5 min, jittered by ±25 %; ports are drawn from the range', () => {
  assert.equal(redialDelayMs(0, 0.5), 1000);
  assert.equal(redialDelayMs(3, 0.5), 8000);
  assert.equal(redialDelayMs(1000, 0.5), REDIAL.maxMs);
  fc.assert(
    fc.property(fc.nat(100), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
      const delay = redialDelayMs(attempt, r);
      const base = Math.min(REDIAL.maxMs, REDIAL.firstMs * 2 ** attempt);
      return delay >= base * 0.75 - 1 && delay <= base * 1.25 + 1;
    }),
  );
  assert.equal(portFrom(0), PORT_RANGE.min);
  assert.equal(portFrom(0.9999999), PORT_RANGE.max);
});

function codeOf(decision: ReturnType<typeof redeemDecision>): string {
  return decision.ok ? 'ok' : decision.code;
}

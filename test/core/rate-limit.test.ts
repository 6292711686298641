// Token buckets per peer: a burst, then the rate; a quiet peer earns its burst back, never more.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PeerRates } from '../../src-main/core/protocol/rate-limit.js';

test('a peer spends its burst at once, then earns per second; others are untouched', () => {
  const rates = new PeerRates({ perSecond: 10, burst: 20 });
  const taken = Array.from({ length: 30 }, () => rates.take('p', 0)).filter(Boolean).length;
  assert.equal(taken, 20);
  assert.equal(rates.take('q', 0), true, 'another peer has its own bucket');
  assert.equal(rates.take('p', 50), false, 'half a token after 50 ms');
  assert.equal(rates.take('p', 100), true, 'one token after 100 ms');
  const afterRest = Array.from({ length: 30 }, () => rates.take('p', 3_600_000)).filter(Boolean).length;
  assert.equal(afterRest, 20, 'an hour of quiet earns the burst back, not more');
});

test('a costly request takes more tokens, and is refused whole when they are not there', () => {
  const rates = new PeerRates({ perSecond: 1, burst: 10 });
  assert.equal(rates.take('p', 0, 8), true);
  assert.equal(rates.take('p', 0, 3), false);
  assert.equal(rates.take('p', 0, 2), true);
});

test('how long until a peer may send again: 0 with a token in hand, else until it has earned one', () => {
  const rates = new PeerRates({ perSecond: 200, burst: 2 });
  assert.equal(rates.waitMs('p', 0), 0, 'a peer never seen holds its burst');
  rates.take('p', 0);
  rates.take('p', 0);
  assert.equal(rates.waitMs('p', 0), 5);
  assert.equal(rates.waitMs('p', 3), 2);
  assert.equal(rates.waitMs('p', 5), 0);
  assert.equal(rates.waitMs('p', 0, 2), 10, 'a costlier request waits for more');
});

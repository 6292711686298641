import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  formatAgo,
  formatCredits,
  formatDuration,
  frameFileName,
  parseCredits,
  shortPeerId,
} from '../../src-renderer/format.js';

test('credits read as millicredits / 1000 with three decimals, as meshctl prints them', () => {
  assert.equal(formatCredits(0), '0.000');
  assert.equal(formatCredits(12_345), '12.345');
  assert.equal(formatCredits(5), '0.005');
  assert.equal(formatCredits(-1_500), '-1.500');
});

test('what a person types as credits becomes whole millicredits, and formatting reads it back', () => {
  assert.deepEqual(parseCredits('2'), { ok: true, value: 2000 });
  assert.deepEqual(parseCredits(' 0.25 '), { ok: true, value: 250 });
  assert.deepEqual(parseCredits('1.'), { ok: true, value: 1000 });
  for (const bad of ['', 'abc', '-1', '1.2345', '1,5']) assert.equal(parseCredits(bad).ok, false, bad);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1e12 }), (millicredits) => {
      assert.deepEqual(parseCredits(formatCredits(millicredits)), { ok: true, value: millicredits });
    }),
  );
});

test('times and ids read the way the pages show them', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  assert.equal(formatAgo('2026-03-01T11:59:58Z', now), 'just now');
  assert.equal(formatAgo('2026-03-01T11:59:30Z', now), '30 s ago');
  assert.equal(formatAgo('2026-03-01T11:55:00Z', now), '5 min ago');
  assert.equal(formatAgo('2026-02-27T12:00:00Z', now), '2 d ago');
  assert.equal(formatDuration(0.25), '250 ms');
  assert.equal(formatDuration(185), '3 min 5 s');
  assert.equal(shortPeerId('12D3KooWAbCdEfGhIjKlMnOpQrStUvWxYz'), '12D3KooW…UvWxYz');
  assert.equal(frameFileName(1), 'frame-0001.png');
});

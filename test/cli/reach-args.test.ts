import assert from 'node:assert/strict';
import { test } from 'node:test';
import { durationSeconds } from '../../src-main/cli/reach-commands.js';

test('invite --expires takes durations as people write them, and refuses anything else by name', () => {
  assert.equal(durationSeconds('--expires', '24h'), 86_400);
  assert.equal(durationSeconds('--expires', '30m'), 1800);
  assert.equal(durationSeconds('--expires', '7d'), 604_800);
  assert.equal(durationSeconds('--expires', '90'), 90);
  assert.throws(() => durationSeconds('--expires', 'tomorrow'), /--expires: expected a duration such as 30m/);
  assert.throws(() => durationSeconds('--expires', '-1h'), /--expires/);
  assert.equal(durationSeconds('--expires', '30d', 60, 30 * 86_400), 30 * 86_400);
  assert.throws(
    () => durationSeconds('--expires', '99999d', 60, 30 * 86_400),
    /--expires: 99999d is not between 1m and 30d$/,
  );
  assert.throws(() => durationSeconds('--expires', '30s', 60, 30 * 86_400), /--expires: 30s is not between 1m and 30d/);
});

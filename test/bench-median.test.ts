// The benchmarks' median (bench/harness.ts): the middle value, and of an even count the mean of the
// two middle ones. It was the upper one, so a figure of two rounds printed the larger (issue 91).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { median } from '../bench/harness.js';

test('the median of an odd count is its middle value; of an even count, the mean of the middle two', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([10, 2]), 6, 'two rounds: their mean, not the larger');
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
});

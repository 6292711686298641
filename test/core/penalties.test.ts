// The journal hears of a peer's penalties at most once a window, with their count, and of all
// peers' at most MAX_JOURNALED_PER_WINDOW a window: a flood of bad frames, or of fresh identities,
// cannot grow it faster.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_JOURNALED_PER_WINDOW, PENALTY_WINDOW_MS, PenaltyBook } from '../../src-main/core/mesh/rules/penalties.js';

test('a peer is journaled once a window; the next carries what was held back', () => {
  const book = new PenaltyBook();
  assert.equal(book.note('p', 0), 1);
  for (let i = 1; i <= 999; i++) assert.equal(book.note('p', i), undefined);
  assert.equal(book.note('p', PENALTY_WINDOW_MS), 1000, 'the 999 held back and this one');
  assert.equal(book.note('p', PENALTY_WINDOW_MS + 1), undefined);
});

test('peers are windowed apart: one peer flooding does not hide another', () => {
  const book = new PenaltyBook();
  assert.equal(book.note('p', 0), 1);
  assert.equal(book.note('p', 1), undefined);
  assert.equal(book.note('q', 2), 1);
});

test('a crowd of fresh identities journals at most the global cap a window', () => {
  const book = new PenaltyBook();
  let journaled = 0;
  for (let i = 0; i < 10 * MAX_JOURNALED_PER_WINDOW; i++) if (book.note(`peer-${i}`, i) !== undefined) journaled++;
  assert.equal(journaled, MAX_JOURNALED_PER_WINDOW);
  // Next window: one held back is journaled with its count.
  assert.equal(book.note(`peer-${MAX_JOURNALED_PER_WINDOW}`, PENALTY_WINDOW_MS), 2);
});

// The provider's asks about results its requesters hold (node/mesh/provider/held-results.ts): each due
// requester is asked about its oldest held results, a message's worth, and an ask reads only that
// batch (and the closed ones before it), not every result held.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_RESULTS_PER_MESSAGE } from '../../../src-main/core/protocol/messages.js';
import { HeldResults } from '../../../src-main/node/mesh/provider/held-results.js';

const RETRY_MS = 10_000;

function heldResults(heldIds: Set<string>) {
  const asked: { ids: string[] }[] = [];
  let looks = 0;
  let wakes = 0;
  const held = new HeldResults(
    RETRY_MS,
    (ids) => {
      asked.push({ ids });
      return Promise.resolve();
    },
    (id) => {
      looks++;
      return heldIds.has(id);
    },
    () => wakes++,
  );
  return { held, asked, looks: () => looks, wakes: () => wakes };
}

test('each due requester is asked about its oldest held results, one message of them, reading no more', async () => {
  const ids = Array.from({ length: 50_000 }, (_, i) => `a${i}`);
  const stillHeld = new Set(ids);
  const { held, asked, looks } = heldResults(stillHeld);
  ids.forEach((id, i) => held.held(id, i % 2 === 0 ? 'even' : 'odd', 0));

  held.ask(0);
  assert.equal(asked.length, 0, 'the first ask waits RETRY_MS too');
  held.ask(RETRY_MS);
  assert.deepEqual(
    asked.map((a) => a.ids),
    [0, 1].map((parity) => ids.filter((_, i) => i % 2 === parity).slice(0, MAX_RESULTS_PER_MESSAGE)),
  );
  assert.equal(looks(), 2 * MAX_RESULTS_PER_MESSAGE, 'only the batches asked about were looked at');
});

test('results closed meanwhile are forgotten as the ask meets them; a settled batch asks the next at once', async () => {
  const ids = Array.from({ length: 400 }, (_, i) => `a${i}`);
  const stillHeld = new Set(ids);
  const { held, asked, wakes } = heldResults(stillHeld);
  for (const id of ids) held.held(id, 'r', 0);
  for (const id of ids.slice(0, 100)) stillHeld.delete(id); // refunded, say: closed without an answer to an ask

  held.ask(0);
  held.ask(RETRY_MS);
  assert.deepEqual(asked[0]!.ids, ids.slice(100, 100 + MAX_RESULTS_PER_MESSAGE));
  for (const id of ids.slice(0, 100)) assert.equal(held.has(id), false, `${id} was forgotten`);

  // The reply settles the batch: the provider is woken to ask about the next, without waiting RETRY_MS.
  for (const id of asked[0]!.ids) {
    stillHeld.delete(id);
    held.forget(id);
  }
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(wakes(), 1);
  held.ask(RETRY_MS + 1);
  assert.deepEqual(asked[1]!.ids, ids.slice(100 + MAX_RESULTS_PER_MESSAGE, 100 + 2 * MAX_RESULTS_PER_MESSAGE));
});

test('a requester still deciding is asked again only RETRY_MS later, unless it has just connected', async () => {
  const stillHeld = new Set(['a', 'b']);
  const { held, asked, wakes } = heldResults(stillHeld);
  held.held('a', 'r', 0);
  held.held('b', 's', 0);
  held.ask(0);
  held.ask(RETRY_MS);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(asked.length, 2);
  assert.equal(wakes(), 0, 'nothing was settled: no hurry');
  held.ask(RETRY_MS + 1);
  assert.equal(asked.length, 2, 'asked too soon');
  held.ask(RETRY_MS + 2, 's');
  assert.deepEqual(asked[2]!.ids, ['b'], 'the requester that connected is asked at once, the other not');
  held.ask(2 * RETRY_MS);
  assert.deepEqual(asked[3]!.ids, ['a']);
});

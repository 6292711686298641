// A slider's commits (src-renderer/components/commit-queue.ts): one at a time, the latest next, so
// quick keyboard steps cannot land out of order and leave the node at a value the slider no longer
// shows (the Peers page's trust slider once ended at 0.85 while it showed 0.8).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commitQueue } from '../../src-renderer/components/commit-queue.js';

/** A commit whose calls settle only when the test says, each in the order the test picks. */
function heldCommits() {
  const calls: { value: number; settle: (ok: boolean) => void }[] = [];
  const commit = (value: number) =>
    new Promise<void>((resolve, reject) =>
      calls.push({ value, settle: (ok) => (ok ? resolve() : reject(new Error('refused'))) }),
    );
  return { calls, commit };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

test('steps chosen while a commit is under way wait, and only the latest of them is committed next', async () => {
  const { calls, commit } = heldCommits();
  const settled: number[] = [];
  const choose = commitQueue(commit, (value) => settled.push(value));
  for (const value of [1, 0.95, 0.9, 0.85, 0.8]) choose(value);
  await turn();
  assert.deepEqual(
    calls.map((c) => c.value),
    [1],
    'one call at a time',
  );
  calls[0]!.settle(true);
  await turn();
  assert.deepEqual(
    calls.map((c) => c.value),
    [1, 0.8],
    'then the latest value, not each step',
  );
  assert.deepEqual(settled, [], 'nothing settled while a newer value waited');
  calls[1]!.settle(true);
  await turn();
  assert.deepEqual(settled, [0.8]);
});

test('a refused commit still lets the next one go, and a value chosen later is committed after it', async () => {
  const { calls, commit } = heldCommits();
  const settled: number[] = [];
  const choose = commitQueue(commit, (value) => settled.push(value));
  choose(0.5);
  await turn();
  choose(0.6);
  calls[0]!.settle(false);
  await turn();
  assert.deepEqual(
    calls.map((c) => c.value),
    [0.5, 0.6],
  );
  calls[1]!.settle(true);
  await turn();
  assert.deepEqual(settled, [0.6]);
  choose(0.7); // idle again: committed at once
  await turn();
  assert.deepEqual(
    calls.map((c) => c.value),
    [0.5, 0.6, 0.7],
  );
});

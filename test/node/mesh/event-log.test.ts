// The node's API event log (node/mesh/views/event-log.ts): what a client that reconnects gets back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventLog } from '../../../src-main/node/mesh/views/event-log.js';

test('events since an id are those after it, in order; past the last few thousand, the oldest are gone', () => {
  const log = new EventLog();
  for (let i = 0; i < 30_000; i++) log.push('unit.finished', { n: i });
  const all = log.since(0, 100_000);
  assert.ok(all.length >= 10_000 && all.length <= 12_500, `${all.length} kept`);
  assert.equal(all.at(-1)!.id, 30_000);
  assert.deepEqual(
    all.map((e) => e.id),
    Array.from({ length: all.length }, (_, i) => 30_001 - all.length + i),
    'consecutive, the newest last',
  );
  assert.deepEqual(
    log.since(29_990, 3).map((e) => e.id),
    [29_991, 29_992, 29_993],
  );
  assert.deepEqual(log.since(30_000, 10), []);
  assert.equal(log.since(1, 1)[0]!.id, all[0]!.id, 'asked from before the oldest kept: from the oldest kept');
});

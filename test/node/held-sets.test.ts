// Sets of blobs known held (node/blobs/held-sets.ts) on a real store: a set found held stays known
// only while the store removes nothing; one found before a removal, or after it from a mark taken
// before, is not known.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { HeldSets } from '../../src-main/node/blobs/held-sets.js';
import { BlobStore } from '../../src-main/node/blobs/index.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-held-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a set is known held until the store removes a blob, and not from a mark taken before a removal', async () => {
  const store = new BlobStore(dir);
  const held = new HeldSets(store);
  const mark = held.mark();
  const [a, b] = await store.putMany([Buffer.from('a'.repeat(20_000)), Buffer.from('b'.repeat(20_000))]);
  held.add('list', mark);
  assert.ok(held.has('list'));
  assert.ok(!held.has('other'));
  // Nothing removed (nothing old enough): still known.
  assert.equal(store.remove(store.list(), 0).removed, 0);
  assert.ok(held.has('list'));
  const late = held.mark();
  const [blob] = store.list().filter(({ cid }) => cid === a);
  assert.equal(store.remove([blob!], Number.MAX_SAFE_INTEGER).removed, 1);
  assert.ok(!held.has('list'), 'a blob left: found again before it is known');
  held.add('list', late);
  assert.ok(!held.has('list'), 'its mark was taken before the removal');
  held.add('list', held.mark());
  assert.ok(held.has('list'));
  assert.ok(store.has(b!));
});

test('at most 64 sets are known, the oldest forgotten first', () => {
  const held = new HeldSets({ removals: () => 0, hasAllStored: () => [] });
  for (let i = 0; i < 65; i++) held.add(`list-${i}`, 0);
  assert.ok(!held.has('list-0'));
  assert.ok(held.has('list-1') && held.has('list-64'));
});

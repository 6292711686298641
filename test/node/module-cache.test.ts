// The cache of prepared (metered) modules: one module bigger than the memory budget stays held
// while its units come (a program of real size is metered once, not at every unit), and the ones
// used least recently go first.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { DEFAULT_LIMITS } from '../../src-main/node/exec/index.js';
import { ModuleCache } from '../../src-main/node/exec/prepare.js';
import { bigBodyUnit, reverseModule } from './fixtures/hostile/modules.js';

const cache = new ModuleCache({ memoryBytes: 4096 });
after(() => cache.close());

test(
  'a module bigger than the memory budget alone is kept for its next units; the least recently used go first',
  { timeout: 60_000 },
  async () => {
    const big = bigBodyUnit(8_192); // ~8 KB metered: twice the budget on its own
    const small = reverseModule();
    await cache.prepare(small, DEFAULT_LIMITS);
    assert.ok(cache.preparedNow(small, DEFAULT_LIMITS), 'the small module is held');
    const prepared = await cache.prepare(big, DEFAULT_LIMITS);
    assert.ok(prepared.bytes.byteLength > 4096, `the big module is ${prepared.bytes.byteLength} bytes, metered`);
    assert.equal(cache.preparedNow(big, DEFAULT_LIMITS), prepared, 'the big module is held for its next units');
    assert.equal(cache.preparedNow(small, DEFAULT_LIMITS), undefined, 'the least recently used went to make room');
    assert.equal(cache.size, 1);
  },
);

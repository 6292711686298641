// What a requester fetches of a unit's output is capped by the unit, not by a constant: a tile by
// its w × h × 4 bytes (or a failure's few bytes), whatever a provider announces.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tileOutputBytes } from '../../src-main/core/render/index.js';
import { tileFetchCap } from '../../src-main/node/mesh/units/unit-run.js';
import { MAX_FAILURE_OUTPUT_BYTES } from '../../src-main/node/mesh/units/unit-run.js';
import { unit } from '../core/scheduler-fixtures.js';

const tile = (params: Record<string, unknown>) => ({
  ...unit('u', 'j', 'render/tile', { cpu_cores: 1, ram_gb: 1 }, 1),
  params,
});

test('a tile is fetched up to its own w × h × 4 bytes, not 256 MiB', () => {
  assert.equal(tileFetchCap(tile({ w: 64, h: 32 }) as never), 64 * 32 * 4);
  assert.ok(MAX_FAILURE_OUTPUT_BYTES > 0 && MAX_FAILURE_OUTPUT_BYTES < 64, `${MAX_FAILURE_OUTPUT_BYTES}`);
  // A 1×1 tile may still come back as a failure: `{"error": …}` is longer than its 4 bytes.
  assert.equal(tileFetchCap(tile({ w: 1, h: 1 }) as never), MAX_FAILURE_OUTPUT_BYTES);
});

test('params that name no tile allow only a failure', () => {
  for (const params of [
    {},
    { w: 0, h: 4 },
    { w: 2.5, h: 4 },
    { w: '64', h: 64 },
    { w: 8193, h: 1 },
    { w: 1e9, h: 1e9 },
  ])
    assert.equal(tileOutputBytes(params), 0, JSON.stringify(params));
  assert.equal(tileFetchCap(undefined), MAX_FAILURE_OUTPUT_BYTES);
});

// Determinism across workers and pool sizes, on the kernels we ship: the same unit gives the
// same output bytes and the same fuel every time, so replicas compare by hash and bill alike.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitFrame, tileParams } from '../../src-main/core/render/index.js';
import { Executor, type ExecUnit } from '../../src-main/node/exec/index.js';
import { loadKernel } from '../../src-main/node/exec/kernels.js';
import { sampleSceneBlob } from './fixtures/sample-scene.js';

const scene = sampleSceneBlob();
const tiles = splitFrame(160, 90, 32);
if (!tiles.ok) throw new Error(tiles.error);

const units: Array<[string, ExecUnit]> = [
  [
    'render tile',
    { module: loadKernel('render'), params: { ...tileParams(3, 160, 90, tiles.value[6]!, 4, 77) }, input: scene },
  ],
  [
    'sha256',
    {
      module: loadKernel('hash'),
      params: { algorithm: 'sha256' },
      input: new Uint8Array(100_000).map((_, i) => i * 7),
    },
  ],
  [
    'blake3',
    {
      module: loadKernel('hash'),
      params: { algorithm: 'blake3' },
      input: new Uint8Array(100_000).map((_, i) => i * 13),
    },
  ],
  [
    'lanczos3 resize',
    {
      module: loadKernel('image'),
      params: { op: 'resize', width: 64, height: 48, out_width: 37, out_height: 29, filter: 'lanczos3' },
      input: new Uint8Array(64 * 48 * 4).map((_, i) => (i * 31) ^ (i >> 5)),
    },
  ],
];

test('the same unit gives identical bytes and fuel 5 times over, in pools of 1, 2 and 3 workers', async () => {
  const pools = [1, 2, 3].map((workers) => Executor.start({ workers }));
  try {
    for (const [name, unit] of units) {
      // Five runs in each pool at once, so they land on different workers of the bigger pools.
      const runs = (
        await Promise.all(pools.map((pool) => Promise.all(Array.from({ length: 5 }, () => pool.run(unit)))))
      ).flat();
      const [first] = runs;
      assert.ok(first && first.output.length > 0 && first.fuel > 0, `${name}: produced output and used fuel`);
      for (const run of runs) {
        assert.equal(run.outputHash, first.outputHash, `${name}: output hash`);
        assert.deepEqual(run.output, first.output, `${name}: output bytes`);
        assert.equal(run.fuel, first.fuel, `${name}: fuel`);
      }
    }
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
});

// A render tile's fuel estimate (core/render/estimate.ts, from the pre-pass render-jobs.ts runs)
// against what the tile burns when it runs: what a fuel-billed job escrows and pays is reckoned
// from it. Scaled by samples, a pixel's own part put a 16-spp tile at 1.5× its fuel; counted once a
// pixel, the shipped scenes' tiles come within 2 % in all, and each within 20 %.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import * as z from '../../../src-main/core/schemas/zod.js';
import { SubmitRenderSchema } from '../../../src-main/core/api/shapes.js';
import { cidOfBytes } from '../../../src-main/node/blobs/cid.js';
import { Executor } from '../../../src-main/node/exec/index.js';
import { planRenderJob, renderUnitsOf, sizeUnits } from '../../../src-main/node/mesh/render/render-jobs.js';
import { loadSceneFile } from '../../../src-main/node/render/scene-file.js';

// This file compiles to dist/test/node/render/; the repo root is four levels up.
const scenes = fileURLToPath(new URL('../../../../assets/scenes/', import.meta.url));
const pool = Executor.start({ workers: 2 });
after(() => pool.close());

/** Blobs that are hashed for their CID and kept nowhere: the units are made, nothing is stored. */
const nowhere = { me: 'estimate-test', blobs: { put: (bytes: Uint8Array) => Promise.resolve(cidOfBytes(bytes)) } };

for (const [file, spp] of [
  ['sample.json', 16],
  ['orbit.json', 16],
  ['model.json', 4],
] as const) {
  test(`${file} at ${spp} spp: the tiles' estimates come within 2 % of their fuel in all, and within 20 % each`, async () => {
    const scene = await loadSceneFile(`${scenes}${file}`);
    assert.ok(scene.ok, scene.ok ? '' : scene.error);
    const spec = z.parse(SubmitRenderSchema, {
      scene: scene.json,
      first_frame: 0,
      last_frame: 0,
      width: 320,
      height: 180,
      spp,
      tile: 64,
      gpu: 'forbidden',
      budget: 1000,
    });
    const plan = await planRenderJob(nowhere, spec, undefined, await sizeUnits(pool, spec));
    const units = await renderUnitsOf(nowhere, plan, pool, [0]);
    const blob = plan.firstBlob ?? plan.shared!;
    let estimated = 0;
    let burned = 0;
    for (const unit of units) {
      const { fuel } = await pool.run({ module: plan.module, input: blob, params: unit.params ?? {} });
      const ratio = unit.estimated_fuel! / fuel;
      assert.ok(ratio > 0.8 && ratio < 1.2, `${unit.unit_id}: estimated ${unit.estimated_fuel}, burned ${fuel}`);
      estimated += unit.estimated_fuel!;
      burned += fuel;
    }
    const ratio = estimated / burned;
    assert.ok(ratio > 0.98 && ratio < 1.02, `${units.length} tiles: estimated ${estimated}, burned ${burned}`);
  });
}

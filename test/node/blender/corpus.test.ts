// The corpus of scenes that exercise what can break a frame's check (corpus.ts, issue 87), each
// checked with the real Blender as `meshctl blender` checks it: `preflight` says how its frames are
// checked (a crop, a crop of the render before the compositor, or two providers' agreement, and
// why); an honest frame (rendered as `render-local`
// renders it: renderFrameLocal, without render-local's second preflight) passes `verify` at the
// job's samples (with three crops, each exactly the frame's pixels, where a crop can check it; by
// its whole frame re-rendered where none can); a frame rendered at 1 sample fails it, and where a
// crop checks the scene, every crop a requester could draw would catch it. Two scenes at a time:
// the file takes 3–4 minutes on two busy cores, most of it Blender starting (about 170 starts).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IDENTICAL_SHARE, identicalShare } from '../../../src-main/core/blender/compare.js';
import { crop, type Rgba } from '../../../src-main/core/blender/tiles.js';
import { findBlender } from '../../../src-main/node/blender/install.js';
import { encodeFramePng } from '../../../src-main/node/render/png.js';
import { runMeshctl, type Run } from '../../cli/fixtures/run-meshctl.js';
import { CORPUS, makeCorpus, type SceneRecipe } from './corpus.js';
import { HEIGHT, localFrame, tempFolder, WIDTH } from './scenes.js';

/** The job's samples: a frame at 1 sample is caught at these in every scene the corpus has. */
const SAMPLES = 8;
const FRAME = 2;
/** How many crops the honest frame of a scene a crop checks is verified with: each must be exact. */
const CROPS = 3;

const folder = tempFolder('blender-corpus-');
after(() => folder.done());

let blenderPath: string;

/** A recipe's scene, made by `before`. */
const sceneOf = (recipe: SceneRecipe): string => scenes.get(recipe)!;

let scenes: Map<SceneRecipe, string>;
before(async () => {
  const found = await findBlender();
  assert.ok(found.ok, found.ok ? '' : found.reason);
  blenderPath = found.install.path;
  scenes = makeCorpus(folder.dir);
});

const blender = (...args: string[]): Promise<Run> => runMeshctl(['blender', ...args]);
const printed = (run: Run): string => `exit ${run.status}\n${run.stdout}${run.stderr}`;
const percent = (share: number): string => `${(share * 100).toFixed(2)} %`;

/** `verify`'s crops as it prints them: each rectangle, and its share of identical pixels in percent. */
function verifiedCrops(run: Run): { rect: string; percent: number }[] {
  return [...run.stdout.matchAll(/^crop (\(\d+, \d+\)–\(\d+, \d+\)): ([\d.]+) % identical pixels$/gm)].map((m) => ({
    rect: m[1]!,
    percent: Number(m[2]),
  }));
}

/** The least and greatest share of identical pixels of `a` and `b` over every crop a requester could draw (a quarter of the frame). */
function everyCrop(a: Rgba, b: Rgba): { least: number; most: number } {
  const [w, h] = [Math.round(WIDTH / 2), Math.round(HEIGHT / 2)];
  let least = 1;
  let most = 0;
  for (let y0 = 0; y0 <= HEIGHT - h; y0++)
    for (let x0 = 0; x0 <= WIDTH - w; x0++) {
      const rect = { x0, y0, x1: x0 + w, y1: y0 + h };
      const share = identicalShare(crop(a, rect), crop(b, rect));
      least = Math.min(least, share);
      most = Math.max(most, share);
    }
  return { least, most };
}

/** The scene preflighted, rendered honestly and at 1 sample, and the honest frame verified; then the check of the cheat's. */
async function checkScene(recipe: SceneRecipe, note: (line: string) => void): Promise<() => Promise<void>> {
  const { name } = recipe;
  const dir = join(folder.dir, name);
  mkdirSync(dir);
  const scene = sceneOf(recipe);

  // The preflight says how the scene's frames will be checked, and why not by a crop.
  const pre = await blender('preflight', scene);
  assert.equal(pre.status, 0, `${name}: preflight failed: ${printed(pre)}`);
  const checked = /^checked: (.*)$/m.exec(pre.stdout)?.[1] ?? '';
  const tiles = /^tiles: (.*)$/m.exec(pre.stdout)?.[1] ?? '';
  if (recipe.crop) {
    assert.match(checked, /^a random quarter of each frame re-rendered here/, `${name}: checked by a crop`);
    assert.equal(tiles, 'yes', `${name}: a scene a crop checks may be tiled`);
  } else {
    const why = (
      recipe.raw
        ? /^a random quarter of each frame's render before the compositor re-rendered here, then the compositor run here over the checked render \((.*)\)$/
        : /^each frame rendered by two providers and compared, never by a crop \((.*)\); a disagreement convicts nobody$/
    ).exec(checked)?.[1];
    const how = recipe.raw ? 'its render before the compositor by a crop' : 'two providers, never by a crop';
    assert.ok(why !== undefined, `${name}: checked by ${how}; the preflight said "${checked}"`);
    assert.match(why, recipe.why ?? /./, `${name}: the reason no crop checks it`);
    assert.equal(tiles, `no, frames only: ${why}`, `${name}: frames only`);
  }
  if (recipe.preflight) assert.match(pre.stdout, recipe.preflight, `${name}: the preflight's report`);

  // An honest frame, and a cheat's at 1 sample, each as `render-local` renders it (after its preflight, which is the one above).
  const render = async (samples: number): Promise<{ image: Rgba; png: string }> => {
    const image = await localFrame({ blender: blenderPath, scene, dir, frame: FRAME, samples, seed: 0 });
    const png = join(dir, `${samples}.png`);
    writeFileSync(png, encodeFramePng(image.width, image.height, image.data));
    return { image, png };
  };
  const honest = await render(SAMPLES);
  const cheat = await render(1);
  const cheatWhole = identicalShare(honest.image, cheat.image);
  const cheatCrops = everyCrop(honest.image, cheat.image);

  // The honest frame agrees: every crop exactly its pixels, or the whole frame re-rendered.
  const verify = (image: string, crops: number) =>
    blender(
      'verify',
      scene,
      '--frame',
      String(FRAME),
      '--samples',
      String(SAMPLES),
      '--image',
      image,
      '--crops',
      String(crops),
    );
  const ok = await verify(honest.png, recipe.crop ? CROPS : 1);
  assert.equal(ok.status, 0, `${name}: the honest frame must agree: ${printed(ok)}`);
  assert.match(ok.stdout, /^agrees$/m, `${name}: agrees`);
  const okCrops = verifiedCrops(ok);
  if (recipe.crop) {
    assert.equal(okCrops.length, CROPS, `${name}: ${CROPS} crops: ${printed(ok)}`);
    for (const c of okCrops)
      assert.equal(c.percent, 100, `${name}: crop ${c.rect} of the honest frame is not exact: ${c.percent} %`);
  } else {
    assert.match(ok.stdout, /^no crop can check this scene \(.*\): rendering the whole frame$/m, `${name}: whole`);
    assert.deepEqual(okCrops, [{ rect: `(0, 0)–(${WIDTH}, ${HEIGHT})`, percent: 100 }], `${name}: ${printed(ok)}`);
  }
  note(
    `${name}: crop ${recipe.crop}; honest ${okCrops.map((c) => `${c.percent.toFixed(2)} %`).join(', ')}; ` +
      `1 sample: ${percent(cheatWhole)} of the frame, ${percent(cheatCrops.least)}–${percent(cheatCrops.most)} by crop`,
  );

  // The cheat's frame is caught: by any crop a requester could draw, or by the whole frame (its pixels
  // compared first, so a failure says by how much before verify runs).
  return async () => {
    const caught = recipe.crop ? cheatCrops.most : cheatWhole;
    assert.ok(
      caught < IDENTICAL_SHARE,
      `${name}: the 1-sample frame would pass: up to ${percent(caught)} identical ${recipe.crop ? 'in a crop' : 'pixels'}`,
    );
    const bad = await verify(cheat.png, 1);
    assert.equal(bad.status, 1, `${name}: the 1-sample frame must disagree: ${printed(bad)}`);
    assert.match(bad.stdout, /^disagrees: under 95 % identical pixels$/m, `${name}: disagrees`);
  };
}

describe('a corpus of scenes, each checked as a requester checks it', { concurrency: 2 }, () => {
  for (const recipe of CORPUS)
    it(`${recipe.name}: ${recipe.crop ? 'a crop checks it exactly' : 'no crop can check it'}`, async (t) => {
      const cheatCaught = await checkScene(recipe, (line) => t.diagnostic(line));
      await t.test(`${recipe.name}: a frame rendered at 1 sample fails verify at ${SAMPLES}`, cheatCaught);
    });
});

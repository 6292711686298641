// What the corpus of scenes that can break a frame's check (test/node/blender/corpus.ts, issue 87)
// does on the mesh, and what a glare scene's check costs (docs/BLENDER.md, "What a check can prove"):
// - blender_false_convictions (target 0): honest providers convicted over BLENDER_CORPUS_ROUNDS
//   rounds (3 unless set) of the whole corpus, each scene a 2-frame job at 8 samples, all submitted
//   at once to a requester with Blender and rendered by two honest providers sharing theirs
//   (in-process nodes: fixtures/blender-corpus.ts); blender_corpus_checked / _total: the scenes
//   whose frames a crop checks exactly (the job record without `blender_agreement`: a crop of the
//   frame, or of its render before the compositor, the requester compositing), of all;
// - blender_cheats_caught / _total (target: all): a frame rendered at 1 sample of each scene,
//   judged as the requester's own pipeline would on this machine (not a mesh job, to keep it short):
//   by its crop and, failing it, the whole frame (renderCheckCrops, compareWithCrop, confirmWhole),
//   of the frame or of its render before the compositor (`raw` scenes: the units' output there);
//   where no crop can check the scene, by the two providers' agreement rule against an honest
//   frame. `crop_confirmations_needed`: honest frames that failed their crop and passed the whole
//   frame (0 where every crop is exact);
// - blender_composite_overhead_pct (target <= 20): the glare scene's 4-frame job (160×120, 32
//   samples) over two providers as blender_mesh_overhead_pct measures its scene (pinned, 2 rounds,
//   median; fixtures/blender-mesh.ts). No crop of a glare scene's frame can check it: each provider
//   renders its frames' render before the compositor, checked by a crop, and the requester runs the
//   compositor over each (redundancy 1); the job ends when the last frame is composited.
import { readFileSync } from 'node:fs';
import { IDENTICAL_SHARE, identicalShare } from '../src-main/core/blender/compare.js';
import { BlenderUnitParamsSchema } from '../src-main/core/blender/unit.js';
import { validate } from '../src-main/core/schemas/index.js';
import { findBlender } from '../src-main/node/blender/install.js';
import { decodeRgba } from '../src-main/node/blender/png.js';
import {
  compareWithCrop,
  confirmWhole,
  renderCheckCrops,
  renderUnit,
  type BlenderUnit,
} from '../src-main/node/blender/unit.js';
import { CORPUS, makeCorpus, type SceneRecipe } from '../test/node/blender/corpus.js';
import { GLARE, HEIGHT, tempFolder, WIDTH } from '../test/node/blender/scenes.js';
import { round, type Benchmark, type Figure } from './harness.js';
import { CORPUS_FRAMES, CORPUS_SAMPLES, corpusRounds } from './fixtures/blender-corpus.js';
import { coresOf, MESH_JOB, meshRuns } from './fixtures/blender-mesh.js';

const ROUNDS = Number(process.env.BLENDER_CORPUS_ROUNDS ?? 3);
/** The frame of each scene the cheat renders. */
const CHEAT_FRAME = 2;

const minutes = (since: number): number => round((performance.now() - since) / 60_000, 2);

async function blenderPath(): Promise<string> {
  const found = await findBlender();
  if (!found.ok) throw new Error(`blender benchmarks need Blender in its sandbox: ${found.reason}`);
  return found.install.path;
}

async function corpusFigures(): Promise<Figure[]> {
  if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`BLENDER_CORPUS_ROUNDS=${ROUNDS}: a count, 1 or more`);
  await blenderPath();
  const folder = tempFolder('blender-corpus-bench-');
  const started = performance.now();
  try {
    const run = await corpusRounds(folder.dir, ROUNDS);
    const [first = []] = run.jobs;
    const checked = first.filter((j) => !j.agreement);
    return [
      {
        name: 'blender_false_convictions',
        value: run.convictions.length,
        unit: 'convictions',
        target: '0',
        rounds: ROUNDS,
        scenes: first.length,
        frames_per_scene: CORPUS_FRAMES.length,
        samples: CORPUS_SAMPLES,
        round_minutes: run.minutes.map((m) => round(m, 2)),
        minutes: minutes(started),
        jobs_not_completed: run.jobs.flat().filter((j) => j.state !== 'completed'),
        caught_lying_events: run.caught_lying,
        // The requester's crops of the crop scenes' frames, and those failed then rendered whole.
        crop_checks: run.crop_checks,
        whole_frame_confirmations: run.whole_confirmations,
        convictions: run.convictions,
      },
      {
        name: 'blender_corpus_checked',
        value: checked.length,
        unit: 'scenes',
        target: 'report',
        by_crop: checked.map((j) => j.scene),
        by_two_providers: first.filter((j) => j.agreement).map((j) => j.scene),
        // Scenes checked otherwise than corpus.ts's `crop` says (none expected).
        unlike_corpus: first
          .filter((j) => {
            const recipe = CORPUS.find((c) => c.name === j.scene);
            return (recipe?.crop === true || recipe?.raw === true) === j.agreement;
          })
          .map((j) => j.scene),
      },
      { name: 'blender_corpus_total', value: first.length, unit: 'scenes', target: 'report' },
    ];
  } finally {
    folder.done();
  }
}

/** What the requester's pipeline makes of one scene's honest and 1-sample frames. */
interface Judged {
  scene: string;
  /** Checked by a crop: of its frame, or of its render before the compositor (raw). */
  crop: boolean;
  raw?: true;
  caught: boolean;
  /** The cheat's share of identical pixels where it was decided: the whole frame (confirmed after its crop), or the agreement's. */
  cheat_share: number;
  /** Crop scenes: the cheat's share in its crop. */
  cheat_crop_share?: number;
  /** Crop scenes: the honest frame failed its crop and passed the whole frame; or it failed both (rejected). */
  honest_confirmed?: boolean;
  honest_rejected?: boolean;
}

/** Whether `output` would be accepted by its crop, or failing that by the whole frame (blender-check.ts's order). */
async function byCrop(
  unit: BlenderUnit,
  output: Uint8Array,
  crop: Awaited<ReturnType<typeof renderCheckCrops>>[number],
): Promise<{ accepted: boolean; confirmed: boolean; share: number; cropShare: number }> {
  const verdict = await compareWithCrop(unit, output, crop);
  const cropShare = Math.min(...verdict.crops.map((c) => c.share), 1);
  if (verdict.agrees) return { accepted: true, confirmed: false, share: cropShare, cropShare };
  if (!verdict.image) return { accepted: false, confirmed: false, share: 0, cropShare }; // no frame of its size
  const whole = await confirmWhole(unit, verdict.image);
  return { accepted: whole.agrees, confirmed: true, share: whole.share, cropShare };
}

async function judge(blender: string, recipe: SceneRecipe, scene: Buffer): Promise<Judged> {
  const params = validate(BlenderUnitParamsSchema, {
    file: `${recipe.name}.blend`,
    zip: false,
    samples: CORPUS_SAMPLES,
    seed: 1,
    width: WIDTH,
    height: HEIGHT,
    // A raw scene's units are its render before the compositor, and it is what a crop checks.
    ...(recipe.raw ? { format: 'exr', raw_layer: 'ViewLayer' } : { format: 'png' }),
  });
  if (!params.ok) throw new Error(`${recipe.name}: the unit's params: ${JSON.stringify(params)}`);
  const unit: BlenderUnit = { blender, scene, params: params.value, frame: CHEAT_FRAME };
  const honest = await renderUnit(unit);
  const cheat = await renderUnit({ ...unit, params: { ...unit.params, samples: 1 } });
  if (!recipe.crop && !recipe.raw) {
    // Two providers' frames agree at IDENTICAL_SHARE identical pixels (blender-agreement.ts).
    const share = identicalShare(decodeRgba(honest.output), decodeRgba(cheat.output));
    return { scene: recipe.name, crop: false, caught: share < IDENTICAL_SHARE, cheat_share: round(share, 4) };
  }
  const [crop] = await renderCheckCrops([unit]);
  const honestVerdict = await byCrop(unit, honest.output, crop!);
  const cheatVerdict = await byCrop(unit, cheat.output, crop!);
  return {
    scene: recipe.name,
    crop: true,
    ...(recipe.raw ? { raw: true as const } : {}),
    caught: !cheatVerdict.accepted,
    cheat_share: round(cheatVerdict.share, 4),
    cheat_crop_share: round(cheatVerdict.cropShare, 4),
    honest_confirmed: honestVerdict.confirmed && honestVerdict.accepted,
    honest_rejected: !honestVerdict.accepted,
  };
}

async function cheatFigures(): Promise<Figure[]> {
  const blender = await blenderPath();
  const folder = tempFolder('blender-cheats-bench-');
  const started = performance.now();
  try {
    const judged: Judged[] = [];
    for (const [recipe, path] of makeCorpus(folder.dir, 'cheats'))
      judged.push(await judge(blender, recipe, readFileSync(path)));
    const crops = judged.filter((j) => j.crop);
    return [
      {
        name: 'blender_cheats_caught',
        value: judged.filter((j) => j.caught).length,
        unit: 'scenes',
        target: `all (${judged.length})`,
        samples: CORPUS_SAMPLES,
        cheat_samples: 1,
        // Honest frames of crop scenes that failed their crop and passed the whole frame (should be 0),
        // and any the whole frame too would have rejected (an honest provider convicted).
        crop_confirmations_needed: crops.filter((j) => j.honest_confirmed).length,
        honest_rejected: crops.filter((j) => j.honest_rejected).map((j) => j.scene),
        not_caught: judged.filter((j) => !j.caught).map((j) => j.scene),
        minutes: minutes(started),
        // The cheat's identical pixels: in its crop, then the whole frame; or against the honest frame.
        by_scene: judged.map((j) => ({
          scene: j.scene,
          crop: j.crop,
          ...(j.raw ? { raw: true } : {}),
          caught: j.caught,
          ...(j.crop ? { crop_share: j.cheat_crop_share } : {}),
          share: j.cheat_share,
        })),
      },
      { name: 'blender_cheats_total', value: judged.length, unit: 'scenes', target: 'report' },
    ];
  } finally {
    folder.done();
  }
}

async function compositeFigures(): Promise<Figure[]> {
  const started = performance.now();
  const { rounds, loads, split } = await meshRuns({ python: GLARE, redundancy: 1, placements: ['pinned'] });
  return [
    {
      ...rounds[split ? 'pinned' : 'shared'].figure('blender_composite_overhead_pct'),
      target: '<= 20',
      note:
        "no crop of a glare scene's frame can check it: each frame's render before the compositor is " +
        'rendered by one provider and checked by a crop, and the requester composites it (4 frames, ' +
        'two at a time; the local baseline renders and composites them on the providers’ cores)',
      scene: 'GLARE (test/node/blender/scenes.ts)',
      redundancy: 1,
      cores: coresOf(split),
      ...MESH_JOB,
      load_average: loads,
      minutes: minutes(started),
    },
  ];
}

export const benchmarks: Benchmark[] = [
  { names: ['blender_false_convictions', 'blender_corpus_checked', 'blender_corpus_total'], run: corpusFigures },
  { names: ['blender_cheats_caught', 'blender_cheats_total'], run: cheatFigures },
  { names: ['blender_composite_overhead_pct'], run: compositeFigures },
];

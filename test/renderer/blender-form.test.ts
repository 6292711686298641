// The Jobs page's Blender form and its frames (src-renderer/jobs/blender-form.ts, blender-frames.ts):
// the jobs.submit request as `meshctl submit-job --blend` makes it (a unit a frame, its input the
// frame number, redundancy 1), its quote's request, and a Blender job's mosaic: each frame's state, PNGs fetched once; a
// tiled frame's running tiles' samples in its caption and its bar.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BlenderPreflightView } from '../../src-main/core/api/blender-methods.js';
import { frameOf } from '../../src-main/core/blender/unit.js';
import { preflightReport } from '../core/blender/report.js';
import {
  blenderEstimate,
  blenderRequest,
  DEFAULT_BLENDER_FIELDS,
  fieldsForScene,
  preflightFacts,
} from '../../src-renderer/kinds/blender/blender-form.js';
import {
  blenderMosaic,
  frameShare,
  tiledBlenderMosaic,
  withFramePng,
  withUnitProgress,
} from '../../src-renderer/kinds/blender/blender-frames.js';

/** A dropped .blend's scene (test/renderer/blender-scene.test.ts: how drops make scenes). */
const scene = { scene_base64: 'QkxFTg==', file: 'shot-1.blend', zip: false };

function preflight(over: Partial<BlenderPreflightView> = {}): BlenderPreflightView {
  return {
    report: preflightReport({ images: [{ name: 'rock', source: 'FILE', packed: true, path: '', exists: true }] }),
    refusals: [],
    warnings: [],
    tiles: true,
    tiles_why_not: null,
    algorithm: 'blender-cycles/3.4',
    by: null,
    peers: [],
    ...over,
  };
}

test('the request is a unit a frame, its input the frame number, redundancy 1; the quote counts the frames', () => {
  const read = preflight();
  const fields = { ...fieldsForScene(DEFAULT_BLENDER_FIELDS, read), first: '3', last: '5', samples: '4' };
  assert.deepEqual(
    [fieldsForScene(DEFAULT_BLENDER_FIELDS, read).first, fieldsForScene(DEFAULT_BLENDER_FIELDS, read).last],
    ['1', '24'],
  );
  const made = blenderRequest(fields, scene, read);
  assert.ok(made.ok, made.ok ? '' : made.error);
  const request = made.value;
  assert.equal(request.name, 'shot-1.blend frames 3-5');
  assert.deepEqual(request.blender, { ...scene, seed: 0, samples: 4 });
  assert.deepEqual([request.chunk_bytes, request.redundancy, request.budget], [4, 1, 10_000]);
  const input = Buffer.from(request.input_base64, 'base64');
  assert.deepEqual(
    [0, 4, 8].map((at) => frameOf(input.subarray(at, at + 4))),
    [3, 4, 5],
  );
  const { input_base64: _input, ...terms } = request;
  assert.deepEqual(blenderEstimate(request), { ...terms, input_bytes: 12 });
  // The scene's own samples unless typed.
  const own = blenderRequest({ ...fields, samples: '' }, scene, read);
  assert.ok(own.ok && own.value.blender!.samples === undefined);

  const wrong = (f: Partial<typeof fields>, p = read) => {
    const r = blenderRequest({ ...fields, ...f }, scene, p);
    assert.ok(!r.ok);
    return r.error;
  };
  assert.equal(wrong({ first: '0' }), 'first frame: expected a whole number from 1 to 24');
  assert.equal(wrong({ last: '2' }), 'last frame: expected a whole number from 3 to 24');
  assert.equal(wrong({ last: '25' }), 'last frame: expected a whole number from 3 to 24');
  assert.match(wrong({ samples: '0' }), /^samples: expected a whole number/);
  assert.match(wrong({ budget: 'lots' }), /^budget: /);
  assert.equal(
    wrong({}, preflight({ refusals: ['missing texture "rock": /x/rock.png is not in the job'] })),
    'The scene is refused: missing texture "rock": /x/rock.png is not in the job',
  );
  const none = blenderRequest(fields, null, null);
  assert.ok(!none.ok && none.error.startsWith('Drop the scene first'));
});

test('the preflight card lists frames, size, samples, whether tiles are possible and whose Blender read it', () => {
  const facts = new Map(
    preflightFacts(preflight({ tiles: false, tiles_why_not: 'frames only: the compositor runs on the whole frame' })),
  );
  assert.equal(facts.get('Frames'), '1–24 (24 frames)');
  assert.equal(facts.get('Size'), '64×48');
  assert.equal(facts.get('Samples'), '8');
  assert.equal(facts.get('Images'), '1 (1 packed)');
  assert.equal(facts.get('Tiles'), 'frames only: the compositor runs on the whole frame');
  assert.equal(facts.get('Read by'), "this machine's Blender");
  const studio = { peer_id: '12D3KooWStudio', name: 'studio', cores: 8 };
  const remote = new Map(preflightFacts(preflight({ by: studio.peer_id, peers: [studio] })));
  assert.equal(
    remote.get('Read by'),
    "studio's Blender (this machine has none: each frame is rendered by two providers and compared)",
  );
});

test("a Blender job's mosaic: each frame's state from its unit's, a verified frame's PNG fetched once", () => {
  const view = (statuses: Array<'open' | 'assigned' | 'verified' | 'failed'>) => ({
    width: 64,
    height: 48,
    frames_total: statuses.length,
    format: 'png' as const,
    frames: statuses.map((status, i) => ({ frame: 10 + i, unit_id: `job-1/${i}`, status })),
  });
  const first = blenderMosaic(view(['open', 'assigned', 'verified', 'failed']), undefined, 48);
  assert.deepEqual(
    first.mosaic.frames.map((f) => [f.frame, f.state, f.tilesTotal, f.png]),
    [
      [10, 'waiting', 1, null],
      [11, 'rendering', 1, null],
      [12, 'verified', 1, null],
      [13, 'failed', 1, null],
    ],
  );
  assert.deepEqual(first.fetch, [{ frame: 12, unitId: 'job-1/2' }]);
  const painted = withFramePng(first.mosaic, 12, 'UE5H');
  assert.deepEqual(
    painted.frames.map((f) => [f.png, f.tilesDone, f.version]),
    [
      [null, 0, 0],
      [null, 0, 0],
      ['UE5H', 1, 1],
      [null, 0, 0],
    ],
  );
  // Read again as frame 11 is verified: frame 12's PNG is kept, only 11's is fetched.
  const next = blenderMosaic(view(['open', 'verified', 'verified', 'failed']), painted, 48);
  assert.deepEqual(next.fetch, [{ frame: 11, unitId: 'job-1/1' }]);
  assert.equal(next.mosaic.frames[2]!.png, 'UE5H');
  assert.equal(next.mosaic.frames[2]!.tilesDone, 1);
  // The first `shown` frames only; the count says how many there are.
  const few = blenderMosaic(view(['open', 'open', 'open']), undefined, 2);
  assert.deepEqual([few.mosaic.frames.length, few.mosaic.framesTotal], [2, 3]);
});

test("a frame's render shows its provider's samples (unit.progress) until it ends, and keeps them when read again", () => {
  const view = (statuses: Array<'open' | 'assigned' | 'verified'>) => ({
    width: 64,
    height: 48,
    frames_total: statuses.length,
    format: 'png' as const,
    frames: statuses.map((status, i) => ({ frame: 1 + i, unit_id: `job-1/${i}`, status })),
  });
  const { mosaic } = blenderMosaic(view(['assigned', 'open']), undefined, 48);
  const rendering = withUnitProgress(mosaic, 'job-1/0', 12, 32);
  assert.ok(rendering);
  assert.deepEqual(
    rendering.frames.map((f) => [f.state, f.samples]),
    [
      ['rendering, sample 12 of 32', { sample: 12, of: 32 }],
      ['waiting', undefined],
    ],
  );
  assert.equal(withUnitProgress(mosaic, 'job-1/9', 1, 32), undefined, 'no frame of that unit');
  const again = blenderMosaic(view(['assigned', 'assigned']), rendering, 48).mosaic;
  assert.equal(again.frames[0]!.state, 'rendering, sample 12 of 32', 'kept while it renders');
  const ended = blenderMosaic(view(['verified', 'assigned']), rendering, 48).mosaic;
  assert.deepEqual([ended.frames[0]!.state, ended.frames[0]!.samples], ['verified', undefined]);
  assert.equal(
    withUnitProgress(withFramePng(ended, 1, 'UE5H'), 'job-1/0', 13, 32),
    undefined,
    'a done frame stays done',
  );
});

test("tiles: a grid typed becomes the job spec's; refused past 16 a side, or where the preflight says tiles cannot match", () => {
  const fields = { ...fieldsForScene(DEFAULT_BLENDER_FIELDS, preflight()), tiles: '2x3' };
  const made = blenderRequest(fields, scene, preflight({ tiles: true }));
  assert.ok(made.ok, made.ok ? '' : made.error);
  assert.deepEqual(made.value.blender?.tiles, { cols: 2, rows: 3 });
  const whole = blenderRequest({ ...fields, tiles: '' }, scene, preflight({ tiles: true }));
  assert.ok(whole.ok && whole.value.blender?.tiles === undefined, 'empty: a unit a frame');
  const refused = (tiles: string, view = preflight({ tiles: true })) => {
    const r = blenderRequest({ ...fields, tiles }, scene, view);
    return r.ok ? 'accepted' : r.error;
  };
  assert.match(refused('17x1'), /tiles: expected columns x rows, each 1 to 16/);
  assert.match(refused('two by two'), /tiles: expected/);
  assert.match(
    refused('2x2', preflight({ tiles: false, tiles_why_not: 'glare needs the whole frame' })),
    /tiles: glare/,
  );
});

test('EXR chosen: the request asks for EXR frames; with tiles it is refused, saying why; PNG is the default', () => {
  const fields = fieldsForScene(DEFAULT_BLENDER_FIELDS, preflight());
  assert.equal(fields.format, 'png');
  const png = blenderRequest(fields, scene, preflight({ tiles: true }));
  assert.ok(png.ok && png.value.blender?.format === undefined, 'PNG: the terms as before');
  const exr = blenderRequest({ ...fields, format: 'exr' }, scene, preflight({ tiles: true }));
  assert.ok(exr.ok, exr.ok ? '' : exr.error);
  assert.equal(exr.value.blender?.format, 'exr');
  const tiled = blenderRequest({ ...fields, format: 'exr', tiles: '2x2' }, scene, preflight({ tiles: true }));
  assert.ok(!tiled.ok);
  assert.match(tiled.error, /EXR frames cannot be cut into tiles \(tiles are stitched as 8-bit PNG\)/);
});

test("a tiled job's mosaic: each frame's tiles verified so far, then its stitched PNG, fetched once", () => {
  const view = {
    tiles: { cols: 2, rows: 2, first_frame: 1, width: 64, height: 48 },
    frames: [
      { frame: 1, tiles_total: 4, tiles_verified: 4, png_cid: 'bafk-1', rendering: [] },
      { frame: 2, tiles_total: 4, tiles_verified: 1, png_cid: null, rendering: [] },
    ],
  };
  const first = tiledBlenderMosaic(view, undefined, 10);
  assert.deepEqual(first.fetch, [1]);
  assert.deepEqual(
    first.mosaic.frames.map((f) => [f.frame, f.tilesDone, f.tilesTotal, f.state]),
    [
      [1, 4, 4, 'verified'],
      [2, 1, 4, '1 of 4 tiles'],
    ],
  );
  assert.deepEqual([first.mosaic.width, first.mosaic.height], [64, 48]);
  const withPng = withFramePng(first.mosaic, 1, 'iVBORw0KGgo=');
  assert.deepEqual(tiledBlenderMosaic(view, withPng, 10).fetch, [], 'a PNG in hand is not fetched again');
});

test("a tiled frame's rendering tiles show their providers' samples (unit.progress) in its caption and bar", () => {
  const view = (frames: Array<{ verified: number; rendering: string[]; png?: string }>) => ({
    tiles: { cols: 4, rows: 2, first_frame: 1, width: 64, height: 48 },
    frames: frames.map((f, i) => ({
      frame: 1 + i,
      tiles_total: 8,
      tiles_verified: f.verified,
      png_cid: f.png ?? null,
      rendering: f.rendering,
    })),
  });
  const shown = (m: { frames: Array<Parameters<typeof frameShare>[0]> }) =>
    m.frames.map((f) => [f.state, frameShare(f)]);
  // Frame 1: 3 tiles verified, units 3 and 4 rendering; frame 2: units 8 and 9 waiting for a provider.
  const { mosaic } = tiledBlenderMosaic(
    view([
      { verified: 3, rendering: ['job-1/3', 'job-1/4'] },
      { verified: 0, rendering: [] },
    ]),
    undefined,
    10,
  );
  assert.deepEqual(shown(mosaic), [
    ['3 of 8 tiles, 2 rendering', 3 / 8],
    ['0 of 8 tiles', 0],
  ]);
  const one = withUnitProgress(mosaic, 'job-1/3', 12, 32);
  assert.ok(one);
  assert.deepEqual(shown(one), [
    ['3 of 8 tiles, 2 rendering (sample 12 of 32)', (3 + 12 / 32) / 8],
    ['0 of 8 tiles', 0],
  ]);
  const both = withUnitProgress(one, 'job-1/4', 20, 32);
  assert.ok(both);
  assert.deepEqual(shown(both)[0], ['3 of 8 tiles, 2 rendering (samples 12–20 of 32)', (3 + 12 / 32 + 20 / 32) / 8]);
  assert.equal(withUnitProgress(both, 'job-1/8', 1, 32), undefined, 'a tile no frame lists rendering');
  // Read again: unit 3 verified (no longer rendering), unit 4 still rendering keeps its samples, unit 5 taken.
  const again = tiledBlenderMosaic(
    view([
      { verified: 4, rendering: ['job-1/4', 'job-1/5'] },
      { verified: 0, rendering: [] },
    ]),
    both,
    10,
  ).mosaic;
  assert.deepEqual(shown(again)[0], ['4 of 8 tiles, 2 rendering (sample 20 of 32)', (4 + 20 / 32) / 8]);
  assert.equal(withUnitProgress(again, 'job-1/3', 32, 32), undefined, 'an ended tile counts no more');
  // Stitched: done, its tiles' progress no longer heard.
  const stitched = tiledBlenderMosaic(
    view([
      { verified: 8, rendering: [], png: 'bafk-1' },
      { verified: 0, rendering: [] },
    ]),
    again,
    10,
  ).mosaic;
  assert.deepEqual(shown(withFramePng(stitched, 1, 'UE5H'))[0], ['verified', 1]);
  assert.equal(withUnitProgress(stitched, 'job-1/4', 32, 32), undefined);
});

test("the file's own size by default; a resolution % typed is the job's, shown on the card; EXR of a glare scene refused", () => {
  const half = preflight({ report: preflightReport({ width: 128, height: 96, percentage: 50 }) });
  assert.equal(new Map(preflightFacts(half)).get('Size'), '128×96 at 50 %: 64×48');
  const fields = fieldsForScene(DEFAULT_BLENDER_FIELDS, half);
  const own = blenderRequest(fields, scene, half);
  assert.ok(own.ok && own.value.blender?.resolution_percentage === undefined, "the file's own: nothing asked");
  const quarter = blenderRequest({ ...fields, percentage: '25' }, scene, half);
  assert.ok(quarter.ok && quarter.value.blender?.resolution_percentage === 25);
  const none = blenderRequest({ ...fields, percentage: '1' }, scene, half);
  assert.ok(!none.ok);
  assert.match(none.error, /^resolution %: 128×96 at 1 % is 1×0 pixels/);

  const glare = preflight({
    report: preflightReport({ compositing: true, compositor_nodes: ['COMPOSITE', 'GLARE', 'R_LAYERS'] }),
  });
  assert.match(new Map(preflightFacts(glare)).get('Checked') ?? '', /two providers .* never by a crop/);
  const exr = blenderRequest({ ...fieldsForScene(DEFAULT_BLENDER_FIELDS, glare), format: 'exr' }, scene, glare);
  assert.ok(!exr.ok);
  assert.match(exr.error, /EXR frames of this scene cannot be checked \(no crop can: the compositor has a glare node/);
});

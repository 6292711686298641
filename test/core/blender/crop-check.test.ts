// Whether a crop can check a scene's frames (core/blender/crop-check.ts): only where every output
// pixel is its own render's, and never on the word of a report that lacks the facts. A scene the
// crop cannot check is checked by two providers' agreement, which convicts nobody.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkWords, frameCheckOf } from '../../../src-main/core/blender/crop-check.js';
import { judgePreflight, outputSize, sizeRefusal } from '../../../src-main/core/blender/preflight.js';
import { preflightReport } from './report.js';

const withNodes = (nodes: string[]) => preflightReport({ compositing: true, compositor_nodes: nodes });

test('no compositing, or only pixel-wise nodes: a crop checks the frame exactly', () => {
  assert.deepEqual(frameCheckOf(preflightReport({ compositor_nodes: [] })), { crop: true });
  assert.deepEqual(frameCheckOf(withNodes(['COMPOSITE', 'R_LAYERS'])), { crop: true });
  assert.deepEqual(frameCheckOf(withNodes(['COMPOSITE', 'EXPOSURE', 'HUE_SAT', 'MIX_RGB', 'R_LAYERS', 'VIEWER'])), {
    crop: true,
  });
  // Compositing off: its nodes do not run, whatever they are (the report lists none then).
  assert.deepEqual(frameCheckOf(preflightReport({ compositing: false })), { crop: true });
});

test('a node that reads other pixels, or Freestyle, the sequencer or another scene: no crop can check it', () => {
  const glare = frameCheckOf(withNodes(['COMPOSITE', 'GLARE', 'R_LAYERS']));
  assert.deepEqual(glare, { crop: false, why: 'the compositor has a glare node, which reads pixels outside a crop' });
  const many = frameCheckOf(withNodes(['BLUR', 'COMPOSITE', 'DEFOCUS', 'DENOISE', 'FILTER', 'LENSDIST', 'R_LAYERS']));
  assert.equal(many.crop, false);
  assert.match(many.crop ? '' : many.why, /^the compositor has blur, defocus, denoise, … nodes, which read pixels/);
  // A node we do not know (a group, a newer Blender's) is not taken as pixel-wise.
  assert.equal(frameCheckOf(withNodes(['GROUP', 'R_LAYERS', 'COMPOSITE'])).crop, false);
  assert.equal(frameCheckOf(withNodes(['R_LAYERS', 'COMPOSITE', 'SOMETHING_NEW'])).crop, false);
  assert.match(JSON.stringify(frameCheckOf(preflightReport({ freestyle: true }))), /Freestyle/);
  assert.match(JSON.stringify(frameCheckOf(preflightReport({ sequencer: true }))), /sequencer/);
  const other = frameCheckOf(
    preflightReport({ compositing: true, compositor_nodes: ['R_LAYERS', 'COMPOSITE'], other_scenes: true }),
  );
  assert.match(JSON.stringify(other), /another scene/);
});

test("where only the compositor reads outside a crop, from one view layer's Image and Alpha: its render before the compositor is checked (raw)", () => {
  const layers = (...outputs: string[][]) => outputs.map((o) => ({ layer: 'ViewLayer', outputs: o }));
  const glare = (render_layers: { layer: string; outputs: string[] }[], more = {}) =>
    frameCheckOf(
      preflightReport({
        compositing: true,
        compositor_nodes: ['COMPOSITE', 'GLARE', 'R_LAYERS'],
        render_layers,
        ...more,
      }),
    );
  const why = 'the compositor has a glare node, which reads pixels outside a crop';
  assert.deepEqual(glare(layers(['Image'])), { crop: false, why, raw: { layer: 'ViewLayer' } });
  assert.deepEqual(glare(layers(['Alpha', 'Image'], [])), { crop: false, why, raw: { layer: 'ViewLayer' } });
  assert.match(
    checkWords(glare(layers(['Image'])), false),
    /^a random quarter of each frame's render before the compositor re-rendered here, then the compositor run here/,
  );
  // Another pass (a defocus's depth), two view layers, or something besides the compositor: two providers.
  assert.deepEqual(glare(layers(['Depth', 'Image'])), { crop: false, why });
  assert.deepEqual(glare([...layers(['Image']), { layer: 'Bare', outputs: ['Image'] }]), { crop: false, why });
  assert.equal('raw' in glare(layers(['Image']), { freestyle: true }), false);
  assert.equal('raw' in glare(layers(['Image']), { other_scenes: true }), false);
  // A report without the Render Layers (an earlier version's), or no Render Layers node at all: none.
  assert.equal('raw' in glare([]), false);
  assert.equal('raw' in frameCheckOf(withNodes(['COMPOSITE', 'GLARE', 'R_LAYERS'])), false);
  // A requester without Blender cannot composite: its words are two providers'.
  assert.match(checkWords(glare(layers(['Image'])), true), /two providers/);
});

test("a report of an earlier version's node (a peer's reading) lacks the nodes: compositing then means no crop", () => {
  const old = preflightReport({ compositing: true });
  assert.equal(old.compositor_nodes, undefined);
  assert.deepEqual(frameCheckOf(old), { crop: false, why: 'the compositor runs on the whole frame' });
});

test('tiles follow the crop: a scene no crop can check is frames only, and says why', () => {
  const verdict = judgePreflight(withNodes(['COMPOSITE', 'GLARE', 'R_LAYERS']));
  assert.equal(verdict.tiles, false);
  assert.equal(verdict.tilesWhyNot, 'frames only: the compositor has a glare node, which reads pixels outside a crop');
  assert.equal(judgePreflight(withNodes(['COMPOSITE', 'EXPOSURE', 'R_LAYERS'])).tiles, true);
});

test('how the frames will be checked, in words', () => {
  assert.match(
    checkWords({ crop: true }, false),
    /quarter of each frame re-rendered here; .* rendered whole here before anyone is convicted/,
  );
  assert.match(
    checkWords({ crop: false, why: 'the compositor has a glare node' }, false),
    /two providers .* never by a crop \(the compositor has a glare node\); a disagreement convicts nobody/,
  );
  assert.match(checkWords({ crop: true }, true), /two providers .*no Blender here/);
});

test("the frame's size at a percentage is Blender's own, in integers; none under a pixel", () => {
  const report = preflightReport({ width: 128, height: 96, percentage: 50 });
  assert.deepEqual(outputSize(report), { width: 64, height: 48 });
  assert.deepEqual(outputSize(report, 33), { width: 42, height: 31 });
  assert.equal(sizeRefusal(report), undefined);
  assert.match(sizeRefusal(report, 1) ?? '', /128×96 at 1 % is 1×0 pixels/);
  assert.match(sizeRefusal(preflightReport({ width: 65_536, height: 10 }), 200) ?? '', /131072×20/);
});

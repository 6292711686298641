// The pure parts of Blender rendering: tiles that cover a frame and whose borders Blender cuts at
// exactly their pixels, stitching and cropping, the pixel comparison, the sandbox's command line,
// our Python's numbers, progress lines, and the preflight's refusals and warnings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blenderAlgorithm } from '../../../src-main/core/blender/algorithm.js';
import { renderArgs, renderExpression, sandboxArgv, scenePath } from '../../../src-main/core/blender/args.js';
import { IDENTICAL_SHARE, identicalShare } from '../../../src-main/core/blender/compare.js';
import { judgePreflight, parseReport, REPORT_MARK } from '../../../src-main/core/blender/preflight.js';
import { sampleProgress } from '../../../src-main/core/blender/progress.js';
import { borderOf, crop, stitch, tileGrid, type Rgba } from '../../../src-main/core/blender/tiles.js';
import { pickCrops } from '../../../src-main/core/blender/crops.js';
import { preflightReport } from './report.js';

test('tiles cover the frame once, and each border lands on its pixels however Blender rounds a float32', () => {
  for (const [w, h, c, r] of [
    [64, 48, 2, 2],
    [1920, 1080, 7, 5],
    [333, 97, 4, 3],
    [48, 48, 3, 3],
  ] as const) {
    const tiles = tileGrid(w, h, c, r);
    const covered = new Uint8Array(w * h);
    for (const t of tiles)
      for (let y = t.y0; y < t.y1; y++)
        for (let x = t.x0; x < t.x1; x++) covered[y * w + x] = (covered[y * w + x] ?? 0) + 1;
    assert.ok(
      covered.every((n) => n === 1),
      `${w}×${h} in ${c}×${r}`,
    );
    for (const t of tiles) {
      const b = borderOf(t, w, h);
      for (const cutAt of [Math.trunc, Math.round]) {
        assert.equal(cutAt(Math.fround(b.minX) * w), t.x0);
        assert.equal(cutAt(Math.fround(b.maxX) * w), t.x1);
        // Blender's rows run up from the bottom.
        assert.equal(cutAt(Math.fround(b.minY) * h), h - t.y1);
        assert.equal(cutAt(Math.fround(b.maxY) * h), h - t.y0);
      }
    }
  }
  assert.throws(() => tileGrid(4, 4, 5, 1), RangeError);
});

function image(width: number, height: number, fill: (i: number) => number): Rgba {
  return { width, height, data: Uint8Array.from({ length: width * height * 4 }, (_, i) => fill(i)) };
}

test('crops of a frame stitch back to the same bytes; a tile of the wrong size is refused', () => {
  const frame = image(10, 7, (i) => (i * 31) % 251);
  const tiles = tileGrid(10, 7, 3, 2).map((rect) => ({ rect, image: crop(frame, rect) }));
  assert.deepEqual(stitch(10, 7, tiles), frame);
  const [first, ...rest] = tiles;
  assert.ok(first);
  assert.throws(() =>
    stitch(10, 7, [{ rect: first.rect, image: crop(frame, { x0: 0, y0: 0, x1: 1, y1: 1 }) }, ...rest]),
  );
});

test('the share of identical pixels counts a pixel as one, all four channels', () => {
  const a = image(10, 10, () => 7);
  const b = image(10, 10, (i) => (i === 0 || i === 5 || i === 6 ? 8 : 7)); // pixels 0 and 1 differ
  assert.equal(identicalShare(a, a), 1);
  assert.equal(identicalShare(a, b), 0.98);
  assert.ok(identicalShare(b, a) >= IDENTICAL_SHARE);
  const half = image(10, 10, (i) => (i < 200 ? 7 : 9));
  assert.equal(identicalShare(a, half), 0.5);
  assert.ok(identicalShare(half, a) < IDENTICAL_SHARE);
  assert.ok(IDENTICAL_SHARE > 0.5 && IDENTICAL_SHARE < 0.99);
  assert.throws(
    () =>
      identicalShare(
        a,
        image(5, 20, () => 7),
      ),
    RangeError,
  );
});

test('the sandbox: no network, nothing of the user’s, a clean environment, no capabilities, limits, low priority, -Y', () => {
  const argv = sandboxArgv(
    { blender: '/usr/bin/blender', unitDir: '/tmp/unit-1', limits: { memoryBytes: 2 ** 30, fileBytes: 2 ** 26 } },
    ['x'],
  );
  const text = argv.join(' ');
  for (const flag of ['--unshare-all', '--die-with-parent', '--new-session', '--clearenv', '--cap-drop ALL'])
    assert.ok(text.includes(flag), flag);
  assert.ok(text.includes('--ro-bind /usr /usr'));
  assert.ok(text.includes('--ro-bind /etc/alternatives /etc/alternatives'));
  assert.ok(text.includes('--ro-bind /etc/ld.so.cache /etc/ld.so.cache'));
  assert.ok(text.includes('--bind /tmp/unit-1 /unit'));
  // The only host paths seen: /usr, the two of /etc, and the unit's folder.
  const binds = argv.flatMap((a, i) => (a === '--ro-bind' || a === '--bind' ? [argv[i + 1]] : []));
  assert.deepEqual(
    binds.toSorted((a, b) => String(a).localeCompare(String(b))),
    ['/etc/alternatives', '/etc/ld.so.cache', '/tmp/unit-1', '/usr'],
  );
  assert.ok(text.includes(`--as=${2 ** 30} --fsize=${2 ** 26} --core=0`));
  assert.ok(text.includes('/usr/bin/nice -n 19 /usr/bin/blender -b -Y --factory-startup x'));
  assert.ok(!argv.includes('-y') && !argv.includes('--enable-autoexec'));
  // A Blender outside /usr brings its own folder, read-only.
  const opt = sandboxArgv(
    { blender: '/opt/blender/blender', unitDir: '/u', limits: { memoryBytes: 1, fileBytes: 1 } },
    [],
  );
  assert.ok(opt.join(' ').includes('--ro-bind /opt/blender /opt/blender'));
});

test('our Python takes only checked numbers, and a scene only by a plain name', () => {
  const code = renderExpression({ file: 'a.blend', frame: 3, samples: 16, seed: 9 });
  for (const line of [
    'for sc in bpy.data.scenes:',
    'sc.cycles.samples = 16',
    "sc.cycles.use_layer_samples = 'IGNORE'",
    'sc.cycles.seed = 9',
    'sc.render.dither_intensity = 0',
    "debug_bvh_layout = 'BVH2'",
    'sc.render.threads = 1',
    'sc.cycles.use_denoising = False',
    's.render.resolution_percentage = 100',
  ])
    assert.ok(code.includes(line), line);
  assert.throws(() => renderExpression({ file: 'a.blend', frame: 1, samples: 1.5, seed: 0 }), RangeError);
  assert.throws(() => renderExpression({ file: 'a.blend', frame: 1, samples: 1, seed: -1 }), RangeError);
  assert.deepEqual(renderArgs({ file: 'a.blend', frame: 2, samples: 1, seed: 0 }).slice(-2), ['-f', '2']);
  const tiled = renderExpression({
    file: 'a.blend',
    frame: 1,
    samples: 1,
    seed: 0,
    tile: { rect: { x0: 0, y0: 0, x1: 32, y1: 24 }, width: 64, height: 48 },
  });
  assert.ok(tiled.includes('use_crop_to_border = True'));
  for (const bad of ['../a.blend', '/etc/a.blend', 'a.blend; rm', '.hidden.blend', 'a.py', "a'.blend"])
    assert.throws(() => scenePath(bad), RangeError, bad);
  assert.equal(blenderAlgorithm([3, 4, 1]), 'blender-cycles/3.4');
});

test('progress comes from Cycles’ Sample lines', () => {
  assert.deepEqual(
    sampleProgress(
      'Fra:1 Mem:10.38M (Peak 10.91M) | Time:00:00.09 | Mem:1.02M, Peak:1.02M | Scene, ViewLayer | Sample 16/64',
    ),
    { sample: 16, of: 64 },
  );
  assert.equal(sampleProgress('Fra:1 | Scene, ViewLayer | Finished'), undefined);
  assert.equal(sampleProgress('| Sample 9/8'), undefined);
});

const REPORT = preflightReport();

test('the preflight refuses by name and warns of what it turns off', () => {
  assert.deepEqual(judgePreflight(REPORT), {
    refusals: [],
    warnings: [],
    check: { crop: true },
    tiles: true,
    frames: { start: 1, end: 24, step: 1 },
  });
  const bad = judgePreflight({
    ...REPORT,
    saved_by: [4, 2, 0],
    engine: 'BLENDER_EEVEE',
    denoising: true,
    percentage: 50,
    glare: true,
    compositing: true,
    compositor_nodes: ['COMPOSITE', 'GLARE', 'R_LAYERS'],
    images: [{ name: 'wood', source: 'FILE', packed: false, path: '/home/me/wood.png', exists: false }],
    libraries: [{ path: '/home/me/lib.blend', packed: false }],
  });
  assert.equal(bad.refusals.length, 4);
  assert.match(bad.refusals.join('\n'), /saved by Blender 4\.2, newer than the providers' 3\.4/);
  assert.match(bad.refusals.join('\n'), /BLENDER_EEVEE/);
  assert.match(bad.refusals.join('\n'), /missing texture "wood": \/home\/me\/wood\.png/);
  assert.match(bad.refusals.join('\n'), /linked library \/home\/me\/lib\.blend is not packed/);
  assert.match(bad.warnings.join('\n'), /denoising is turned off/);
  assert.equal(bad.tiles, false);
  assert.match(bad.tilesWhyNot ?? '', /glare/);
});

test('the preflight report is read from its own line and validated', () => {
  const good = parseReport(`Blender 3.4.1\nRead blend\n${REPORT_MARK}${JSON.stringify(REPORT)}\nBlender quit`);
  assert.ok(good.ok);
  assert.equal(parseReport('Error: cannot read file').ok, false);
  const extra = parseReport(`${REPORT_MARK}${JSON.stringify({ ...REPORT, evil: 1 })}`);
  assert.ok(!extra.ok);
  assert.ok(!parseReport(`${REPORT_MARK}${JSON.stringify({ ...REPORT, width: -1 })}`).ok);
  assert.ok(!parseReport(`${REPORT_MARK}{not json`).ok);
});

test('crops are the share of the frame asked, inside it, at places the random source draws', () => {
  const draws = [0, 0.999, 0.5, 0.25];
  let i = 0;
  const crops = pickCrops(64, 48, 2, 0.5, () => draws[i++ % draws.length] ?? 0);
  assert.deepEqual(crops, [
    { x0: 0, y0: 24, x1: 32, y1: 48 },
    { x0: 16, y0: 6, x1: 48, y1: 30 },
  ]);
  for (const c of pickCrops(7, 5, 50, 0.3, Math.random))
    assert.ok(c.x0 >= 0 && c.x1 <= 7 && c.y0 >= 0 && c.y1 <= 5 && c.x1 - c.x0 === 2);
  assert.throws(() => pickCrops(7, 5, 1, 0, Math.random), RangeError);
});

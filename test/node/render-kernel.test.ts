import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileSceneJson,
  splitFrame,
  stitchTiles,
  tileParams,
  type TileParams,
} from '../../src-main/core/render/index.js';
import { instantiateUnsandboxed, runUnsandboxed } from '../../src-main/node/exec/unsandboxed.js';
import { callUnit, UnitStatus } from '../../src-main/node/exec/abi.js';
import { loadKernel } from '../../src-main/node/exec/kernels.js';
import { sampleSceneBlob } from './fixtures/sample-scene.js';
import { buildNativeRenderer, psnr } from '../../bench/native/render-native.js';

const kernel = new WebAssembly.Module(loadKernel('render'));
const blob = sampleSceneBlob();

const [WIDTH, HEIGHT, SPP, SEED] = [64, 48, 2, 1234];
const full: TileParams = {
  frame: 3,
  width: WIDTH,
  height: HEIGHT,
  x: 0,
  y: 0,
  w: WIDTH,
  h: HEIGHT,
  spp: SPP,
  seed: SEED,
};
const render = (params: TileParams, input: Uint8Array = blob) => runUnsandboxed(kernel, params, input);
const fullFrame = render(full);

function renderTiled(tileSize: number): Uint8Array {
  const tiles = splitFrame(WIDTH, HEIGHT, tileSize);
  assert.ok(tiles.ok);
  const outputs = tiles.value.map((tile) => ({
    tile,
    rgba: render(tileParams(full.frame, WIDTH, HEIGHT, tile, SPP, SEED)),
  }));
  const frame = stitchTiles(WIDTH, HEIGHT, outputs);
  assert.ok(frame.ok);
  return frame.value;
}

test('tiles of 16 and of 32 stitched together are byte-identical to one tile over the frame', () => {
  assert.equal(fullFrame.length, WIDTH * HEIGHT * 4);
  assert.deepEqual(renderTiled(16), fullFrame);
  assert.deepEqual(renderTiled(32), fullFrame);
});

test('the same unit renders the same bytes twice; another seed or frame renders others', () => {
  assert.deepEqual(render(full), fullFrame);
  assert.notDeepEqual(render({ ...full, seed: SEED + 1 }), fullFrame);
  assert.notDeepEqual(render({ ...full, frame: 20 }), fullFrame);
});

test('frames past the last keyframe hold the last camera; frames between keys move it', () => {
  // Each frame has its own noise, so compare the images blurred into 8×8 blocks.
  const blocks = (rgba: Uint8Array) => {
    const sums = new Float64Array((WIDTH / 8) * (HEIGHT / 8));
    for (let i = 0; i < rgba.length; i += 4) {
      const pixel = i / 4;
      sums[Math.floor(pixel / WIDTH / 8) * (WIDTH / 8) + Math.floor((pixel % WIDTH) / 8)]! +=
        rgba[i]! + rgba[i + 1]! + rgba[i + 2]!;
    }
    return sums.map((s) => s / (64 * 3));
  };
  const distance = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;
  const last = blocks(render({ ...full, frame: 23 }));
  const held = distance(last, blocks(render({ ...full, frame: 500 })));
  const moved = distance(last, blocks(render({ ...full, frame: 0 })));
  assert.ok(held * 2 < moved, `held ${held.toFixed(2)} vs moved ${moved.toFixed(2)}`);
});

test('the image is opaque and shows a scene, not a flat colour', () => {
  const colours = new Set<number>();
  for (let i = 0; i < fullFrame.length; i += 4) {
    assert.equal(fullFrame[i + 3], 255);
    colours.add((fullFrame[i]! << 16) | (fullFrame[i + 1]! << 8) | fullFrame[i + 2]!);
  }
  assert.ok(colours.size > 500, `${colours.size} distinct colours`);
  // The sky (top row) is brighter than the floor under the spheres (bottom row).
  const rowMean = (y: number) =>
    fullFrame.subarray(y * WIDTH * 4, (y + 1) * WIDTH * 4).reduce((s, v) => s + v, 0) / (WIDTH * 4);
  assert.ok(rowMean(0) > rowMean(HEIGHT - 1));
});

/** The unit's refusal status, or 0 when it rendered. */
function status(params: unknown, input: Uint8Array = blob): number {
  try {
    runUnsandboxed(kernel, params, input);
    return 0;
  } catch (err) {
    if (err instanceof UnitStatus) return err.status;
    throw err;
  }
}

/** A floor of `cells`×`cells` squares (two triangles each) over x, z in -100..100 at y = 0. */
function gridFloor(cells: number) {
  const vertices: [number, number, number][] = [];
  const faces: [number, number, number][] = [];
  for (let i = 0; i <= cells; i++)
    for (let j = 0; j <= cells; j++) vertices.push([-100 + (200 * j) / cells, 0, -100 + (200 * i) / cells]);
  for (let i = 0; i < cells; i++) {
    for (let j = 0; j < cells; j++) {
      const a = i * (cells + 1) + j;
      faces.push([a, a + cells + 1, a + 1], [a + 1, a + cells + 1, a + cells + 2]);
    }
  }
  return { vertices, faces, material: 'floor' };
}

test('a floor of 2,048 triangles through the BVH renders like the same floor as a plane', () => {
  const base = {
    camera: { position: [0, 3, 5], look_at: [0, 0, 0], fov: 40 },
    materials: {
      floor: { type: 'diffuse', albedo: [0.8, 0.6, 0.4] },
      ball: { type: 'diffuse', albedo: [0.3, 0.5, 0.8] },
    },
    spheres: [{ center: [0, 1, 0], radius: 1, material: 'ball' }],
    sky: { horizon: [1, 1, 1], zenith: [0.4, 0.6, 1] },
    max_depth: 4,
  };
  const plane = compileSceneJson({ ...base, planes: [{ point: [0, 0, 0], normal: [0, 1, 0], material: 'floor' }] }, 0);
  const mesh = compileSceneJson({ ...base, meshes: [gridFloor(32)] }, 0);
  assert.ok(plane.ok && mesh.ok);
  const params: TileParams = { frame: 0, width: 48, height: 32, x: 0, y: 0, w: 48, h: 32, spp: 4, seed: 9 };
  const db = psnr(render(params, plane.value), render(params, mesh.value));
  assert.ok(db >= 35, `PSNR ${db.toFixed(1)} dB`);
});

test('bad params are refused with STATUS_BAD_PARAMS (1)', () => {
  const bad: unknown[] = [
    { ...full, x: 60, w: 8 }, // past the right edge
    { ...full, y: -1 },
    { ...full, w: 0 },
    { ...full, spp: 0 },
    { ...full, spp: 4097 },
    { ...full, width: 8193, w: 8 },
    { ...full, seed: -1 },
    { ...full, seed: 2 ** 32 },
    { ...full, frame: 1.5 },
    { frame: 0 },
  ];
  for (const params of bad) assert.equal(status(params), 1, JSON.stringify(params));
  // Bytes that are not a JSON object, written straight in (runUnsandboxed only sends objects).
  assert.throws(
    () => callUnit(instantiateUnsandboxed(kernel), new TextEncoder().encode('[1, 2]'), blob, 1 << 20),
    (err) => err instanceof UnitStatus && err.status === 1,
  );
});

test('a malformed scene blob is refused with STATUS_BAD_INPUT (2), never read past its end', () => {
  const tiny: TileParams = { ...full, w: 4, h: 4 };
  const patched = (at: number, value: number, kind: 'u32' | 'f64', copy = blob.slice()) => {
    const view = new DataView(copy.buffer);
    if (kind === 'u32') view.setUint32(at, value, true);
    else view.setFloat64(at, value, true);
    return copy;
  };
  const header = new DataView(blob.buffer, blob.byteOffset);
  const sphereOffset = header.getUint32(44, true);
  const nodeOffset = header.getUint32(56, true);
  const bad: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['truncated', blob.subarray(0, blob.length - 8)],
    ['bad magic', patched(0, 0x12345678, 'u32')],
    ['version 2', patched(4, 2, 'u32')],
    ['sphere section past the end', patched(44, blob.length - 8, 'u32')],
    ['too many triangles', patched(28, 1_000_000, 'u32')],
    ['sphere material out of range', patched(sphereOffset + 32, 99, 'f64')],
    ['BVH root whose child is itself', patched(nodeOffset + 52, 0, 'u32', patched(nodeOffset + 48, 0, 'u32'))],
    ['BVH leaf past the triangles', patched(nodeOffset + 52, 1000, 'u32', patched(nodeOffset + 48, 0, 'u32'))],
    ['max depth 0', patched(216, 0, 'f64')],
  ];
  for (const [what, input] of bad) assert.equal(status(tiny, input), 2, what);
});

test('the C twin renders the same picture (PSNR >= 30 dB)', (t) => {
  const built = buildNativeRenderer();
  if ('missing' in built) {
    t.skip(`no native baseline: ${built.missing}`);
    return;
  }
  try {
    const native = built.renderer.render(blob, full, 1);
    const db = psnr(native.rgba, fullFrame);
    assert.ok(db >= 30, `PSNR ${db.toFixed(1)} dB`);
  } finally {
    built.renderer.dispose();
  }
});

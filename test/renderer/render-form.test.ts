import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_RENDER_FIELDS,
  GPU_CHOICES,
  parseFrameRange,
  renderRequest,
  type Scene,
} from '../../src-renderer/kinds/render/render-form.js';
import { GpuModeSchema } from '../../src-main/core/schemas/render-job.js';
import { earningsByPeer, earningsSeries } from '../../src-renderer/ledger/earnings-model.js';

const scene = { camera: { position: [0, 1, 5], look_at: [0, 0, 0], fov: 40 } } as unknown as Scene;

test('frames are one number or a range', () => {
  assert.deepEqual(parseFrameRange('1-2'), { ok: true, value: { first: 1, last: 2 } });
  assert.deepEqual(parseFrameRange(' 7 '), { ok: true, value: { first: 7, last: 7 } });
  assert.equal(parseFrameRange('3-1').ok, false);
  assert.equal(parseFrameRange('1,2').ok, false);
});

test('the form becomes a render.submit request with the budget in millicredits', () => {
  const request = renderRequest(
    { ...DEFAULT_RENDER_FIELDS, frames: '1-2', width: '160', height: '90', spp: '4', tile: '32', budget: '2.5' },
    scene,
    'sample',
  );
  assert.deepEqual(request, {
    ok: true,
    value: {
      name: 'sample, frames 1–2, 160×90',
      scene,
      first_frame: 1,
      last_frame: 2,
      width: 160,
      height: 90,
      spp: 4,
      tile: 32,
      exact_tiles: false,
      redundancy: 1,
      budget: 2500,
      manual_accept: false,
      open_to_strangers: false,
      gpu: 'allowed',
    },
  });
});

test('the GPU select offers every mode the node knows, allowed first, and sends the chosen one', () => {
  assert.deepEqual(
    GPU_CHOICES.map((c) => c.mode),
    GpuModeSchema.options,
  );
  assert.equal(DEFAULT_RENDER_FIELDS.gpu, 'allowed');
  for (const { mode } of GPU_CHOICES) {
    const request = renderRequest({ ...DEFAULT_RENDER_FIELDS, gpu: mode }, scene, 'sample');
    assert.equal(request.ok && request.value.gpu, mode);
  }
});

test('a render job is closed to strangers unless the box is ticked', () => {
  assert.equal(DEFAULT_RENDER_FIELDS.strangers, false);
  const open = renderRequest({ ...DEFAULT_RENDER_FIELDS, strangers: true }, scene, 'sample');
  assert.equal(open.ok && open.value.open_to_strangers, true);
});

test('tiles may go several to a unit unless Exact tiles is ticked', () => {
  assert.equal(DEFAULT_RENDER_FIELDS.exactTiles, false);
  const exact = renderRequest({ ...DEFAULT_RENDER_FIELDS, exactTiles: true }, scene, 'sample');
  assert.equal(exact.ok && exact.value.exact_tiles, true);
});

test('a field that is wrong is named in the message', () => {
  const bad = renderRequest({ ...DEFAULT_RENDER_FIELDS, width: '0' }, scene, 'sample');
  assert.equal(bad.ok, false);
  assert.match(bad.ok ? '' : bad.error, /^width:/);
  const budget = renderRequest({ ...DEFAULT_RENDER_FIELDS, budget: 'lots' }, scene, 'sample');
  assert.match(budget.ok ? '' : budget.error, /^budget:/);
});

test('earned and spent add up over time from the transfers, from the totals before them; per peer as the ledger has them', () => {
  const transfers = [
    { seq: 1, at: '2026-03-01T10:00:00.000Z', peer_id: 'alice', amount: 1500, job_id: 'j1' },
    { seq: 2, at: '2026-03-01T10:00:00.000Z', peer_id: 'bob', amount: -400, job_id: 'j2' },
    { seq: 3, at: '2026-03-01T11:00:00.000Z', peer_id: 'alice', amount: 500, job_id: 'j1' },
  ];
  assert.deepEqual(earningsSeries(transfers), [
    { t: Date.parse('2026-03-01T10:00:00.000Z'), earned: 1500, spent: 400 },
    { t: Date.parse('2026-03-01T11:00:00.000Z'), earned: 2000, spent: 400 },
  ]);
  // Only the newest transfers held: the curve ends at the ledger's all-time totals.
  assert.deepEqual(earningsSeries(transfers, 400, { earned: 9000, spent: 1400 }), [
    { t: Date.parse('2026-03-01T10:00:00.000Z'), earned: 8500, spent: 1400 },
    { t: Date.parse('2026-03-01T11:00:00.000Z'), earned: 9000, spent: 1400 },
  ]);
  const peers = [
    { peer_id: 'bob', balance: -400, earned: 0, spent: 400 },
    { peer_id: 'alice', balance: 2000, earned: 2000, spent: 0 },
  ];
  assert.deepEqual(earningsByPeer(peers), [
    { peer_id: 'alice', earned: 2000, spent: 0 },
    { peer_id: 'bob', earned: 0, spent: 400 },
  ]);
  const many = Array.from({ length: 1000 }, (_, i) => ({
    seq: i + 1,
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    peer_id: 'p',
    amount: 1,
    job_id: 'j',
  }));
  const series = earningsSeries(many, 100);
  assert.equal(series.length, 100);
  assert.deepEqual(series.at(-1), { t: Date.UTC(2026, 0, 1, 0, 16, 39), earned: 1000, spent: 0 });
});

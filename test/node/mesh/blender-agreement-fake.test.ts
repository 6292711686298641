// Two providers' frames of one Blender unit compared by pixels (verdicts/blender-agreement.ts), over
// a fake blob store: honest renders on another CPU code path (a few pixels a level off) agree though
// their bytes differ; a render with a wrong seed or fewer samples (most pixels changed) does not; a
// frame of another size, or no PNG at all, agrees with nothing, not even a copy of itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode } from 'fast-png';
import { framesInput, type BlenderUnitParams } from '../../../src-main/core/blender/unit.js';
import type { Vote } from '../../../src-main/core/consensus/index.js';
import type { AssignmentRecord } from '../../../src-main/core/mesh/state/state.js';
import type { WorkUnit } from '../../../src-main/core/schemas/index.js';
import { cidOfBytes } from '../../../src-main/node/blobs/cid.js';
import { BlenderAgreement } from '../../../src-main/node/mesh/verdicts/blender-agreement.js';

const [W, H] = [40, 30];

/** A frame's PNG: a noisy gradient, with `changed` of its pixels moved by `by` levels. */
function frame(changed: number, by = 1, width = W, height = H): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const base = (i * 37) % 200;
    const moved = i % Math.round(1 / changed) === 0 && changed > 0 ? by : 0;
    data.set([base + moved, (base * 3) % 250, 17, 255], i * 4);
  }
  return encode({ width, height, data, channels: 4, depth: 8 });
}

const params: BlenderUnitParams = { file: 'scene.blend', zip: false, samples: 4, seed: 3, width: W, height: H };
const input = framesInput([1]);

function setUp(outputs: Record<string, Uint8Array>) {
  const blobs = new Map<string, Uint8Array>([[cidOfBytes(input), input]]);
  const held = new Map(Object.values(outputs).map((bytes) => [cidOfBytes(bytes), bytes]));
  const ctx = {
    blobs: {
      get: (cid: string) => blobs.get(cid),
      putVerified: (cid: string, bytes: Uint8Array) => Promise.resolve(void blobs.set(cid, bytes)),
    },
    fetchBlob: (_peer: string, cid: string) => {
      const bytes = held.get(cid);
      return bytes ? Promise.resolve(bytes) : Promise.reject(new Error('no such blob'));
    },
    log: () => {},
    signal: new AbortController().signal,
  } as unknown as ConstructorParameters<typeof BlenderAgreement>[0];
  const unit = { unit_id: 'u', job_id: 'j', input_cid: cidOfBytes(input), params } as unknown as WorkUnit;
  const assignments = Object.entries(outputs).map(
    ([id, bytes]) =>
      ({
        acceptance: { provider_peer: `peer-${id}` },
        result: { result_id: id, output_cid: cidOfBytes(bytes) },
      }) as unknown as AssignmentRecord,
  );
  const votes = new Map<string, Vote>(
    Object.entries(outputs).map(([id, bytes]) => [id, { result_id: id, hash: cidOfBytes(bytes), peer: id }]),
  );
  return { agreement: new BlenderAgreement(ctx), unit, assignments, votes };
}

test('two frames agree by their pixels, at or above the share of identical ones, whatever their bytes', async () => {
  const honest = frame(0);
  const outputs = {
    honest,
    otherCpu: frame(0.01), // 1 % of pixels a level off: another code path's float noise
    fewerSamples: frame(0.5, 9), // half the pixels moved
    otherSize: frame(0, 1, W, H - 1),
    garbage: new Uint8Array([1, 2, 3]),
  };
  const { agreement, unit, assignments, votes } = setUp(outputs);
  const prepared = await agreement.prepare(unit, assignments, 1 << 20);
  assert.ok(prepared);
  assert.equal(prepared.unfetchable.size, 0);
  const agree = (a: string, b: string) => prepared.comparator(votes.get(a)!, votes.get(b)!);
  assert.notEqual(cidOfBytes(honest), cidOfBytes(outputs.otherCpu), 'their bytes differ');
  assert.ok(agree('honest', 'otherCpu'), 'an honest render on another code path agrees');
  assert.ok(agree('honest', 'honest'));
  assert.ok(!agree('honest', 'fewerSamples'), 'a cheaper render does not');
  assert.ok(!agree('honest', 'otherSize'), 'a frame of another size does not');
  assert.ok(!agree('garbage', 'garbage'), 'garbage agrees with nothing, not even its copy');
});

test('a frame that cannot be fetched is asked for again, then left out', async () => {
  const { agreement, unit, assignments } = setUp({ a: frame(0), b: frame(0.01) });
  const lost = assignments.map((a, i) =>
    i === 1 ? { ...a, result: { ...a.result!, output_cid: cidOfBytes(new Uint8Array([9])) } } : a,
  );
  assert.equal(await agreement.prepare(unit, lost, 1 << 20), undefined, 'decided again later');
  assert.equal(await agreement.prepare(unit, lost, 1 << 20), undefined);
  const third = await agreement.prepare(unit, lost, 1 << 20);
  assert.deepEqual([...(third?.unfetchable ?? [])], ['b']);
});

// Workflows across three real nodes (node/mesh/workflows): the examples in assets/workflows/ run
// from the API, each step a job of the requester's computed by the others, each step's outputs
// feeding the next; a second run is all memo (no job submitted); a requester stopped mid-way
// resumes its workflow at its next start, re-attaching to the job it had started.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode as decodePng } from 'fast-png';
import { after, test } from 'node:test';
import type { ApiHandlers } from '../../../src-main/core/api/contract.js';
import type { WorkflowView } from '../../../src-main/core/api/workflow-methods.js';
import { cidOfBytes } from '../../../src-main/node/blobs/cid.js';
import { encodeFramePng } from '../../../src-main/node/render/png.js';
import { meshOf, startNode, stopAll, waitFor, type TestNode } from './cluster.js';

const nodes: TestNode[] = [];
after(() => stopAll(nodes));

const example = (name: string) =>
  readFileSync(new URL(`../../../../assets/workflows/${name}`, import.meta.url), 'utf8');

async function ended(api: ApiHandlers, workflowId: string, timeoutMs = 90_000): Promise<WorkflowView> {
  return waitFor(
    `workflow ${workflowId} to end`,
    async () => {
      const { workflow } = await api['workflows.status']({ workflow_id: workflowId });
      return workflow.outcome === 'running' ? undefined : workflow;
    },
    timeoutMs,
  );
}

async function filesOf(api: ApiHandlers, workflowId: string, step: string): Promise<Buffer[]> {
  const { files } = await api['workflows.output']({ workflow_id: workflowId, step, from: 0 });
  return files.map((file) => Buffer.from(file.base64!, 'base64'));
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();
/** A 64 × 64 PNG of noise, as a photo. */
const pngPhoto = (name: string) => ({
  name,
  base64: Buffer.from(encodeFramePng(64, 64, randomBytes(64 * 64 * 4))).toString('base64'),
});
const photos = Array.from({ length: 3 }, (_, i) => pngPhoto(`photo-${i}.png`));

test(
  'the photos example runs across three nodes: two fan-outs in parallel, each hashed after, a condition; a second run is all memo, a third with a photo more runs only its units',
  { timeout: 180_000 },
  async () => {
    nodes.push(await startNode(), await startNode(), await startNode());
    const [a] = nodes as [TestNode, TestNode, TestNode];
    await meshOf(nodes);
    const { workflow_id } = await a.api['workflows.run']({
      document: example('photos.json'),
      inputs: { photos: { files: photos } },
      no_cache: false,
    });
    const done = await ended(a.api, workflow_id);
    assert.equal(done.outcome, 'completed', JSON.stringify(done.steps));
    for (const step of done.steps) {
      assert.equal(step.state, 'done', `${step.id}: ${step.detail}`);
      assert.equal(step.units, 3);
      assert.equal(
        step.job_id,
        `wf.${workflow_id}.${step.id}.1`,
        'its job id derives from the workflow, step and attempt',
      );
    }
    // Each hash step hashed the files of the step it needs, as their providers computed them.
    const gray = await filesOf(a.api, workflow_id, 'gray');
    assert.deepEqual(await filesOf(a.api, workflow_id, 'gray-sums'), gray.map(sha256));
    const thumbs = await filesOf(a.api, workflow_id, 'thumbs');
    const thumb = decodePng(thumbs[0]!);
    assert.deepEqual([thumb.width, thumb.height], [16, 16], 'resized to 16 × 16');
    assert.deepEqual(await filesOf(a.api, workflow_id, 'thumb-sums'), thumbs.map(sha256));
    assert.deepEqual(
      await filesOf(a.api, workflow_id, 'originals'),
      photos.map((photo) => sha256(Buffer.from(photo.base64, 'base64'))),
      'the condition (3 units or more) held',
    );
    const jobs = a.node.state.jobs.size;
    assert.ok(done.steps.every((step) => a.node.state.jobs.get(step.job_id!)?.job.requester === a.node.peerId));

    // The same workflow again: every unit's output is in the memo, no job is submitted.
    const started = Date.now();
    const again = await a.api['workflows.run']({
      document: example('photos.json'),
      inputs: { photos: { files: photos } },
      no_cache: false,
    });
    const memo = await ended(a.api, again.workflow_id);
    assert.equal(memo.outcome, 'completed');
    for (const step of memo.steps) assert.equal(step.cached, 3, `${step.id}: all of its units from the memo`);
    assert.equal(a.node.state.jobs.size, jobs, 'no job submitted');
    assert.deepEqual(await filesOf(a.api, again.workflow_id, 'gray-sums'), gray.map(sha256));
    assert.ok(Date.now() - started < 5_000);
    // And again with the photos by the CID of their list, as the first run stored it: no file sent.
    const list = again.files_cids?.['photos'];
    assert.ok(list !== undefined, 'a run given files says the CID of their list');
    const byCid = await a.api['workflows.run']({
      document: example('photos.json'),
      inputs: { photos: { files_cid: list } },
      no_cache: false,
    });
    assert.deepEqual(byCid.files_cids, { photos: list }, 'the same files, the same list');
    const listed = await ended(a.api, byCid.workflow_id);
    assert.ok(listed.steps.every((step) => step.state === 'done' && step.cached === 3));
    assert.deepEqual(await filesOf(a.api, byCid.workflow_id, 'gray-sums'), gray.map(sha256));

    // --no-cache runs every unit again.
    const fresh = await a.api['workflows.run']({
      document: example('photos.json'),
      inputs: { photos: { files: photos } },
      no_cache: true,
    });
    const rerun = await ended(a.api, fresh.workflow_id);
    assert.equal(rerun.outcome, 'completed');
    assert.ok(rerun.steps.every((step) => step.cached === 0));
    assert.equal(a.node.state.jobs.size, jobs + 5);

    // One photo more: only its units run, in jobs of one unit, and the outputs keep the photos' order.
    const more = [photos[0]!, pngPhoto('new.png'), ...photos.slice(1)];
    const partial = await a.api['workflows.run']({
      document: example('photos.json'),
      inputs: { photos: { files: more } },
      no_cache: false,
    });
    const grown = await ended(a.api, partial.workflow_id);
    assert.equal(grown.outcome, 'completed');
    for (const step of grown.steps) {
      assert.equal(step.units, 4);
      assert.equal(step.cached, 3, `${step.id}: the three known photos' units from the memo`);
      assert.equal(a.node.state.jobs.get(step.job_id!)?.job.unit_count, 1, `${step.id}: a job of the one new unit`);
    }
    const grayMore = await filesOf(a.api, partial.workflow_id, 'gray');
    assert.deepEqual([grayMore[0], ...grayMore.slice(2)], gray, 'in the order of the photos');
    assert.deepEqual(await filesOf(a.api, partial.workflow_id, 'gray-sums'), grayMore.map(sha256));
  },
);

test('a list of files by CID is refused, saying why, when it is unknown, no list, too long or names a file not held; nothing is stored', async () => {
  const a = nodes[0]!;
  const document = JSON.stringify({
    inputs: { items: { type: 'files' }, more: { type: 'files' } },
    budget: 10_000_000,
    steps: [{ id: 'each', uses: { library: 'hash', method: 'sha256' }, for_each: { items: { $input: 'items' } } }],
  });
  const fresh = { name: 'fresh', base64: randomBytes(64).toString('base64') };
  const freshCid = cidOfBytes(Buffer.from(fresh.base64, 'base64'));
  const put = async (value: unknown) =>
    (await a.api['blobs.put']({ data_base64: Buffer.from(JSON.stringify(value)).toString('base64') })).cid;
  const held = { name: 'held', ...(await a.api['blobs.put']({ data_base64: randomBytes(64).toString('base64') })) };
  const { cid: heldCid, bytes: heldBytes } = held;
  const refusals: [string, RegExp][] = [
    [cidOfBytes(randomBytes(32)), /input "items": no list of files \S+ in this node's store/],
    [await put({ files: [] }), /is not a JSON list of files/],
    [await put([{ name: 'x', cid: heldCid }]), /is not a JSON list of files/],
    [
      await put(Array.from({ length: 10_001 }, () => ({ name: 'x', cid: heldCid, bytes: heldBytes }))),
      /lists 10001 files, over 10000/,
    ],
    [
      await put([{ name: 'gone', cid: cidOfBytes(randomBytes(64)), bytes: 64 }]),
      /its file gone \(\S+, 64 bytes\) is not in this node's store/,
    ],
    [
      await put([{ name: 'held', cid: heldCid, bytes: heldBytes + 1 }]),
      /its file held \(\S+, 65 bytes\) is not in this node's store/,
    ],
  ];
  const before = a.node.workflows.ids().length;
  for (const [cid, why] of refusals)
    await assert.rejects(
      a.api['workflows.run']({
        document,
        inputs: { more: { files: [fresh] }, items: { files_cid: cid } },
        no_cache: false,
      }),
      why,
    );
  assert.equal(a.node.workflows.ids().length, before, 'no workflow stored');
  assert.equal(a.node.ctx.blobs.has(freshCid), false, 'nor the files given beside the list');
  // A list written by hand is as good as one a run stored.
  const ok = await a.api['workflows.run']({
    document,
    inputs: { items: { files_cid: await put([held]) }, more: { files: [fresh] } },
    no_cache: false,
  });
  assert.equal((await ended(a.api, ok.workflow_id)).outcome, 'completed');
});

test('a refused workflow names its step; the chain example skips its condition and needs every input', async () => {
  const a = nodes[0]!;
  const cycle = JSON.stringify({
    budget: 10,
    steps: [
      { id: 'a', uses: { library: 'hash', method: 'sha256' }, needs: ['b'] },
      { id: 'b', uses: { library: 'hash', method: 'sha256' }, needs: ['a'] },
    ],
  });
  await assert.rejects(
    a.api['workflows.run']({ document: cycle, inputs: {}, no_cache: false }),
    /step "a" is in a cycle of needs: a → b → a/,
  );
  await assert.rejects(
    a.api['workflows.run']({ document: example('chain.json'), inputs: {}, no_cache: false }),
    /input "data" \(file\) was not given/,
  );
  const data = { name: 'data', base64: randomBytes(64 * 4).toString('base64') };
  const { workflow_id } = await a.api['workflows.run']({
    document: example('chain.json'),
    inputs: { data: { file: data }, rounds: { value: 1 } },
    no_cache: false,
  });
  const done = await ended(a.api, workflow_id);
  assert.deepEqual(
    done.steps.map((step) => [step.id, step.state]),
    [
      ['chunks', 'done'],
      ['again', 'skipped'],
    ],
  );
  const chunks = await filesOf(a.api, workflow_id, 'chunks');
  const input = Buffer.from(data.base64, 'base64');
  assert.deepEqual(
    chunks,
    [0, 1, 2, 3].map((i) => sha256(input.subarray(i * 64, (i + 1) * 64))),
  );
});

test(
  'the render example renders an animation on the others, makes it a video and fingerprints its frames',
  { timeout: 180_000 },
  async () => {
    const a = nodes[0]!;
    const scene = {
      name: 'orbit.json',
      base64: readFileSync(new URL('../../../../assets/scenes/orbit.json', import.meta.url)).toString('base64'),
    };
    const { workflow_id } = await a.api['workflows.run']({
      document: example('render.json'),
      inputs: { scene: { file: scene } },
      no_cache: false,
    });
    const done = await ended(a.api, workflow_id, 150_000);
    assert.equal(done.outcome, 'completed', JSON.stringify(done.steps));
    assert.equal(done.steps[0]!.units, 2, 'two frames');
    const frames = await filesOf(a.api, workflow_id, 'frames');
    assert.equal(frames.length, 2);
    for (const png of frames) assert.deepEqual(png.subarray(1, 4), Buffer.from('PNG'));
    const all = Buffer.concat(frames);
    const chunks = Array.from({ length: Math.ceil(all.byteLength / 1024) }, (_, i) =>
      sha256(all.subarray(i * 1024, (i + 1) * 1024)),
    );
    assert.deepEqual(await filesOf(a.api, workflow_id, 'fingerprint'), chunks);
    // The frames as one video: a WebM of two frames at 12 a second, as ffprobe reads it.
    const [webm] = await filesOf(a.api, workflow_id, 'video');
    const file = join(mkdtempSync(join(tmpdir(), 'mesh-video-')), 'orbit.webm');
    writeFileSync(file, webm!);
    const probe = JSON.parse(
      execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', file], {
        encoding: 'utf8',
      }),
    ) as {
      streams: { codec_name: string; width: number; height: number; nb_read_frames: string; r_frame_rate: string }[];
    };
    const [stream] = probe.streams;
    assert.deepEqual(
      [stream?.codec_name, stream?.width, stream?.height, stream?.nb_read_frames, stream?.r_frame_rate],
      ['vp8', 48, 32, '2', '12/1'],
    );
  },
);

test(
  'a requester stopped while a step runs resumes the workflow at its next start, on the same job',
  { timeout: 180_000 },
  async () => {
    const [, b, c] = nodes as [TestNode, TestNode, TestNode];
    const a = await startNode();
    nodes.push(a); // stopped by after() too, should the test fail before it stops it
    await meshOf([a, b, c]);
    const many = Array.from({ length: 40 }, (_, i) => pngPhoto(`p${i}.png`));
    const { workflow_id } = await a.api['workflows.run']({
      document: example('photos.json'),
      inputs: { photos: { files: many } },
      no_cache: true,
    });
    const grayJob = `wf.${workflow_id}.gray.1`;
    // Its job made and not completed (its 40 units may be decided in one pack, so "some of them
    // decided" may never be seen).
    await waitFor('the first step running', () => {
      const record = a.node.state.jobs.get(grayJob);
      return record && !record.completedAt ? true : undefined;
    });
    await a.node.stop();
    const restarted = await startNode({ dataDir: a.dataDir });
    nodes.push(restarted);
    await meshOf([restarted, b, c]);
    const done = await ended(restarted.api, workflow_id);
    assert.equal(done.outcome, 'completed', JSON.stringify(done.steps));
    for (const step of done.steps)
      assert.equal(step.attempt, 1, `${step.id} ran once: its job was found, not started again`);
    const gray = await filesOf(restarted.api, workflow_id, 'gray');
    assert.equal(gray.length, 40);
    assert.deepEqual(await filesOf(restarted.api, workflow_id, 'gray-sums'), gray.map(sha256));
  },
);

test('a cancelled workflow starts no further step; its running job is cancelled', { timeout: 120_000 }, async () => {
  const a = nodes.at(-1)!;
  const many = Array.from({ length: 60 }, (_, i) => ({
    name: `c${i}`,
    base64: randomBytes(64 * 64 * 4).toString('base64'),
  }));
  const { workflow_id } = await a.api['workflows.run']({
    document: example('photos.json'),
    inputs: { photos: { files: many } },
    no_cache: true,
  });
  await waitFor('the first step to start', () => a.node.state.jobs.get(`wf.${workflow_id}.gray.1`));
  const photo = cidOfBytes(Buffer.from(many[0]!.base64, 'base64'));
  assert.ok(a.node.workflows.holds(photo), "the garbage collector keeps a running workflow's inputs");
  const { workflow } = await a.api['workflows.cancel']({ workflow_id });
  const done = await ended(a.api, workflow.workflow_id);
  assert.equal(done.outcome, 'cancelled');
  const states = Object.fromEntries(done.steps.map((step) => [step.id, step.state]));
  assert.equal(states['gray-sums'], 'cancelled', 'no step started after the cancel');
  assert.equal(states.originals, 'cancelled');
  assert.equal(a.node.state.jobs.get(`wf.${workflow_id}.gray-sums.1`), undefined);
  assert.ok(a.node.state.jobs.get(`wf.${workflow_id}.gray.1`)!.cancelled, "the running step's job is cancelled");
  await new Promise((resolve) => setTimeout(resolve, 1100)); // what it holds is read again each second
  assert.ok(!a.node.workflows.holds(photo), 'an ended workflow holds nothing');
  await assert.rejects(a.api['workflows.cancel']({ workflow_id }), /no running workflow/);
});

// A Blender scene as a workflow's step (issue 88, item 4), on real nodes on loopback: the step
// (`"uses": "blender"`) renders two frames of a tiny scene through the Blender kind's planner, on a
// provider sharing Blender, checked by the requester's crops as any Blender job; its output is the
// frames, `1.png` and `2.png`, the job's verified frames, and a later step reads them (a sha256 of
// each 1 KiB of them). A step whose params are not a Blender job's is refused, saying why.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ApiHandlers } from '../../../src-main/core/api/contract.js';
import type { WorkflowView } from '../../../src-main/core/api/workflow-methods.js';
import { meshOf, startNode, stopAll, waitFor, type TestNode } from '../mesh/cluster.js';
import { makeScene } from './scenes.js';
import { blenderSharing } from './providers.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-blender-step-'));
const nodes: TestNode[] = [];
after(async () => {
  await stopAll(nodes);
  rmSync(dir, { recursive: true, force: true });
});

const document = (params: Record<string, unknown>) =>
  JSON.stringify({
    name: 'two Blender frames, then fingerprinted',
    inputs: { scene: { type: 'file' } },
    budget: 1_000_000_000,
    steps: [
      { id: 'frames', uses: 'blender', input: { $input: 'scene' }, params },
      {
        id: 'fingerprint',
        uses: { library: 'hash', method: 'sha256' },
        needs: ['frames'],
        input: { $step: 'frames', files: true },
        chunk_bytes: 1024,
      },
    ],
  });

async function ended(api: ApiHandlers, workflowId: string): Promise<WorkflowView> {
  return waitFor(
    `workflow ${workflowId} to end`,
    async () => {
      const { workflow } = await api['workflows.status']({ workflow_id: workflowId });
      return workflow.outcome === 'running' ? undefined : workflow;
    },
    240_000,
  );
}

test('a Blender step renders its frames on the mesh, and a later step reads them', { timeout: 400_000 }, async () => {
  const scene = join(dir, 'scene.blend');
  makeScene(scene);
  nodes.push(await startNode(), await startNode());
  const [requester, provider] = nodes as [TestNode, TestNode];
  await meshOf(nodes);
  await blenderSharing(provider, true);
  const inputs = { scene: { file: { name: 'scene.blend', base64: readFileSync(scene).toString('base64') } } };
  const { workflow_id: workflowId } = await requester.api['workflows.run']({
    document: document({ first_frame: 1, last_frame: 2, samples: 4, seed: 3 }),
    inputs,
    no_cache: false,
  });
  const done = await ended(requester.api, workflowId);
  assert.equal(done.outcome, 'completed', JSON.stringify(done.steps));
  const { files } = await requester.api['workflows.output']({ workflow_id: workflowId, step: 'frames', from: 0 });
  assert.deepEqual(
    files.map((file) => file.name),
    ['1.png', '2.png'],
  );
  const frames = files.map((file) => Buffer.from(file.base64!, 'base64'));
  for (const png of frames) assert.deepEqual(png.subarray(0, 8), Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'));
  // The step's frames are its job's verified units, rendered by the provider.
  const jobId = `wf.${workflowId}.frames.1`;
  const { outputs } = await requester.api['jobs.outputs']({ job_id: jobId });
  assert.deepEqual(
    outputs.map((unit) => Buffer.from(unit.output_base64!, 'base64')),
    frames,
  );
  const rendered = [...requester.node.state.assignments.values()].filter(
    (a) => a.acceptance.job_id === jobId && a.result,
  );
  assert.ok(rendered.length >= 2 && rendered.every((a) => a.acceptance.provider_peer === provider.node.peerId));
  // The next step read them: a sha256 of each 1 KiB of the frames, end to end.
  const all = Buffer.concat(frames);
  const expected = [];
  for (let at = 0; at < all.byteLength; at += 1024)
    expected.push(
      createHash('sha256')
        .update(all.subarray(at, at + 1024))
        .digest(),
    );
  const { files: sums } = await requester.api['workflows.output']({
    workflow_id: workflowId,
    step: 'fingerprint',
    from: 0,
  });
  assert.deepEqual(
    sums.map((file) => Buffer.from(file.base64!, 'base64')),
    expected,
  );

  // Params that are no Blender job's are refused at the step, naming them.
  const bad = await requester.api['workflows.run']({
    document: document({ first_frame: 1, spp: 4 }),
    inputs,
    no_cache: false,
  });
  const failed = await ended(requester.api, bad.workflow_id);
  assert.equal(failed.outcome, 'failed');
  assert.match(JSON.stringify(failed.steps), /step \\?"frames\\?": .*spp/);
});

// A workflow from meshctl across three nodes in processes of their own, its requester SIGKILLed
// while a step's job runs, and again at a random moment, then a provider at a random moment (each
// restarted on its data dir and port): the requester resumes the
// workflow from its journaled facts, re-attaches to the jobs it had started (each step's job id is
// attempt 1's: none is started again), and completes with every output verified and right.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { encodeFramePng } from '../../../src-main/node/render/png.js';
import type { WorkflowView } from '../../../src-main/core/api/workflow-methods.js';
import {
  killAllChildren,
  meshAll,
  meshctl,
  startChild,
  startMesh,
  stopChild,
  within,
  type ChildNode,
} from './child-nodes.js';

after(killAllChildren);

/** Enough that the first step is still running when it is looked at, a few times a second. */
const PHOTOS = 150;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();

function photosDir(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-photos-'));
  for (let i = 0; i < count; i++)
    writeFileSync(join(dir, `p${String(i).padStart(3, '0')}.png`), encodeFramePng(64, 64, randomBytes(64 * 64 * 4)));
  return dir;
}

async function status(node: ChildNode, workflowId: string): Promise<WorkflowView> {
  const { workflow } = await node.api.call('workflows.status', { workflow_id: workflowId });
  return workflow;
}

/** SIGKILLs the requester once `ready` says so, restarts it on its data dir and port, and has it meet the others again. */
async function killAndRestart(nodes: ChildNode[], ready: () => Promise<boolean>): Promise<ChildNode> {
  const [a, ...others] = nodes as [ChildNode, ...ChildNode[]];
  await within('the moment to kill', 60_000, async () => ((await ready()) ? true : undefined), 20);
  await stopChild(a, 'SIGKILL');
  const port = Number(a.listen.split('/')[4]);
  const restarted = await startChild({ dataDir: a.dataDir, port, graceSeconds: 2 });
  await meshAll([restarted, ...others]);
  return restarted;
}

async function completes(node: ChildNode, workflowId: string): Promise<WorkflowView> {
  return within(
    'the workflow to end',
    120_000,
    async () => {
      const view = await status(node, workflowId);
      return view.outcome === 'running' ? undefined : view;
    },
    250,
  );
}

test(
  'a workflow run from meshctl survives SIGKILLs of its requester, mid-step and at a random moment, and of a provider, recomputing nothing',
  { timeout: 300_000 },
  async () => {
    // A short grace: the units a killed provider held go to another soon after their deadline.
    let nodes = await startMesh([{ graceSeconds: 2 }, { graceSeconds: 2 }, { graceSeconds: 2 }]);
    const dir = photosDir(PHOTOS);
    const run = await meshctl([
      'workflow',
      'run',
      'assets/workflows/photos.json',
      '--input',
      `photos=${dir}`,
      '--data-dir',
      nodes[0]!.dataDir,
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const { workflow_id: id } = JSON.parse(run.stdout) as { workflow_id: string };

    // Killed while the first step's job has some of its units verified and not all.
    const gray = `wf.${id}.gray.1`;
    let before = 0;
    const a1 = await killAndRestart(nodes, async () => {
      const { job } = await nodes[0]!.api.call('jobs.status', { job_id: gray }).catch(() => ({ job: undefined }));
      before = job?.units_verified ?? 0;
      return job !== undefined && before > 0 && before < job.units_total;
    });
    nodes = [a1, nodes[1]!, nodes[2]!];
    // Killed again at a random moment of what is left.
    const at = Date.now() + Math.random() * 3_000;
    const a2 = await killAndRestart(
      nodes,
      async () => Date.now() >= at || (await status(a1, id)).outcome !== 'running',
    );
    nodes = [a2, nodes[1]!, nodes[2]!];
    // And a provider, at a random moment: its units in flight go to the other one, or to it once back.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 2_000));
    const b = nodes[1]!;
    await stopChild(b, 'SIGKILL');
    const b1 = await startChild({ dataDir: b.dataDir, port: Number(b.listen.split('/')[4]), graceSeconds: 2 });
    nodes = [a2, b1, nodes[2]!];
    await meshAll(nodes);

    const done = await completes(a2, id);
    assert.equal(done.outcome, 'completed', JSON.stringify(done.steps));
    for (const step of done.steps) {
      assert.equal(step.state, 'done');
      assert.equal(step.attempt, 1, `${step.id}: its job was found again, not started anew`);
      assert.equal(step.units, PHOTOS);
    }
    // The units verified before the first kill stayed verified: the job went on, nothing was made again.
    const { job } = await a2.api.call('jobs.status', { job_id: gray });
    assert.equal(job.units_total, PHOTOS);
    assert.equal(job.units_verified, PHOTOS);
    const { jobs } = await a2.api.call('jobs.list', {});
    assert.equal(
      jobs.filter((j) => j.job_id.startsWith(`wf.${id}.`)).length,
      5,
      'one job per step, none started twice',
    );
    assert.ok(before > 0);

    // The status as text, and a step's files written by meshctl.
    const text = await meshctl(['workflow', 'status', id, '--data-dir', a2.dataDir]);
    assert.match(text.stdout, new RegExp(`workflow ${id} \\(photos: .*\\): completed`));
    assert.match(
      text.stdout,
      new RegExp(`gray-sums +done +crypto/sha256 +after gray +${PHOTOS} units: ${PHOTOS} verified, 0 from the memo`),
    );
    const out = mkdtempSync(join(tmpdir(), 'mesh-wf-out-'));
    for (const step of ['gray', 'gray-sums']) {
      const written = await meshctl([
        'workflow',
        'output',
        id,
        step,
        '--out',
        join(out, step),
        '--data-dir',
        a2.dataDir,
      ]);
      assert.equal(written.code, 0, written.stderr);
    }
    const names = readdirSync(join(out, 'gray')).sort((x, y) => Number(x) - Number(y));
    assert.equal(names.length, PHOTOS);
    for (const name of names)
      assert.deepEqual(readFileSync(join(out, 'gray-sums', name)), sha256(readFileSync(join(out, 'gray', name))));
    await Promise.all(nodes.map((node) => stopChild(node)));
  },
);

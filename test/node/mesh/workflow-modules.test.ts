// Workflow steps that run a user's module across three real nodes (node/mesh/workflows/module-steps.ts):
// the modules example (a WASI program over each text, then a custom-ABI unit over its outputs), its
// memo, a module by CID; and the error policies with units that really fail: a trap is not retried,
// and `skip` skips the step's dependants.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { ApiHandlers } from '../../../src-main/core/api/contract.js';
import type { WorkflowView } from '../../../src-main/core/api/workflow-methods.js';
import { cidOfBytes } from '../../../src-main/node/blobs/cid.js';
import { hostileModule, reverseModule } from '../fixtures/hostile/modules.js';
import { trustedLiar } from './fixtures/trusted-liar.js';
import { meshOf, startNode, stopAll, waitFor, type TestNode } from './cluster.js';

const nodes: TestNode[] = [];
after(() => stopAll(nodes));
let a: TestNode;

before(async () => {
  nodes.push(await startNode(), await startNode(), await startNode());
  a = nodes[0]!;
  await meshOf(nodes);
});

const repo = new URL('../../../../', import.meta.url);
const example = readFileSync(new URL('assets/workflows/modules.json', repo), 'utf8');
/** test/wasi/programs/small_io.c: echoes its stdin, then `echo N sum S` (S: 0 + 1 + … + argv[1] - 1). */
const smallIo = readFileSync(new URL('test/wasi/programs/small_io.wasm', repo));
const asFile = (name: string, bytes: Uint8Array) => ({ name, base64: Buffer.from(bytes).toString('base64') });
const texts = ['alpha', 'bravo', 'delta'].map((word) => asFile(`${word}.txt`, Buffer.from(`${word} `.repeat(8))));

async function ended(api: ApiHandlers, workflowId: string): Promise<WorkflowView> {
  return waitFor(
    `workflow ${workflowId} to end`,
    async () => {
      const { workflow } = await api['workflows.status']({ workflow_id: workflowId });
      return workflow.outcome === 'running' ? undefined : workflow;
    },
    90_000,
  );
}

async function filesOf(workflowId: string, step: string): Promise<Buffer[]> {
  const { files } = await a.api['workflows.output']({ workflow_id: workflowId, step, from: 0 });
  return files.map((file) => Buffer.from(file.base64!, 'base64'));
}

const stateOf = (view: WorkflowView) => view.steps.map((step) => [step.id, step.state, step.attempt]);

test(
  'the modules example: a WASI program over each text (its index an argument), then a unit module over its outputs; again from the memo; a module by CID',
  { timeout: 180_000 },
  async () => {
    const inputs = {
      program: { file: asFile('small_io.wasm', smallIo) },
      unit: { file: asFile('reverse.wasm', reverseModule()) },
      texts: { files: texts },
    };
    const { workflow_id } = await a.api['workflows.run']({ document: example, inputs, no_cache: false });
    const done = await ended(a.api, workflow_id);
    assert.equal(done.outcome, 'completed', JSON.stringify(done.steps));
    assert.deepEqual(
      done.steps.map((step) => [step.id, step.uses, step.units]),
      [
        ['echo', 'module/wasi', 3],
        ['reversed', 'module/custom', 3], // 3 × 63 bytes of stdout, in units of 64
      ],
    );
    assert.deepEqual(
      done.steps.map((step) => a.node.state.jobs.get(step.job_id!)!.job.algorithm_id),
      ['wasi', 'wasm'],
      'a WASI job, then a job of a unit module',
    );
    // Each unit's stdout: its text, then what the program counted with its index as argv[1].
    const sums = [0, 0, 1];
    const echoed = texts.map(({ base64 }, i) => {
      const text = Buffer.from(base64, 'base64');
      return Buffer.concat([text, Buffer.from(`\necho ${text.byteLength} sum ${sums[i]}\n`)]);
    });
    assert.deepEqual(await filesOf(workflow_id, 'echo'), echoed);
    const all = Buffer.concat(echoed);
    assert.deepEqual(
      await filesOf(workflow_id, 'reversed'),
      Array.from({ length: Math.ceil(all.byteLength / 64) }, (_, i) =>
        Buffer.from(all.subarray(i * 64, (i + 1) * 64)).reverse(),
      ),
      'each 64 bytes of the outputs reversed',
    );

    // Again: every unit from the memo (its module, params and input the same), no job submitted.
    const jobs = a.node.state.jobs.size;
    const again = await ended(
      a.api,
      (await a.api['workflows.run']({ document: example, inputs, no_cache: false })).workflow_id,
    );
    assert.equal(again.outcome, 'completed');
    for (const step of again.steps) assert.equal(step.cached, step.units, `${step.id}: all from the memo`);
    assert.equal(a.node.state.jobs.size, jobs, 'no job submitted');

    // The program by the CID of the blob the node holds; a CID it does not hold fails the step, named.
    const byCid = (cid: string) =>
      JSON.stringify({
        budget: 1_000_000,
        inputs: { texts: { type: 'files' } },
        steps: [
          {
            id: 'echo',
            uses: { module: { cid }, abi: 'wasi' },
            params: { args: ['{index}'], items: 'framed' },
            for_each: { items: { $input: 'texts' } },
          },
          // A library's program (a WASI job too): its output, its stdout, the digest.
          {
            id: 'sums',
            uses: { library: 'crypto', method: 'sha256' },
            for_each: { items: { $step: 'echo', files: true } },
          },
        ],
      });
    const viaCid = await a.api['workflows.run']({
      document: byCid(cidOfBytes(smallIo)),
      inputs: { texts: { files: texts } },
      no_cache: true,
    });
    assert.equal((await ended(a.api, viaCid.workflow_id)).outcome, 'completed');
    assert.deepEqual(await filesOf(viaCid.workflow_id, 'echo'), echoed);
    assert.deepEqual(
      await filesOf(viaCid.workflow_id, 'sums'),
      echoed.map((bytes) => createHash('sha256').update(bytes).digest()),
    );
    const missing = await a.api['workflows.run']({
      document: byCid(cidOfBytes(Buffer.from('no such module'))),
      inputs: { texts: { files: texts } },
      no_cache: false,
    });
    const failed = await ended(a.api, missing.workflow_id);
    assert.equal(failed.outcome, 'failed');
    assert.match(failed.steps[0]!.detail!, /step "echo": its module .* is not in this node's store/);
  },
);

test(
  'a WASI step keeps what its programs wrote and their stderr beside their stdout: a later step takes them by reference; again from the memo',
  { timeout: 180_000 },
  async () => {
    // test/wasi/programs/report.c: its item on stdin, a line on stdout, /out/summary.txt and
    // /out/parts/first.txt, a note on stderr; argv[1] names it in each.
    const report = readFileSync(new URL('test/wasi/programs/report.wasm', repo));
    const document = JSON.stringify({
      budget: 1_000_000,
      inputs: { program: { type: 'file' }, texts: { type: 'files' } },
      steps: [
        {
          id: 'report',
          uses: { module: { $input: 'program' }, abi: 'wasi' },
          params: { args: ['n{index}'], items: 'framed' },
          for_each: { items: { $input: 'texts' } },
        },
        {
          id: 'sums',
          uses: { library: 'crypto', method: 'sha256' },
          for_each: { items: { $step: 'report', written: true } },
        },
      ],
    });
    const inputs = { program: { file: asFile('report.wasm', report) }, texts: { files: texts } };
    const run = async () => {
      const { workflow_id } = await a.api['workflows.run']({ document, inputs, no_cache: false });
      const done = await ended(a.api, workflow_id);
      assert.equal(done.outcome, 'completed', JSON.stringify(done.steps));
      return { workflow_id, done };
    };
    const first = await run();
    const { files, fields } = await a.api['workflows.output']({
      workflow_id: first.workflow_id,
      step: 'report',
      from: 0,
    });
    const text = (base64?: string) => Buffer.from(base64!, 'base64').toString();
    const expected = texts.flatMap(({ base64 }, i) => {
      const bytes = Buffer.from(base64, 'base64');
      return [
        [`${i}.files/parts/first.txt`, bytes.subarray(0, 8).toString()],
        [`${i}.files/summary.txt`, `n${i} read ${bytes.byteLength} bytes\n`],
        [`${i}.stderr`, `note: n${i} done\n`],
      ];
    });
    assert.deepEqual(
      files.map((file) => [file.name, text(file.base64)]),
      [
        ...texts.map(({ base64 }, i) => [
          String(i),
          `report n${i}: ${Buffer.from(base64, 'base64').byteLength} bytes in\n`,
        ]),
        ...expected,
      ],
      "each unit's stdout by its place, then what it wrote in its folder, and its stderr",
    );
    assert.equal(fields['written'], expected.length);
    // The later step took what the programs wrote, in order: each file's digest.
    assert.deepEqual(
      await filesOf(first.workflow_id, 'sums'),
      expected.map(([, content]) => createHash('sha256').update(content!).digest()),
    );

    // Again: every unit from the memo, which kept each unit's whole output and its stderr.
    const again = await run();
    for (const step of again.done.steps) assert.equal(step.cached, step.units, `${step.id}: all from the memo`);
    const cached = await a.api['workflows.output']({ workflow_id: again.workflow_id, step: 'report', from: 0 });
    assert.deepEqual(
      cached.files.map((file) => [file.name, file.cid]),
      files.map((file) => [file.name, file.cid]),
    );
  },
);

test('a module input that is no file is refused at submit, naming the step', async () => {
  const document = JSON.stringify({
    budget: 10,
    inputs: { program: { type: 'string' } },
    steps: [{ id: 'run', uses: { module: { $input: 'program' }, abi: 'wasi' } }],
  });
  await assert.rejects(
    a.api['workflows.run']({ document, inputs: { program: { value: 'x' } }, no_cache: false }),
    /step "run": its module is input "program", which the workflow's inputs declare as string, not file/,
  );
});

/** A step of a unit module whose every unit divides by zero, then a step that hashes its output. */
const trapping = (onError: unknown) =>
  JSON.stringify({
    budget: 1_000_000,
    inputs: { unit: { type: 'file' }, data: { type: 'file' } },
    steps: [
      {
        id: 'boom',
        uses: { module: { $input: 'unit' }, abi: 'custom' },
        input: { $input: 'data' },
        chunk_bytes: 64,
        on_error: onError,
      },
      {
        id: 'sums',
        uses: { library: 'hash', method: 'sha256' },
        input: { $step: 'boom', files: true },
        chunk_bytes: 8,
      },
    ],
  });

test(
  'a step whose units trap is not retried (it would fail again); under skip, its dependant is skipped and the workflow completes',
  { timeout: 120_000 },
  async () => {
    const inputs = {
      unit: { file: asFile('trap.wasm', hostileModule('trap-with-fixed-memory')) },
      data: { file: asFile('data', Buffer.alloc(128, 7)) },
    };
    const retried = await a.api['workflows.run']({ document: trapping({ retry: 3 }), inputs, no_cache: true });
    const failed = await ended(a.api, retried.workflow_id);
    assert.equal(failed.outcome, 'failed');
    assert.deepEqual(stateOf(failed), [
      ['boom', 'failed', 1],
      ['sums', 'not_run', 0],
    ]);
    assert.match(failed.steps[0]!.detail!, /failed: Trap.*\(not retried: it would fail again\)/);
    assert.equal(a.node.state.jobs.get(`wf.${retried.workflow_id}.boom.2`), undefined, 'no second attempt');

    const skipped = await a.api['workflows.run']({ document: trapping('skip'), inputs, no_cache: true });
    const done = await ended(a.api, skipped.workflow_id);
    assert.equal(done.outcome, 'completed', JSON.stringify(done.steps));
    assert.deepEqual(stateOf(done), [
      ['boom', 'failed', 1],
      ['sums', 'skipped', 0],
    ]);
    assert.match(done.steps[0]!.detail!, /skipped: on_error skip/);
    assert.match(done.steps[1]!.detail!, /its need "boom" was skipped/);
  },
);

test(
  "a lying provider fails no step: the requester's own run settles its units, so retry has nothing to run again",
  { timeout: 120_000 },
  async () => {
    const liar = await trustedLiar(a);
    try {
      const honest = nodes.slice(1);
      // The liar gets the first units: the honest share only once it holds some.
      for (const { api } of honest) await api['sharing.set']({ on: false });
      const document = JSON.stringify({
        budget: 1_000_000,
        inputs: { unit: { type: 'file' }, data: { type: 'file' } },
        steps: [
          {
            id: 'rev',
            uses: { module: { $input: 'unit' }, abi: 'custom' },
            input: { $input: 'data' },
            chunk_bytes: 16,
            on_error: { retry: 2 },
          },
        ],
      });
      const data = Buffer.from(Array.from({ length: 160 }, (_, i) => i));
      const { workflow_id } = await a.api['workflows.run']({
        document,
        inputs: { unit: { file: asFile('reverse.wasm', reverseModule()) }, data: { file: asFile('data', data) } },
        no_cache: true,
      });
      const jobId = `wf.${workflow_id}.rev.1`;
      await waitFor(
        'the liar to hold units',
        () =>
          [...a.node.state.assignments.values()].some(
            (x) => x.acceptance.job_id === jobId && x.acceptance.provider_peer === liar.peerId,
          ) || undefined,
        20_000,
      );
      for (const { api } of honest) await api['sharing.set']({ on: true });
      const done = await ended(a.api, workflow_id);
      assert.equal(done.outcome, 'completed', JSON.stringify(done.steps));
      assert.deepEqual(stateOf(done), [['rev', 'done', 1]], 'one attempt: nothing failed');
      const expected = Array.from({ length: 10 }, (_, i) => Buffer.from(data.subarray(i * 16, (i + 1) * 16)).reverse());
      assert.deepEqual(await filesOf(workflow_id, 'rev'), expected, 'every output right');
      const { peers } = await a.api['peers.list']({});
      assert.notEqual(
        peers.find((p) => p.peer_id === liar.peerId)?.convicted_at ?? null,
        null,
        'the liar is convicted',
      );
    } finally {
      await liar.stop();
    }
  },
);

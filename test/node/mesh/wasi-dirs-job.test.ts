// A job of a WASI program given a folder where it expects it, end to end on three real nodes on
// loopback: `meshctl submit-job --wasi … --dir FOLDER:.:rw` sends the folder as the job's files,
// both providers run each unit on their own copy of it (redundancy 2: verified by their outputs
// agreeing), the unit's params record the mapping, and what the program wrote there comes back in
// the job's output: `meshctl job output --out` writes it under each unit's `out/`. The folder on
// the requester's disk is never written, and `run-local --wasi --dir … --job-id` makes the mesh's
// outputs.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { unitIdOf } from '../../../src-main/core/mesh/state/unit-table.js';
import { ApiClient, loadOrCreateToken } from '../../../src-main/node/api/index.js';
import { decodeWasiOutput } from '../../../src-main/node/exec/index.js';
import { startDaemon, type Daemon } from '../../../src-main/node/mesh/api/daemon.js';
import { jobEnded, meshOf, startNode, type TestNode } from './cluster.js';
import { runMeshctl } from '../../cli/fixtures/run-meshctl.js';

const program = fileURLToPath(new URL('../../../../test/wasi/programs/relative_files.wasm', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mesh-wasi-dirs-'));
const dataDir = join(dir, 'requester');

let daemon: Daemon;
let providers: TestNode[];
let client: ApiClient;
before(async () => {
  daemon = await startDaemon({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, workers: 1, log: () => {} });
  providers = [await startNode(), await startNode()];
  await meshOf([{ node: daemon.node, api: daemon.handlers, dataDir }, ...providers]);
  client = new ApiClient(daemon.api.url, loadOrCreateToken(dataDir));
});
after(async () => {
  await Promise.all([daemon.stop(), ...providers.map((p) => p.node.stop())]);
  rmSync(dir, { recursive: true, force: true });
});

test(
  "a folder mapped read-write at '.': each unit reads data.txt by a relative path, and the result.txt it writes comes back in the job's output",
  { timeout: 300_000 },
  async () => {
    const work = join(dir, 'work');
    mkdirSync(work);
    const data = 'mapped folders\nas programs expect them\n';
    writeFileSync(join(work, 'data.txt'), data);
    const units = 3;
    const submitted = await runMeshctl([
      'submit-job',
      '--wasi',
      program,
      '--items',
      String(units),
      '--args',
      'result-{index}.txt',
      '--dir',
      `${work}:.:rw`,
      '--redundancy',
      '2',
      '--budget',
      '100000',
      '--data-dir',
      dataDir,
    ]);
    assert.equal(submitted.status, 0, submitted.stderr);
    const jobId = /^submitted job (\S+): 3 units$/m.exec(submitted.stdout)?.[1];
    assert.ok(jobId, submitted.stdout);
    const job = await jobEnded(daemon.handlers, jobId, 240_000);
    assert.equal(job.state, 'completed', JSON.stringify(job));
    // The mapping is in every unit's params, beside what a job without one has.
    const { params } = daemon.node.ctx.state.units.get(unitIdOf(jobId, 0))!.unit;
    assert.deepEqual(params, {
      program: 'relative_files.wasm',
      args: ['result-{index}.txt'],
      env: {},
      items: 'framed',
      dirs: [{ guest: '.', mode: 'rw' }],
    });
    const expected = `2 lines, 6 words, ${data.length} bytes\n${data.toUpperCase()}`;
    const { outputs } = await client.call('jobs.outputs', { job_id: jobId });
    assert.equal(outputs.length, units);
    for (const unit of outputs) {
      assert.equal(unit.status, 'verified', JSON.stringify(unit));
      const result = decodeWasiOutput(Buffer.from(unit.output_base64!, 'base64'));
      assert.equal(result.exitCode, 0);
      assert.deepEqual(
        result.files.map(([path, bytes]) => [path, Buffer.from(bytes).toString()]),
        [[`result-${unit.index}.txt`, expected]],
      );
    }
    // `job output --out`: each unit's folder, what it wrote under out/.
    const out = join(dir, 'out');
    const written = await runMeshctl(['job', 'output', jobId, '--out', out, '--data-dir', dataDir]);
    assert.equal(written.status, 0, written.stderr);
    for (let i = 0; i < units; i++) {
      assert.match(
        written.stdout,
        new RegExp(`^${i}: exit 0, \\d+ bytes of stdout, 0 of stderr, 1 files in out/$`, 'm'),
      );
      assert.deepEqual(readdirSync(join(out, String(i), 'out')), [`result-${i}.txt`]);
      assert.equal(readFileSync(join(out, String(i), 'out', `result-${i}.txt`), 'utf8'), expected);
    }
    // The folder itself is as it was: each unit wrote its own copy.
    assert.deepEqual(readdirSync(work), ['data.txt']);
    // run-local, told the job's id and the same folder, makes each output the mesh verified.
    const local = await runMeshctl([
      'run-local',
      '--wasi',
      program,
      '--items',
      String(units),
      '--args',
      'result-{index}.txt',
      '--dir',
      `${work}:.:rw`,
      '--job-id',
      jobId,
    ]);
    assert.equal(local.status, 0, local.stderr);
    for (const unit of outputs)
      assert.match(local.stdout, new RegExp(`^unit ${unit.index}: exit 0, output ${unit.output_cid}, fuel \\d+$`, 'm'));
  },
);

// A job of 200,000 units streamed to a real daemon over its HTTP API: the reply names the job at
// once it is stored, each unit's input is the right slice of what was sent (by CID, and served as
// a blob by that CID), a provider's verified units show as progress, and after a restart the node
// has the same job, the same units and the same progress.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { everyUnit } from '../../../src-main/core/api/unit-pages.js';
import { unitIdOf } from '../../../src-main/core/mesh/state/unit-table.js';
import { LIMITS } from '../../../src-main/core/schemas/primitives.js';
import { ApiClient, loadOrCreateToken } from '../../../src-main/node/api/index.js';
import { cidOfBytes } from '../../../src-main/node/blobs/cid.js';
import { startDaemon, type Daemon } from '../../../src-main/node/mesh/api/daemon.js';
import { meshOf, startNode, waitFor, type TestNode } from './cluster.js';

const UNITS = 200_000;
const CHUNK = 64;
/** Pieces that do not divide into units: units straddle them. */
const PIECE = 65_537;

const dataDir = mkdtempSync(join(tmpdir(), 'mesh-big-'));
const input = randomBytes(UNITS * CHUNK);
const running: { daemon?: Daemon; provider?: TestNode } = {};
after(async () => {
  await running.provider?.node.stop();
  await running.daemon?.stop();
});

const start = () => startDaemon({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, workers: 1, log: () => {} });

async function* pieces(): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < input.length; at += PIECE) yield input.subarray(at, at + PIECE);
}

const chunkOf = (i: number) => input.subarray(i * CHUNK, (i + 1) * CHUNK);
const SAMPLE = [0, 1, 1023, 1024, 65_537, UNITS - 1];

function checkUnits(daemon: Daemon, jobId: string): void {
  for (const i of SAMPLE) {
    const cid = cidOfBytes(chunkOf(i));
    const unit = daemon.node.state.units.get(unitIdOf(jobId, i))!.unit;
    assert.equal(unit.input_cid, cid, `unit ${i}'s input`);
    assert.equal(unit.algorithm_id, daemon.node.state.units.get(unitIdOf(jobId, 0))!.unit.algorithm_id);
    // Served by that CID, as a provider fetching it would get it.
    assert.deepEqual(daemon.node.ctx.blobs.get(cid), new Uint8Array(chunkOf(i)), `unit ${i}'s input blob`);
  }
  assert.equal(daemon.node.state.units.get(unitIdOf(jobId, UNITS)), undefined);
}

test('a 200,000-unit job streams in, shows progress, and survives a restart', { timeout: 300_000 }, async () => {
  let daemon = (running.daemon = await start());
  const client = new ApiClient(daemon.api.url, loadOrCreateToken(dataDir));
  const began = performance.now();
  const submitted = await client.submitStream(
    {
      library: 'hash',
      units_per_pack: 1, // 200,000 units of the state: a module's job, whose units the node does not pack
      method: 'sha256',
      chunk_bytes: CHUNK,
      redundancy: 1,
      budget: 1_000_000_000,
      priority: 0.5,
    },
    pieces(),
  );
  const seconds = (performance.now() - began) / 1000;
  process.stderr.write(
    `# ${UNITS} units submitted in ${seconds.toFixed(2)} s; RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB\n`,
  );
  assert.equal(submitted.units, UNITS);
  const { job_id: jobId } = submitted;
  const { job } = await client.call('jobs.status', { job_id: jobId, units: false });
  assert.deepEqual([job.state, job.units_total, job.units_verified, job.units_failed], ['running', UNITS, 0, 0]);
  checkUnits(daemon, jobId);
  const { units: tail } = await client.call('jobs.status', { job_id: jobId, units: true, units_from: UNITS - 5 });
  assert.deepEqual(
    tail!.map((u) => [u.index, u.status]),
    [0, 1, 2, 3, 4].map((k) => [UNITS - 5 + k, 'open']),
  );

  // A provider takes some units: their verdicts are the job's progress.
  const provider = (running.provider = await startNode());
  const requester = { node: daemon.node, api: daemon.handlers, dataDir };
  await meshOf([requester, provider]);
  const progressed = await waitFor(
    'some units verified',
    async () => {
      const status = await client.call('jobs.status', { job_id: jobId, units: false });
      return status.job.units_verified >= 3 ? status.job : undefined;
    },
    120_000,
  );
  assert.equal(progressed.state, 'running');
  await provider.node.stop();
  running.provider = undefined;

  const before = await client.call('jobs.status', { job_id: jobId, units: false });
  await daemon.stop();
  daemon = running.daemon = await start();
  const again = new ApiClient(daemon.api.url, loadOrCreateToken(dataDir));
  const restarted = await again.call('jobs.status', { job_id: jobId, units: false });
  // Verdicts under way at the stop are made on the restart (resume): progress only grows.
  const { units_verified: was, held: _h, spent: _s, ...kept } = before.job;
  const { units_verified: is, held: _h2, spent: _s2, ...restored } = restarted.job;
  assert.deepEqual(restored, kept);
  assert.ok(is >= was, `${is} verified after the restart, ${was} before`);
  checkUnits(daemon, jobId);
  // Listed a page at a time: the node makes one page in a turn of its main thread.
  const { units: first } = await again.call('jobs.status', { job_id: jobId, units: true });
  assert.equal(first!.length, LIMITS.unitsPerPage);
  const all = await everyUnit(
    async (from) => (await again.call('jobs.status', { job_id: jobId, units: true, units_from: from })).units,
  );
  assert.deepEqual(
    all.map((u) => u.index),
    Array.from({ length: UNITS }, (_, i) => i),
    'every unit, once, in order',
  );
  for (const unit of all.filter((u) => u.status === 'verified'))
    assert.equal(
      unit.output_cid,
      cidOfBytes(createHash('sha256').update(chunkOf(unit.index)).digest()),
      `unit ${unit.index}'s output`,
    );
});

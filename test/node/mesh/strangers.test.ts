// Trust gates both directions, across real nodes in child processes: requester R trusts H only; S
// trusts R, so S would work for R. A job of R's open to strangers (--open-to-strangers) is computed
// by S; a closed one (the default) computes on H alone, S is paid nothing and may not fetch R's blobs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { MethodResult } from '../../../src-main/core/api/contract.js';
import { MESSAGE_TYPES } from '../../../src-main/core/protocol/messages.js';
import { cidOfBytes } from '../../../src-main/node/blobs/cid.js';
import { loadKernel } from '../../../src-main/node/exec/kernels.js';
import { loadOrCreateIdentity } from '../../../src-main/node/identity/identity.js';
import { MeshNetwork, type BlobError } from '../../../src-main/node/p2p/index.js';
import { killAllChildren, meshctl, startChild, stopChild, type ChildNode } from './child-nodes.js';
import { waitFor } from './cluster.js';

after(killAllChildren);

const UNITS = 60;
const CHUNK = 64;

/** `meshctl submit-job` of a sha256 job over `input`, one unit per 64 bytes, at redundancy 1; its job id. */
async function submit(r: ChildNode, input: string, extra: string[]): Promise<string> {
  const args = ['--library', 'hash', '--method', 'sha256', '--input', input, '--chunk-bytes', String(CHUNK)];
  const out = await meshctl(['submit-job', '--data-dir', r.dataDir, '--json', ...args, '--budget', '1000', ...extra]);
  assert.equal(out.code, 0, out.stderr);
  return (JSON.parse(out.stdout) as { job_id: string }).job_id;
}

/** `meshctl job status --units` once the job has ended. */
async function ended(r: ChildNode, jobId: string): Promise<MethodResult<'jobs.status'>> {
  await waitFor(
    `job ${jobId} to end`,
    async () => (await r.api.call('jobs.status', { job_id: jobId })).job.state !== 'running' || undefined,
    60_000,
  );
  const out = await meshctl(['job', 'status', jobId, '--units', '--json', '--data-dir', r.dataDir]);
  assert.equal(out.code, 0, out.stderr);
  return JSON.parse(out.stdout) as MethodResult<'jobs.status'>;
}

/** What S was paid, once nothing of it is held any more. */
const settledBalance = (s: ChildNode) =>
  waitFor(
    "S's assignments to close",
    async () => {
      const ledger = await s.api.call('ledger.get', { limit: 0 });
      return ledger.held === 0 ? ledger.balance : undefined;
    },
    10_000,
  );

test(
  'a closed job computes only on providers its requester trusts; one open to strangers also on others',
  { timeout: 120_000 },
  async () => {
    const [r, h, s] = await Promise.all([startChild(), startChild(), startChild()]);
    await r.api.call('peers.add', { multiaddr: h.listen });
    await r.api.call('peers.add', { multiaddr: s.listen });
    await h.api.call('peers.add', { multiaddr: s.listen });
    await r.api.call('trust.set', { peer_id: h.peerId, weight: 1 });
    await h.api.call('trust.set', { peer_id: r.peerId, weight: 1 });
    await s.api.call('trust.set', { peer_id: r.peerId, weight: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'mesh-strangers-'));
    const inputs = { open: randomBytes(UNITS * CHUNK), closed: randomBytes(UNITS * CHUNK) };
    writeFileSync(join(dir, 'open'), inputs.open);
    writeFileSync(join(dir, 'closed'), inputs.closed);

    // Open to strangers, with H not sharing: S, which R never trusted, computes it (so S surely hears R
    // and would work for it).
    await h.api.call('sharing.set', { on: false });
    const open = await submit(r, join(dir, 'open'), ['--open-to-strangers']);
    const openDone = await ended(r, open);
    assert.equal(openDone.job.state, 'completed');
    assert.equal(openDone.job.open_to_strangers, true);
    assert.ok(
      openDone.units!.every((u) => u.providers.length === 1 && u.providers[0] === s.peerId),
      'S computed the open job',
    );
    await h.api.call('sharing.set', { on: true });
    const paid = await settledBalance(s);
    assert.ok(paid > 0, 'S was paid for them');

    // Closed (the default): H computes every unit, S none, and S earns nothing more.
    const closed = await submit(r, join(dir, 'closed'), []);
    const done = await ended(r, closed);
    assert.equal(done.job.state, 'completed');
    assert.equal(done.job.open_to_strangers, false);
    assert.equal(done.units!.length, UNITS);
    assert.deepEqual(
      done.units!.filter((u) => u.providers.length !== 1 || u.providers[0] !== h.peerId).map((u) => u.providers),
      [],
      'every unit computed by H alone',
    );
    assert.equal(await settledBalance(s), paid, 'S earned nothing from the closed job');
    const text = await meshctl(['job', 'status', closed, '--data-dir', r.dataDir]);
    assert.match(text.stdout, /strangers\s+closed: only peers you trust compute/);

    // S's identity, with S stopped, asks R for the sha256 module and an input of the closed job.
    await stopChild(s);
    const identity = await loadOrCreateIdentity(s.dataDir);
    const asS = await MeshNetwork.start({ identity, catalog: MESSAGE_TYPES, mdns: false });
    try {
      await asS.connect(r.listen);
      for (const cid of [cidOfBytes(loadKernel('hash')), cidOfBytes(inputs.closed.subarray(0, CHUNK))]) {
        await assert.rejects(asS.fetchBlob(r.peerId, cid, { maxBytes: 1 << 20 }), (err: BlobError) => {
          assert.equal(err.code, 'forbidden', err.message);
          return true;
        });
      }
    } finally {
      await asS.stop();
    }
    await Promise.all([r, h].map((n) => stopChild(n)));
  },
);

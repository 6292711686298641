// A provider that starts sharing after a big job began still gets a part of it: each provider
// holds about 2 s of a job's work at a time (pipelineFor), so the first one cannot take it all.
// A job of tiny hash units was estimated from its bytes alone, 0.3 ms a pack of 256, and the first
// provider's pipeline held all 100,000 units within a second of the submit.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { inPieces } from '../../../src-main/node/mesh/jobs/job-split.js';
import { jobEnd, killAllChildren, startMesh, within } from './child-nodes.js';

const UNITS = 100_000;
const CHUNK = 64;

after(killAllChildren);

test(
  'a provider that starts sharing after a 100,000-unit job began is given part of it',
  { timeout: 180_000 },
  async () => {
    const [requester, early, late] = await startMesh([{ workers: 1 }, { workers: 2 }, { workers: 2 }]);
    await requester!.api.call('sharing.set', { on: false });
    await late!.api.call('sharing.set', { on: false });
    const { job_id: jobId } = await requester!.api.submitStream(
      { name: 'late provider', library: 'hash', method: 'sha256', chunk_bytes: CHUNK, budget: 1_000_000_000 },
      inPieces(randomBytes(UNITS * CHUNK)),
    );
    const firstVerified = async () => {
      const { job } = await requester!.api.call('jobs.status', { job_id: jobId });
      return job.units_verified > 0 ? true : undefined;
    };
    await within('the first units verified', 30_000, firstVerified, 250);
    await late!.api.call('sharing.set', { on: true });
    const job = await jobEnd(requester!, jobId, 120_000);
    assert.deepEqual([job.state, job.units_verified], ['completed', UNITS]);
    const byPeer = (await requester!.api.call('ledger.get', { limit: 0 })).peers;
    const paidTo = (peer: string) => -(byPeer.find((p) => p.peer_id === peer)?.balance ?? 0);
    assert.ok(paidTo(early!.peerId) > 0, 'the first provider computed');
    assert.ok(paidTo(late!.peerId) > 0, 'the provider that came later was given units too');
  },
);

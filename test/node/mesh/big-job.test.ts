// A job of 200,000 tiny units (sha256 over 64-byte chunks) through two real nodes, each a child
// process on loopback: the requester streams its input in, the provider (2 workers) runs it, and
// the job completes with every unit verified and every output the sha256 of its own chunk, worked
// out here, announced once; the provider is paid for every unit within seconds, with nothing left
// held; and `meshctl job outputs` writes every unit's output, in order, page after page.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cidOfBytes } from '../../../src-main/node/blobs/cid.js';
import { inPieces } from '../../../src-main/node/mesh/jobs/job-split.js';
import { jobEnd, killAllChildren, meshctl, startMesh, within } from './child-nodes.js';

const UNITS = 200_000;
const CHUNK = 64;

after(killAllChildren);

test(
  'a 200,000-unit job across two real nodes completes with every output correct, and its provider paid in full',
  { timeout: 600_000 },
  async () => {
    const input = randomBytes(UNITS * CHUNK);
    const [requester, provider] = await startMesh([{ workers: 1 }, { workers: 2 }]);
    const { job_id: jobId } = await requester!.api.submitStream(
      { name: 'big', library: 'hash', method: 'sha256', chunk_bytes: CHUNK, budget: 1_000_000_000_000 },
      inPieces(input),
    );
    const job = await jobEnd(requester!, jobId, 480_000);
    assert.deepEqual([job.state, job.units_verified, job.units_failed], ['completed', UNITS, 0]);

    // Results accepted unchecked are paid once the job completes: nothing stays held on either side.
    // At once: the settlements pushed at the completion that the provider refused (past its rate
    // limit on one peer) are pushed again, and what it still holds it asks about batch after batch.
    const paid = await within('the provider paid for every unit', 30_000, async () => {
      const ledger = await provider!.api.call('ledger.get', { limit: 0 });
      return ledger.held === 0 && ledger.balance > 0 ? ledger : undefined;
    });
    const spent = (await requester!.api.call('jobs.status', { job_id: jobId })).job.spent;
    assert.equal(paid.balance, spent, "the provider's balance is what the job spent");
    // The verdicts that close with the last one each see the job complete: it is announced once.
    let completions = 0;
    for (let last = 0, more = true; more;) {
      const { events } = await requester!.api.call('events.since', { after: last });
      completions += events.filter((e) => e.type === 'job.completed').length;
      more = events.length > 0;
      last = events.at(-1)?.id ?? last;
    }
    assert.equal(completions, 1, 'job.completed, once');

    let checked = 0;
    while (checked < UNITS) {
      const { units = [] } = await requester!.api.call('jobs.status', {
        job_id: jobId,
        units: true,
        units_from: checked,
      });
      assert.ok(units.length > 0, `units from ${checked}`);
      for (const unit of units) {
        const chunk = input.subarray(unit.index * CHUNK, (unit.index + 1) * CHUNK);
        assert.equal(unit.output_cid, cidOfBytes(createHash('sha256').update(chunk).digest()), `unit ${unit.index}`);
      }
      checked += units.length;
    }
    assert.equal(checked, UNITS);

    // Every output, as the user takes them away: one JSON line a unit, in unit order.
    const out = join(mkdtempSync(join(tmpdir(), 'mesh-outputs-')), 'outputs.jsonl');
    const wrote = await meshctl(['job', 'outputs', jobId, '--out', out, '--json', '--data-dir', requester!.dataDir]);
    assert.equal(wrote.code, 0, wrote.stderr);
    assert.deepEqual(JSON.parse(wrote.stdout), { units: UNITS, verified: UNITS, failed: 0, unavailable: 0, out });
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, UNITS);
    for (const [i, line] of lines.entries()) {
      const unit = JSON.parse(line) as { index: number; status: string; output_base64: string };
      const chunk = input.subarray(i * CHUNK, (i + 1) * CHUNK);
      assert.equal(unit.index, i);
      assert.equal(unit.output_base64, createHash('sha256').update(chunk).digest('base64'), `unit ${i}`);
    }
  },
);

// A node keeps every job its user submitted until the user deletes it: past the bound of the
// API's lists, `jobs.list` lists the newest and says how many there are, rather than answering
// with a list its own contract refuses (an internal error, for the CLI and the UI's jobs page).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { API_METHODS } from '../../../src-main/core/api/contract.js';
import { LIMITS, validate } from '../../../src-main/core/schemas/index.js';
import { startNode, stopAll, type TestNode } from './cluster.js';

const nodes: TestNode[] = [];
after(() => stopAll(nodes));

const JOBS = LIMITS.recordEntries + 4;

test(
  'with more jobs than a list holds, jobs.list keeps its contract: the newest, and how many in all',
  { timeout: 120_000 },
  async () => {
    const requester = await startNode();
    nodes.push(requester);
    const me = requester.node.peerId;
    await requester.node.ctx.record(
      Array.from({ length: JOBS }, (_, i) => ({
        type: 'job.submitted' as const,
        job: { job_id: `job-many-${i}`, requester: me, name: `job ${i}`, unit_count: 1, redundancy: 1, budget: 10 },
      })),
    );
    const listed = await requester.api['jobs.list']({});
    const checked = validate(API_METHODS['jobs.list'].result, listed);
    assert.ok(checked.ok, checked.ok ? '' : checked.error.message);
    assert.equal(listed.total, JOBS);
    assert.equal(listed.jobs.length, LIMITS.recordEntries);
    assert.deepEqual([listed.jobs[0]!.job_id, listed.jobs.at(-1)!.job_id], ['job-many-4', `job-many-${JOBS - 1}`]);
  },
);

// The Jobs page's workflow graph (src-renderer/jobs/workflow-graph.ts): steps in columns by depth,
// in the document's order within a column, and each step's counts in words.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WorkflowView } from '../../src-main/core/api/workflow-methods.js';
import { columnsOf, countsOf } from '../../src-renderer/jobs/workflow-graph.js';

const step = (id: string, needs: string[], extra: Partial<WorkflowView['steps'][number]> = {}) => ({
  id,
  uses: 'hash/sha256',
  needs,
  state: 'waiting' as const,
  detail: null,
  job_id: null,
  attempt: 0,
  units: null,
  cached: 0,
  units_verified: 0,
  units_failed: 0,
  ...extra,
});

test('steps fall in columns by the depth of their needs, in the order of the document', () => {
  const view: WorkflowView = {
    workflow_id: 'wf-1',
    name: null,
    outcome: 'running',
    submitted_at: '2026-01-01T00:00:00.000Z',
    steps: [
      step('gray', []),
      step('thumbs', []),
      step('gray-sums', ['gray']),
      step('both', ['gray-sums', 'thumbs']),
      step('late', ['gray']),
    ],
  };
  assert.deepEqual(
    columnsOf(view).map((column) => column.map((s) => s.id)),
    [['gray', 'thumbs'], ['gray-sums', 'late'], ['both']],
  );
});

test("a fan-out step's counters: done counts the memo's units too; none before it has units", () => {
  assert.equal(countsOf(step('a', [])), '');
  assert.equal(countsOf(step('a', [], { units: 30, units_verified: 12, cached: 3 })), '15/30 done, 3 from the memo');
  assert.equal(countsOf(step('a', [], { units: 4, units_verified: 2, units_failed: 1 })), '2/4 done, 1 failed');
});

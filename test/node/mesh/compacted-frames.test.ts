// A compacted render job's frames, as `jobs.frames` counts them: a cancelled job's frames that were
// never assembled count the tiles the archive has verified, not every tile (compaction kept no
// units in the state to count); an assembled frame counts all of its tiles.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobRecord } from '../../../src-main/core/mesh/state/state.js';
import type { ArchivedUnit } from '../../../src-main/node/journal/archive.js';
import { compactedFrameTiles } from '../../../src-main/node/kinds/frames-view.js';

/** Frames 10-12, three tiles each (core/kinds/frames.ts). */
const LAYOUT = { count: 3, unitsPerFrame: 3, first: 10 };

test("a cancelled render job's frames, compacted, count the tiles verified before the cancel", () => {
  // Frames 10-12 of three tiles each; frame 10 assembled; 7 of the 9 tiles made before the cancel.
  const record = {
    job: { job_id: 'r', render: { first_frame: 10, last_frame: 12 } },
    frames: new Map([[10, 'bafy-frame-10']]),
    created: 7,
  } as unknown as JobRecord;
  const statuses: Record<string, ArchivedUnit['status']> = { 'r/3': 'verified', 'r/4': 'rejected', 'r/5': 'verified' };
  const asked: string[] = [];
  const archive = {
    unit(jobId: string, unitId: string): ArchivedUnit | undefined {
      asked.push(unitId);
      assert.equal(jobId, 'r');
      return { status: statuses[unitId] ?? 'created', consensus_hash: null };
    },
  };
  const tiles = compactedFrameTiles(archive, record, LAYOUT);
  assert.deepEqual(
    [...tiles],
    [
      [10, 3],
      [11, 2],
      [12, 0],
    ],
  );
  assert.deepEqual(asked, ['r/3', 'r/4', 'r/5', 'r/6'], 'the assembled frame and the units never made are not read');
  assert.equal(compactedFrameTiles(archive, record, LAYOUT), tiles, 'read once: a compacted job does not change');
  assert.equal(asked.length, 4);
});

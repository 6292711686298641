// Issue 19, item 10, as a new user tried it: a 300-unit sha256 job on two providers, one of them
// SIGKILLed and restarted three times and the requester once. Once the job says "completed", both
// providers go away for good: every output must still be had, from the requester's own store.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { killAllChildren, stopChild } from './child-nodes.js';
import {
  killAndRestart,
  missingOutputs,
  settle,
  startTrio,
  submitHashJob,
  verifiedOf,
  violations,
} from './crash-run.js';
import { waitFor } from './cluster.js';

after(killAllChildren);

test(
  'a completed job holds its outputs: providers killed mid-job and gone afterwards cost the user nothing',
  { timeout: 300_000 },
  async (t) => {
    const nodes = await startTrio();
    const job = await submitHashJob(nodes[0]!, 300);
    // Provider C (node 2) three times, the requester (node 0) once, as the job goes on.
    for (const [at, victim] of [
      [30, 2],
      [90, 2],
      [150, 0],
      [210, 2],
    ] as const) {
      await waitFor(
        `${at} units verified`,
        async () => ((await verifiedOf(nodes[0]!, job)) >= at ? true : undefined),
        120_000,
      );
      await killAndRestart(nodes, victim, 200);
    }
    const stuck = await settle(nodes, [job], 120_000);
    assert.equal(stuck, undefined);
    const wrong = await violations(nodes, [job], []);

    // The providers go away for good: the outputs are the requester's.
    await stopChild(nodes[1]!, 'SIGKILL');
    await stopChild(nodes[2]!, 'SIGKILL');
    const missing = await missingOutputs(nodes[0]!, job);
    assert.deepEqual(
      missing.slice(0, 5),
      [],
      `${new Set(missing.map((m) => m.split(':')[0])).size} of 300 outputs cannot be had`,
    );
    assert.deepEqual(wrong, []);
    t.diagnostic('300 of 300 outputs had from the requester alone');
  },
);

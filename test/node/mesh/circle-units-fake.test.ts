// A provider's offer round leaves out a circle's units it may not take (issue 90): those of a
// circle it is not in, or whose requester is not, and, while its balance is under the credit the
// circle's policy asks of a member that takes work (bonding), every unit of that circle.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyFragment, DEFAULT_MESH_POLICY, type MeshPolicy } from '../../../src-main/core/circles/index.js';
import type { ComputeCommitment } from '../../../src-main/core/schemas/index.js';
import { withoutRefusedUnits } from '../../../src-main/node/mesh/provider/refused-units.js';
import { iso } from '../../../src-main/node/mesh/context/node-context.js';
import { hashUnit } from './fixtures/accepted-unit.js';
import { fakeContext } from './fixtures/fake-context.js';

const REQUESTER = 'requester-peer';

function commitment(): ComputeCommitment {
  return {
    peer_id: REQUESTER,
    availability_slots: [],
    work_requests: [
      {
        job_id: 'job-c',
        work_units: [
          { ...hashUnit('job-c/0', 'job-c', 'm', 'i'), circle: 'ours' },
          { ...hashUnit('job-c/1', 'job-c', 'm', 'i'), circle: 'theirs' },
          hashUnit('job-c/2', 'job-c', 'm', 'i'),
        ],
      },
    ] as ComputeCommitment['work_requests'],
    trust_weights: {},
    contribution_history: {} as ComputeCommitment['contribution_history'],
    damping_factor: 1,
    over_allocation_history: [],
    timestamp: iso(Date.now()),
    vector_clock: {},
  };
}

test("a circle's units are offered for only by its members, and only while they hold its bond", async () => {
  const ctx = await fakeContext();
  const bonded = applyFragment(DEFAULT_MESH_POLICY, { bonding: { min_credit: 100 } });
  assert.ok(bonded.ok);
  let policy: MeshPolicy = DEFAULT_MESH_POLICY;
  // I and the requester are in `ours`; `theirs` is a circle I am not in.
  const circles = {
    policyOf: () => policy,
    workerSharesSince: () => new Set([9000]),
    isMember: (circle: string, peer: string) => circle === 'ours' && (peer === ctx.me || peer === REQUESTER),
  };
  const left = () =>
    withoutRefusedUnits({ kinds: ctx.kinds, state: ctx.state, me: ctx.me, circles }, [
      commitment(),
    ])[0]!.work_requests[0]!.work_units.map((u) => u.unit_id);
  assert.deepEqual(left(), ['job-c/0', 'job-c/2'], 'a circle I am not in: its unit is not offered for');

  policy = bonded.policy;
  assert.deepEqual(left(), ['job-c/2'], 'a balance of 0 is under the bond of 100');
  ctx.state.positions.set('someone', 150); // peers paid me 150 more than I paid them
  assert.deepEqual(left(), ['job-c/0', 'job-c/2'], 'held, the bond lets me take its work');
});

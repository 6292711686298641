// Results that waited for a proven provider's word are decided once their provider passes
// probation: a provider whose results I cannot check (here a job whose module is not in my store;
// in a render job, a shader) ends its probation on results I can check, and nothing else would
// come to decide the waiting units. Against a fake context (fixtures/).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import type { Acceptance, WorkUnit } from '../../../src-main/core/schemas/index.js';
import { PROBATION_CHECKS } from '../../../src-main/core/verification/index.js';
import { cidOfBytes } from '../../../src-main/node/blobs/cid.js';
import { Executor } from '../../../src-main/node/exec/index.js';
import { loadKernel } from '../../../src-main/node/exec/kernels.js';
import { Verdicts } from '../../../src-main/node/mesh/verdicts/verdicts.js';
import { hashUnit, newProvider, resultMessage, sha256 } from './fixtures/accepted-unit.js';
import { acceptAsRequester, fakeContext } from './fixtures/fake-context.js';

const executor = Executor.start({ workers: 1 });
after(() => executor.close());

const PRICE = 100;
const BUDGET = 10_000;

test('a unit waiting for a proven agreement is decided when its provider passes probation on checked work', async () => {
  const ctx = await fakeContext();
  const provider = await newProvider();
  const peer = provider.identity.peerId;
  const kernel = loadKernel('hash');
  const moduleCid = await ctx.blobs.put(kernel);
  // Job "blind": its module is not in my store, so I cannot run its unit. Job "seen": I can run each of its units.
  const jobs = [
    { id: 'job-blind', units: 1, module: cidOfBytes(new TextEncoder().encode('a module I never had')) },
    { id: 'job-seen', units: PROBATION_CHECKS, module: moduleCid },
  ];
  const accepted: Array<{
    unit: WorkUnit;
    chunk: Uint8Array;
    acceptance: Acceptance;
  }> = [];
  for (const job of jobs) {
    await ctx.record([
      {
        type: 'job.submitted',
        job: {
          job_id: job.id,
          requester: ctx.me,
          name: 'sha256',
          unit_count: job.units,
          redundancy: 1,
          budget: BUDGET,
        },
      },
    ]);
    for (let i = 0; i < job.units; i++) {
      const chunk = new Uint8Array(randomBytes(64));
      const unit = hashUnit(`${job.id}/${i}`, job.id, job.module, await ctx.blobs.put(chunk));
      await ctx.record([{ type: 'unit.created', unit }]);
      const { acceptance } = await acceptAsRequester(ctx, {
        unitId: unit.unit_id,
        jobId: job.id,
        provider: peer,
        price: PRICE,
        budget: BUDGET,
        n: accepted.length,
      });
      accepted.push({ unit, chunk, acceptance });
    }
  }
  const verdicts = new Verdicts(ctx, executor, () => {});
  const deliver = async (i: number) => {
    const { unit, chunk, acceptance } = accepted[i]!;
    await verdicts.onResults(peer, await resultMessage({ ctx, unit, acceptance }, sha256(chunk), provider));
    await ctx.settled();
  };

  await deliver(0);
  const blind = accepted[0]!.unit.unit_id;
  assert.equal(ctx.state.units.get(blind)!.verdict, undefined, 'unchecked, from a provider on probation: it waits');
  assert.equal(verdicts.awaitingAgreement('job-blind'), 1);

  // Its results I can check: each is checked (probation), and the last one ends its probation.
  for (let i = 1; i < accepted.length; i++) await deliver(i);
  assert.equal(ctx.state.checks.record(peer).passed, PROBATION_CHECKS);
  await ctx.settled();
  const decided = ctx.state.units.get(blind)!;
  assert.equal(decided.verdict, 'verified', 'decided on its now proven record');
  assert.equal(decided.consensusHash, cidOfBytes(sha256(accepted[0]!.chunk)));
  assert.deepEqual(
    decided.unchecked,
    [`${accepted[0]!.acceptance.assignment_id}/result`],
    'accepted unchecked: held until its job completes',
  );
  assert.equal(verdicts.awaitingAgreement('job-blind'), 0);
  await verdicts.stop();
});

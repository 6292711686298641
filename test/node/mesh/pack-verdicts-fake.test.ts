// A pack's results judged by its requester (node/mesh/verdicts/verdicts.ts) against a fake context
// (fixtures/): a pack output that is no pack of the unit's units is checked against the
// requester's own run even when its provider's record would let it through unchecked, and
// convicts it; a right pack in which one unit failed alike in every run is verified, that unit
// counted failed.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { cidOfBytes } from '../../../src-main/node/blobs/cid.js';
import { Executor } from '../../../src-main/node/exec/index.js';
import { packOutput } from '../../../src-main/node/mesh/units/pack-outputs.js';
import type { FakeContext } from './fixtures/fake-context.js';
import { requesterWithAcceptedUnit, resultMessage, sha256, UNIT } from './fixtures/accepted-unit.js';

const executor = Executor.start({ workers: 1 });
after(() => executor.close());

/** A provider with a long record of passed checks: its results are taken unchecked but for a sampled few. */
const proven = (ctx: FakeContext, peer: string) =>
  ctx.state.checks.restoreSnapshot({ records: new Map([[peer, { passed: 1_000_000, convicted: false }]]) });

for (const [what, misshapen] of [
  ['one entry where the pack holds two', (halves: Uint8Array[]) => packOutput([sha256(halves[0]!)])],
  ['bytes that are no list at all', (halves: Uint8Array[]) => sha256(halves[0]!)],
] as const) {
  test(`a pack output of ${what} is checked, convicts its proven provider, and is never the verdict`, async () => {
    // One unit of 64 bytes packed as two of 32: an honest output lists two sha256 digests.
    const setup = await requesterWithAcceptedUnit(executor, { packChunkBytes: 32 });
    const { ctx, verdicts, acceptance, chunk } = setup;
    const liar = acceptance.provider_peer;
    proven(ctx, liar);
    const halves = [chunk.subarray(0, 32), chunk.subarray(32)];
    const reply = await verdicts.onResults(liar, await resultMessage(setup, misshapen(halves), setup.provider));
    await ctx.settled();

    assert.equal(ctx.state.checks.isConvicted(liar), true, 'checked against my own run, and convicted');
    const unit = ctx.state.units.get(UNIT)!;
    assert.equal(unit.verdict, 'verified');
    assert.equal(
      unit.consensusHash,
      cidOfBytes(packOutput(halves.map(sha256))),
      'the verdict is my own run of the pack',
    );
    const assignment = ctx.state.assignments.get(acceptance.assignment_id)!;
    assert.deepEqual([assignment.escrow, assignment.refundReason], ['refunded', 'rejected']);
    assert.deepEqual(
      reply.entries.map((e) => e.kind),
      ['refund'],
    );
    await verdicts.stop();
  });
}

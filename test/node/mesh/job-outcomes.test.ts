// A unit every run of which ends in the same error (here: a module that traps on some inputs)
// fails with that reason, agreed and verified like any output; it is not a "completed" unit
// whose output is an error document. In a pack, it fails alone: the pack's other units keep theirs.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ApiError } from '../../../src-main/node/api/errors.js';
import { hostileModule, reverseModule, reversed } from '../fixtures/hostile/modules.js';
import { jobEnded, meshOf, startNode, stopAll, type TestNode } from './cluster.js';

const nodes: TestNode[] = [];
after(() => stopAll(nodes));

const CHUNK = 8;
// An input whose first byte is 0xFF makes reverse-or-trap trap; the others it reverses.
const TRAPPING = [2];
const UNITS = 4;

// Alone, and in packs of two (the trapping unit shares its pack with one that does not trap).
for (const unitsPerPack of [1, 2]) {
  test(
    `a unit whose every run traps fails with Trap; the rest of the job is verified (units per pack: ${unitsPerPack})`,
    { timeout: 90_000 },
    async () => {
      const pair = [await startNode(), await startNode()];
      nodes.push(...pair);
      const [requester] = pair as [TestNode, TestNode];
      await meshOf(pair);
      const input = Buffer.alloc(UNITS * CHUNK, 7);
      for (const i of TRAPPING) input[i * CHUNK] = 0xff;
      const { job_id } = await requester.api['jobs.submit']({
        wasm_base64: Buffer.from(hostileModule('reverse-or-trap')).toString('base64'),
        input_base64: input.toString('base64'),
        chunk_bytes: CHUNK,
        units_per_pack: unitsPerPack,
        redundancy: 1,
        budget: 10_000_000,
        priority: 0.5,
        manual_accept: false,
        open_to_strangers: false,
      });

      const job = await jobEnded(requester.api, job_id, 60_000);
      assert.equal(job.units_per_pack, unitsPerPack);
      assert.equal(job.units_total, UNITS);
      assert.equal(job.state, 'failed');
      assert.equal(job.units_failed, TRAPPING.length);
      assert.equal(job.units_verified, UNITS - TRAPPING.length);

      const { units } = await requester.api['jobs.status']({ job_id, units: true });
      for (const unit of units!) {
        const traps = TRAPPING.includes(unit.index);
        assert.equal(unit.status, traps ? 'failed' : 'verified', unit.unit_id);
        assert.equal(unit.failure, traps ? 'Trap' : null, unit.unit_id);
        if (traps) {
          // Run here once more for the trap's own words, which the agreed output leaves out: a
          // pack's unit alone, on its part of the pack's input.
          await assert.rejects(requester.api['jobs.output']({ job_id, unit_id: unit.unit_id }), (err: unknown) => {
            assert.ok(err instanceof ApiError, String(err));
            assert.match(err.message, /every run of it ended in Trap/);
            assert.match(err.message, /; run here, it says: Trap: \S/);
            return true;
          });
        } else {
          const { output_base64 } = await requester.api['jobs.output']({ job_id, unit_id: unit.unit_id });
          const chunk = input.subarray(unit.index * CHUNK, (unit.index + 1) * CHUNK);
          assert.deepEqual(new Uint8Array(Buffer.from(output_base64, 'base64')), new Uint8Array(reversed(chunk)));
        }
      }
      // The job's outputs in one page: the failed unit with its reason and no output, the others with theirs.
      const { outputs, next } = await requester.api['jobs.outputs']({ job_id });
      assert.equal(next, null);
      assert.deepEqual(
        outputs.map((u) => [u.index, u.status, u.failure, u.output_base64 !== undefined]),
        Array.from({ length: UNITS }, (_, i) =>
          TRAPPING.includes(i) ? [i, 'failed', 'Trap', false] : [i, 'verified', null, true],
        ),
      );
      const page = await requester.api['jobs.outputs']({ job_id, from: 3 });
      assert.deepEqual([page.outputs.map((u) => u.index), page.next], [[3], null]);
      // Its events count the units as job status does: a pack's trapped unit is a unit.failed of its own.
      const { events } = await requester.api['events.since']({ after: 0, limit: 1000 });
      const mine = events.filter((e) => e.data['job_id'] === job_id);
      const count = (one: string, many?: string) =>
        mine.reduce(
          (sum, e) =>
            sum + (e.type === one ? Number(e.data['units'] ?? 1) : e.type === many ? Number(e.data['units']) : 0),
          0,
        );
      assert.equal(count('unit.verified', 'units.verified'), UNITS - TRAPPING.length, 'units verified, by events');
      assert.equal(count('unit.failed'), TRAPPING.length, 'units failed, by events');
    },
  );
}

test("a user's module of tiny units is packed from what its first unit cost the requester; one whose first unit runs long, or traps, is not", async () => {
  const requester = await startNode();
  nodes.push(requester);
  const terms = {
    chunk_bytes: CHUNK,
    redundancy: 1,
    budget: 10_000_000,
    priority: 0.5,
    manual_accept: true,
    open_to_strangers: false,
  };
  const input = Buffer.alloc(64 * CHUNK, 7);
  const tiny = await requester.api['jobs.submit']({
    ...terms,
    wasm_base64: Buffer.from(reverseModule()).toString('base64'),
    input_base64: input.toString('base64'),
  });
  const packed = (await requester.api['jobs.status']({ job_id: tiny.job_id, units: false })).job;
  assert.ok(packed.units_per_pack > 1, `packed: ${packed.units_per_pack} a pack`);
  assert.equal(packed.units_total, 64);
  // Its first unit spins until the probe's fuel runs out: it costs 10 ms or more, so its units go alone.
  const spinning = Buffer.from(input);
  spinning[0] = 0xff;
  const long = await requester.api['jobs.submit']({
    ...terms,
    wasm_base64: Buffer.from(hostileModule('reverse-or-spin')).toString('base64'),
    input_base64: spinning.toString('base64'),
  });
  const alone = (await requester.api['jobs.status']({ job_id: long.job_id, units: false })).job;
  assert.deepEqual([alone.units_per_pack, alone.units_total], [1, 64]);
  // Its first unit traps: the submit still makes the job, its units alone (each fails or not in the mesh).
  const trapping = await requester.api['jobs.submit']({
    ...terms,
    wasm_base64: Buffer.from(hostileModule('reverse-or-trap')).toString('base64'),
    input_base64: spinning.toString('base64'),
  });
  const unpacked = (await requester.api['jobs.status']({ job_id: trapping.job_id, units: false })).job;
  assert.deepEqual([unpacked.units_per_pack, unpacked.units_total, unpacked.state], [1, 64, 'running']);
});

test('a job past the unit limit is refused at submit, naming the limit and the value; no job is made', async () => {
  if (nodes.length === 0) nodes.push(await startNode()); // when this test runs alone
  const requester = nodes[0]!;
  const before = (await requester.api['jobs.list']({})).jobs.length;
  await assert.rejects(
    requester.api['jobs.submit']({
      library: 'hash',
      method: 'sha256',
      input_base64: Buffer.alloc(1_000_001).toString('base64'),
      chunk_bytes: 1,
      redundancy: 1,
      budget: 1000,
      priority: 0.5,
      manual_accept: false,
      open_to_strangers: false,
    }),
    (err: unknown) =>
      err instanceof ApiError &&
      err.code === 'bad_request' &&
      /makes 1000001 units of 1 bytes; a job has at most 1000000 units/.test(err.message),
  );
  assert.equal((await requester.api['jobs.list']({})).jobs.length, before);
});

// `meshctl job status` as a user reads it: a render job whose later frames are still being
// estimated says so, and a job the node cancelled says why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { counted, formatAccepted, formatJob, formatJobStatus } from '../../src-main/cli/format.js';
import { STUB_JOB } from '../node/api-stub-handlers.js';

test('a running job with units still to be made says how many are made', () => {
  const text = formatJob({ ...STUB_JOB, units_total: 1600, units_created: 992 });
  assert.match(text, /later frames still being estimated: 992\/1600 units made/);
  assert.doesNotMatch(formatJob(STUB_JOB), /estimated/, 'not once every unit is made');
});

test('a running job that something holds up says what', () => {
  const waiting = 'each unit needs 2 different providers, and 1 that works for you offers cores now';
  assert.match(formatJob({ ...STUB_JOB, waiting }), new RegExp(`\\nwaiting\\s+${waiting}\\n`));
  assert.doesNotMatch(formatJob(STUB_JOB), /waiting/, 'nothing when nothing does');
});

test('a paused job says so in its state, and its budget line what it needs to finish', () => {
  const text = formatJob({ ...STUB_JOB, state: 'paused', held: 120, spent: 4_380, budget_needed: 9_870 });
  assert.match(text, /\nstate\s+paused\n/);
  assert.match(text, /\nbudget\s+5\.000 credits \(0\.120 held, 4\.380 spent; about 9\.870 needed to finish\)\n/);
  assert.match(
    formatJob(STUB_JOB),
    /\nbudget\s+5\.000 credits \(1\.000 held, 0\.250 spent\)\n/,
    'nothing needed when running',
  );
});

test("a packed job's units say how they travel: in packs, or in one pack; a lone unit says nothing", () => {
  const units = (job: Partial<typeof STUB_JOB>) => /\nunits\s+([^\n]*)/.exec(formatJob({ ...STUB_JOB, ...job }))![1];
  assert.equal(units({ units_per_pack: 256, units_total: 1000 }), '1/1000 verified, 0 failed, in packs of 256');
  assert.equal(units({ units_per_pack: 256, units_total: 100 }), '1/100 verified, 0 failed, in one pack');
  assert.equal(units({ units_per_pack: 256, units_total: 1 }), '1/1 verified, 0 failed');
  assert.equal(units({ units_per_pack: 1, units_total: 1000 }), '1/1000 verified, 0 failed');
});

test('a job the node cancelled says why in its state', () => {
  const reason = 'a tile of frame 70 would take about 3.1e+10 fuel; a unit may use at most 1.0e+10';
  const text = formatJob({
    ...STUB_JOB,
    state: 'cancelled',
    units_total: 1600,
    units_created: 992,
    cancel_reason: reason,
  });
  assert.match(text, new RegExp(`cancelled: ${reason.replace(/[.+]/g, '\\$&')}`));
  assert.doesNotMatch(text, /being estimated/, 'a cancelled job estimates nothing more');
  assert.match(formatJob({ ...STUB_JOB, state: 'cancelled' }), /state\s+cancelled\n/, 'a user cancel: no reason');
});

test('counts read as people write them: one frame, two frames', () => {
  assert.equal(counted(1, 'frame'), '1 frame');
  assert.equal(counted(0, 'tile'), '0 tiles');
  assert.equal(counted(15, 'tile'), '15 tiles');
  assert.match(formatAccepted({ accepted: 1, refused: [] }), /^accepted 1 offer$/m);
});

test('job status --units lists every unit of a million-unit-sized job (the column widths overflowed the stack at 312,500)', () => {
  const units = Array.from({ length: 312_500 }, (_, index) => ({
    unit_id: `job-1/${index}`,
    index,
    status: 'verified' as const,
    failure: null,
    providers: ['peer-b'],
    consensus_hash: null,
    output_cid: 'bafkrei',
    estimated_fuel: null,
    estimated_seconds: null,
    seconds: null,
    fuel: null,
    device: null,
  }));
  const lines = formatJobStatus({ job: STUB_JOB, units }).split('\n');
  assert.equal(lines.at(-1), 'job-1/312499  312499  verified  1          bafkrei');
});

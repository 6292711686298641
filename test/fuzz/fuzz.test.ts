// The short fuzzing run of `npm test`: every target under Jazzer.js for a few seconds from its
// seeds (about 1.5 minutes in all, start-ups included). The corpus it grows is thrown away; an
// input that breaks a target is saved under .fuzz/findings/ and named in the failure.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FUZZ_TARGETS, runFuzzer } from './fuzzer.js';

const SECONDS_PER_TARGET = 7;

for (const target of FUZZ_TARGETS) {
  test(`fuzz ${target.name} for ${SECONDS_PER_TARGET} s: nothing breaks it`, async (t) => {
    const corpus = mkdtempSync(join(tmpdir(), `mesh-fuzz-${target.name}-`));
    try {
      const run = await runFuzzer(target, SECONDS_PER_TARGET, corpus);
      assert.equal(run.finding, undefined, `${target.name} broke on ${run.finding}:\n${run.output.slice(-3000)}`);
      assert.equal(run.status, 0, run.output.slice(-3000));
      assert.ok(run.execs > 0, `no input ran:\n${run.output.slice(-3000)}`);
      t.diagnostic(`${run.execs} executions, ${run.execsPerSecond}/s`);
    } finally {
      rmSync(corpus, { recursive: true, force: true });
    }
  });
}

// Fuzzing throughput (npm run bench -- fuzz): each fuzz target under Jazzer.js for a few seconds
// from its seeds, as libFuzzer counts it (executions per second of fuzzing, start-up not
// included); and the executions of the last long run (`npm run fuzz -- all <seconds>`), read from
// the file that run wrote, .fuzz/last-run.json.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FUZZ_TARGETS, LAST_RUN_FILE, runFuzzer } from '../test/fuzz/fuzzer.js';
import type { Benchmark, Figure } from './harness.js';

const SECONDS_PER_TARGET = 10;

async function execsPerSecond(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const target of FUZZ_TARGETS) {
    const corpus = mkdtempSync(join(tmpdir(), `mesh-fuzz-bench-${target.name}-`));
    try {
      const run = await runFuzzer(target, SECONDS_PER_TARGET, corpus);
      const broke = run.finding ?? (run.status === 0 ? undefined : `exit status ${run.status}`);
      figures.push({
        name: 'fuzz_execs_per_s',
        target: target.name,
        value: run.execsPerSecond,
        unit: 'executions/s',
        ...(broke === undefined ? {} : { error: `the target broke: ${broke}` }),
      });
    } finally {
      rmSync(corpus, { recursive: true, force: true });
    }
  }
  return figures;
}

function lastLongRun(): Figure {
  let record: { total_execs: number; seconds_per_target: number; finished_at: string; targets: unknown[] };
  try {
    record = JSON.parse(readFileSync(LAST_RUN_FILE, 'utf8')) as typeof record;
  } catch {
    return {
      name: 'fuzz_last_long_run_execs',
      value: Number.NaN,
      unit: 'executions',
      error: `no long run recorded in ${LAST_RUN_FILE}: run npm run fuzz -- all <seconds>`,
    };
  }
  return {
    name: 'fuzz_last_long_run_execs',
    value: record.total_execs,
    unit: 'executions',
    targets: record.targets.length,
    seconds_per_target: record.seconds_per_target,
    finished_at: record.finished_at,
  };
}

export const benchmarks: Benchmark[] = [
  { names: ['fuzz_execs_per_s'], run: execsPerSecond },
  { names: ['fuzz_last_long_run_execs'], run: () => [lastLongRun()] },
];

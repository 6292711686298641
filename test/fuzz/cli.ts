// `npm run fuzz -- <target|all> <seconds>`: a long fuzzing run. Each target keeps the corpus it
// grows in .fuzz/corpus/<target>/, so runs build on each other; the figures of the run go to
// .fuzz/last-run.json (read by `npm run bench -- fuzz`). An input that breaks a target is saved
// under .fuzz/findings/: fix the bug, then keep the input in test/fuzz/regressions/<target>/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FUZZ_TARGETS, LAST_RUN_FILE, runFuzzer, WORK_DIR, type FuzzRun } from './fuzzer.js';

const [name, secondsText] = process.argv.slice(2);
const seconds = Number(secondsText ?? 60);
const targets = name === 'all' ? FUZZ_TARGETS : FUZZ_TARGETS.filter((t) => t.name === name);
if (targets.length === 0 || !Number.isInteger(seconds) || seconds < 1) {
  console.error(`usage: npm run fuzz -- <${['all', ...FUZZ_TARGETS.map((t) => t.name)].join('|')}> <seconds>`);
  process.exit(2);
}

const runs: FuzzRun[] = [];
for (const target of targets) {
  const run = await runFuzzer(target, seconds, join(WORK_DIR, 'corpus', target.name));
  runs.push(run);
  console.log(`${target.name}: ${run.execs} executions, ${run.execsPerSecond}/s`);
  if (run.finding !== undefined || run.status !== 0) {
    console.error(run.output.slice(-4000));
    console.error(`${target.name} broke: ${run.finding ?? `exit status ${run.status}`}`);
    console.error(`fix it, then keep the input in test/fuzz/regressions/${target.name}/`);
  }
}
const record = {
  finished_at: new Date().toISOString(),
  seconds_per_target: seconds,
  total_execs: runs.reduce((sum, run) => sum + run.execs, 0),
  targets: runs.map(({ target, execs, execsPerSecond, finding }) => ({ target, execs, execsPerSecond, finding })),
};
writeFileSync(LAST_RUN_FILE, `${JSON.stringify(record, null, 2)}\n`);
console.log(`${record.total_execs} executions in all; written to ${LAST_RUN_FILE}`);
process.exit(runs.every((run) => run.finding === undefined && run.status === 0) ? 0 : 1);

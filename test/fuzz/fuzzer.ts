// The fuzz targets and how they run: each under Jazzer.js (libFuzzer, steered by the coverage of
// our code, which Jazzer instruments as it loads), in a process of its own, for a given time.
// Seeds live in test/fuzz/corpus/<target>/ (read, never written); what the fuzzer finds new goes to
// a corpus of the caller's choosing, and an input that breaks a target to .fuzz/findings/.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FuzzTarget {
  name: string;
  /** Its `fuzz` never returns a promise: Jazzer then calls it directly, several times faster. */
  sync: boolean;
  /** The longest input libFuzzer makes. */
  maxLen: number;
  /** Libraries whose code does the decoding too, instrumented so that their branches steer the fuzzer. */
  libraries: readonly string[];
}

const ZOD = 'node_modules/zod/';

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  { name: 'envelope', sync: false, maxLen: 4096, libraries: [ZOD] },
  { name: 'messages', sync: true, maxLen: 8192, libraries: [ZOD] },
  { name: 'blob-reader', sync: true, maxLen: 4096, libraries: [] },
  { name: 'frames', sync: true, maxLen: 1024, libraries: [ZOD] },
  { name: 'receipts', sync: false, maxLen: 4096, libraries: [ZOD, 'node_modules/@ipld/dag-cbor/'] },
  { name: 'scene', sync: true, maxLen: 8192, libraries: [ZOD] },
  { name: 'obj', sync: true, maxLen: 4096, libraries: ['node_modules/@loaders.gl/obj/'] },
  { name: 'api', sync: false, maxLen: 4096, libraries: [ZOD] },
  { name: 'invite', sync: false, maxLen: 2048, libraries: ['node_modules/@ipld/dag-cbor/', 'node_modules/cborg/'] },
];

/** The repository's root, from dist/test/fuzz/ (built) where this runs. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Long runs keep their corpus, findings and figures here (not committed). */
export const WORK_DIR = join(REPO_ROOT, '.fuzz');
export const LAST_RUN_FILE = join(WORK_DIR, 'last-run.json');
export const seedsOf = (target: string): string => join(REPO_ROOT, 'test', 'fuzz', 'corpus', target);
export const regressionsOf = (target: string): string => join(REPO_ROOT, 'test', 'fuzz', 'regressions', target);
export const moduleOf = (target: string): string => fileURLToPath(new URL(`./targets/${target}.js`, import.meta.url));

const jazzerCli = join(dirname(fileURLToPath(import.meta.resolve('@jazzer.js/core/package.json'))), 'dist', 'cli.js');

export interface FuzzRun {
  target: string;
  seconds: number;
  execs: number;
  /** libFuzzer's own count, over the time it fuzzed (start-up not included). */
  execsPerSecond: number;
  /** Where libFuzzer wrote the input that broke the target; undefined when nothing did. */
  finding: string | undefined;
  /** libFuzzer's exit status: 0 when the time ran out with nothing found. */
  status: number;
  output: string;
}

/** Fuzzes `target` for `seconds`, adding what it finds new to `corpus` (a folder it creates). */
export function runFuzzer(target: FuzzTarget, seconds: number, corpus: string): Promise<FuzzRun> {
  const findings = join(WORK_DIR, 'findings');
  mkdirSync(corpus, { recursive: true });
  mkdirSync(findings, { recursive: true });
  const args = [
    jazzerCli,
    moduleOf(target.name),
    corpus, // libFuzzer writes new inputs to the first folder only
    seedsOf(target.name),
    ...(target.sync ? ['--sync'] : []),
    // Instrument our own code (the targets and src-main as built) and the target's libraries.
    `--includes=${join(REPO_ROOT, 'dist')}/`,
    ...target.libraries.map((library) => `--includes=${library}`),
    '--excludes=node_modules/@jazzer.js/',
    '--timeout=5000', // a single input that runs this long (ms) is a hang, and a finding
    '--',
    `-max_total_time=${seconds}`,
    `-max_len=${target.maxLen}`,
    '-rss_limit_mb=2048', // memory a hostile input makes the process hold is a finding too
    '-print_final_stats=1',
    `-artifact_prefix=${findings}/${target.name}-`,
  ];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.length > 1 << 20) output = output.slice(-(1 << 19)); // only the tail is read
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      // The final stats when libFuzzer printed them (not always, in async mode); else its last status line.
      const number = (pattern: RegExp) => {
        const match = pattern.exec(output);
        return match ? Number(match[1]) : undefined;
      };
      resolve({
        target: target.name,
        seconds: (performance.now() - started) / 1000,
        execs: number(/stat::number_of_executed_units:\s*(\d+)/) ?? number(/#(\d+)\s+DONE/) ?? 0,
        execsPerSecond: number(/stat::average_exec_per_sec:\s*(\d+)/) ?? number(/#\d+\s+DONE\s.*?exec\/s: (\d+)/) ?? 0,
        finding: /Test unit written to (\S+)/.exec(output)?.[1],
        status: code ?? (signal ? 128 : 1),
        output,
      });
    });
  });
}

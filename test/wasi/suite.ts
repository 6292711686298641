// Runs a folder of WASI tests in the shape of the WebAssembly wasi-testsuite: each test is
// `<name>.wasm` with `<name>.json` beside it ({args, env, dirs, exit_code, stdout, stderr}, every
// key optional; no `.json` at all is the default spec, as the suite's runners take it: exit 0).
// Each of `dirs` (a folder beside the test) is preopened under its own name, as written, as the
// suite's runners do (`wasmtime --dir <name>`: a program finds it by that name, and wasi-libc
// resolves `name/file` from `/`), writable: the unit's own copy.
// Ours besides: `root`, a folder beside the test preopened writable as the root (`/`, where
// `fopen("file")` looks); `input`, folders whose files go read-only under /input, with the default
// /tmp and /out (docs/UNIT_ABI.md, section 15); `stdin`, a string given as the unit's input. A test
// passes when the exit code, and stdout and stderr where the spec gives them, match.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { WasiDir } from '../../src-main/core/schemas/index.js';
import * as z from '../../src-main/core/schemas/zod.js';
import type { Executor, ExecSuccess } from '../../src-main/node/exec/index.js';
import { decodeWasiOutput } from '../../src-main/node/exec/wasi/program.js';
import { encodeInputFiles, type WasiResult } from '../../src-main/node/exec/wasi/unit-bytes.js';

const SpecSchema = z.object({
  args: z.optional(z.array(z.string())),
  env: z.optional(z.record(z.string(), z.string())),
  dirs: z.optional(z.array(z.string())),
  root: z.optional(z.string()),
  input: z.optional(z.array(z.string())),
  exit_code: z.optional(z.int()),
  stdout: z.optional(z.string()),
  stderr: z.optional(z.string()),
  stdin: z.optional(z.string()),
});
export type WasiTestSpec = z.infer<typeof SpecSchema>;

export interface WasiTest {
  name: string;
  /** The folder it lies in. */
  folder: string;
  modulePath: string;
  module: Uint8Array;
  spec: WasiTestSpec;
  /** The folders mapped (`root`, then `dirs`), or none for the default /input, /tmp and /out. */
  dirs: WasiDir[] | undefined;
  /** The unit's files: /input's, or mapping i's under `i/` (a path ending in `/` an empty folder). */
  files: Array<[string, Uint8Array]>;
}

/** A folder's files by their path below it, and its empty folders as `path/`. */
function filesUnder(dir: string, root = dir): Array<[string, Uint8Array]> {
  const names = readdirSync(dir);
  if (names.length === 0 && dir !== root) return [[`${relative(root, dir)}/`, new Uint8Array()]];
  return names.flatMap((name): Array<[string, Uint8Array]> => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, root) : [[relative(root, path), readFileSync(path)]];
  });
}

/** Every test of `folder`, by name; its modules from `modules` when they lie elsewhere (a second build). */
export function loadWasiTests(folder: string, modules = folder): WasiTest[] {
  return readdirSync(modules)
    .filter((f) => f.endsWith('.wasm'))
    .sort()
    .map((file) => {
      const name = file.replace(/\.wasm$/, '');
      const json = join(folder, `${name}.json`);
      const spec = SpecSchema.parse(existsSync(json) ? JSON.parse(readFileSync(json, 'utf8')) : {});
      const modulePath = join(modules, file);
      const module = readFileSync(modulePath);
      const mapped = [...(spec.root === undefined ? [] : [spec.root]), ...(spec.dirs ?? [])];
      if (mapped.length === 0) {
        const files = (spec.input ?? []).flatMap((d) => filesUnder(join(folder, d)).filter(([p]) => !p.endsWith('/')));
        return { name, folder, modulePath, module, spec, dirs: undefined, files };
      }
      const dirs = mapped.map((d, i): WasiDir => ({
        guest: i === 0 && spec.root !== undefined ? '.' : d,
        mode: 'rw',
      }));
      const files = mapped.flatMap((d, i) =>
        filesUnder(join(folder, d)).map(([p, b]): [string, Uint8Array] => [`${i}/${p}`, b]),
      );
      return { name, folder, modulePath, module, spec, dirs, files };
    });
}

export interface WasiTestRun {
  success: ExecSuccess;
  result: WasiResult;
}

export async function runWasiTest(executor: Executor, test: WasiTest): Promise<WasiTestRun> {
  const success = await executor.run({
    module: test.module,
    input: new TextEncoder().encode(test.spec.stdin ?? ''),
    wasi: {
      program: `${test.name}.wasm`,
      args: test.spec.args,
      env: test.spec.env,
      files: test.files.length > 0 || test.dirs ? encodeInputFiles(test.files) : undefined,
      dirs: test.dirs,
    },
  });
  return { success, result: decodeWasiOutput(success.output) };
}

/** What differs from the spec, one line each; empty when the test passes. */
export function mismatches(spec: WasiTestSpec, run: WasiTestRun): string[] {
  return differences(spec, run.result.exitCode, run.result.stdout, run.success.stderr);
}

function differences(spec: WasiTestSpec, exitCode: number, stdout?: Uint8Array, stderr?: Uint8Array): string[] {
  const text = (b: Uint8Array | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
  const out: string[] = [];
  if (exitCode !== (spec.exit_code ?? 0)) out.push(`exit code ${exitCode}, expected ${spec.exit_code ?? 0}`);
  if (spec.stdout !== undefined && text(stdout) !== spec.stdout)
    out.push(`stdout ${JSON.stringify(text(stdout))}, expected ${JSON.stringify(spec.stdout)}`);
  if (spec.stderr !== undefined && text(stderr) !== spec.stderr)
    out.push(`stderr ${JSON.stringify(text(stderr))}, expected ${JSON.stringify(spec.stderr)}`);
  return out;
}

/** What node:wasi's run, in a process of its own, sets for a program (argv[2]: its JSON options). */
const NODE_WASI_SCRIPT = `
const { readFileSync } = require('node:fs');
const { WASI } = require('node:wasi');
const o = JSON.parse(process.argv[1]);
const wasi = new WASI({ version: 'preview1', args: o.args, env: o.env, preopens: o.preopens, returnOnExit: true });
const module = new WebAssembly.Module(readFileSync(o.module));
process.exitCode = wasi.start(new WebAssembly.Instance(module, wasi.getImportObject()));
`;

/**
 * The test run by Node's own `node:wasi` in a child process (it may wait on the real clock or hang;
 * past `timeoutMs` it fails), each folder a fresh real copy preopened as ours are: what differs from
 * the spec, empty when it passes.
 */
export function nodeWasiMismatches(test: WasiTest, timeoutMs = 20_000): string[] {
  const scratch = mkdtempSync(join(tmpdir(), 'node-wasi-'));
  try {
    const preopens: Record<string, string> = {};
    const mapped = [...(test.spec.root === undefined ? [] : [test.spec.root]), ...(test.spec.dirs ?? [])];
    mapped.forEach((d, i) => {
      const copy = join(scratch, `${i}`);
      cpSync(join(test.folder, d), copy, { recursive: true });
      preopens[i === 0 && test.spec.root !== undefined ? '/' : d] = copy;
    });
    if (mapped.length === 0) {
      for (const where of ['input', 'tmp', 'out']) mkdirSync(join(scratch, where));
      for (const d of test.spec.input ?? []) cpSync(join(test.folder, d), join(scratch, 'input'), { recursive: true });
      for (const where of ['input', 'tmp', 'out']) preopens[`/${where}`] = join(scratch, where);
    }
    const options = {
      args: [`${test.name}.wasm`, ...(test.spec.args ?? [])],
      env: test.spec.env ?? {},
      preopens,
      module: test.modulePath,
    };
    const child = spawnSync(process.execPath, ['--no-warnings', '-e', NODE_WASI_SCRIPT, JSON.stringify(options)], {
      input: test.spec.stdin ?? '',
      timeout: timeoutMs,
      maxBuffer: 64 << 20,
    });
    if (child.error || child.status === null) return [`node:wasi did not end: ${child.error?.message ?? child.signal}`];
    return differences(test.spec, child.status, child.stdout, child.stderr);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

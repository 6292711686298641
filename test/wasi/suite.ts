// Runs a folder of WASI tests in the shape of the WebAssembly wasi-testsuite: each test is
// `<name>.wasm` with `<name>.json` beside it ({args, env, dirs, exit_code, stdout, stderr}, every
// key optional; no `.json` at all is the default spec, as the suite's runners take it: exit 0). Our host mounts fixed folders, so each of `dirs` (a folder beside the test) has
// its files put under /input, read-only. One key is ours: `stdin`, a string given as the unit's
// input. A test passes when the exit code, and stdout and stderr where the spec gives them, match.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as z from '../../src-main/core/schemas/zod.js';
import type { Executor, ExecSuccess } from '../../src-main/node/exec/index.js';
import { decodeWasiOutput, encodeInputFiles, type WasiResult } from '../../src-main/node/exec/wasi/program.js';

const SpecSchema = z.object({
  args: z.optional(z.array(z.string())),
  env: z.optional(z.record(z.string(), z.string())),
  dirs: z.optional(z.array(z.string())),
  exit_code: z.optional(z.int()),
  stdout: z.optional(z.string()),
  stderr: z.optional(z.string()),
  stdin: z.optional(z.string()),
});
export type WasiTestSpec = z.infer<typeof SpecSchema>;

export interface WasiTest {
  name: string;
  module: Uint8Array;
  spec: WasiTestSpec;
  files: Array<[string, Uint8Array]>;
}

function filesUnder(dir: string, root = dir): Array<[string, Uint8Array]> {
  return readdirSync(dir).flatMap((name): Array<[string, Uint8Array]> => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, root) : [[relative(root, path), readFileSync(path)]];
  });
}

/** Every test of `folder`, by name. */
export function loadWasiTests(folder: string): WasiTest[] {
  return readdirSync(folder)
    .filter((f) => f.endsWith('.wasm'))
    .sort()
    .map((file) => {
      const name = file.replace(/\.wasm$/, '');
      const json = join(folder, `${name}.json`);
      const spec = SpecSchema.parse(existsSync(json) ? JSON.parse(readFileSync(json, 'utf8')) : {});
      const files = (spec.dirs ?? []).flatMap((d) => filesUnder(join(folder, d)));
      return { name, module: readFileSync(join(folder, file)), spec, files };
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
      files: test.files.length > 0 ? encodeInputFiles(test.files) : undefined,
    },
  });
  return { success, result: decodeWasiOutput(success.output) };
}

/** What differs from the spec, one line each; empty when the test passes. */
export function mismatches(spec: WasiTestSpec, run: WasiTestRun): string[] {
  const text = (b: Uint8Array | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
  const out: string[] = [];
  if (run.result.exitCode !== (spec.exit_code ?? 0))
    out.push(`exit code ${run.result.exitCode}, expected ${spec.exit_code ?? 0}`);
  if (spec.stdout !== undefined && text(run.result.stdout) !== spec.stdout)
    out.push(`stdout ${JSON.stringify(text(run.result.stdout))}, expected ${JSON.stringify(spec.stdout)}`);
  if (spec.stderr !== undefined && text(run.success.stderr) !== spec.stderr)
    out.push(`stderr ${JSON.stringify(text(run.success.stderr))}, expected ${JSON.stringify(spec.stderr)}`);
  return out;
}

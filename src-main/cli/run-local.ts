// `meshctl run-local --wasm m.wasm --input f [--chunk-bytes N] [--params JSON] [--out DIR]` (and
// `--wasi prog.wasm` with submit-job's WASI options: run-local-wasi.ts): a
// module's units run on this machine through the same sandbox a provider runs them in (the
// Executor: the module's checks, fuel metering, the default limits), the input cut into units as
// submit-job cuts it; each unit's output and fuel printed (or its output written to DIR/<index>).
// What a module is worth trying here before it is submitted, and paid for.
import { mkdir, open, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { MAX_CHUNK_BYTES, MAX_MODULE_BYTES, MAX_STREAMED_INPUT_BYTES } from '../core/api/contract.js';
import { describeError } from '../core/errors.js';
import { LIMITS, Params, validate } from '../core/schemas/index.js';
import type { ExecSuccess } from '../node/exec/index.js';
import { CliError, jsonObject, readFileUpTo, wholeNumber } from './args.js';
import { counted } from './format.js';
import { runLocalWasi, type RunLocalWasiOptions } from './run-local-wasi.js';
import { collect } from './wasi-submit.js';

interface Options extends RunLocalWasiOptions {
  wasm?: string;
  input?: string;
  chunkBytes?: string;
  params?: string;
  out?: string;
  workers?: string;
}

/** Bytes of input read and run at a time: the units of a window run together, then are printed in order. */
const WINDOW_BYTES = 64 << 20;
/** Units run at a time, at most: a worker's hop is 64, so every worker finds one waiting. */
const WINDOW_UNITS = 512;
/** An output longer than this is printed only in part (--out writes it whole). */
const SHOWN_BYTES = 1024;

export function registerRunLocal(program: Command): void {
  program
    .command('run-local')
    .description(
      "run a module's units on this machine through the sandbox a provider uses; print each output and its fuel",
    )
    .option('--wasm <file>', 'your module under the unit ABI (docs/UNIT_ABI.md)')
    .option('--wasi <file>', 'or a WASI program, its units made as submit-job --wasi makes them (run-local-wasi.ts)')
    .option('--input <file>', 'the input, cut into units as submit-job cuts it')
    .option('--args <args>', "wasi: its args, {index} and {name} the unit's (as submit-job)")
    .option('--env <NAME=VALUE>', 'wasi: an environment variable (repeatable)', collect)
    .option('--files <dir>', 'wasi: a folder mounted read-only at /input')
    .option(
      '--dir <HOST[:GUEST][:ro|rw]>',
      'wasi: HOST[:GUEST][:ro|rw], a folder where the program expects it (. for relative paths), instead of /input, /tmp and /out; :rw changes come back (repeatable)',
      collect,
    )
    .option('--for-each <glob>', 'wasi: a unit per file matching, the file as stdin')
    .option('--items <n>', 'wasi: n units, stdin empty')
    .option(
      '--job-id <id>',
      "wasi: whose units these are (their seeds follow from it): a mesh job's id reproduces its units",
      'local',
    )
    .option('--chunk-bytes <n>', 'bytes of input per unit (default: the whole input is one unit)')
    .option('--params <json>', "the units' params, a JSON object (default {})")
    .option('--out <dir>', "write each unit's output to DIR/<index> instead of printing it")
    .option('--workers <n>', 'worker threads (default: one per core)')
    .action(async (options: Options) => {
      try {
        process.exitCode = options.wasi === undefined ? await runLocal(options) : await runLocalWasi(options);
      } catch (err) {
        console.error(`meshctl run-local: ${err instanceof CliError ? err.message : describeError(err)}`);
        process.exitCode = 1;
      }
    });
}

/** The units as submit-job would make them: the input's size, the chunk, how many. */
async function unitsOf(options: Options & { input: string }): Promise<{ size: number; chunk: number; units: number }> {
  const input = await stat(options.input).catch((err: unknown) => {
    throw new CliError(`--input: cannot read ${options.input}: ${describeError(err)}`);
  });
  if (!input.isFile()) throw new CliError(`--input: ${options.input} is not a file`);
  const { size } = input;
  if (size === 0) throw new CliError(`--input: ${options.input} is empty; a job's input has one byte at least`);
  if (size > MAX_STREAMED_INPUT_BYTES)
    throw new CliError(
      `--input: ${options.input} is ${size} bytes; a job's input is at most ${MAX_STREAMED_INPUT_BYTES}`,
    );
  if (options.chunkBytes === undefined && size > MAX_CHUNK_BYTES)
    throw new CliError(
      `--input: ${options.input} is ${size} bytes, more than one unit takes (${MAX_CHUNK_BYTES}): cut it into units with --chunk-bytes`,
    );
  const chunk =
    options.chunkBytes === undefined ? size : wholeNumber('--chunk-bytes', options.chunkBytes, 1, MAX_CHUNK_BYTES);
  const units = Math.ceil(size / chunk);
  if (units > LIMITS.unitsPerJob)
    throw new CliError(
      `--chunk-bytes: ${options.input} makes ${units} units of ${chunk} bytes; a job has at most ${LIMITS.unitsPerJob}: use chunks of at least ${Math.ceil(size / LIMITS.unitsPerJob)} bytes`,
    );
  return { size, chunk, units };
}

async function runLocal(given: Options): Promise<number> {
  if (given.wasm === undefined)
    throw new CliError('--wasm <file> (a module under the unit ABI) or --wasi <file> (a WASI program)');
  if (given.input === undefined) throw new CliError('--input <file>: the input, cut into units as submit-job cuts it');
  const wasiOnly = (['args', 'env', 'files', 'dir', 'forEach', 'items'] as const).find((o) => given[o] !== undefined);
  if (wasiOnly) throw new CliError(`--${wasiOnly.replace('E', '-e')} goes with --wasi`);
  const options = { ...given, wasm: given.wasm, input: given.input };
  // Everything typed is checked before the sandbox starts.
  const workers = options.workers === undefined ? undefined : wholeNumber('--workers', options.workers, 1, 1024);
  const params = options.params === undefined ? {} : jsonObject('--params', options.params);
  const checked = validate(Params, params);
  if (!checked.ok) throw new CliError(`--params: ${checked.error.message}`);
  const { size, chunk, units } = await unitsOf(options);
  const module = await readFileUpTo('--wasm', options.wasm, MAX_MODULE_BYTES);
  if (options.out !== undefined) await mkdir(options.out, { recursive: true });
  // Loaded here, not at the top: the sandbox (binaryen, piscina) would slow every other meshctl command.
  const [{ Executor, ExecError }, { whyUnrunnable }] = await Promise.all([
    import('../node/exec/index.js'),
    import('../node/kinds/module/module-check.js'),
  ]);
  const executor = Executor.start(workers === undefined ? {} : { workers });
  const started = performance.now();
  const file = await open(options.input);
  try {
    await executor.checkModule(module).catch((err: unknown) => {
      if (err instanceof ExecError)
        throw new CliError(`--wasm: ${options.wasm} cannot run as a unit: ${whyUnrunnable(err)}`);
      throw err;
    });
    let fuel = 0;
    let failed = 0;
    const perWindow = Math.max(1, Math.min(WINDOW_UNITS, Math.floor(WINDOW_BYTES / chunk)));
    for (let first = 0; first < units; first += perWindow) {
      const indexes = Array.from({ length: Math.min(perWindow, units - first) }, (_, k) => first + k);
      const ran = await Promise.all(
        indexes.map(async (index) => {
          const input = await readUnit(file, index * chunk, Math.min(chunk, size - index * chunk));
          return executor.run({ module, params: checked.value, input }).catch((err: unknown) => {
            if (err instanceof ExecError) return err;
            throw err;
          });
        }),
      );
      for (const [k, result] of ran.entries()) {
        const index = indexes[k]!;
        if (result instanceof ExecError) {
          failed++;
          fuel += result.fuel ?? 0;
          const spent = result.fuel === undefined ? '' : `, fuel ${result.fuel}`;
          console.log(`unit ${index}: failed${spent}: ${result.message}`);
          continue;
        }
        fuel += result.fuel;
        console.log(await reported(index, result, options.out));
      }
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const of = chunk === size ? `the whole of ${options.input}` : `${chunk}-byte chunks of ${options.input}`;
    console.log(
      `${counted(units, 'unit')} (${of}): ${units - failed} ran, ${failed} failed; fuel ${fuel} in all; ${seconds} s on ${counted(executor.workers, 'worker')}`,
    );
    return failed === 0 ? 0 : 1;
  } finally {
    await file.close();
    await executor.close();
  }
}

async function readUnit(file: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  const { bytesRead } = await file.read(bytes, 0, length, position);
  if (bytesRead !== length)
    throw new CliError(`--input changed while it was read (${bytesRead} of ${length} bytes at ${position})`);
  return bytes;
}

/** A unit's line: its output's size and fuel, then the output (or where it was written). */
async function reported(index: number, result: ExecSuccess, out: string | undefined): Promise<string> {
  const head = `unit ${index}: ${counted(result.output.byteLength, 'byte')}, fuel ${result.fuel}`;
  if (out === undefined) return `${head}: ${shown(result.output)}`;
  const path = join(out, String(index));
  await writeFile(path, result.output);
  return `${head} → ${path}`;
}

/** An output as a JSON string when it is UTF-8 text (tab, CR and LF allowed), else in hex; its first SHOWN_BYTES. */
function shown(output: Uint8Array): string {
  const part = output.subarray(0, SHOWN_BYTES);
  const cut = output.byteLength > SHOWN_BYTES;
  const more = cut ? ` … (the first ${SHOWN_BYTES} of ${output.byteLength} bytes; --out DIR writes them whole)` : '';
  let text: string | undefined;
  try {
    // Streaming: a character cut at SHOWN_BYTES is left out rather than refused.
    text = new TextDecoder('utf-8', { fatal: true }).decode(part, { stream: cut });
  } catch {
    text = undefined;
  }
  // oxlint-disable-next-line no-control-regex -- the control characters are what is looked for
  if (text !== undefined && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text))
    return `${JSON.stringify(text)}${more}`;
  return `hex ${Buffer.from(part).toString('hex')}${more}`;
}

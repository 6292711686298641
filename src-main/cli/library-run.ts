// `meshctl run LIBRARY METHOD FILES… --params '{…}' --out DIR`: a library method (docs/KERNELS.md,
// "The library") over files, one unit per file. The files travel as framed items (the file's name
// and bytes, node/exec/wasi/items.ts), the node checks the params with the method's rules at
// submit, and once the job ends each file's verified result is written to DIR under the method's
// name for it (a.jpg → a.jpg.sha256); a file the method refused is named with the program's message.
// `--with FILE` (repeatable) gives the job files every unit finds under /input by their names, sent
// once: data/join's right table.
import { mkdir, mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { MAX_CHUNK_BYTES, MAX_STREAMED_INPUT_BYTES } from '../core/api/contract.js';
import { PROGRAM_LIBRARIES } from '../core/library/methods.js';
import { oneTar } from '../core/library/tar.js';
import { describeError } from '../core/errors.js';
import { LIMITS, MAX_REDUNDANCY, MAX_WASI_FILES_BYTES } from '../core/schemas/index.js';
import type { ApiClient } from '../node/api/index.js';
import { decodeWasiOutput, encodeInputFiles, framedBytes } from '../node/exec/index.js';
import { CliError, jsonObject, readFileUpTo } from './args.js';
import { jobTerms } from './job-submit.js';
import { act, connect, nodeCommand, type CommonOptions } from './node-command.js';
import { noOutput, outputOf, unitsOf } from './output-commands.js';
import { collect, fileItems, framed } from './wasi-submit.js';

const POLL_MS = 300;

export interface RunOptions extends CommonOptions {
  params?: string;
  with?: string[];
  out: string;
  redundancy: string;
  budget: string;
  maxPrice?: string;
  priority: string;
  name?: string;
  openToStrangers?: boolean;
}

/** The files as framed items, each padded to the biggest: the job's chunk size and input size. */
async function framedFiles(files: string[]) {
  if (files.length > LIMITS.unitsPerJob)
    throw new CliError(`${files.length} files, over a job's ${LIMITS.unitsPerJob} units`);
  let chunk = 1;
  for (const file of files) {
    const info = await stat(file).catch((err: unknown) => {
      throw new CliError(`cannot read ${file}: ${describeError(err)}`);
    });
    if (!info.isFile()) throw new CliError(`${file} is not a file`);
    chunk = Math.max(chunk, framedBytes(basename(file), info.size));
  }
  if (new Set(files.map((f) => basename(f))).size !== files.length)
    throw new CliError('two files have the same name: their results would be written over each other');
  if (chunk > MAX_CHUNK_BYTES)
    throw new CliError(`the biggest file makes a unit of ${chunk} bytes, over ${MAX_CHUNK_BYTES}`);
  if (chunk * files.length > MAX_STREAMED_INPUT_BYTES)
    throw new CliError(
      `${files.length} units of ${chunk} bytes (each padded to the biggest file) pass a job's ${MAX_STREAMED_INPUT_BYTES} bytes`,
    );
  return { chunk, size: chunk * files.length };
}

/** A method that takes every file as one tar (a video's frames): the path of that tar, made here unless it is the one file given. */
async function asOneTar(files: string[]): Promise<string[]> {
  if (files.length === 1 && files[0]!.endsWith('.tar')) return files;
  const named = await Promise.all(
    files.map(async (file) => ({ name: basename(file), bytes: await readFileUpTo(file, file, MAX_CHUNK_BYTES) })),
  );
  let tar;
  try {
    tar = oneTar(named);
  } catch (err) {
    throw new CliError(`the files as one tar: ${describeError(err)}`);
  }
  const path = join(await mkdtemp(join(tmpdir(), 'meshctl-tar-')), tar.name);
  await writeFile(path, tar.bytes);
  return [path];
}

/** The files `--with` names as the input tree every unit mounts at /input, each under its name; undefined for none. */
async function withFiles(paths: string[]): Promise<string | undefined> {
  if (paths.length === 0) return undefined;
  if (new Set(paths.map((p) => basename(p))).size !== paths.length)
    throw new CliError('--with: two files have the same name, and each is mounted at /input/NAME');
  const files: Array<[string, Uint8Array]> = [];
  for (const path of paths) files.push([basename(path), await readFileUpTo('--with', path, MAX_WASI_FILES_BYTES)]);
  const tree = encodeInputFiles(files);
  if (tree.byteLength > MAX_WASI_FILES_BYTES)
    throw new CliError(`--with: the files make ${tree.byteLength} bytes, over a job's ${MAX_WASI_FILES_BYTES}`);
  return Buffer.from(tree).toString('base64');
}

/** Waits until the job ends: its state. */
export async function ended(client: ApiClient, jobId: string): Promise<string> {
  for (;;) {
    const { job } = await client.call('jobs.status', { job_id: jobId });
    if (job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled') return job.state;
    if (job.state === 'paused' && job.waiting !== null)
      process.stderr.write(`meshctl: ${jobId} paused: ${job.waiting}\n`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export function registerLibraryRun(program: Command): void {
  nodeCommand(
    program,
    'run',
    "run a library method over files, one unit per file, and write each file's result to --out",
  )
    .argument('<library>', `a library: ${Object.keys(PROGRAM_LIBRARIES).join(', ')}`)
    .argument('<method>', 'its method, e.g. sha256 (docs/KERNELS.md)')
    .argument('<files...>', "the files, each a unit (a video's frames: one unit of them all, as one tar)")
    .option('--params <json>', "the method's params, a JSON object", '{}')
    .option('--with <file>', "a file every unit reads at /input/NAME, e.g. a join's right table (repeatable)", collect)
    .requiredOption('--out <dir>', "where each file's result is written (created if missing)")
    .requiredOption('--budget <credits>', 'the most the whole job may cost, in credits (3 decimals)')
    .option('--redundancy <n>', `workers per unit whose outputs must agree (1..${MAX_REDUNDANCY})`, '1')
    .option('--max-price <credits>', 'the most one worker is paid for one unit, in credits')
    .option('--priority <p>', 'a number in 0..1', '0.5')
    .option('--name <name>', 'a name to recognise the job by')
    .option('--open-to-strangers', 'peers you have not trusted may compute this job (by default only peers you trust)')
    .action(
      act(async (options: RunOptions, library = '', method = '', ...rest: unknown[]) => {
        let files = rest.flat().filter((f): f is string => typeof f === 'string');
        const lib = Object.hasOwn(PROGRAM_LIBRARIES, library) ? PROGRAM_LIBRARIES[library] : undefined;
        if (!lib)
          throw new CliError(
            `unknown library "${library}": expected one of ${Object.keys(PROGRAM_LIBRARIES).join(', ')}`,
          );
        const spec = Object.hasOwn(lib.methods, method) ? lib.methods[method] : undefined;
        if (!spec)
          throw new CliError(
            `unknown method "${method}" of ${library}: expected one of ${Object.keys(lib.methods).join(', ')}`,
          );
        const params = jsonObject('--params', options.params ?? '{}');
        if (spec.takes === 'tar') files = await asOneTar(files);
        const { chunk, size } = await framedFiles(files);
        const filesBase64 = await withFiles(options.with ?? []);
        const terms = {
          ...jobTerms(options),
          library,
          method,
          params,
          items: 'framed' as const,
          chunk_bytes: chunk,
          ...(filesBase64 !== undefined ? { files_base64: filesBase64 } : {}),
        };
        const client = connect(options);
        const { job_id: jobId } = await client.submitStream(terms, framed(fileItems(files), chunk), size);
        const state = await ended(client, jobId);
        await mkdir(options.out, { recursive: true });
        const written: string[] = [];
        const refused: string[] = [];
        for await (const unit of unitsOf(client, jobId)) {
          const file = basename(files[unit.index] ?? String(unit.index));
          const bytes = outputOf(unit);
          if (bytes === undefined) {
            refused.push(`${file}: ${noOutput(unit)}`);
            continue;
          }
          const result = decodeWasiOutput(bytes);
          if (result.exitCode !== 0) {
            refused.push(`${file}: ${Buffer.from(result.stdout).toString('utf8').trim() || `exit ${result.exitCode}`}`);
            continue;
          }
          const path = join(options.out, spec.outputName(file, params));
          await writeFile(path, result.stdout);
          written.push(path);
        }
        const text = `job ${jobId} ${state}: ${written.length} of ${files.length} results written to ${options.out}`;
        const json = { job_id: jobId, state, out: options.out, written, refused };
        if (refused.length === 0) return { json, text };
        return { json, text: `${text}\n${refused.join('\n')}`, failure: `${refused.length} files have no result` };
      }),
    );
}

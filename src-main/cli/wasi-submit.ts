// `meshctl submit-job --wasi prog.wasm`: a job of WASI programs (docs/UNIT_ABI.md, section 15).
// One unit per item: each file a glob names (`--for-each`, the file as stdin, its name as
// `{name}`), each index of `--items N` (stdin empty), or each chunk of `--input` (`--chunk-bytes`,
// the chunk as stdin, as any job's). `--args` is a template every unit expands (`{index}`,
// `{name}`); `--files DIR` is mounted read-only at /input in every unit, sent once; or `--dir`
// maps folders where the program expects them instead (wasi-dirs.ts), sent once the same way.
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { describeError } from '../core/errors.js';
import { parseWasiArgs, parseWasiEnv } from '../core/api/wasi-terms.js';
import {
  MAX_CHUNK_BYTES,
  MAX_MODULE_BYTES,
  MAX_STREAMED_INPUT_BYTES,
  type SubmitJobTermsInput,
} from '../core/api/contract.js';
import { LIMITS, MAX_WASI_FILES_BYTES } from '../core/schemas/index.js';
import { encodeInputFiles, encodeWasiItem, framedBytes } from '../node/exec/index.js';
import { CliError, readFileUpTo, wholeNumber } from './args.js';
import { readDirs } from './wasi-dirs.js';

export interface WasiOptions {
  wasi?: string;
  args?: string;
  env?: string[];
  files?: string;
  /** `--dir HOST[:GUEST][:ro|rw]`, each (wasi-dirs.ts). */
  dir?: string[];
  forEach?: string;
  items?: string;
  input?: string;
  chunkBytes?: string;
  unitsPerPack?: string;
  params?: string;
}

/** Commander's collector for a repeatable option. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `--args`: a JSON array of strings, or words split at spaces. */
function parseArgs(text: string | undefined): string[] {
  const args = parseWasiArgs(text ?? '');
  if (!args.ok) throw new CliError(`--args: ${args.error}`);
  return args.value;
}

function parseEnv(pairs: readonly string[]): Record<string, string> {
  const env = parseWasiEnv(pairs);
  if (!env.ok) throw new CliError(`--env: ${env.error}`);
  return env.value;
}

/** Whether `name` matches a glob's last part: `*` any run of characters, `?` one, all else itself. */
function matcher(pattern: string): (name: string) => boolean {
  const escaped = pattern.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  const re = new RegExp(`^${escaped.replaceAll('*', '.*').replaceAll('?', '.')}$`, 'su');
  return (name) => re.test(name);
}

/** The files `--for-each` names, sorted by name: a folder, then `*` and `?` in the last part only. */
async function filesMatching(glob: string): Promise<string[]> {
  const dir = dirname(glob);
  if (/[*?]/.test(dir)) throw new CliError(`--for-each: * and ? go in the last part of the path only: ${glob}`);
  const matches = matcher(basename(glob));
  const names = await readdir(dir).catch((err: unknown) => {
    throw new CliError(`--for-each: cannot read the folder ${dir}: ${describeError(err)}`);
  });
  const files: string[] = [];
  for (const name of names.filter(matches).sort())
    if ((await stat(join(dir, name))).isFile()) files.push(join(dir, name));
  if (files.length === 0) throw new CliError(`--for-each: no file matches ${glob}`);
  return files;
}

/** Every regular file under `dir`, as [path relative to it with "/", bytes]; anything else is refused by name. */
async function filesUnder(dir: string, root = dir, total = { bytes: 0 }): Promise<Array<[string, Uint8Array]>> {
  const found: Array<[string, Uint8Array]> = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(path, root, total)));
    else if (entry.isFile()) {
      const bytes = await readFile(path);
      total.bytes += bytes.byteLength;
      if (total.bytes > MAX_WASI_FILES_BYTES)
        throw new CliError(`--files: ${root} holds more than ${MAX_WASI_FILES_BYTES} bytes of files, a job's most`);
      found.push([relative(root, path).split(sep).join('/'), bytes]);
    } else throw new CliError(`--files: ${path} is neither a file nor a folder (a link?): only those are mounted`);
  }
  return found;
}

export async function* framed(items: AsyncIterable<[string, Uint8Array]>, chunk: number): AsyncGenerator<Uint8Array> {
  for await (const [name, stdin] of items) yield encodeWasiItem(name, stdin, chunk);
}

async function* indexes(count: number): AsyncGenerator<[string, Uint8Array]> {
  for (let i = 0; i < count; i++) yield [String(i), new Uint8Array()];
}

export async function* fileItems(files: string[]): AsyncGenerator<[string, Uint8Array]> {
  for (const file of files) yield [basename(file), await readFile(file)];
}

/** The units' input: framed items, or the `--input` file cut into chunks; its size in bytes. */
async function unitsInput(options: WasiOptions) {
  const ways = [options.forEach, options.items, options.input].filter((way) => way !== undefined).length;
  if (ways !== 1)
    throw new CliError('--wasi: one unit per item: --for-each GLOB, --items N or --input FILE, one of them');
  if (options.input !== undefined) {
    if (options.chunkBytes === undefined)
      throw new CliError('--input needs --chunk-bytes (the bytes of stdin per unit)');
    const chunk = wholeNumber('--chunk-bytes', options.chunkBytes, 1, MAX_CHUNK_BYTES);
    const { size } = await stat(options.input).catch((err: unknown) => {
      throw new CliError(`--input: cannot read ${options.input}: ${describeError(err)}`);
    });
    return { items: 'chunks' as const, chunk, input: createReadStream(options.input), size };
  }
  if (options.chunkBytes !== undefined)
    throw new CliError('--chunk-bytes goes with --input, not --for-each or --items');
  if (options.items !== undefined) {
    const count = wholeNumber('--items', options.items, 1, LIMITS.unitsPerJob);
    const chunk = framedBytes(String(count - 1), 0);
    return { items: 'framed' as const, chunk, input: framed(indexes(count), chunk), size: chunk * count };
  }
  const files = await filesMatching(options.forEach!);
  if (files.length > LIMITS.unitsPerJob)
    throw new CliError(`--for-each: ${files.length} files, over a job's ${LIMITS.unitsPerJob} units`);
  let chunk = 1;
  for (const file of files) chunk = Math.max(chunk, framedBytes(basename(file), (await stat(file)).size));
  // Every item is padded to the biggest: the job's input is cut into units of one size.
  if (chunk > MAX_CHUNK_BYTES)
    throw new CliError(`--for-each: the biggest file makes a unit of ${chunk} bytes, over ${MAX_CHUNK_BYTES}`);
  if (chunk * files.length > MAX_STREAMED_INPUT_BYTES)
    throw new CliError(
      `--for-each: ${files.length} units of ${chunk} bytes (each padded to the biggest file) pass a job's ${MAX_STREAMED_INPUT_BYTES} bytes`,
    );
  return { items: 'framed' as const, chunk, input: framed(fileItems(files), chunk), size: chunk * files.length };
}

/** The terms and input of a job of WASI programs, every option checked and the module and files read. */
export async function wasiSubmission(
  options: WasiOptions,
  terms: Omit<SubmitJobTermsInput, 'chunk_bytes'>,
): Promise<{ terms: SubmitJobTermsInput; input: AsyncIterable<Uint8Array>; size: number }> {
  if (options.params !== undefined)
    throw new CliError('--params goes with a kernel or --wasm; --wasi takes --args and --env');
  if (options.unitsPerPack !== undefined && options.unitsPerPack !== '1')
    throw new CliError("--units-per-pack: a WASI job's units are not packed (each has its own index and seed)");
  const args = parseArgs(options.args);
  const env = parseEnv(options.env ?? []);
  const { items, chunk, input, size } = await unitsInput(options);
  const module = await readFileUpTo('--wasi', options.wasi!, MAX_MODULE_BYTES);
  if (options.dir !== undefined && options.files !== undefined)
    throw new CliError(
      `--files mounts /input beside /tmp and /out; with --dir only the folders mapped are there: map it as --dir ${options.files}:/input`,
    );
  const mapped = options.dir === undefined ? undefined : await readDirs(options.dir);
  const files = mapped
    ? mapped.files
    : options.files === undefined
      ? undefined
      : encodeInputFiles(
          await filesUnder(options.files).catch((err: unknown) => {
            if (err instanceof CliError) throw err;
            throw new CliError(`--files: cannot read ${options.files}: ${describeError(err)}`);
          }),
        );
  if (files && files.byteLength > MAX_WASI_FILES_BYTES)
    throw new CliError(
      `--files: ${options.files} makes ${files.byteLength} bytes, over a job's ${MAX_WASI_FILES_BYTES}`,
    );
  return {
    terms: {
      ...terms,
      chunk_bytes: chunk,
      wasm_base64: module.toString('base64'),
      wasi: {
        program: basename(options.wasi!),
        args,
        env,
        items,
        ...(files ? { files_base64: Buffer.from(files).toString('base64') } : {}),
        ...(mapped ? { dirs: mapped.dirs } : {}),
      },
    },
    input,
    size,
  };
}

/** A WASI job's first unit's input (its `chunk_bytes` of the input), which a quote runs as a submit does. */
export async function firstUnit(
  input: AsyncIterable<Uint8Array>,
  { chunk_bytes: chunk }: Pick<SubmitJobTermsInput, 'chunk_bytes'>,
): Promise<{ first_bytes_base64: string }> {
  const parts: Uint8Array[] = [];
  let bytes = 0;
  for await (const part of input) {
    parts.push(part);
    bytes += part.byteLength;
    if (bytes >= chunk) break; // the rest is not read (a file's stream is closed)
  }
  return { first_bytes_base64: Buffer.concat(parts).subarray(0, chunk).toString('base64') };
}

// A workflow step that runs a user's module (`"uses": {"module": …, "abi": "custom" | "wasi"}`): the
// module read from the node's store (a workflow input's file, or a CID), its job the one
// `meshctl submit-job --wasm` (custom ABI, its params the units') or `--wasi` (a WASI program, its
// params the program's terms: program, args, env, items) would submit, and each unit's output: a
// custom module's as it is, a WASI program's stdout (a non-zero exit fails the step), with what it
// wrote and its stderr beside (keptWasiOutput). A WASI step's
// `files` param may be a reference to files (an earlier step's, an input's): they become the tree
// the program sees at /input, or in its first mapped folder.
import { MAX_MODULE_BYTES, WasiJobSchema } from '../../../core/api/shapes.js';
import type { SubmitJobTerms } from '../../../core/api/contract.js';
import { MAX_WASI_FILES_BYTES, validate } from '../../../core/schemas/index.js';
import * as z from '../../../core/schemas/zod.js';
import type { Step } from '../../../core/workflow/document.js';
import { FileValueSchema, type FileValue, type Scalar, type Value } from '../../../core/workflow/references.js';
import { ApiError } from '../../api/errors.js';
import { decodeWasiOutput, encodeInputFiles, encodeWasiItem, framedBytes } from '../../exec/index.js';
import type { Blobs } from '../context/blobs.js';

type ModuleStep = Step & { uses: Extract<Step['uses'], { module: unknown }> };

export const isModuleStep = (step: Step): step is ModuleStep => typeof step.uses === 'object' && 'module' in step.uses;

/** The module's CID: the workflow input's file it names, or the CID it gives. */
export function moduleCidOf(step: ModuleStep, inputs: Readonly<Record<string, Value>>): string {
  const source = step.uses.module;
  if ('cid' in source) return source.cid;
  const value = Object.hasOwn(inputs, source.$input) ? inputs[source.$input] : undefined;
  // The graph's check declared it a file, and the run's check gave it as one.
  if (typeof value !== 'object' || Array.isArray(value))
    throw new ApiError('bad_request', `step "${step.id}": its module, input "${source.$input}", is not a file`);
  return (value as FileValue).cid;
}

/** The module's bytes from the store, or ApiError `bad_request` saying it is not there or not WebAssembly. */
export function moduleBytesOf(blobs: Pick<Blobs, 'get'>, step: ModuleStep, cid: string): Uint8Array {
  const module = blobs.get(cid);
  if (!module) throw new ApiError('bad_request', `step "${step.id}": its module ${cid} is not in this node's store`);
  if (module.byteLength > MAX_MODULE_BYTES)
    throw new ApiError('bad_request', `step "${step.id}": its module is over ${MAX_MODULE_BYTES} bytes`);
  return module;
}

/**
 * The step's job terms, less its chunk: a custom module's units take the resolved params; a WASI
 * program's are its terms, checked as submit-job's (WasiJobSchema).
 */
export function moduleTerms(
  step: ModuleStep,
  /** The module's CID, in my store (moduleBytesOf found it there): the job names it, as a submit of a big program does. */
  module_cid: string,
  params: NonNullable<SubmitJobTerms['params']>,
  blobs: Pick<Blobs, 'get'>,
): Omit<SubmitJobTerms, 'chunk_bytes' | 'budget' | 'redundancy' | 'priority' | 'manual_accept' | 'open_to_strangers'> {
  const name = `workflow step ${step.id}`;
  if (step.uses.abi === 'custom') return { name, module_cid, params };
  const wasi = validate(WasiJobSchema, withFilesTree(step, params, blobs));
  if (!wasi.ok) throw new ApiError('bad_request', `step "${step.id}": its WASI terms: ${wasi.error.message}`);
  return { name, module_cid, wasi: wasi.value };
}

/** The most files a step's `files` may name: with their 4 MiB in all, more would be nearly empty. */
const MAX_TREE_FILES = 4096;

/** A file reference's value, resolved: one file, or a list of them (an earlier step's files, a `files` input). */
const FilesSchema = z.union([FileValueSchema, z.array(FileValueSchema).check(z.maxLength(MAX_TREE_FILES))]);

/**
 * A WASI step's params with `files` (a reference to an earlier step's files or an input's: resolved
 * to their values) made the input tree the program sees (wasi.files_base64): each file by its name,
 * at /input, or in its first mapped folder when it maps folders (`dirs`). Params without `files`
 * are as they were.
 */
function withFilesTree(
  step: ModuleStep,
  params: NonNullable<SubmitJobTerms['params']>,
  blobs: Pick<Blobs, 'get'>,
): NonNullable<SubmitJobTerms['params']> {
  if (!Object.hasOwn(params, 'files')) return params;
  const { files, ...rest } = params;
  if (Object.hasOwn(rest, 'files_base64'))
    throw new ApiError('bad_request', `step "${step.id}": give its files as files or files_base64, not both`);
  const given = validate(FilesSchema, files);
  if (!given.ok)
    throw new ApiError(
      'bad_request',
      `step "${step.id}": files must name files (a reference to them): ${given.error.message}`,
    );
  const list = Array.isArray(given.value) ? given.value : [given.value];
  const under = Object.hasOwn(rest, 'dirs') ? '0/' : ''; // the first mapped folder's files, as --dir lays them out
  const tree = list.map(({ name, cid }): [string, Uint8Array] => {
    const bytes = blobs.get(cid);
    if (!bytes)
      throw new ApiError('bad_request', `step "${step.id}": its file ${name} (${cid}) is not in this node's store`);
    return [`${under}${name}`, bytes];
  });
  const size = tree.reduce((sum, [, bytes]) => sum + bytes.byteLength, 0);
  if (size > MAX_WASI_FILES_BYTES)
    throw new ApiError(
      'bad_request',
      `step "${step.id}": its files are ${size} bytes, over a job's ${MAX_WASI_FILES_BYTES}`,
    );
  return { ...rest, files_base64: Buffer.from(encodeInputFiles(tree)).toString('base64') };
}

/**
 * A WASI step's units when its items are framed (`items: "framed"`): each file a unit, its name and
 * bytes framed as `meshctl run` frames them, each padded to the largest (or to `chunk_bytes`).
 */
export function framedUnits(
  step: Step,
  input: readonly (FileValue | Scalar)[],
  files: readonly Uint8Array[],
): { chunk: number; units: Uint8Array[]; items: Uint8Array[] } {
  const names = input.map((item) => (typeof item === 'object' ? item.name : String(item)));
  const needed = Math.max(...files.map((file, i) => framedBytes(names[i]!, file.byteLength)));
  const chunk = step.chunk_bytes ?? needed;
  if (chunk < needed)
    throw new ApiError('bad_request', `step "${step.id}": a framed item needs ${needed} bytes, over its chunk_bytes`);
  return {
    chunk,
    units: files.map((file, i) => encodeWasiItem(names[i]!, file, chunk)),
    // Each item unpadded: what its memo key is made of, so that a larger file joining the step
    // (which pads every unit more) does not make the others miss.
    items: files.map((file, i) => encodeWasiItem(names[i]!, file, framedBytes(names[i]!, file.byteLength))),
  };
}

/**
 * A WASI unit's output as the step keeps it, each part stored here: its stdout (the step's file
 * named by the unit's place), and what it wrote, /out's files and its writable folders' as
 * `<unit>.files/<path>` (a folder beside the stdout's file) and its stderr (a diagnostic, not verified) as `<unit>.stderr`; or why the step
 * fails (a non-zero exit, for good).
 */
export async function keptWasiOutput(
  blobs: Pick<Blobs, 'put'>,
  unit: number,
  output: Uint8Array,
  stderr: Uint8Array | undefined,
): Promise<{ stdout: FileValue; written: FileValue[] } | { reason: string; retryable: false }> {
  const { exitCode, stdout, files } = decodeWasiOutput(output);
  if (exitCode !== 0) return { reason: `unit ${unit}'s program exited with code ${exitCode}`, retryable: false };
  const stored = async (name: string, bytes: Uint8Array): Promise<FileValue> => ({
    name,
    cid: await blobs.put(bytes),
    bytes: bytes.byteLength,
  });
  const written = [];
  for (const [path, bytes] of files) written.push(await stored(`${unit}.files/${path}`, bytes));
  if (stderr && stderr.byteLength > 0) written.push(await stored(`${unit}.stderr`, stderr));
  return { stdout: await stored(String(unit), stdout), written };
}

// What `meshctl submit-job` states of every job (its terms: workers per unit, budget, prices,
// priority, deadline, who computes), and a job over an input file: a shipped kernel, your own
// module under the unit ABI or a WGSL shader, its options checked and its input streamed to the
// node. A WASI program's job is wasi-submit.ts's, a Blender scene's blender-submit.ts's, a render's
// render-commands.ts's; job-commands.ts registers the command.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { describeError } from '../core/errors.js';
import {
  MAX_CHUNK_BYTES,
  MAX_MODULE_BYTES,
  MAX_STREAMED_INPUT_BYTES,
  type SubmitJobTermsInput,
} from '../core/api/contract.js';
import { MAX_REDUNDANCY, MAX_UNITS_PER_PACK } from '../core/schemas/work.js';
import { SHADER_LIMITS } from '../core/gpu/index.js';
import { budgetCredits, CliError, credits, isoTime, jsonObject, numberIn, readFileUpTo, wholeNumber } from './args.js';
import type { WasiOptions } from './wasi-submit.js';
import type { ApiClient } from '../node/api/index.js';

/** The options of a job's terms, as every job command takes them. */
interface TermsOptions {
  redundancy: string;
  budget: string;
  maxPrice?: string;
  priority: string;
  deadline?: string;
  name?: string;
  manualAccept?: boolean;
  openToStrangers?: boolean;
  /** A circle of mine the job runs in (its members compute it, by its policy). */
  circle?: string;
}

/** The options of a job over an input file (and the WASI ones, refused here: they go with --wasi). */
export interface InputJobOptions extends TermsOptions, WasiOptions {
  library?: string;
  method?: string;
  wasm?: string;
  wgsl?: string;
}

/** What every job states, whatever it computes: workers per unit, budget, price cap, priority, deadline, who computes. */
export function jobTerms(options: TermsOptions) {
  return {
    redundancy: wholeNumber('--redundancy', options.redundancy, 1, MAX_REDUNDANCY),
    budget: budgetCredits('--budget', options.budget),
    max_price: options.maxPrice === undefined ? undefined : credits('--max-price', options.maxPrice),
    priority: numberIn('--priority', options.priority, 0, 1),
    deadline: options.deadline === undefined ? undefined : isoTime('--deadline', options.deadline),
    name: options.name,
    manual_accept: options.manualAccept === true,
    open_to_strangers: options.openToStrangers === true,
    ...(options.circle !== undefined ? { circle: options.circle } : {}),
  };
}

/** The job's terms the options describe, every value checked and the module read; the input's path. */
export async function submission(
  options: InputJobOptions,
): Promise<{ terms: SubmitJobTermsInput; input: AsyncIterable<Uint8Array>; size: number }> {
  const kernel = options.library !== undefined || options.method !== undefined;
  if ([kernel, options.wasm !== undefined, options.wgsl !== undefined].filter(Boolean).length !== 1) {
    throw new CliError(
      'name a kernel (--library and --method), or give a module (--wasm), a WASI program (--wasi) or a shader (--wgsl): exactly one; or a scene (--render)',
    );
  }
  const wasiOnly = (['args', 'env', 'files', 'dir', 'forEach', 'items'] as const).find((o) => options[o] !== undefined);
  if (wasiOnly) throw new CliError(`--${wasiOnly.replace('E', '-e')} goes with --wasi`);
  if (kernel && (options.library === undefined || options.method === undefined))
    throw new CliError('--library and --method go together');
  if (options.input === undefined || options.chunkBytes === undefined)
    throw new CliError('--input and --chunk-bytes are needed (or --render for a render job)');
  // Everything typed is checked before either file is read.
  const numbers = {
    chunk_bytes: wholeNumber('--chunk-bytes', options.chunkBytes, 1, MAX_CHUNK_BYTES),
    ...(options.unitsPerPack !== undefined
      ? { units_per_pack: wholeNumber('--units-per-pack', options.unitsPerPack, 1, MAX_UNITS_PER_PACK) }
      : {}),
    ...jobTerms(options),
  };
  const params = options.params === undefined ? undefined : jsonObject('--params', options.params);
  const input = await stat(options.input).catch((err: unknown) => {
    throw new CliError(`--input: cannot read ${options.input}: ${describeError(err)}`);
  });
  // Else its read error, met as the upload streams, reads as the node's ("cannot reach the node").
  if (!input.isFile()) throw new CliError(`--input: ${options.input} is not a file`);
  const { size } = input;
  if (size > MAX_STREAMED_INPUT_BYTES)
    throw new CliError(
      `--input: ${options.input} is ${size} bytes; a job's input is at most ${MAX_STREAMED_INPUT_BYTES}`,
    );
  const wasm = options.wasm === undefined ? undefined : await readFileUpTo('--wasm', options.wasm, MAX_MODULE_BYTES);
  const wgsl =
    options.wgsl === undefined
      ? undefined
      : (await readFileUpTo('--wgsl', options.wgsl, SHADER_LIMITS.codeChars * 4)).toString('utf8');
  const terms = {
    ...numbers,
    library: options.library,
    method: options.method,
    wasm_base64: wasm?.toString('base64'),
    wgsl_code: wgsl,
    params,
  };
  return { terms, input: createReadStream(options.input), size };
}

/**
 * What a quote runs of the input: for a module of the user's that the node packs by what its first
 * unit costs (no --units-per-pack), the input's first unit and one byte more, as a submit runs it.
 */
export async function firstBytes(terms: SubmitJobTermsInput, input: string): Promise<{ first_bytes_base64?: string }> {
  const module = terms.wasm_base64 ?? terms.module_cid;
  if (module === undefined || terms.units_per_pack !== undefined) return {};
  const file = await open(input, 'r');
  try {
    const head = Buffer.alloc(terms.chunk_bytes + 1);
    const { bytesRead } = await file.read(head, 0, head.byteLength, 0);
    return { first_bytes_base64: head.subarray(0, bytesRead).toString('base64') };
  } finally {
    await file.close();
  }
}

/** Past this, a module goes to the node first and the terms name it: a request's terms line holds 16 MiB (upload.ts). */
const INLINE_MODULE_BYTES = 1024 * 1024;

/**
 * The terms, a module over INLINE_MODULE_BYTES put in the node's store first (blobs.put, its bytes
 * raw) and named by its CID (module_cid): a program of real size, up to MAX_MODULE_BYTES.
 */
export async function withModulePut(client: ApiClient, terms: SubmitJobTermsInput): Promise<SubmitJobTermsInput> {
  const { wasm_base64: inline, ...rest } = terms;
  if (inline === undefined || inline.length <= (INLINE_MODULE_BYTES / 3) * 4) return terms;
  const { cid } = await client.putBlob(Buffer.from(inline, 'base64'));
  return { ...rest, module_cid: cid };
}

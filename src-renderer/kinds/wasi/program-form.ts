// The Jobs page's form for a job of WASI programs (docs/UNIT_ABI.md, section 15), as meshctl's
// `submit-job --wasi` makes one: a unit per file dropped (the file its stdin, its name `{name}`) or
// per index, args and env as typed, turned into a jobs.submit request whose input is the items
// framed as every node reads them (`items: "framed"`), and a folder mapped where the program expects
// it (`--dir`: at "." by default, read-only unless writable); and a unit's output (the dag-cbor of
// its exit code, stdout and /out files, or the folder's changes) read back for its card. The node
// checks the request again.
import { decode, encode } from '@ipld/dag-cbor';
import { MAX_INLINE_MODULE_BYTES, type MethodInput } from '../../../src-main/core/api/contract.js';
import { parseWasiArgs, parseWasiEnv } from '../../../src-main/core/api/wasi-terms.js';
import { canonicalGuestPath, type WasiDir } from '../../../src-main/core/schemas/wasi-dirs.js';
import { MAX_WASI_FILES_BYTES } from '../../../src-main/core/schemas/wasi-job.js';
import { LIMITS } from '../../../src-main/core/schemas/primitives.js';
import { MAX_REDUNDANCY } from '../../../src-main/core/schemas/work.js';
import { base64OfBytes, bytesOfBase64 } from '../../base64.js';
import { parseCredits, type Parsed } from '../../format.js';

export type ProgramRequest = MethodInput<'jobs.submit'>;

export interface ProgramFields {
  /** One unit per file dropped, or `items` units. */
  mode: 'files' | 'items';
  items: string;
  /** Words, or a JSON array of strings; `{index}` and `{name}` in each. */
  args: string;
  /** NAME=VALUE, one a line. */
  env: string;
  redundancy: string;
  /** In credits, as typed. */
  budget: string;
  strangers: boolean;
  /** Where the folder chosen (if any) is seen: "." (relative paths find it) or an absolute path. */
  dirGuest: string;
  /** Whether the program may change its copy of the folder; what it writes then comes back. */
  dirWritable: boolean;
}

export const DEFAULT_PROGRAM_FIELDS: ProgramFields = {
  mode: 'files',
  items: '4',
  args: '{name}',
  env: '',
  redundancy: '1',
  budget: '10',
  strangers: false,
  dirGuest: '.',
  dirWritable: false,
};

/** A file as the form holds it: its name (a folder's files by their path in it) and bytes. */
export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}

/** The most units the form makes (a job's input is sent whole, inline). */
const MAX_FORM_UNITS = 10_000;
/** A framed item's header: the name's bytes and the stdin's, u32 little-endian each. */
const ITEM_HEADER_BYTES = 8;

/**
 * One item as a unit's input of `chunk` bytes: the name's and the stdin's lengths (u32 LE), the
 * name (UTF-8), the stdin, then zeros: the framing every node decodes (node/exec/wasi/items.ts).
 */
export function frameItem(name: Uint8Array, stdin: Uint8Array, chunk: number): Uint8Array {
  const out = new Uint8Array(chunk);
  const view = new DataView(out.buffer);
  view.setUint32(0, name.byteLength, true);
  view.setUint32(4, stdin.byteLength, true);
  out.set(name, ITEM_HEADER_BYTES);
  out.set(stdin, ITEM_HEADER_BYTES + name.byteLength);
  return out;
}

function wholeNumber(label: string, text: string, min: number, max: number): Parsed<number> {
  const n = Number(text.trim());
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max)
    return { ok: false, error: `${label}: expected a whole number from ${min} to ${max}` };
  return { ok: true, value: n };
}

/** The job's items, each a name and a stdin: the files (by name), or the indexes with no stdin. */
function itemsOf(fields: ProgramFields, files: readonly NamedBytes[]): Parsed<NamedBytes[]> {
  if (fields.mode === 'items') {
    const count = wholeNumber('units', fields.items, 1, MAX_FORM_UNITS);
    if (!count.ok) return count;
    return {
      ok: true,
      value: Array.from({ length: count.value }, (_, i) => ({ name: String(i), bytes: new Uint8Array() })),
    };
  }
  if (files.length === 0) return { ok: false, error: 'Drop the input files (or choose a folder): a unit per file.' };
  if (files.length > MAX_FORM_UNITS)
    return { ok: false, error: `at most ${MAX_FORM_UNITS} files, not ${files.length}` };
  return { ok: true, value: [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
}

/** What is wrong with a folder's files by their sizes, before any is read: over a job's files. */
export function folderTooBig(files: ReadonlyArray<{ name: string; size: number }>): string | undefined {
  const utf8 = new TextEncoder();
  const bytes = files.reduce((sum, f) => sum + f.size + utf8.encode(f.name).byteLength + 2, 0);
  return bytes > MAX_WASI_FILES_BYTES
    ? `The folder holds ${bytes} bytes of files and paths, over a job's ${MAX_WASI_FILES_BYTES}.`
    : undefined;
}

/** Orders as the node's encodeInputFiles does: by UTF-8 bytes. */
function byUtf8Bytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * The folder as `meshctl --dir FOLDER:GUEST[:rw]` sends it: its files in the job's files (an input
 * tree, under `0/`), and the mapping the units' params hold (core/schemas/wasi-dirs.ts).
 */
function mappedFolder(
  fields: ProgramFields,
  folder: readonly NamedBytes[],
): Parsed<{ files_base64: string; dirs: WasiDir[] }> {
  const guest = canonicalGuestPath(fields.dirGuest.trim());
  if (!guest.ok) return { ok: false, error: `folder: ${guest.error}` };
  const too = folderTooBig(folder.map((f) => ({ name: f.name, size: f.bytes.byteLength })));
  if (too) return { ok: false, error: too };
  const utf8 = new TextEncoder();
  const tree = folder
    .map((f): [Uint8Array, string, Uint8Array] => [utf8.encode(`0/${f.name}`), `0/${f.name}`, f.bytes])
    .sort(([a], [b]) => byUtf8Bytes(a, b))
    .map(([, path, bytes]) => [path, bytes]);
  const encoded = encode(tree);
  if (encoded.byteLength > MAX_WASI_FILES_BYTES)
    return { ok: false, error: `The folder makes ${encoded.byteLength} bytes, over a job's ${MAX_WASI_FILES_BYTES}.` };
  return {
    ok: true,
    value: {
      files_base64: base64OfBytes(encoded),
      dirs: [{ guest: guest.path, mode: fields.dirWritable ? 'rw' : 'ro' }],
    },
  };
}

/** The jobs.submit request for the form, the program, the files dropped and the folder mapped, or the first thing wrong. */
export function programRequest(
  fields: ProgramFields,
  program: NamedBytes | null,
  files: readonly NamedBytes[],
  folder: readonly NamedBytes[] = [],
): Parsed<ProgramRequest> {
  if (!program) return { ok: false, error: 'Choose the program: a WASI .wasm file.' };
  if (program.bytes.byteLength > MAX_INLINE_MODULE_BYTES)
    return {
      ok: false,
      error: `The program is ${program.bytes.byteLength} bytes: the app sends one of up to ${MAX_INLINE_MODULE_BYTES} (32 MiB). meshctl submit-job --wasi takes one of up to 64 MiB.`,
    };
  const items = itemsOf(fields, files);
  if (!items.ok) return items;
  const mapped = folder.length === 0 ? undefined : mappedFolder(fields, folder);
  if (mapped && !mapped.ok) return mapped;
  const args = parseWasiArgs(fields.args);
  if (!args.ok) return { ok: false, error: `args: ${args.error}` };
  const env = parseWasiEnv(fields.env.split('\n').filter((line) => line.trim() !== ''));
  if (!env.ok) return { ok: false, error: `env: ${env.error}` };
  const redundancy = wholeNumber('redundancy', fields.redundancy, 1, MAX_REDUNDANCY);
  if (!redundancy.ok) return redundancy;
  const budget = parseCredits(fields.budget);
  if (!budget.ok) return { ok: false, error: `budget: ${budget.error}` };
  const utf8 = new TextEncoder();
  const named = items.value.map((item) => ({ name: utf8.encode(item.name), stdin: item.bytes }));
  const chunk = Math.max(...named.map((item) => ITEM_HEADER_BYTES + item.name.byteLength + item.stdin.byteLength));
  const input = new Uint8Array(chunk * named.length);
  named.forEach((item, i) => input.set(frameItem(item.name, item.stdin, chunk), i * chunk));
  const units = `${named.length} unit${named.length === 1 ? '' : 's'}`;
  return {
    ok: true,
    value: {
      name: `${program.name} × ${units}`.slice(0, LIMITS.nameChars),
      wasm_base64: base64OfBytes(program.bytes),
      input_base64: base64OfBytes(input),
      chunk_bytes: chunk,
      wasi: {
        program: program.name,
        args: args.value,
        env: env.value,
        items: 'framed',
        ...(mapped?.ok ? mapped.value : {}),
      },
      redundancy: redundancy.value,
      budget: budget.value,
      open_to_strangers: fields.strangers,
    },
  };
}

/** The quote's request for a submit's: the input's size and its first unit's bytes, which the node runs. */
export function programEstimate({ input_base64: input, ...terms }: ProgramRequest): MethodInput<'jobs.estimate'> {
  const bytes = (input.length / 4) * 3 - (input.endsWith('==') ? 2 : input.endsWith('=') ? 1 : 0);
  // A prefix of whole 4-character groups holds the first unit's bytes, and a byte or two more.
  const first = bytesOfBase64(input.slice(0, Math.ceil(terms.chunk_bytes / 3) * 4)).subarray(0, terms.chunk_bytes);
  return { ...terms, input_bytes: bytes, first_bytes_base64: base64OfBytes(first) };
}

/** A unit's output as its card shows it. */
export interface ProgramOutput {
  exit: number;
  stdout: Uint8Array;
  files: number;
}

/** A WASI unit's output, its dag-cbor `{exit, files, stdout}` (node/exec/wasi/program.ts), or undefined when it is none. */
export function decodeProgramOutput(output: Uint8Array): ProgramOutput | undefined {
  let value: unknown;
  try {
    value = decode(output);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { exit, files, stdout } = value as Record<string, unknown>;
  if (typeof exit !== 'number' || !(stdout instanceof Uint8Array) || !Array.isArray(files)) return undefined;
  return { exit, stdout, files: files.length };
}

/** The first `chars` characters of some bytes as text (UTF-8, invalid bytes shown as �), and whether there is more. */
export function preview(bytes: Uint8Array, chars: number): string {
  const text = new TextDecoder().decode(bytes.subarray(0, chars * 4));
  return text.length > chars || bytes.byteLength > chars * 4 ? `${text.slice(0, chars)}…` : text;
}

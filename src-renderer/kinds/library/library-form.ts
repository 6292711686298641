// The Jobs page's "Process files" form: a library method (docs/KERNELS.md, "The library") over the
// files dropped, a unit per file, as `meshctl run LIBRARY METHOD FILES… --params` makes one. The
// method's params form is generated from its param schema (core/library/methods.ts, through its
// JSON Schema): integers and numbers, enums as selects, strings, booleans, and a list or a map as
// JSON. The values typed are checked with the same schema the node checks at submit, and a refusal
// names the param; the request frames the files as program-form.ts does (`items: "framed"`). A
// video is made of all the frames dropped: video encode's files go into one tar, its one unit. A
// param that names one of the job's files (data/join's right table) is a file picked instead: its
// name is the param, its bytes go once in the job's files (`files_base64`, mounted at /input).
import { encode } from '@ipld/dag-cbor';
import { PROGRAM_LIBRARIES } from '../../../src-main/core/library/methods.js';
import { oneTar } from '../../../src-main/core/library/tar.js';
import { validate } from '../../../src-main/core/schemas/decode.js';
import { LIMITS } from '../../../src-main/core/schemas/primitives.js';
import { MAX_WASI_FILES_BYTES } from '../../../src-main/core/schemas/wasi-job.js';
import { MAX_REDUNDANCY } from '../../../src-main/core/schemas/work.js';
import * as z from '../../../src-main/core/schemas/zod.js';
import { base64OfBytes } from '../../base64.js';
import { parseCredits, type Parsed } from '../../format.js';
import { frameItem, type NamedBytes, type ProgramRequest } from '../wasi/program-form.js';

/** A param's field, as the form draws it. */
export type ParamField = { name: string; required: boolean } & (
  | { kind: 'integer' | 'number'; min?: number; max?: number }
  | { kind: 'enum'; options: string[] }
  | { kind: 'string'; pattern?: string }
  | { kind: 'boolean' }
  /** A list or a map (data's aggregates, sort keys, renames): typed as JSON. */
  | { kind: 'json'; example: string }
);

/** What a param's field holds: its text as typed, or a checkbox's state. */
export type ParamValues = Record<string, string | boolean>;

/** The libraries and their methods, in the order the form lists them. */
export const LIBRARY_METHODS: ReadonlyArray<{ library: string; methods: string[] }> = Object.entries(
  PROGRAM_LIBRARIES,
).map(([library, lib]) => ({ library, methods: Object.keys(lib.methods) }));

function methodOf(library: string, method: string) {
  const lib = Object.hasOwn(PROGRAM_LIBRARIES, library) ? PROGRAM_LIBRARIES[library] : undefined;
  return lib && Object.hasOwn(lib.methods, method) ? lib.methods[method] : undefined;
}

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  pattern?: string;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

/** An example of a list's or a map's JSON, so the person sees its shape. */
function exampleOf(schema: JsonSchema): string {
  if (schema.anyOf) return schema.anyOf.map(exampleOf).join(' or ');
  if (schema.type === 'array') return `[${schema.items ? exampleOf(schema.items) : ''}]`;
  if (schema.type === 'object' && schema.properties)
    return `{${Object.entries(schema.properties)
      .filter(([name]) => schema.required?.includes(name))
      .map(([name, p]) => `"${name}": ${exampleOf(p)}`)
      .join(', ')}}`;
  if (schema.type === 'object') return '{"a": "b"}';
  if (schema.enum) return JSON.stringify(schema.enum[0]);
  return schema.type === 'string' ? '"…"' : '0';
}

function fieldOf(name: string, schema: JsonSchema, required: boolean): ParamField {
  if (schema.enum) return { name, required, kind: 'enum', options: schema.enum.map(String) };
  if (schema.type === 'integer' || schema.type === 'number')
    return { name, required, kind: schema.type, min: schema.minimum ?? schema.exclusiveMinimum, max: schema.maximum };
  if (schema.type === 'boolean') return { name, required, kind: 'boolean' };
  if (schema.type === 'string') return { name, required, kind: 'string', pattern: schema.pattern };
  return { name, required, kind: 'json', example: exampleOf(schema) };
}

/** The fields of a method's params, in its schema's order, less those that name a file; none for an unknown method. */
export function paramFields(library: string, method: string): ParamField[] {
  const spec = methodOf(library, method);
  if (!spec) return [];
  const schema = z.toJSONSchema(spec.params, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return Object.entries(schema.properties ?? {})
    .filter(([name]) => !Object.hasOwn(spec.fileParams ?? {}, name))
    .map(([name, p]) => fieldOf(name, p, schema.required?.includes(name) ?? false));
}

/** The method's params that are files picked, each with what it is (its picker's label). */
export function fileFields(library: string, method: string): Array<{ name: string; label: string }> {
  return Object.entries(methodOf(library, method)?.fileParams ?? {}).map(([name, label]) => ({ name, label }));
}

/** A field's value as the schema reads it: undefined when left empty (an optional param left out). */
function valueOf(field: ParamField, typed: string | boolean | undefined): Parsed<unknown> {
  if (field.kind === 'boolean') return { ok: true, value: typed === true ? true : undefined };
  const text = typeof typed === 'string' ? typed : '';
  if (text.trim() === '') return { ok: true, value: undefined };
  if (field.kind === 'integer' || field.kind === 'number') {
    const n = Number(text.trim());
    return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, error: `${field.name}: expected a number` };
  }
  if (field.kind !== 'json') return { ok: true, value: text };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, error: `${field.name}: expected JSON, like ${field.example}` };
  }
}

/**
 * The method's params from the values typed (and the names of the files picked for its file
 * params), checked with the node's own schema: or a refusal naming the param.
 */
export function methodParams(
  library: string,
  method: string,
  values: ParamValues,
  fileNames: Record<string, string> = {},
): Parsed<Record<string, unknown>> {
  const spec = methodOf(library, method);
  if (!spec) return { ok: false, error: `unknown method "${method}" of ${library}` };
  const params: Record<string, unknown> = { ...fileNames };
  for (const field of paramFields(library, method)) {
    const value = valueOf(field, values[field.name]);
    if (!value.ok) return value;
    if (value.value !== undefined) params[field.name] = value.value;
    else if (field.required) return { ok: false, error: `${field.name}: required` };
  }
  const checked = validate(spec.params, params);
  if (!checked.ok) return { ok: false, error: checked.error.message.replace(/^\(root\): /, 'params: ') };
  return { ok: true, value: checked.value };
}

/** How the job is run: as the program form's terms. */
export interface LibraryTerms {
  redundancy: string;
  /** In credits, as typed. */
  budget: string;
  strangers: boolean;
}

/** A job of the form's, as its card shows the results: the method, its params and each unit's file. */
export interface LibraryJob {
  library: string;
  method: string;
  params: Record<string, unknown>;
  /** Unit i's file. */
  files: string[];
}

/** A framed item's header: the name's bytes and the file's, u32 little-endian each. */
const ITEM_HEADER_BYTES = 8;

/** The files picked for the method's file params as the job's files (an input tree, as the node's encodeInputFiles makes it). */
function jobFiles(
  library: string,
  method: string,
  picked: Readonly<Record<string, NamedBytes>>,
): Parsed<{ names: Record<string, string>; base64?: string }> {
  const names: Record<string, string> = {};
  const tree: Array<[string, Uint8Array]> = [];
  for (const { name, label } of fileFields(library, method)) {
    const file = Object.hasOwn(picked, name) ? picked[name] : undefined;
    if (!file) return { ok: false, error: `${name}: choose the ${label.toLowerCase()}` };
    names[name] = file.name;
    if (!tree.some(([path]) => path === file.name)) tree.push([file.name, file.bytes]);
  }
  if (tree.length === 0) return { ok: true, value: { names } };
  const bytes = encode(tree.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  if (bytes.byteLength > MAX_WASI_FILES_BYTES)
    return {
      ok: false,
      error: `${Object.keys(names).join(', ')}: ${bytes.byteLength} bytes, over a job's ${MAX_WASI_FILES_BYTES}`,
    };
  return { ok: true, value: { names, base64: base64OfBytes(bytes) } };
}

/**
 * The jobs.submit request for the method over the files (and the files picked for its file
 * params), and the job as its card shows it; or the first thing wrong.
 */
export function libraryRequest(
  library: string,
  method: string,
  values: ParamValues,
  dropped: readonly NamedBytes[],
  terms: LibraryTerms,
  picked: Readonly<Record<string, NamedBytes>> = {},
): Parsed<{ request: ProgramRequest; job: LibraryJob }> {
  const spec = methodOf(library, method);
  if (!spec) return { ok: false, error: 'Choose a library and a method.' };
  const withFiles = jobFiles(library, method, picked);
  if (!withFiles.ok) return withFiles;
  const params = methodParams(library, method, values, withFiles.value.names);
  if (!params.ok) return params;
  if (dropped.length === 0) return { ok: false, error: 'Drop the files (or choose them): a unit per file.' };
  let files = dropped;
  if (spec.takes === 'tar') {
    // One unit of them all (a video's frames): one tar, in the order of their names.
    try {
      files = [oneTar(dropped)];
    } catch (err) {
      return { ok: false, error: err instanceof RangeError ? err.message : String(err) };
    }
  }
  if (files.length > LIMITS.unitsPerJob)
    return { ok: false, error: `at most ${LIMITS.unitsPerJob} files, not ${files.length}` };
  const big = files.find((f) => f.bytes.byteLength > spec.maxInputBytes);
  if (big)
    return {
      ok: false,
      error: `${big.name}: ${big.bytes.byteLength} bytes, over the ${spec.maxInputBytes} ${library} ${method} takes`,
    };
  const redundancy = Number(terms.redundancy.trim());
  if (!/^\s*\d+\s*$/.test(terms.redundancy) || redundancy < 1 || redundancy > MAX_REDUNDANCY)
    return { ok: false, error: `redundancy: expected a whole number from 1 to ${MAX_REDUNDANCY}` };
  const budget = parseCredits(terms.budget);
  if (!budget.ok) return { ok: false, error: `budget: ${budget.error}` };
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const utf8 = new TextEncoder();
  const named = sorted.map((f) => ({ name: utf8.encode(f.name), bytes: f.bytes }));
  const chunk = Math.max(...named.map((f) => ITEM_HEADER_BYTES + f.name.byteLength + f.bytes.byteLength));
  const input = new Uint8Array(chunk * named.length);
  named.forEach((f, i) => input.set(frameItem(f.name, f.bytes, chunk), i * chunk));
  const count = `${named.length} file${named.length === 1 ? '' : 's'}`;
  return {
    ok: true,
    value: {
      request: {
        name: `${library} ${method} × ${count}`.slice(0, LIMITS.nameChars),
        library,
        method,
        params: params.value,
        items: 'framed',
        ...(withFiles.value.base64 !== undefined ? { files_base64: withFiles.value.base64 } : {}),
        input_base64: base64OfBytes(input),
        chunk_bytes: chunk,
        redundancy,
        budget: budget.value,
        open_to_strangers: terms.strangers,
      },
      job: { library, method, params: params.value, files: sorted.map((f) => f.name) },
    },
  };
}

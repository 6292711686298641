// References in a workflow's steps (docs/WORKFLOWS.md): a value written as `{"$input": "photos"}`,
// `{"$step": "sim", "field": "residual"}`, `{"$step": "gray", "file": "0"}`, `{"$step": "gray",
// "files": true}`, `{"$step": "count", "written": true}` or `{"$item": true}` stands for a workflow
// input, a field or file of an earlier step's output (its units' outputs, or what a WASI step's
// programs wrote), or a fan-out's current item. Resolved against what is known when the step is made
// ready; a reference to what is not there fails the step, saying which.
import * as z from '../schemas/zod.js';
import { Count, Id, idRecord, Name } from '../schemas/index.js';

/** A step's id: short, lower case, usable in a job id (jobIdOf). */
export const StepIdSchema = z
  .string()
  .check(z.regex(/^[a-z][a-z0-9_-]{0,39}$/, 'a step id is a lower-case letter then up to 39 of a-z 0-9 _ -'));

/** What of the current item: itself (`true`), or its name, CID, size or place in the list. */
const ItemPart = z.union([z.literal(true), z.enum(['name', 'cid', 'bytes', 'index'])]);

export const ReferenceSchema = z.union([
  z.strictObject({ $input: Id }),
  z.strictObject({ $step: StepIdSchema, field: Id }),
  z.strictObject({ $step: StepIdSchema, file: Name }),
  z.strictObject({ $step: StepIdSchema, files: z.literal(true) }),
  z.strictObject({ $step: StepIdSchema, written: z.literal(true) }),
  z.strictObject({ $item: ItemPart }),
]);
export type Reference = z.output<typeof ReferenceSchema>;

/** A file as a workflow passes it on: by CID, with its name and size. */
export const FileValueSchema = z.strictObject({ name: Name, cid: Id, bytes: Count });
export type FileValue = z.output<typeof FileValueSchema>;

/** A list of files as one JSON text, each {name, cid, bytes} in that order: the same list, the same bytes (and CID). */
export const fileListJson = (files: readonly FileValue[]): string =>
  JSON.stringify(files.map(({ name, cid, bytes }) => ({ name, cid, bytes })));

const ScalarSchema = z.union([z.string().check(z.maxLength(4096)), z.number(), z.boolean()]);
export type Scalar = z.output<typeof ScalarSchema>;

/**
 * A step's output: small typed values inline, files by CID (its units' verified outputs, in order:
 * a WASI unit's stdout), and what a WASI step's programs wrote (`written`: each unit's files of
 * /out and its writable folders as `<unit>.files/<path>`, and its stderr as `<unit>.stderr`; absent: none,
 * or a step of an earlier version).
 */
export const StepOutputSchema = z.strictObject({
  fields: idRecord(ScalarSchema, 64),
  files: z.array(FileValueSchema).check(z.maxLength(1_000_000)),
  written: z.optional(z.array(FileValueSchema).check(z.maxLength(1_000_000))),
});
export type StepOutput = z.output<typeof StepOutputSchema>;

/** A workflow input's value, or a fan-out's item. */
export type Value = Scalar | FileValue | readonly FileValue[] | readonly Scalar[];

/** What a step's references resolve against. */
export interface Scope {
  inputs: Readonly<Record<string, Value>>;
  /** The outputs of the steps done so far. */
  outputs: ReadonlyMap<string, StepOutput>;
  /** A fan-out's current item and its place in the list. */
  item?: { value: Scalar | FileValue; index: number };
}

export type Resolved<T> = { ok: true; value: T } | { ok: false; error: string };

const isFile = (value: unknown): value is FileValue =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && 'cid' in value;

/** The value a reference stands for, or why there is none. */
export function resolve(ref: Reference, scope: Scope): Resolved<Value> {
  if ('$input' in ref) {
    const value = Object.hasOwn(scope.inputs, ref.$input) ? scope.inputs[ref.$input] : undefined;
    return value === undefined ? fail(`input "${ref.$input}" was not given`) : ok(value);
  }
  if ('$item' in ref) {
    if (!scope.item) return fail('$item is used outside a for_each step');
    const { value, index } = scope.item;
    if (ref.$item === true) return ok(value);
    if (ref.$item === 'index') return ok(index);
    if (!isFile(value)) return fail(`$item.${ref.$item}: the item ${JSON.stringify(value)} is not a file`);
    return ok(value[ref.$item]);
  }
  const output = scope.outputs.get(ref.$step);
  if (!output) return fail(`step "${ref.$step}" has no output (it did not run, or has not finished)`);
  if ('field' in ref) {
    const value = Object.hasOwn(output.fields, ref.field) ? output.fields[ref.field] : undefined;
    return value === undefined ? fail(`step "${ref.$step}" has no field "${ref.field}"`) : ok(value);
  }
  if ('file' in ref) {
    const file = [...output.files, ...(output.written ?? [])].find(({ name }) => name === ref.file);
    return file ? ok(file) : fail(`step "${ref.$step}" has no file "${ref.file}"`);
  }
  return ok('written' in ref ? (output.written ?? []) : output.files);
}

/** Whether a JSON value is written as a reference: an object with a key that starts with `$`. */
const looksLikeReference = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.keys(value).some((key) => key.startsWith('$'));

/** Every reference within a JSON value (a step's params), or why one of them is not one. */
export function referencesIn(value: unknown): Resolved<Reference[]> {
  const found: Reference[] = [];
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (looksLikeReference(next)) {
      const ref = ReferenceSchema.safeParse(next);
      if (!ref.success)
        return fail(
          `${JSON.stringify(next)} is not a reference ($input, $step with field, file, files or written, $item)`,
        );
      found.push(ref.data);
    } else if (typeof next === 'object' && next !== null) stack.push(...Object.values(next));
  }
  return ok(found);
}

/**
 * A step's params with each reference replaced by its value: a file by its CID, a list of files
 * by their CIDs; the first reference that does not resolve fails them.
 */
export function resolveParams(params: Record<string, unknown>, scope: Scope): Resolved<Record<string, unknown>> {
  let error: string | undefined;
  const walk = (value: unknown): unknown => {
    if (error !== undefined) return undefined;
    if (looksLikeReference(value)) {
      const resolved = resolve(value as Reference, scope); // checked at submit (referencesIn)
      if (!resolved.ok) {
        error = resolved.error;
        return undefined;
      }
      return asParam(resolved.value);
    }
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value === 'object' && value !== null)
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, walk(inner)]));
    return value;
  };
  const resolved = walk(params) as Record<string, unknown>;
  return error === undefined ? ok(resolved) : fail(error);
}

/** A value as a job's params carry it: files by CID. */
function asParam(value: Value): unknown {
  if (Array.isArray(value)) return value.map((inner: Scalar | FileValue) => (isFile(inner) ? inner.cid : inner));
  return isFile(value) ? value.cid : value;
}

/** The files a reference stands for (a step's input, a fan-out's items), or why it stands for none. */
export function filesOf(ref: Reference, scope: Scope): Resolved<readonly (FileValue | Scalar)[]> {
  const resolved = resolve(ref, scope);
  if (!resolved.ok) return resolved;
  const { value } = resolved;
  if (Array.isArray(value)) return ok(value as readonly (FileValue | Scalar)[]);
  if (isFile(value)) return ok([value]);
  return fail(`${describe(ref)} is ${JSON.stringify(value)}, not a file nor a list`);
}

/** A reference as the user wrote it, for messages. */
export function describe(ref: Reference): string {
  if ('$input' in ref) return `input "${ref.$input}"`;
  if ('$item' in ref) return ref.$item === true ? '$item' : `$item.${ref.$item}`;
  if ('field' in ref) return `${ref.$step}.${ref.field}`;
  if ('file' in ref) return `${ref.$step}'s file "${ref.file}"`;
  return 'written' in ref ? `the files ${ref.$step}'s programs wrote` : `${ref.$step}'s files`;
}

const ok = <T>(value: T): Resolved<T> => ({ ok: true, value });
const fail = <T>(error: string): Resolved<T> => ({ ok: false, error });

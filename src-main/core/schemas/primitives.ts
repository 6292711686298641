// Building blocks shared by every wire schema: bounded strings, safe records, bounded JSON.
// Every schema is strict (unknown keys rejected) and every collection has a maximum size, so a
// message that passed its byte-size check cannot expand into unbounded work or state.
import { en } from 'zod/locales';
import * as z from './zod.js';

// zod/mini loads no locale of its own (a schema built with it is a fraction of the classic API's
// cost to build): every error here is in English, as before.
z.config(en());

/**
 * Every limit a value breaks is named with the value: "1e+300 is over the limit of
 * 9007199254740991", not zod's bare "Too big" (an API caller sees which number to change, and how far).
 */
z.config({
  customError: (issue) => {
    if (issue.code !== 'too_big' && issue.code !== 'too_small') return undefined;
    const bound = issue.code === 'too_big' ? issue.maximum : issue.minimum;
    const input: unknown = issue.input;
    const value =
      typeof input === 'string' || Array.isArray(input)
        ? `${input.length} ${typeof input === 'string' ? 'characters' : 'items'}`
        : String(input);
    // An exclusive bound (z.positive): "0 must be more than 0", not "under the minimum of 0".
    if (!issue.inclusive) return `${value} must be ${issue.code === 'too_big' ? 'less' : 'more'} than ${String(bound)}`;
    return issue.code === 'too_big'
      ? `${value} is over the limit of ${String(bound)}`
      : `${value} is under the minimum of ${String(bound)}`;
  },
});

export const LIMITS = {
  idChars: 128,
  nameChars: 256,
  recordEntries: 4096,
  slotsPerCommitment: 64,
  algorithmsPerSlot: 64,
  datasetsPerSlot: 256,
  requestsPerCommitment: 256,
  unitsPerRequest: 100_000,
  /**
   * A job's units: what a node holds of one (a template, then 32 bytes a unit, core/mesh/state/unit-table.ts)
   * and journals of it (an event per unitsPerBatch) stay in tens of megabytes.
   */
  unitsPerJob: 1_000_000,
  /** Units one `units.created` event carries. */
  unitsPerBatch: 10_000,
  /**
   * Units one `jobs.status` lists (a client pages on with `units_from`): a node makes a page in one
   * turn of its main thread, and a page of 100,000 held it 1.4 s (and was a 25 MB answer).
   */
  unitsPerPage: 10_000,
  addressesPerAdvert: 16,
  resultsPerConsensus: 64,
  /** Results one execution receipt signs for: a `results` message's worth. */
  resultsPerReceipt: 128,
  /** Verdicts one verification receipt signs for. */
  verdictsPerReceipt: 128,
  permitListEntries: 10_000,
  paramsBytes: 16 * 1024,
  jsonDepth: 32,
} as const;

/** Keys that would reach an object's prototype if assigned; rejected wherever keys are free-form. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Identifiers: peer ids, CIDs, unit/job/slot ids. A conservative charset keeps them printable. */
export const Id = z.string().check(
  z.minLength(1),
  z.maxLength(LIMITS.idChars),
  z.regex(/^[A-Za-z0-9._:#@+=/-]+$/, 'id may only contain letters, digits and ._:#@+=/-'),
  z.refine((s) => !FORBIDDEN_KEYS.has(s), 'reserved id'),
);

/** A peer's id: an Id under a name that says which kind of id a field holds. @alias */
export const PeerId = Id;

/**
 * Ids a peer chooses for what it authors (an offer, a result) start with its own peer id and `#`,
 * so they are unique per author: nobody can send first with another peer's predictable id.
 */
export function authoredBy(id: string, peer: string): boolean {
  return id.startsWith(`${peer}#`);
}
export const Name = z.string().check(z.maxLength(LIMITS.nameChars));

/** Characters base64 never has: the alphabet's and `=`'s complement. */
const NOT_BASE64 = /[^A-Za-z0-9+/=]/;

/**
 * Whether text is base64: its alphabet, and at most two `=`, at its end. One scan for a character
 * outside it and a search for the first `=`: a quarter of the time of the anchored pattern
 * /^[A-Za-z0-9+/]*={0,2}$/ (a fan-out's 10,000 files of 64 bytes: 4.2 ms against 1.3).
 */
export function isBase64Text(text: string): boolean {
  if (NOT_BASE64.test(text)) return false;
  const padding = text.indexOf('=');
  return padding < 0 || (padding >= text.length - 2 && text.endsWith('='));
}

/** Base64 text of at most `maxBytes` bytes. */
export const base64Of = (maxBytes: number) =>
  z.string().check(z.maxLength(Math.ceil(maxBytes / 3) * 4), z.refine(isBase64Text, 'expected base64'));
export const IsoTime = z.iso.datetime({ offset: true });
export const Fraction = z.number().check(z.minimum(0), z.maximum(1));
export const NonNegative = z.number().check(z.minimum(0));
export const Count = z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER));
/** Credits are integers (millicredits), so ledger sums are exact. */
export const Credits = z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER));
export const SemVer = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[0-9A-Za-z.+-]+$/));

/**
 * An array of at most `max` items that stops at the first invalid item. z.array parses and reports
 * every item, so a 1 MiB message of 300,000 wrong items cost seconds of CPU and millions of issues;
 * here the length is checked before any item, and a bad array costs one item's issues.
 */
export function boundedArray<T extends z.ZodMiniType>(item: T, max: number) {
  return z.pipe(
    z
      .custom<z.input<T>[]>((value) => Array.isArray(value), { error: 'expected an array', abort: true })
      .check(z.maxLength(max, `at most ${max} items`)),
    z.transform((items: z.input<T>[], ctx) => {
      const parsed: z.output<T>[] = [];
      for (const [index, value] of items.entries()) {
        const result = item.safeParse(value);
        if (!result.success) {
          for (const issue of result.error.issues) {
            ctx.issues.push({ code: 'custom', message: issue.message, path: [index, ...issue.path], input: value });
          }
          return z.NEVER;
        }
        parsed.push(result.data);
      }
      return parsed;
    }),
  );
}

/** A record keyed by ids, bounded in entries, refusing prototype keys. */
export function idRecord<V extends z.ZodMiniType>(value: V, maxEntries: number = LIMITS.recordEntries) {
  // Checked before the entries are parsed: z.record parses every entry first, and it silently
  // drops a `__proto__` key (which JSON.parse creates as an own key) instead of rejecting it.
  return z.pipe(
    z.custom<Record<string, z.input<V>>>().check(
      z.superRefine((record, ctx) => {
        if (record === null || typeof record !== 'object' || Array.isArray(record)) return; // z.record reports the type
        const keys = Object.keys(record);
        if (keys.length > maxEntries) ctx.addIssue({ code: 'custom', message: `at most ${maxEntries} entries` });
        const reserved = keys.find((key) => FORBIDDEN_KEYS.has(key));
        if (reserved !== undefined) ctx.addIssue({ code: 'custom', message: 'reserved key', path: [reserved] });
      }),
    ),
    z.record(Id, value),
  );
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const JsonKey = z.string().check(
  z.maxLength(LIMITS.nameChars),
  z.refine((k) => !FORBIDDEN_KEYS.has(k), 'reserved key'),
);

const JsonValue: z.ZodMiniType<Json> = z.lazy(() =>
  z.union([
    z.string().check(z.maxLength(LIMITS.paramsBytes)),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(JsonValue).check(z.maxLength(LIMITS.recordEntries)),
    z.record(JsonKey, JsonValue),
  ]),
);

/**
 * JSON params of a unit: an object, at most 16 KiB serialized and 32 levels deep. Depth, size and
 * keys are checked before the entries are parsed, so hostile params cost one walk, not a parse of
 * a megabyte; z.record would silently drop a nested `__proto__` key instead of rejecting it.
 */
export const Params = z.pipe(
  z
    .custom<Record<string, unknown>>((value) => value !== null && typeof value === 'object' && !Array.isArray(value), {
      error: 'expected an object',
      abort: true,
    })
    .check(
      z.superRefine((params, ctx) => {
        if (deeperThan(params, LIMITS.jsonDepth)) {
          ctx.addIssue({ code: 'custom', message: `nested deeper than ${LIMITS.jsonDepth}` });
          return; // deeper walks could meet a cycle
        }
        const size = serializedLength(params);
        if (size === undefined || size > LIMITS.paramsBytes) {
          ctx.addIssue({
            code: 'custom',
            message: size === undefined ? 'not JSON' : `${size} bytes is over the limit of ${LIMITS.paramsBytes} bytes`,
          });
          return;
        }
        const reserved = findReservedKey(params);
        if (reserved !== undefined) ctx.addIssue({ code: 'custom', message: `reserved key ${reserved}` });
      }),
    ),
  z.record(JsonKey, JsonValue),
);

/** Length of the JSON text of a value, or undefined where it has none (a BigInt, say). */
function serializedLength(value: unknown): number | undefined {
  try {
    return JSON.stringify(value)?.length;
  } catch {
    return undefined;
  }
}

/** The first prototype-reserved key anywhere in a (depth-checked) JSON value, or undefined. */
function findReservedKey(value: unknown): string | undefined {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    for (const [key, child] of Object.entries(v)) {
      if (FORBIDDEN_KEYS.has(key)) return key;
      stack.push(child);
    }
  }
  return undefined;
}

/**
 * Whether a parsed JSON value nests deeper than `limit` levels (`{"a": 1}` is one level), found
 * without recursion so hostile nesting cannot overflow, and stopping at the first level past it.
 * Every message and event is walked once before it is parsed: only objects go on the stack.
 */
export function deeperThan(value: unknown, limit: number): boolean {
  const objects: object[] = [];
  const depths: number[] = [];
  if (value !== null && typeof value === 'object') {
    objects.push(value);
    depths.push(0);
  }
  while (objects.length > 0) {
    const object = objects.pop()!;
    const childDepth = depths.pop()! + 1;
    for (const child of Object.values(object)) {
      if (childDepth > limit) return true;
      if (child !== null && typeof child === 'object') {
        objects.push(child);
        depths.push(childDepth);
      }
    }
  }
  return false;
}

// Building blocks shared by every wire schema: bounded strings, safe records, bounded JSON.
// Every schema is strict (unknown keys rejected) and every collection has a maximum size, so a
// message that passed its byte-size check cannot expand into unbounded work or state.
import { z } from 'zod';

export const LIMITS = {
  idChars: 128,
  nameChars: 256,
  textChars: 4096,
  recordEntries: 4096,
  slotsPerCommitment: 64,
  algorithmsPerSlot: 64,
  datasetsPerSlot: 256,
  requestsPerCommitment: 256,
  unitsPerRequest: 100_000,
  addressesPerAdvert: 16,
  resultsPerConsensus: 64,
  permitListEntries: 10_000,
  paramsBytes: 16 * 1024,
  jsonDepth: 32,
} as const;

/** Keys that would reach an object's prototype if assigned; rejected wherever keys are free-form. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Identifiers: peer ids, CIDs, unit/job/slot ids. A conservative charset keeps them printable. */
export const Id = z
  .string()
  .min(1)
  .max(LIMITS.idChars)
  .regex(/^[A-Za-z0-9._:#@+=/-]+$/, 'id may only contain letters, digits and ._:#@+=/-')
  .refine((s) => !FORBIDDEN_KEYS.has(s), 'reserved id');

export const PeerId = Id;
export const Name = z.string().max(LIMITS.nameChars);
export const Text = z.string().max(LIMITS.textChars);
export const IsoTime = z.iso.datetime({ offset: true });
export const Fraction = z.number().min(0).max(1);
export const NonNegative = z.number().min(0);
export const Count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Credits are integers (millicredits), so ledger sums are exact. */
export const Credits = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const SemVer = z.string().min(1).max(64).regex(/^[0-9A-Za-z.+-]+$/);

/** A record keyed by ids, bounded in entries, refusing prototype keys. */
export function idRecord<V extends z.ZodType>(value: V, maxEntries: number = LIMITS.recordEntries) {
  return z
    .record(Id, value)
    .refine((r) => Object.keys(r).length <= maxEntries, `at most ${maxEntries} entries`);
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const JsonKey = z
  .string()
  .max(LIMITS.nameChars)
  .refine((k) => !FORBIDDEN_KEYS.has(k), 'reserved key');

export const JsonValue: z.ZodType<Json> = z.lazy(() =>
  z.union([
    z.string().max(LIMITS.paramsBytes),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(JsonValue).max(LIMITS.recordEntries),
    z.record(JsonKey, JsonValue),
  ]),
);

/** JSON params of a unit: an object, at most 16 KiB serialized and 32 levels deep. */
export const Params = z
  .record(JsonKey, JsonValue)
  .refine((p) => jsonDepth(p) <= LIMITS.jsonDepth, `nested deeper than ${LIMITS.jsonDepth}`)
  .refine((p) => JSON.stringify(p).length <= LIMITS.paramsBytes, `larger than ${LIMITS.paramsBytes} bytes`);

/** Depth of a parsed JSON value, computed without recursion so hostile nesting cannot overflow. */
export function jsonDepth(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (d > max) max = d;
    if (d > LIMITS.jsonDepth * 4) return d; // far past any limit: stop walking
    if (v !== null && typeof v === 'object') {
      for (const child of Object.values(v as object)) stack.push([child, d + 1]);
    }
  }
  return max;
}

// fast-check arbitraries for the primitives every wire schema is built of, and recordOf, the
// record builder the others use (see ../arbitraries.ts for what every value guarantees).
import fc from 'fast-check';
import { FORBIDDEN_KEYS, LIMITS, MAX_REDUNDANCY } from '../../../src-main/core/schemas/index.js';

// ---- primitives ---------------------------------------------------------------------------

export const idArb: fc.Arbitrary<string> = fc
  .stringMatching(/^[A-Za-z0-9._:#@+=/-]{1,128}$/)
  .filter((id) => !FORBIDDEN_KEYS.has(id));
export const peerIdArb = idArb;
export const nameArb: fc.Arbitrary<string> = fc.string({ unit: 'binary', maxLength: LIMITS.nameChars / 2 });
export const addressesArb = fc.array(nameArb, { maxLength: 4 });
export const semVerArb: fc.Arbitrary<string> = fc.stringMatching(/^[0-9A-Za-z.+-]{1,64}$/);

/** A finite number in [min, max]; never -0, which JSON turns into 0. */
export const finiteArb = (min: number, max: number): fc.Arbitrary<number> =>
  fc.double({ min, max, noNaN: true }).map((n) => (Object.is(n, -0) ? 0 : n));
export const fractionArb = finiteArb(0, 1);
export const nonNegativeArb = finiteArb(0, 1e12);
export const countArb: fc.Arbitrary<number> = fc.maxSafeNat();
export const creditsArb: fc.Arbitrary<number> = fc.maxSafeNat();
export const redundancyArb: fc.Arbitrary<number> = fc.integer({ min: 1, max: MAX_REDUNDANCY });
export const tierArb: fc.Arbitrary<1 | 2> = fc.constantFrom(1 as const, 2 as const);
export const roleArb = fc.constantFrom('primary' as const, 'verification' as const);

const MIN_MS = Date.parse('2000-01-01T00:00:00Z');
const MAX_MS = Date.parse('2100-01-01T00:00:00Z');
const pad = (n: number): string => String(n).padStart(2, '0');

/** `ms` written as ISO 8601 in the given UTC offset ('Z' for 0): the same instant either way. */
export function isoAt(ms: number, offsetMinutes = 0): string {
  const wallClock = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, -1);
  if (offsetMinutes === 0) return `${wallClock}Z`;
  const abs = Math.abs(offsetMinutes);
  return `${wallClock}${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const offsetArb = fc.oneof(fc.constant(0), fc.integer({ min: -12 * 60, max: 14 * 60 }));
export const isoTimeArb: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: MIN_MS, max: MAX_MS }), offsetArb)
  .map(([ms, offset]) => isoAt(ms, offset));

/** Two ISO times, the second strictly after the first. */
export const timeWindowArb: fc.Arbitrary<{ start: string; end: string }> = fc
  .tuple(
    fc.integer({ min: MIN_MS, max: MAX_MS }),
    fc.integer({ min: 1, max: 30 * 24 * 3600_000 }),
    offsetArb,
    offsetArb,
  )
  .map(([start, duration, startOffset, endOffset]) => ({
    start: isoAt(start, startOffset),
    end: isoAt(start + duration, endOffset),
  }));

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
const jsonKeyArb = fc.string({ maxLength: 16 }).filter((key) => !FORBIDDEN_KEYS.has(key));
const { json: jsonArb } = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 32 }),
    finiteArb(-1e9, 1e9),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(jsonKeyArb, tie('json'), { maxKeys: 4, noNullPrototype: true }),
  ),
}));
/** Unit params: a small JSON object, within the 16 KiB and 32-level limits. */
export const paramsArb: fc.Arbitrary<Record<string, Json>> = fc
  .dictionary(jsonKeyArb, jsonArb, { maxKeys: 6, noNullPrototype: true })
  .filter((params) => JSON.stringify(params).length <= LIMITS.paramsBytes);

/** fc.record with plain-prototype objects and the named keys optional (absent when not drawn). */
export function recordOf<T extends object>(
  model: { [K in keyof T]-?: fc.Arbitrary<Exclude<T[K], undefined>> },
  optional: (keyof T)[] = [],
): fc.Arbitrary<T> {
  const requiredKeys = (Object.keys(model) as (keyof T)[]).filter((key) => !optional.includes(key));
  return fc.record(model, { requiredKeys, noNullPrototype: true });
}

// What a node accepts work from (core/policy; the provider enforces it). A list; all must allow.
import * as z from './zod.js';
import { boundedArray, Count, LIMITS, PeerId } from './primitives.js';

/** The longest window a rate limit may count over: 30 days. */
export const MAX_RATE_WINDOW_SECONDS = 86_400 * 30;

export const PolicySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('allow_all') }),
  z.strictObject({ kind: z.literal('permit_list'), peers: boundedArray(PeerId, LIMITS.permitListEntries) }),
  /** At most `units_per_day` units per requesting peer in any UTC day. */
  z.strictObject({ kind: z.literal('quota'), units_per_day: Count }),
  /** At most `units` units per requesting peer in any window of `per_seconds`. */
  z.strictObject({
    kind: z.literal('rate_limit'),
    units: Count,
    per_seconds: z.int().check(z.minimum(1), z.maximum(MAX_RATE_WINDOW_SECONDS)),
  }),
]);

export const PolicyListSchema = boundedArray(PolicySchema, 16);

export type Policy = z.infer<typeof PolicySchema>;

// The messages of circles (docs/PROTOCOL.md, "Circles"): a circle's log entries, by gossip on the
// circle's topic or pushed directly, and the two-step sync a member that was away runs with a peer:
// the CIDs each holds (skipped when the digests of both logs agree), then the entries it lacks.
import * as z from '../schemas/zod.js';
import { boundedArray, Id } from '../schemas/index.js';
import { EntriesBatch, MAX_CIRCLE_ENTRIES } from '../circles/entries.js';
import type { Places } from './places.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** CIDs one `circle_want` asks for at most (a reply of as many entries stays within its cap). */
export const MAX_WANTED = 256;

/** Each circle's gossip topic, which only its members subscribe to. */
export const circleTopic = (circle: string): string => `/mesh/1/circles/${circle}`;
const CIRCLE_TOPIC_PREFIX = circleTopic('');

export const CIRCLE_MESSAGES = {
  /** Signed entries of one circle: by gossip on its topic, pushed in a sync, or a `circle_want`'s reply. */
  circle_entries: {
    schema: z.strictObject({ circle: Id, entries: EntriesBatch }),
    maxBytes: 4 * MiB,
    places: {
      gossip: (topic: string) => topic.startsWith(CIRCLE_TOPIC_PREFIX),
      request: true,
      reply: true,
      answer: 'ack',
    } satisfies Places,
  },
  /** A member's summary of its copy of the log: the peer answers the CIDs it holds, none when the digests agree. */
  circle_sync: {
    schema: z.strictObject({ circle: Id, digest: z.string().check(z.regex(/^[0-9a-f]{64}$/)), count: z.int() }),
    maxBytes: 1 * KiB,
    places: { request: true, answer: 'circle_have' } satisfies Places,
  },
  circle_have: {
    schema: z.strictObject({
      circle: Id,
      /** Whether the peer holds the circle at all (a member that missed the founding holds nothing). */
      known: z.boolean(),
      same: z.boolean(),
      cids: boundedArray(Id, MAX_CIRCLE_ENTRIES),
    }),
    maxBytes: 4 * MiB,
    places: { reply: true } satisfies Places,
  },
  /** The entries a member lacks, by CID. */
  circle_want: {
    schema: z.strictObject({ circle: Id, cids: boundedArray(Id, MAX_WANTED) }),
    maxBytes: 64 * KiB,
    places: { request: true, answer: 'circle_entries' } satisfies Places,
  },
};

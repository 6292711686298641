// What a circle's log holds: its founding document (the circle's id is that document's CID), the
// proposals of its members and their votes. Each entry is signed by its author and named by the
// CID of its bytes (node/circles/signed-entries.ts), so any member can pass on any other's entries
// and every member checks them alike.
import * as z from '../schemas/zod.js';
import { boundedArray, Id, Name, PeerId } from '../schemas/index.js';
import { MeshPolicySchema, PolicyFragmentSchema } from './policy.js';

/** A circle's members at most. */
export const MAX_CIRCLE_MEMBERS = 256;
/** Entries one circle's log holds at most: past it, no new proposal is taken (votes still are). */
export const MAX_CIRCLE_ENTRIES = 20_000;
/** A proposal's description, in characters. */
export const MAX_DESCRIPTION_CHARS = 2000;

/** Milliseconds since 1970: entries are ordered by the times their authors signed. */
const Millis = z.int().check(z.minimum(0), z.maximum(8_640_000_000_000));
const Members = boundedArray(PeerId, MAX_CIRCLE_MEMBERS);

const GenesisSchema = z.strictObject({
  kind: z.literal('genesis'),
  name: Name.check(z.minLength(1)),
  founder: PeerId,
  /** Its founding members, the founder among them. */
  members: Members.check(z.minLength(1)),
  policy: MeshPolicySchema,
  at: Millis,
  /** Tells apart two circles founded with the same document. */
  nonce: z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/)),
});

/** What a proposal changes: some fields of the policy, and members added or removed. */
export const ChangeSchema = z
  .strictObject({
    policy: z.optional(PolicyFragmentSchema),
    add_members: z.optional(Members),
    remove_members: z.optional(Members),
  })
  .check(
    z.refine(
      (c) =>
        Object.values(c.policy ?? {}).some((fields) => Object.keys(fields ?? {}).length > 0) ||
        (c.add_members?.length ?? 0) > 0 ||
        (c.remove_members?.length ?? 0) > 0,
      'a proposal must change something: a policy field, or a member added or removed',
    ),
  );

const ProposalSchema = z.strictObject({
  kind: z.literal('proposal'),
  circle: Id,
  author: PeerId,
  description: z.string().check(z.maxLength(MAX_DESCRIPTION_CHARS)),
  change: ChangeSchema,
  at: Millis,
  /** When voting closes; no later than the circle's voting period after `at` (a later one is cut to it). */
  expires_at: Millis,
});

export const VoteChoiceSchema = z.enum(['approve', 'reject', 'abstain']);

const VoteSchema = z.strictObject({
  kind: z.literal('vote'),
  circle: Id,
  proposal: Id,
  author: PeerId,
  choice: VoteChoiceSchema,
  at: Millis,
});

const CircleEntrySchema = z.discriminatedUnion('kind', [GenesisSchema, ProposalSchema, VoteSchema]);

/** An entry with its author's Ed25519 signature (base64) over its canonical bytes. */
export const SignedEntrySchema = z.strictObject({
  entry: CircleEntrySchema,
  sig: z.string().check(z.regex(/^[A-Za-z0-9+/]{86}==$/)),
});

export type Genesis = z.infer<typeof GenesisSchema>;
export type Proposal = z.infer<typeof ProposalSchema>;
export type Vote = z.infer<typeof VoteSchema>;
export type VoteChoice = z.infer<typeof VoteChoiceSchema>;
export type CircleEntry = z.infer<typeof CircleEntrySchema>;
export type SignedEntry = z.infer<typeof SignedEntrySchema>;
export type Change = z.infer<typeof ChangeSchema>;

/** An entry as a log keeps it: checked, signed, and named by its CID. */
export interface LoggedEntry<E extends CircleEntry = CircleEntry> {
  cid: string;
  entry: E;
}

/** Who signed an entry: its founder or author. */
export const authorOf = (entry: CircleEntry): string => (entry.kind === 'genesis' ? entry.founder : entry.author);

/** Entries one message carries at most (as many of the largest fit its byte cap). */
export const MAX_ENTRIES_PER_MESSAGE = 100;
export const EntriesBatch = boundedArray(SignedEntrySchema, MAX_ENTRIES_PER_MESSAGE);

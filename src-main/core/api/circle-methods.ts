// The API's circle methods (docs/CIRCLES.md), a part of its contract (contract.ts spreads them into
// API_METHODS): founding a circle, its state (members, active policy, proposals with their tallies,
// history), proposing a change and voting on one.
import * as z from '../schemas/zod.js';
import { boundedArray, Count, Id, IsoTime, Name, PeerId } from '../schemas/index.js';
import {
  ChangeSchema,
  MAX_CIRCLE_MEMBERS,
  MAX_DESCRIPTION_CHARS,
  MeshPolicySchema,
  PolicyFragmentSchema,
  VoteChoiceSchema,
} from '../circles/index.js';
import { method, Empty } from './shapes.js';

/** Proposals and activations a circle's view lists at most: the newest. */
export const MAX_LISTED = 256;

const TallySchema = z.strictObject({ approve: Count, reject: Count, abstain: Count, members: Count });

const ProposalViewSchema = z.strictObject({
  proposal_id: Id,
  author: PeerId,
  description: z.string().check(z.maxLength(MAX_DESCRIPTION_CHARS)),
  change: ChangeSchema,
  /** The fields it changes, dotted (`rewards.worker_pct`), and members added or removed. */
  fields: boundedArray(z.string().check(z.maxLength(128)), 512),
  status: z.enum(['open', 'passed', 'rejected', 'expired', 'failed', 'void']),
  reason: z.nullable(z.string().check(z.maxLength(2048))),
  created_at: IsoTime,
  closes_at: IsoTime,
  closed_at: z.nullable(IsoTime),
  tally: TallySchema,
  /** The quorum and threshold it passes by (the stricter of old and new when it changes them). */
  quorum: z.number(),
  threshold: z.number(),
  my_vote: z.nullable(VoteChoiceSchema),
});

const ActivationViewSchema = z.strictObject({
  proposal_id: Id,
  description: z.string().check(z.maxLength(MAX_DESCRIPTION_CHARS)),
  at: IsoTime,
  fields: boundedArray(z.string().check(z.maxLength(128)), 512),
  /** The approving votes that carried it, by entry CID. */
  votes: boundedArray(Id, MAX_CIRCLE_MEMBERS),
  before: MeshPolicySchema,
  after: MeshPolicySchema,
  members_before: boundedArray(PeerId, MAX_CIRCLE_MEMBERS),
  members_after: boundedArray(PeerId, MAX_CIRCLE_MEMBERS),
});

const CircleViewSchema = z.strictObject({
  circle_id: Id,
  name: Name,
  founder: PeerId,
  created_at: IsoTime,
  members: boundedArray(PeerId, MAX_CIRCLE_MEMBERS),
  policy: MeshPolicySchema,
  /** The newest first. */
  proposals: boundedArray(ProposalViewSchema, MAX_LISTED),
  /** Oldest first: the policy's versions, each activation's before and after. */
  history: boundedArray(ActivationViewSchema, MAX_LISTED),
  /** Entries in my copy of its log. */
  entries: Count,
});

const CircleSummarySchema = z.strictObject({
  circle_id: Id,
  name: Name,
  members: Count,
  open_proposals: Count,
  /** Activations so far: the policy's version. */
  version: Count,
});

export const CIRCLE_METHODS = {
  'circles.list': method(Empty, z.strictObject({ circles: boundedArray(CircleSummarySchema, 1024) })),
  /** Founds a circle with me and `members` in it (each gets its founding document), under the default policy with `policy`'s fields. */
  'circles.create': method(
    z.strictObject({
      name: Name.check(z.minLength(1)),
      members: z._default(boundedArray(PeerId, MAX_CIRCLE_MEMBERS - 1), []),
      policy: z._default(PolicyFragmentSchema, {}),
    }),
    z.strictObject({ circle: CircleViewSchema }),
  ),
  'circles.show': method(z.strictObject({ circle_id: Id }), z.strictObject({ circle: CircleViewSchema })),
  /** Proposes a change; it opens at once, and my own approval is not implied (vote for it). */
  'circles.propose': method(
    z.strictObject({
      circle_id: Id,
      change: ChangeSchema,
      description: z._default(z.string().check(z.maxLength(MAX_DESCRIPTION_CHARS)), ''),
      /** How long voting stays open; the circle's voting period at most (and by default). */
      expires_in_s: z.optional(z.int().check(z.minimum(10), z.maximum(30 * 86_400))),
    }),
    z.strictObject({ proposal: ProposalViewSchema }),
  ),
  /** My vote on an open proposal; a later one replaces it until the proposal closes. */
  'circles.vote': method(
    z.strictObject({ circle_id: Id, proposal_id: Id, choice: VoteChoiceSchema }),
    z.strictObject({ proposal: ProposalViewSchema }),
  ),
} as const;

export type CircleView = z.infer<typeof CircleViewSchema>;
export type ProposalView = z.infer<typeof ProposalViewSchema>;

// Invites: how two people connect. The inviter's node makes a code (its peer id, its addresses,
// an id, a one-time secret and an expiry, signed with its key); the invited node dials it and
// proves the secret over a direct stream; each side then trusts the other at the weight its own
// person chose. These are the rules, without I/O: the code's shape once decoded, the messages of
// the redeeming exchange, and whether an invite may still be redeemed.
import * as z from '../schemas/zod.js';
import { boundedArray, Fraction, Id, IsoTime, LIMITS, Name, PeerId } from '../schemas/index.js';

/** What starts every code, so a person (and the node) can tell one from other text. */
export const INVITE_PREFIX = 'mesh-invite:';
/** The longest code a node reads: 8 addresses of ~100 bytes, the rest, base64url. */
export const MAX_INVITE_CODE_CHARS = 2048;
export const INVITE_LIMITS = {
  addresses: 8,
  addressChars: LIMITS.nameChars,
  nameChars: 64,
  /** 24 h unless the person says otherwise; at least a minute, at most 30 days. */
  defaultSeconds: 24 * 3600,
  minSeconds: 60,
  maxSeconds: 30 * 24 * 3600,
  /** Invites a node keeps (pending, used or expired); the oldest settled ones go first. */
  kept: 256,
} as const;

const Hex = (chars: number) =>
  z.string().check(z.regex(new RegExp(`^[0-9a-f]{${chars}}$`), `expected ${chars} hex digits`));
/** 8 random bytes naming the invite at its inviter. */
export const InviteId = Hex(16);
/** 16 random bytes only the code carries: whoever shows them may redeem the invite, once. */
const InviteSecret = Hex(32);
const Multiaddr = z
  .string()
  .check(z.minLength(1), z.maxLength(INVITE_LIMITS.addressChars), z.regex(/^\//, 'a multiaddr starts with /'));

/** A code's content, decoded and converted to text fields, before its signature is checked. */
export const InviteSchema = z.strictObject({
  v: z.literal(1),
  peer: PeerId,
  /** The inviter's addresses (direct and relayed), without its own /p2p/<id> at the end. */
  addrs: boundedArray(Multiaddr, INVITE_LIMITS.addresses),
  id: InviteId,
  secret: InviteSecret,
  /** Seconds since the Unix epoch. */
  expires: z.int().check(z.minimum(0), z.maximum(2 ** 40)),
  name: z.optional(Name.check(z.maxLength(INVITE_LIMITS.nameChars))),
});
export type Invite = z.infer<typeof InviteSchema>;

/** What the inviter keeps of an invite it made: the secret only as its SHA-256. */
const InviteRecordSchema = z.strictObject({
  id: InviteId,
  secret_sha256: Hex(64),
  /** The inviter's trust in whoever redeems it. */
  trust: Fraction,
  created_at: IsoTime,
  expires_at: IsoTime,
  accepted_by: z.nullable(PeerId),
  accepted_at: z.nullable(IsoTime),
  /** A circle of the inviter's that whoever redeems it is proposed to join (and the inviter approves). */
  circle: z.optional(Id),
});
export type InviteRecord = z.infer<typeof InviteRecordSchema>;
export const InviteRecordsSchema = boundedArray(InviteRecordSchema, INVITE_LIMITS.kept);

/** The invited node's request on `/mesh/1/invite/1.0.0`. */
export const RedeemRequestSchema = z.strictObject({
  v: z.literal(1),
  id: InviteId,
  secret: InviteSecret,
  name: z.optional(Name.check(z.maxLength(INVITE_LIMITS.nameChars))),
});
export type RedeemRequest = z.infer<typeof RedeemRequestSchema>;
export const MAX_REDEEM_BYTES = 1024;

const REFUSALS = ['unknown_invite', 'wrong_secret', 'expired', 'used', 'bad_request'] as const;
export type InviteRefusal = (typeof REFUSALS)[number];
export const RedeemReplySchema = z.discriminatedUnion('ok', [
  z.strictObject({
    ok: z.literal(true),
    name: z.optional(Name.check(z.maxLength(INVITE_LIMITS.nameChars))),
    /** The peer that redeemed the invite before, redeeming it again: when it first did. */
    accepted_at: z.optional(IsoTime),
  }),
  z.strictObject({ ok: z.literal(false), code: z.enum(REFUSALS), message: z.string().check(z.maxLength(256)) }),
]);
export type RedeemReply = z.infer<typeof RedeemReplySchema>;

/** Why the invited side refuses a code before dialling anyone: its own clock says it expired. */
export function expiredMessage(invite: Pick<Invite, 'expires'>, nowMs: number): string | undefined {
  if (invite.expires * 1000 > nowMs) return undefined;
  return `this invite expired at ${new Date(invite.expires * 1000).toISOString()}; ask for a new one`;
}

/**
 * The inviter's decision on a redeem request: `record` is the invite of that id (if any),
 * `secretMatches` whether the secret shown hashes to the record's, `peer` who shows it. An invite
 * is redeemed once; the same peer asking again (its reply was lost, or its person accepts the code a
 * second time) is answered yes again, with when it first redeemed it.
 */
export function redeemDecision(
  record: InviteRecord | undefined,
  secretMatches: boolean,
  peer: string,
  nowMs: number,
):
  | { ok: true; again: false }
  | { ok: true; again: true; accepted_at: string }
  | { ok: false; code: InviteRefusal; message: string } {
  if (record === undefined) return { ok: false, code: 'unknown_invite', message: 'no such invite here' };
  if (!secretMatches)
    return { ok: false, code: 'wrong_secret', message: "the code's secret does not match this invite" };
  if (record.accepted_by !== null)
    return record.accepted_by === peer
      ? { ok: true, again: true, accepted_at: record.accepted_at ?? record.created_at }
      : { ok: false, code: 'used', message: `this invite was already used, at ${record.accepted_at}` };
  if (Date.parse(record.expires_at) <= nowMs)
    return { ok: false, code: 'expired', message: `this invite expired at ${record.expires_at}` };
  return { ok: true, again: false };
}

/** The invites to keep once `fresh` is added: all pending ones first, then the newest settled. */
export function keptInvites(records: readonly InviteRecord[], nowMs: number): InviteRecord[] {
  const pending = (r: InviteRecord) => r.accepted_by === null && Date.parse(r.expires_at) > nowMs;
  const newestFirst = [...records].sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
  const kept = [...newestFirst.filter(pending), ...newestFirst.filter((r) => !pending(r))];
  return kept.slice(0, INVITE_LIMITS.kept);
}

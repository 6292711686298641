// The API's shapes for reaching peers: invites, a peer's link, and the network settings.
import * as z from '../schemas/zod.js';
import { INVITE_LIMITS, InviteId, MAX_INVITE_CODE_CHARS } from '../reach/invite.js';
import { RelaySettingsSchema } from '../reach/network-config.js';
import { boundedArray, Fraction, Id, IsoTime, LIMITS, Name, PeerId } from '../schemas/index.js';

const Address = z.string().check(z.maxLength(LIMITS.nameChars));

/** How I reach a connected peer now. */
export const LinkViewSchema = z.strictObject({
  kind: z.enum(['direct', 'relayed']),
  address: Address,
  rtt_ms: z.nullable(z.number().check(z.minimum(0))),
  /**
   * What the relay still allows a relayed connection: bytes left (both ways), and the duration it
   * announced (js-libp2p relays announce milliseconds where the spec says seconds); null on a direct one.
   */
  limits: z.nullable(
    z.strictObject({
      bytes: z.nullable(z.number().check(z.minimum(0))),
      seconds: z.nullable(z.number().check(z.minimum(0))),
    }),
  ),
});

export const InviteCreateSchema = z.strictObject({
  /** My trust in whoever redeems it. */
  trust: z._default(Fraction, 1),
  expires_seconds: z._default(
    z.int().check(z.minimum(INVITE_LIMITS.minSeconds), z.maximum(INVITE_LIMITS.maxSeconds)),
    INVITE_LIMITS.defaultSeconds,
  ),
  /** A circle of mine: whoever redeems it is proposed as a member, with my approval (the others vote). */
  circle: z.optional(Id),
});

export const InviteCreatedSchema = z.strictObject({
  code: z.string().check(z.maxLength(MAX_INVITE_CODE_CHARS)),
  invite_id: InviteId,
  expires_at: IsoTime,
  addresses: boundedArray(Address, INVITE_LIMITS.addresses),
  /** Whether the code names an address reachable beyond this LAN (public or relayed). */
  reachable: z.boolean(),
});

export const InviteAcceptSchema = z.strictObject({
  code: z.string().check(z.minLength(1), z.maxLength(MAX_INVITE_CODE_CHARS)),
  /** My trust in the inviter. */
  trust: z._default(Fraction, 1),
});

export const InviteAcceptedSchema = z.strictObject({
  peer_id: PeerId,
  name: z.nullable(Name),
  link: z.nullable(LinkViewSchema),
});

export const InviteViewSchema = z.strictObject({
  invite_id: InviteId,
  trust: Fraction,
  created_at: IsoTime,
  expires_at: IsoTime,
  state: z.enum(['pending', 'accepted', 'expired']),
  accepted_by: z.nullable(PeerId),
});

export const NetworkViewSchema = z.strictObject({
  listen_port: z.int().check(z.minimum(1), z.maximum(65_535)),
  upnp: z.boolean(),
  relay: RelaySettingsSchema,
  /** What this running node does now. */
  addresses: boundedArray(Address, 64),
  reachable: z.boolean(),
  relaying: z.boolean(),
  /** Peers holding a slot on my relay now. */
  reservations: boundedArray(PeerId, 1024),
  /** A saved setting that takes effect at the next start (the port, UPnP, the relay's limits). */
  restart_needed: z.boolean(),
});

export const NetworkSetSchema = z.strictObject({
  listen_port: z.optional(z.int().check(z.minimum(1), z.maximum(65_535))),
  upnp: z.optional(z.boolean()),
  relay: z.optional(z.partial(RelaySettingsSchema)),
});

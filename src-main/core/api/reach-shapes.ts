// The API's shapes for reaching peers: invites, a peer's link, and the network settings.
import * as z from 'zod';
import { INVITE_LIMITS, InviteId, MAX_INVITE_CODE_CHARS } from '../reach/invite.js';
import { RelaySettingsSchema } from '../reach/network-config.js';
import { boundedArray, Fraction, IsoTime, LIMITS, Name, PeerId } from '../schemas/index.js';

const Address = z.string().max(LIMITS.nameChars);

/** How I reach a connected peer now. */
export const LinkViewSchema = z.strictObject({
  kind: z.enum(['direct', 'relayed']),
  address: Address,
  rtt_ms: z.number().min(0).nullable(),
  /**
   * What the relay still allows a relayed connection: bytes left (both ways), and the duration it
   * announced (js-libp2p relays announce milliseconds where the spec says seconds); null on a direct one.
   */
  limits: z.strictObject({ bytes: z.number().min(0).nullable(), seconds: z.number().min(0).nullable() }).nullable(),
});

export const InviteCreateSchema = z.strictObject({
  /** My trust in whoever redeems it. */
  trust: Fraction.default(1),
  expires_seconds: z
    .number()
    .int()
    .min(INVITE_LIMITS.minSeconds)
    .max(INVITE_LIMITS.maxSeconds)
    .default(INVITE_LIMITS.defaultSeconds),
});

export const InviteCreatedSchema = z.strictObject({
  code: z.string().max(MAX_INVITE_CODE_CHARS),
  invite_id: InviteId,
  expires_at: IsoTime,
  addresses: boundedArray(Address, INVITE_LIMITS.addresses),
  /** Whether the code names an address reachable beyond this LAN (public or relayed). */
  reachable: z.boolean(),
});

export const InviteAcceptSchema = z.strictObject({
  code: z.string().min(1).max(MAX_INVITE_CODE_CHARS),
  /** My trust in the inviter. */
  trust: Fraction.default(1),
});

export const InviteAcceptedSchema = z.strictObject({
  peer_id: PeerId,
  name: Name.nullable(),
  link: LinkViewSchema.nullable(),
});

export const InviteViewSchema = z.strictObject({
  invite_id: InviteId,
  trust: Fraction,
  created_at: IsoTime,
  expires_at: IsoTime,
  state: z.enum(['pending', 'accepted', 'expired']),
  accepted_by: PeerId.nullable(),
});

export const NetworkViewSchema = z.strictObject({
  listen_port: z.number().int().min(1).max(65_535),
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
  listen_port: z.number().int().min(1).max(65_535).optional(),
  upnp: z.boolean().optional(),
  relay: RelaySettingsSchema.partial().optional(),
});

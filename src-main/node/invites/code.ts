// An invite code on the wire: `mesh-invite:` + base64url of one dag-cbor map, compact enough to
// paste in a chat. Peer ids and multiaddrs travel as their bytes; the map's `g` is the inviter's
// Ed25519 signature over the dag-cbor of the other fields, prefixed by a domain string so that it
// can never pass for a signature of anything else. Decoding checks the size first, then the shape
// (zod, core/reach/invite.ts), then the signature, then the expiry.
import * as dagCbor from '@ipld/dag-cbor';
import { peerIdFromMultihash, peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import * as Digest from 'multiformats/hashes/digest';
import { CodedError, describeError } from '../../core/errors.js';
import {
  expiredMessage,
  INVITE_PREFIX,
  InviteSchema,
  MAX_INVITE_CODE_CHARS,
  type Invite,
} from '../../core/reach/invite.js';
import { verifySignature, type Identity } from '../identity/identity.js';

type InviteErrorCode = 'malformed' | 'bad_signature' | 'expired';

/** A code that cannot be used, and why, in words a person can act on. */
export class InviteError extends CodedError<InviteErrorCode> {
  override readonly name = 'InviteError';
}

const DOMAIN = new TextEncoder().encode('mesh/1/invite\n');

interface Wire {
  v: number;
  p: Uint8Array;
  a: Uint8Array[];
  i: Uint8Array;
  s: Uint8Array;
  e: number;
  n?: string;
}

const WIRE_KEYS: ReadonlySet<string> = new Set(['v', 'p', 'a', 'i', 's', 'e', 'n']);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function toWire(invite: Invite): Wire {
  return {
    v: invite.v,
    p: peerIdFromString(invite.peer).toMultihash().bytes,
    a: invite.addrs.map((a) => multiaddr(a).bytes),
    i: Buffer.from(invite.id, 'hex'),
    s: Buffer.from(invite.secret, 'hex'),
    e: invite.expires,
    ...(invite.name !== undefined ? { n: invite.name } : {}),
  };
}

function signedBytes(wire: Wire): Uint8Array {
  return new Uint8Array([...DOMAIN, ...dagCbor.encode(wire)]);
}

/** The code for `invite`, signed by `identity` (whose peer id the invite must name). */
export async function encodeInvite(invite: Invite, identity: Identity): Promise<string> {
  if (invite.peer !== identity.peerId) throw new Error('an invite is signed by the peer it names');
  const wire = toWire(InviteSchema.parse(invite));
  const g = await identity.sign(signedBytes(wire));
  const code = INVITE_PREFIX + Buffer.from(dagCbor.encode({ ...wire, g })).toString('base64url');
  if (code.length > MAX_INVITE_CODE_CHARS) throw new Error(`the invite is ${code.length} characters, too long`);
  return code;
}

const isBytes = (x: unknown): x is Uint8Array => x instanceof Uint8Array;

/** The invite a code carries, once its size, shape, signature and expiry are checked. Throws InviteError. */
export async function decodeInvite(code: string, nowMs: number): Promise<Invite> {
  const text = code.trim();
  if (text.length > MAX_INVITE_CODE_CHARS)
    throw new InviteError('malformed', `an invite code is at most ${MAX_INVITE_CODE_CHARS} characters`);
  if (!text.startsWith(INVITE_PREFIX) || !/^[A-Za-z0-9_-]+$/.test(text.slice(INVITE_PREFIX.length)))
    throw new InviteError('malformed', `an invite code starts with ${INVITE_PREFIX} followed by base64url`);
  let raw: unknown;
  try {
    raw = dagCbor.decode(Buffer.from(text.slice(INVITE_PREFIX.length), 'base64url'));
  } catch (err) {
    throw new InviteError('malformed', `the code is damaged (${describeError(err)}); copy it again, whole`);
  }
  const { g, ...wire } = (raw ?? {}) as Wire & { g?: unknown };
  let invite: Invite;
  let signed: Uint8Array;
  try {
    const unknown = Object.keys(wire).filter((key) => !WIRE_KEYS.has(key));
    if (unknown.length > 0) throw new Error(`unknown fields ${unknown.join(', ')}`);
    if (!isBytes(wire.p) || !isBytes(wire.i) || !isBytes(wire.s) || !isBytes(g) || !Array.isArray(wire.a))
      throw new Error('missing fields');
    if (!wire.a.every(isBytes)) throw new Error('an address is not bytes');
    const decoded = {
      v: wire.v,
      peer: peerIdFromMultihash(Digest.decode(wire.p)).toString(),
      addrs: wire.a.map((a) => multiaddr(a).toString()),
      id: hex(wire.i),
      secret: hex(wire.s),
      expires: wire.e,
      ...(wire.n !== undefined ? { name: wire.n } : {}),
    };
    const parsed = InviteSchema.safeParse(decoded);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    invite = parsed.data;
    // Re-encoded from the text form, as the signer encoded it: an address whose text does not
    // read back as an address (a /p2p/ key in a base the parser lacks, found by fuzzing) throws here.
    signed = signedBytes(toWire(invite));
  } catch (err) {
    throw new InviteError(
      'malformed',
      `the code does not hold an invite (${describeError(err).slice(0, 200)}); copy it again, whole`,
    );
  }
  if (!(await verifySignature(invite.peer, signed, g)))
    throw new InviteError('bad_signature', `the code is not signed by ${invite.peer}: it was altered or forged`);
  const expired = expiredMessage(invite, nowMs);
  if (expired !== undefined) throw new InviteError('expired', expired);
  return invite;
}

// A circle entry's bytes, CID and signature: its canonical dag-cbor bytes (as receipts'), named by
// their CID, signed by its author under a domain of its own, so that an entry's signature is never
// valid as an envelope's or a receipt's. Anyone can check one from the entry alone.
import {
  authorOf,
  SignedEntrySchema,
  type CircleEntry,
  type LoggedEntry,
  type SignedEntry,
} from '../../core/circles/index.js';
import { validate } from '../../core/schemas/index.js';
import { verifySignature, type Identity } from '../identity/identity.js';
import { encodeDagCbor } from '../receipts/index.js';

const DOMAIN = new TextEncoder().encode('mesh/1/circle-entry\n');

/** The entry's bytes and CID; JSON's own round trip first drops fields set to undefined, which IPLD has no word for. */
function encodeEntry(entry: CircleEntry): { bytes: Uint8Array; cid: string } {
  return encodeDagCbor(JSON.parse(JSON.stringify(entry)) as object);
}

const signingBytes = (bytes: Uint8Array): Uint8Array => {
  const message = new Uint8Array(DOMAIN.byteLength + bytes.byteLength);
  message.set(DOMAIN, 0);
  message.set(bytes, DOMAIN.byteLength);
  return message;
};

/** Signs an entry of mine. */
export async function signEntry(identity: Identity, entry: CircleEntry): Promise<{ signed: SignedEntry; cid: string }> {
  if (authorOf(entry) !== identity.peerId)
    throw new Error(`an entry by ${authorOf(entry)} cannot be signed by ${identity.peerId}`);
  const { bytes, cid } = encodeEntry(entry);
  const sig = Buffer.from(await identity.sign(signingBytes(bytes))).toString('base64');
  return { signed: { entry, sig }, cid };
}

/** A signed entry from anyone, checked: its shape, and its author's signature over its bytes. */
export async function checkEntry(
  signed: unknown,
): Promise<{ ok: true; logged: LoggedEntry; signed: SignedEntry } | { ok: false; error: string }> {
  const checked = validate(SignedEntrySchema, signed);
  if (!checked.ok) return { ok: false, error: `not a circle entry: ${checked.error.message}` };
  const { entry, sig } = checked.value;
  const { bytes, cid } = encodeEntry(entry);
  const good = await verifySignature(authorOf(entry), signingBytes(bytes), Buffer.from(sig, 'base64'));
  return good
    ? { ok: true, logged: { cid, entry }, signed: checked.value }
    : { ok: false, error: `entry ${cid} is not signed by its author ${authorOf(entry)}` };
}

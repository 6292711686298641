// A receipt travels with its author's signature over its bytes. Anyone can check it from the
// receipt alone: the author's PeerId embeds the public key, and the bytes are re-derived from the
// receipt (canonical dag-cbor), never taken from the sender.
import { CodedError } from '../../core/errors.js';
import { SignedReceiptSchema, type SignedReceipt } from '../../core/protocol/messages.js';
import { ReceiptSchema, validate, type Receipt } from '../../core/schemas/index.js';
import { verifySignature, type Identity } from '../identity/identity.js';
import { encodeReceipt, signingBytes } from './encoding.js';

export type { SignedReceipt };

export type ReceiptErrorCode =
  /** The receipt does not match ReceiptSchema. */
  | 'invalid_receipt'
  /** The receipt names another author than the identity asked to sign it. */
  | 'not_author';

/** Why this node could not sign a receipt of its own (a bug in the caller, not a peer's doing). */
export class ReceiptError extends CodedError<ReceiptErrorCode> {
  override readonly name = 'ReceiptError';
}

export type ReceiptCheckCode =
  | 'invalid' // not a signed receipt (schema)
  | 'bad_signature' // not signed by the author it names
  | 'wrong_cid' // not the receipt that was expected
  | 'wrong_author' // a chain: by another author than the receipts before it
  | 'wrong_seq' // a chain: out of order, missing or repeated
  | 'wrong_prev' // a chain: does not link to the receipt before it
  | 'empty'; // a chain: no receipts at all

export interface ReceiptCheckFailure {
  ok: false;
  code: ReceiptCheckCode;
  error: string;
  /** In a chain: the position of the first receipt that fails. */
  index?: number;
}

/** A signed receipt that passed the schema, with its bytes and CID. */
export interface DecodedReceipt {
  signed: SignedReceipt;
  bytes: Uint8Array;
  cid: string;
}

/** Signs `receipt` as `identity`, which must be its author. Throws ReceiptError otherwise. */
export async function signReceipt(
  identity: Identity,
  receipt: Receipt,
): Promise<{ signed: SignedReceipt; cid: string }> {
  const checked = validate(ReceiptSchema, receipt);
  if (!checked.ok) throw new ReceiptError('invalid_receipt', checked.error.message);
  if (checked.value.author !== identity.peerId) {
    throw new ReceiptError('not_author', `receipt names ${checked.value.author}; signing as ${identity.peerId}`);
  }
  const { bytes, cid } = encodeReceipt(checked.value);
  const sig = Buffer.from(await identity.sign(signingBytes(bytes))).toString('base64');
  return { signed: { receipt: checked.value, sig }, cid };
}

type ReceiptCheck = { ok: true; receipt: Receipt; cid: string } | ReceiptCheckFailure;

/**
 * Checks a signed receipt received from anyone: its schema, its author's signature, and, when
 * `expectedCid` is given, that it is that receipt.
 */
export async function verifyReceipt(signed: unknown, expectedCid?: string): Promise<ReceiptCheck> {
  const decoded = decodeSignedReceipt(signed);
  return decoded.ok ? verifyDecoded(decoded.value, expectedCid) : decoded;
}

/**
 * As verifyReceipt, for a receipt its message's schema checked already (the receipts of a
 * `results` or `settlement` message): validating each again was a tenth of what a requester's
 * main thread allocated for tiny units.
 */
export function verifyCheckedReceipt(signed: SignedReceipt, expectedCid?: string): Promise<ReceiptCheck> {
  return verifyDecoded(decodedOf(signed), expectedCid);
}

async function verifyDecoded(decoded: DecodedReceipt, expectedCid: string | undefined): Promise<ReceiptCheck> {
  const { cid } = decoded;
  if (expectedCid !== undefined && cid !== expectedCid) {
    return { ok: false, code: 'wrong_cid', error: `receipt is ${cid}, expected ${expectedCid}` };
  }
  if (!(await signatureMatches(decoded))) {
    return { ok: false, code: 'bad_signature', error: `signature is not ${decoded.signed.receipt.author}'s` };
  }
  return { ok: true, receipt: decoded.signed.receipt, cid };
}

/** Schema-checks a value and derives the receipt's bytes and CID from it. */
export function decodeSignedReceipt(value: unknown): { ok: true; value: DecodedReceipt } | ReceiptCheckFailure {
  const checked = validate(SignedReceiptSchema, value);
  if (!checked.ok) return { ok: false, code: 'invalid', error: `not a signed receipt: ${checked.error.message}` };
  return { ok: true, value: decodedOf(checked.value) };
}

/** A schema-checked receipt with the bytes and CID derived from it. */
function decodedOf(signed: SignedReceipt): DecodedReceipt {
  const { bytes, cid } = encodeReceipt(signed.receipt);
  return { signed, bytes, cid };
}

/** Whether the signature is the author's over the receipt's bytes. */
export async function signatureMatches({ signed, bytes }: DecodedReceipt): Promise<boolean> {
  const sig = Buffer.from(signed.sig, 'base64');
  // One text per signature: base64 whose unused low bits differ would decode to the same bytes.
  if (sig.toString('base64') !== signed.sig) return false;
  return verifySignature(signed.receipt.author, signingBytes(bytes), sig);
}

// A receipt's bytes and its id: dag-cbor (the IPLD encoding: map keys in one canonical order, so
// the same receipt always has the same bytes) and a CIDv1 of those bytes, as IPFS would name them.
import { createHash } from 'node:crypto';
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { sha256 } from 'multiformats/hashes/sha2';
import type { Receipt } from '../../core/schemas/index.js';

/** Prefixed to a receipt's bytes before signing, so a receipt signature is never valid as anything else. */
export const RECEIPT_SIGNING_DOMAIN = 'mesh/1/receipt\n';

const domainBytes = new TextEncoder().encode(RECEIPT_SIGNING_DOMAIN);

/** The receipt's dag-cbor bytes and their CID (dag-cbor codec, sha256, base32). */
export function encodeReceipt(receipt: Receipt): { bytes: Uint8Array; cid: string } {
  return encodeDagCbor(receipt);
}

/** A record's dag-cbor bytes and their CID; an absent optional field and one set to undefined are the same record. */
export function encodeDagCbor(record: object): { bytes: Uint8Array; cid: string } {
  const defined = Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
  const bytes = dagCbor.encode(defined);
  const digest = createHash('sha256').update(bytes).digest();
  const cid = CID.createV1(dagCbor.code, Digest.create(sha256.code, digest)).toString();
  return { bytes, cid };
}

/** What the author signs: the domain, then the receipt's dag-cbor bytes. */
export function signingBytes(receiptBytes: Uint8Array): Uint8Array {
  const message = new Uint8Array(domainBytes.byteLength + receiptBytes.byteLength);
  message.set(domainBytes, 0);
  message.set(receiptBytes, domainBytes.byteLength);
  return message;
}

// The ways a network call can fail, as codes a caller can branch on. Inbound messages never throw:
// they are dropped and counted (see DropReason); these errors are for what the caller asked for.
import { CodedError } from '../../core/errors.js';

/** Why an inbound message was dropped before it reached the handler. */
export type DropReason =
  | 'oversized' // more bytes than the catalog allows
  | 'malformed' // not UTF-8 JSON, or nested too deep
  | 'invalid' // the envelope or its body does not match its schema
  | 'unknown_type' // a type the catalog does not name
  | 'bad_signature'
  | 'forged_author' // signed as someone other than the peer that sent it
  | 'replayed' // an (author, nonce) already seen
  | 'stale' // timestamped outside the allowed clock skew
  | 'wrong_place' // a type that does not go where it came (that topic, a direct request, a reply)
  | 'rate_limited' // more than the peer's rate allows (direct requests per peer, gossip per author)
  | 'protocol_error'; // the stream broke the framing, stalled or was reset

export type MeshErrorCode =
  | 'unknown_type' // the catalog has no such message type
  | 'oversized' // the message would exceed its type's cap
  | 'invalid' // the body fails its schema, or is not JSON
  | 'bad_address' // not a multiaddr, or not one we can dial
  | 'unreachable' // no connection could be made
  | 'timeout' // the caller's signal fired with a timeout (AbortSignal.timeout)
  | 'aborted' // the caller's signal fired for another reason (the node is stopping)
  | 'rejected' // the peer refused the request (the message says why)
  | 'bad_reply' // the peer's reply failed verification (the message says why)
  | 'stopped'; // the network was stopped

export class MeshError extends CodedError<MeshErrorCode> {
  override readonly name = 'MeshError';
}

export type BlobErrorCode =
  | 'not_found' // the peer does not have it
  | 'forbidden' // the peer does not serve it to me (I hold no assignment that needs it, and it does not trust me)
  | 'too_large' // announced larger than the caller's maxBytes; refused before any byte was read
  | 'hash_mismatch' // the bytes do not hash to the CID
  | 'timeout' // the caller's signal fired with a timeout (AbortSignal.timeout)
  | 'aborted' // the caller's signal fired for another reason (the node is stopping)
  | 'invalid_cid' // not a raw sha256 CIDv1
  | 'unreachable'
  | 'protocol'; // a bad header, more or fewer bytes than announced, a reset stream

export class BlobError extends CodedError<BlobErrorCode> {
  override readonly name = 'BlobError';
}

/** Why a caller's signal fired, as a code: `timeout` for AbortSignal.timeout, else `aborted`. */
export function abortCode(signal: AbortSignal): 'timeout' | 'aborted' {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name === 'TimeoutError' ? 'timeout' : 'aborted';
}

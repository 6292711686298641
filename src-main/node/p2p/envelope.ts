// The signed envelope every mesh message travels in, gossip or direct: UTF-8 JSON
// {"v":1,"type","author","ts","nonce","body","sig"}, where sig is the author's Ed25519 signature
// over "mesh/1/envelope\n" + canonicalJson of the other fields (a receiver also takes it over the
// text as sent before a last "sig": signedByAuthor). Receiving runs the checks in order
// of cost — bytes, shape, type, author, signature, place, time, replay, body — so hostile input is
// turned away as early and as cheaply as it can be, and each refusal names its reason. A refusal
// after the signature names its culprit: the author signed that bad message itself.
import { describeError } from '../../core/errors.js';
import { randomBytes } from 'node:crypto';
import * as z from '../../core/schemas/zod.js';
import { canonicalJson, decodeJson, IsoTime, PeerId, SignatureSchema, validate } from '../../core/schemas/index.js';
import type { Places } from '../../core/protocol/messages.js';
import { verifySignature, type Identity } from '../identity/identity.js';
import { MeshError, type DropReason } from './errors.js';

/** The message types a node speaks, each with its body schema, its byte cap and (absent: anywhere) its places. */
export type MessageCatalog = Record<string, { schema: z.ZodMiniType; maxBytes: number; places?: Places }>;

/** How a message arrived: by gossip on `topic`, signed at the pubsub layer by `from`; or direct (a reply: to a request of type `to`). */
export type Arrival = { via: 'gossip'; topic: string } | { via: 'request' } | { via: 'reply'; to?: string };

export interface VerifiedMessage {
  type: string;
  author: string;
  ts: string;
  nonce: string;
  /** Parsed by the catalog's schema for `type`. */
  body: unknown;
}

/** `culprit`: the author, when it signed the refused message itself (only such refusals are penalised). */
export type Verdict =
  { ok: true; message: VerifiedMessage } | { ok: false; reason: DropReason; detail: string; culprit?: string };

/** Domain separation: an envelope signature can never be mistaken for a receipt's or a key's. */
const SIGNING_PREFIX = 'mesh/1/envelope\n';

/**
 * Room for the envelope's own fields around a body (author ≈ 52, ts ≈ 30, nonce ≈ 22, sig = 88,
 * keys and quotes). A type's maxBytes caps its body; its envelope may be this much larger.
 */
export const ENVELOPE_OVERHEAD_BYTES = 512;

/** How many (author, nonce) pairs are remembered against replay. */
const DEFAULT_SEEN_CAPACITY = 100_000;

const MessageType = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9._:/-]+$/));
const Nonce = z.string().check(z.regex(/^[A-Za-z0-9_-]{16,64}$/, 'expected 16 to 64 base64url characters'));

const EnvelopeSchema = z.strictObject({
  v: z.literal(1),
  type: MessageType,
  author: PeerId,
  ts: IsoTime,
  nonce: Nonce,
  body: z.unknown(),
  sig: SignatureSchema,
});

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

export interface EnvelopeFields {
  type: string;
  author: string;
  ts: string;
  nonce: string;
  body: unknown;
}

/** The text an envelope's signature covers, after SIGNING_PREFIX: the canonical JSON of its fields but sig. */
function signedText(fields: EnvelopeFields): string {
  const { type, author, ts, nonce, body } = fields;
  return canonicalJson({ v: 1, type, author, ts, nonce, body });
}

/** The bytes an envelope's signature covers. */
function signingBytes(signed: string): Uint8Array {
  return utf8Encoder.encode(SIGNING_PREFIX + signed);
}

const PREFIX_BYTES = utf8Encoder.encode(SIGNING_PREFIX);
const CLOSING_BRACE = 0x7d;

/** Signs `fields` with `sign` and returns the envelope's wire bytes. No checks: see `sealMessage`. */
export async function sealEnvelope(
  sign: (data: Uint8Array) => Promise<Uint8Array>,
  fields: EnvelopeFields,
): Promise<Uint8Array> {
  return sealText(sign, signedText(fields));
}

/**
 * The envelope on the wire is its signed text with the signature added as the object's last key:
 * the body is written once, not once to sign and again to send (a 1 MiB `results` message was
 * three passes of JSON, 17-21 ms of the main thread).
 */
async function sealText(sign: (data: Uint8Array) => Promise<Uint8Array>, text: string): Promise<Uint8Array> {
  const signed = signingBytes(text);
  const sig = Buffer.from(await sign(signed)).toString('base64');
  // The wire bytes are the signed ones less the prefix and the closing brace, then the sig: the
  // text is encoded as UTF-8 once (twice was 1.7 s of a provider's main thread over 100,000 units).
  const kept = signed.subarray(PREFIX_BYTES.length, signed.length - 1);
  const tail = utf8Encoder.encode(`,"sig":"${sig}"}`);
  const wire = new Uint8Array(kept.length + tail.length);
  wire.set(kept);
  wire.set(tail, kept.length);
  return wire;
}

/**
 * Whether the author signed the envelope `text`: over the text as sent, up to the `"sig"` that ends
 * it, as a node of ours seals it (so the receiver does not write the body's canonical JSON again:
 * checking the largest `results` message took 3.3 ms instead of 5.5); else over the canonical JSON
 * of its fields (keys another writer ordered, a sig not last: how envelopes were written before).
 * Either way the author signed exactly the fields taken: removing the last member changes none of
 * the others, and JSON.parse reads a repeated key as its last in both texts.
 */
async function signedByAuthor(bytes: Uint8Array, text: string, fields: EnvelopeFields, sig: string): Promise<boolean> {
  const signature = Buffer.from(sig, 'base64');
  const tail = `,"sig":"${sig}"}`;
  if (text.endsWith(tail)) {
    // `text` is `bytes` decoded strictly, and the tail is ASCII (a byte a character): the signed
    // bytes are copied from those received, not encoded from the text again.
    const kept = bytes.length - tail.length;
    const signed = new Uint8Array(PREFIX_BYTES.length + kept + 1);
    signed.set(PREFIX_BYTES);
    signed.set(bytes.subarray(0, kept), PREFIX_BYTES.length);
    signed[signed.length - 1] = CLOSING_BRACE;
    if (await verifySignature(fields.author, signed, signature)) return true;
  }
  let canonical: string;
  try {
    canonical = signedText(fields);
  } catch {
    return false; // a body with no canonical JSON (1e999 parses as Infinity) was not signed so
  }
  return verifySignature(fields.author, signingBytes(canonical), signature);
}

export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

/** Throws MeshError('invalid') at start for a catalog whose envelopes no peer could accept. */
export function checkCatalog(catalog: MessageCatalog): void {
  for (const [type, entry] of Object.entries(catalog)) {
    if (!MessageType.safeParse(type).success)
      throw new MeshError('invalid', `${JSON.stringify(type)} is not a valid message type name`);
    if (!Number.isSafeInteger(entry.maxBytes) || entry.maxBytes <= 0)
      throw new MeshError('invalid', `${type}: maxBytes must be a positive integer`);
  }
}

/** Whether `entry` may arrive so, authored by `author`. */
function placed(entry: MessageCatalog[string], arrival: Arrival, author: string): boolean {
  const { places } = entry;
  if (places === undefined) return true;
  return arrival.via === 'gossip' ? (places.gossip?.(arrival.topic, author) ?? false) : places[arrival.via] === true;
}

/**
 * The largest envelope that may arrive so (every type, without an arrival): the byte cap checked
 * before anything is parsed. For gossip the author is the pubsub signer, so a topic that carries
 * only adverts is capped at an advert's size.
 */
function maxEnvelopeBytes(catalog: MessageCatalog, arrival?: { arrival: Arrival; author: string }): number {
  const entries = Object.values(catalog).filter(
    (entry) => arrival === undefined || placed(entry, arrival.arrival, arrival.author),
  );
  return entries.length === 0 ? 0 : Math.max(...entries.map((entry) => entry.maxBytes)) + ENVELOPE_OVERHEAD_BYTES;
}

/**
 * An envelope of ours. Its body is written as the code typed it, not checked against its schema
 * again (that check was a tenth of a busy node's main thread): the values in it were checked where
 * they came in, and the mesh tests hold honest nodes to dropping nothing of each other's. What JSON
 * cannot write as itself (undefined, NaN, a Date, a Map) is refused here, and so is a message over
 * its type's cap, each as a MeshError rather than a silent drop on every peer.
 */
export async function sealMessage(
  catalog: MessageCatalog,
  identity: Identity,
  type: string,
  body: unknown,
  nowMs: number,
): Promise<Uint8Array> {
  const entry = Object.hasOwn(catalog, type) ? catalog[type] : undefined;
  if (entry === undefined) throw new MeshError('unknown_type', `the catalog has no type ${JSON.stringify(type)}`);
  const fields = { type, author: identity.peerId, ts: new Date(nowMs).toISOString(), nonce: newNonce(), body };
  let text: string;
  try {
    if (body === undefined) throw new TypeError('undefined is not a JSON value'); // it would be left out
    text = signedText(fields);
  } catch (err) {
    throw new MeshError('invalid', `the body of ${type} is not JSON: ${describeError(err)}`);
  }
  const bytes = await sealText((data) => identity.sign(data), text);
  if (bytes.byteLength > entry.maxBytes + ENVELOPE_OVERHEAD_BYTES) {
    throw new MeshError('oversized', `${type} of ${bytes.byteLength} bytes exceeds its cap of ${entry.maxBytes}`);
  }
  return bytes;
}

/** The last `capacity` keys added; the oldest is forgotten first. */
class RecentKeys {
  private readonly keys = new Set<string>();

  constructor(private readonly capacity: number) {}

  /** Adds `key`; false when it was already there. */
  add(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.values().next().value!);
    return true;
  }
}

export interface VerifierOptions {
  catalog: MessageCatalog;
  clockSkewMs: number;
  now: () => number;
  seenCapacity?: number;
}

/** Checks inbound envelopes. One per node: the replay memory is shared by gossip and direct. */
export class EnvelopeVerifier {
  readonly maxEnvelopeBytes: number;
  private readonly seen: RecentKeys;

  constructor(private readonly options: VerifierOptions) {
    this.maxEnvelopeBytes = maxEnvelopeBytes(options.catalog);
    this.seen = new RecentKeys(options.seenCapacity ?? DEFAULT_SEEN_CAPACITY);
  }

  /**
   * The message in `bytes`, if `sender` (the peer it came from: the connection's remote peer, or
   * the gossip's pubsub signer) may deliver it so; never throws.
   */
  async verify(bytes: Uint8Array, sender: string, arrival: Arrival): Promise<Verdict> {
    try {
      return await this.check(bytes, sender, arrival);
    } catch (err) {
      return drop('invalid', `verification failed: ${describeError(err)}`); // a schema that throws, say
    }
  }

  private async check(bytes: Uint8Array, sender: string, arrival: Arrival): Promise<Verdict> {
    const cap = arrival.via === 'gossip' ? this.gossipCap(arrival, sender) : this.maxEnvelopeBytes;
    if (cap === 0) return drop('wrong_place', `no type goes on ${describe(arrival)} from ${sender}`, sender);
    if (bytes.byteLength > cap) {
      return drop('oversized', `${bytes.byteLength} bytes, the most ${describe(arrival)} allows is ${cap}`);
    }
    let text: string;
    try {
      text = utf8Decoder.decode(bytes);
    } catch {
      return drop('malformed', 'not UTF-8');
    }
    const decoded = decodeJson(EnvelopeSchema, text, this.maxEnvelopeBytes);
    if (!decoded.ok) {
      const reason = decoded.error.code === 'invalid' ? 'invalid' : 'malformed';
      return drop(reason, `envelope: ${decoded.error.message}`);
    }
    const { type, author, ts, nonce, body, sig } = decoded.value;
    const { catalog, clockSkewMs, now } = this.options;
    const entry = Object.hasOwn(catalog, type) ? catalog[type] : undefined;
    if (entry === undefined) return drop('unknown_type', `type ${type}`);
    if (bytes.byteLength > entry.maxBytes + ENVELOPE_OVERHEAD_BYTES) {
      return drop('oversized', `${type} of ${bytes.byteLength} bytes exceeds its cap of ${entry.maxBytes}`);
    }
    if (author !== sender) return drop('forged_author', `authored by ${author}, sent by ${sender}`);
    if (!(await signedByAuthor(bytes, text, { type, author, ts, nonce, body }, sig))) {
      return drop('bad_signature', `${type} from ${author}`);
    }
    if (!placed(entry, arrival, author)) return drop('wrong_place', `${type} on ${describe(arrival)}`, author);
    // A reply of a type its request does not take: its author signed it, so it is its author's to answer for.
    const to = arrival.via === 'reply' ? arrival.to : undefined;
    const answer = to !== undefined && Object.hasOwn(catalog, to) ? catalog[to]!.places?.answer : undefined;
    if (answer !== undefined && answer !== type)
      return drop('wrong_place', `${type} in reply to ${to}, which takes ${answer}`, author);
    const ageMs = now() - Date.parse(ts);
    if (Math.abs(ageMs) > clockSkewMs) return drop('stale', `ts ${ts} is ${Math.round(ageMs / 1000)} s off`);
    // Remembered only once signed and current: nobody else can burn an author's nonces, and an
    // envelope older than the skew is refused as stale without needing a memory of it.
    if (!this.seen.add(`${author}\n${nonce}`)) return drop('replayed', `nonce ${nonce} of ${author}`);
    const parsed = validate(entry.schema, body);
    if (!parsed.ok) return drop('invalid', `${type} body: ${parsed.error.message}`, author);
    return { ok: true, message: { type, author, ts, nonce, body: parsed.value } };
  }

  /** The cap of gossip on its topic signed by `author`; 0 when no type may go there. */
  private gossipCap(arrival: Arrival, author: string): number {
    return maxEnvelopeBytes(this.options.catalog, { arrival, author });
  }
}

function describe(arrival: Arrival): string {
  return arrival.via === 'gossip' ? `gossip on ${arrival.topic}` : `a direct ${arrival.via}`;
}

function drop(reason: DropReason, detail: string, culprit?: string): Verdict {
  return culprit === undefined ? { ok: false, reason, detail } : { ok: false, reason, detail, culprit };
}

// The signed envelope (node/p2p/envelope.ts) with the real catalog, two ways, chosen by the first
// byte: the bytes as a peer sent them (shape, size, type, author, signature), and the bytes read as
// envelope fields that are then signed with the sender's key, so the checks after the signature
// (clock, replay, body) are reached too; arriving by a request, a reply, or gossip on the adverts
// topic or the sender's own (the next two bits). The verifier never throws; what it accepts is
// signed by the sender, current, and passes its type's schema.
import { ADVERT_TOPIC, commitmentTopic, MESSAGE_TYPES } from '../../../src-main/core/protocol/messages.js';
import { validate } from '../../../src-main/core/schemas/index.js';
import {
  EnvelopeVerifier,
  sealEnvelope,
  type Arrival,
  type EnvelopeFields,
} from '../../../src-main/node/p2p/envelope.js';
import { check, fixedIdentity, FUZZ_NOW } from './expect.js';

const sender = await fixedIdentity();
const SKEW_MS = 60_000;
const ARRIVALS: Arrival[] = [
  { via: 'request' },
  { via: 'reply' },
  { via: 'gossip', topic: ADVERT_TOPIC },
  { via: 'gossip', topic: commitmentTopic(sender.peerId) },
];

function fieldsOf(bytes: Buffer): EnvelopeFields | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { type, ts, nonce, body } = value as Record<string, unknown>;
  if (typeof type !== 'string' || typeof ts !== 'string' || typeof nonce !== 'string') return undefined;
  return { type, author: sender.peerId, ts, nonce, body };
}

export async function fuzz(data: Buffer): Promise<void> {
  if (data.byteLength === 0) return;
  const verifier = new EnvelopeVerifier({ catalog: MESSAGE_TYPES, clockSkewMs: SKEW_MS, now: () => FUZZ_NOW });
  let bytes: Uint8Array = data.subarray(1);
  if (data[0]! & 1) {
    const fields = fieldsOf(data.subarray(1));
    if (fields === undefined) return;
    try {
      bytes = await sealEnvelope((d) => sender.sign(d), fields);
    } catch (err) {
      if (err instanceof TypeError) return; // a body JSON cannot write as itself (1e999 parses as Infinity)
      throw err;
    }
  }
  const arrival = ARRIVALS[(data[0]! >> 1) & 3]!;
  const verdict = await verifier.verify(bytes, sender.peerId, arrival);
  if (!verdict.ok) {
    check(typeof verdict.detail === 'string', 'a drop without a detail');
    return;
  }
  const { type, ts, body } = verdict.message;
  check(Object.hasOwn(MESSAGE_TYPES, type), `accepted the unknown type ${type}`);
  check(Math.abs(FUZZ_NOW - Date.parse(ts)) <= SKEW_MS, `accepted a stale ts ${ts}`);
  const schema = MESSAGE_TYPES[type as keyof typeof MESSAGE_TYPES].schema;
  check(validate(schema, body).ok, `accepted a ${type} body its schema refuses`);
  const replay = await verifier.verify(bytes, sender.peerId, arrival);
  check(!replay.ok && replay.reason === 'replayed', 'accepted the same envelope twice');
}

// Every message body a peer can send (core/protocol/messages.ts): `type` on the first line, the
// body's JSON after it, decoded as the envelope verifier decodes a body once its signature holds.
// A body that passes must read back through JSON to the same value (what is signed and journaled).
import { isDeepStrictEqual } from 'node:util';
import { MESSAGE_TYPES, type MessageType } from '../../../src-main/core/protocol/messages.js';
import { decodeJson, validate } from '../../../src-main/core/schemas/index.js';
import { check, expectDecoded, roundTrip } from './expect.js';

const TYPES = Object.keys(MESSAGE_TYPES) as MessageType[];

export function fuzz(data: Buffer): void {
  const text = data.toString('utf8');
  const newline = text.indexOf('\n');
  const named = text.slice(0, Math.max(newline, 0));
  // An unknown name still reaches a schema (chosen by its length), so no input is wasted.
  const type = Object.hasOwn(MESSAGE_TYPES, named) ? (named as MessageType) : TYPES[named.length % TYPES.length]!;
  const { schema, maxBytes } = MESSAGE_TYPES[type];
  const value = expectDecoded(decodeJson(schema, text.slice(newline + 1), maxBytes), type);
  if (value === undefined) return;
  const again = expectDecoded(validate(schema, roundTrip(value)), `${type} read back`);
  check(again !== undefined, `${type}: a body that passed fails once read back through JSON`);
  check(isDeepStrictEqual(roundTrip(again), roundTrip(value)), `${type}: reads back as another value`);
}

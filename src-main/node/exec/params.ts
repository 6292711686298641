// A unit's params as the ABI hands them over: validated by the protocol's Params schema (size,
// depth, reserved keys), then written as canonical JSON in UTF-8.
import { canonicalJson, Params } from '../../core/schemas/index.js';

const utf8 = new TextEncoder();

export function encodeParams(value: unknown): Uint8Array {
  return utf8.encode(canonicalJson(Params.parse(value)));
}

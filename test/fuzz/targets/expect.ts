// What every fuzz target asserts: a decoder answers with a validated value or with the project's
// own kind of refusal (a typed failure value, or a thrown error of its coded class). Anything else
// thrown here, or by the decoder, is a finding: the fuzzer saves the input that caused it.
import { generateKeyPairFromSeed, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Decoded } from '../../../src-main/core/schemas/index.js';
import { loadOrCreateIdentity, type Identity } from '../../../src-main/node/identity/identity.js';

export class FuzzFinding extends Error {
  override readonly name = 'FuzzFinding';
}

export function check(condition: unknown, what: string): asserts condition {
  if (!condition) throw new FuzzFinding(what);
}

/** A decoder's answer: a value, or a failure with one of the project's codes and a message. */
export function expectDecoded<T>(decoded: Decoded<T>, what: string): T | undefined {
  if (decoded.ok) return decoded.value;
  const { code, message } = decoded.error;
  check(['too_large', 'malformed_json', 'too_deep', 'invalid'].includes(code), `${what}: unknown code ${code}`);
  check(typeof message === 'string' && message.length > 0, `${what}: a failure without a message`);
  return undefined;
}

/**
 * Runs `fn` (synchronous or not, and so is the answer); an error of one of `allowed` (the
 * decoder's coded error) is a refusal, anything else a finding.
 */
type ErrorClass = abstract new (...args: never[]) => Error;
export function refusesWith(allowed: readonly ErrorClass[], fn: () => Promise<unknown>): Promise<void>;
export function refusesWith(allowed: readonly ErrorClass[], fn: () => unknown): void;
export function refusesWith(allowed: readonly ErrorClass[], fn: () => unknown): void | Promise<void> {
  const refusal = (err: unknown) => {
    if (!allowed.some((kind) => err instanceof kind)) throw err;
  };
  try {
    const outcome = fn();
    if (outcome instanceof Promise) return outcome.then(() => undefined, refusal);
  } catch (err) {
    refusal(err);
  }
}

/** The same text read back through JSON: what a value that passed a decoder becomes on the wire. */
export const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

/** An identity from a fixed seed, so the signed seed inputs under test/fuzz/corpus stay valid. */
export async function fixedIdentity(): Promise<Identity> {
  const key = await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(7));
  const dir = mkdtempSync(join(tmpdir(), 'mesh-fuzz-id-'));
  try {
    writeFileSync(join(dir, 'identity.key'), privateKeyToProtobuf(key));
    return await loadOrCreateIdentity(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The clock every target runs at: the seeds are timestamped for it. */
export const FUZZ_NOW = Date.parse('2030-01-01T00:00:00Z');

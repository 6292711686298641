// The node's identity: one Ed25519 key, kept in the data dir (mode 0600), whose libp2p PeerId is
// the node's `peer_id`. Everything the node signs (envelopes, receipts) is signed with it, and
// anyone can check a signature from the author's PeerId alone: Ed25519 PeerIds embed the key.
import { createPrivateKey, createPublicKey, sign as signWith, verify as verifyWith, type KeyObject } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id';
import type { PrivateKey } from '@libp2p/interface';

const IDENTITY_FILE = 'identity.key';

export interface Identity {
  readonly peerId: string;
  readonly privateKey: PrivateKey;
  sign: (data: Uint8Array) => Promise<Uint8Array>;
}

/** Reads the node's key from `dataDir`, creating it (0600) on first start. */
export async function loadOrCreateIdentity(dataDir: string): Promise<Identity> {
  const path = join(dataDir, IDENTITY_FILE);
  let privateKey: PrivateKey;
  if (existsSync(path)) {
    privateKey = privateKeyFromProtobuf(readFileSync(path));
    chmodSync(path, 0o600); // a key copied in with looser permissions is tightened, not trusted as is
  } else {
    privateKey = await generateKeyPair('Ed25519');
    writeDurably(path, privateKeyToProtobuf(privateKey));
  }
  return identityOf(privateKey);
}

/**
 * Writes the key so that a crash or a power cut leaves either no key file or the whole key, on
 * disk: a temp file (0600) written and fsynced, linked under its name (never over a key that is
 * already there), then the directory fsynced so the new name itself is on disk.
 */
function writeDurably(path: string, bytes: Uint8Array): void {
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, path);
  } finally {
    unlinkSync(temp);
  }
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** An identity for a key held in memory (tests, benchmarks). */
export async function ephemeralIdentity(): Promise<Identity> {
  return identityOf(await generateKeyPair('Ed25519'));
}

function identityOf(privateKey: PrivateKey): Identity {
  const peerId = peerIdFromPrivateKey(privateKey).toString();
  // Node's own Ed25519 with the key imported once: libp2p's sign re-imports it on every call.
  const key =
    privateKey.type === 'Ed25519'
      ? ed25519KeyObject(privateKey.publicKey.raw, privateKey.raw.subarray(0, 32))
      : undefined;
  return {
    peerId,
    privateKey,
    sign: async (data) => (key ? new Uint8Array(signWith(null, data, key)) : privateKey.sign(data)),
  };
}

function ed25519KeyObject(publicRaw: Uint8Array, seed?: Uint8Array): KeyObject {
  const jwk = {
    kty: 'OKP',
    crv: 'Ed25519',
    x: Buffer.from(publicRaw).toString('base64url'),
    ...(seed ? { d: Buffer.from(seed).toString('base64url') } : {}),
  };
  return seed ? createPrivateKey({ key: jwk, format: 'jwk' }) : createPublicKey({ key: jwk, format: 'jwk' });
}

/** Authors' public keys, imported once each (a peer signs many messages); cleared when it fills. */
const publicKeys = new Map<string, KeyObject | null>();
const MAX_CACHED_KEYS = 4096;

/** The Ed25519 key a PeerId embeds; null when it is not a PeerId or embeds no Ed25519 key. */
function publicKeyOf(author: string): KeyObject | null {
  let key = publicKeys.get(author);
  if (key !== undefined) return key;
  try {
    const publicKey = peerIdFromString(author).publicKey;
    key = publicKey?.type === 'Ed25519' ? ed25519KeyObject(publicKey.raw) : null;
  } catch {
    key = null;
  }
  if (publicKeys.size >= MAX_CACHED_KEYS) publicKeys.clear();
  publicKeys.set(author, key);
  return key;
}

/**
 * Whether `signature` is `author`'s over `data`. False, never a throw, for an author string that is
 * not a PeerId or whose PeerId does not embed an Ed25519 key (RSA ids are hashes of the key; nodes
 * of this mesh are all Ed25519).
 */
export async function verifySignature(author: string, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const key = publicKeyOf(author);
  if (key === null || signature.byteLength !== 64) return false;
  try {
    return verifyWith(null, data, key, signature);
  } catch {
    return false;
  }
}

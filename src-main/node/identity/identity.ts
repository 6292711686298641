// The node's identity: one Ed25519 key, kept in the data dir (mode 0600), whose libp2p PeerId is
// the node's `peer_id`. Everything the node signs (envelopes, receipts) is signed with it, and
// anyone can check a signature from the author's PeerId alone: Ed25519 PeerIds embed the key.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id';
import type { PrivateKey } from '@libp2p/interface';

export const IDENTITY_FILE = 'identity.key';

export interface Identity {
  readonly peerId: string;
  readonly privateKey: PrivateKey;
  sign(data: Uint8Array): Promise<Uint8Array>;
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
    writeFileSync(path, privateKeyToProtobuf(privateKey), { mode: 0o600, flag: 'wx' });
  }
  return identityOf(privateKey);
}

/** An identity for a key held in memory (tests, benchmarks). */
export async function ephemeralIdentity(): Promise<Identity> {
  return identityOf(await generateKeyPair('Ed25519'));
}

function identityOf(privateKey: PrivateKey): Identity {
  const peerId = peerIdFromPrivateKey(privateKey).toString();
  return { peerId, privateKey, sign: async (data) => privateKey.sign(data) };
}

/**
 * Whether `signature` is `author`'s over `data`. False, never a throw, for an author string that is
 * not a PeerId or whose PeerId does not embed its public key (RSA ids are hashes of the key).
 */
export async function verifySignature(author: string, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  try {
    const publicKey = peerIdFromString(author).publicKey;
    if (publicKey === undefined) return false;
    return await publicKey.verify(data, signature);
  } catch {
    return false;
  }
}

// The API's bearer token: 32 random bytes in a file of the data dir that only the user can read.
// Whoever can read it may drive the node (the CLI, the UI in a browser); nobody else can.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TOKEN_FILE = 'api-token';

/** A token file's content: base64url, at least 32 characters (anything shorter was not ours). */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,512}$/;

/** The node's token, created on first start; an existing file with looser permissions is tightened. */
export function loadOrCreateToken(dataDir: string): string {
  const path = join(dataDir, TOKEN_FILE);
  try {
    writeFileSync(path, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Group or other may read it: tighten it before using it.
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  }
  const token = readToken(dataDir);
  if (token === undefined) throw new Error(`${path} does not hold an API token; delete it and start the node again`);
  return token;
}

/** The token in `dataDir`, or undefined when there is none (no node ever started there). */
export function readToken(dataDir: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDir, TOKEN_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
  return TOKEN_PATTERN.test(text) ? text : undefined;
}

/**
 * Whether a presented token is the node's, in time that does not depend on where they differ.
 * Both are hashed first, so the buffers compared have equal length and the length leaks nothing.
 */
export function tokenMatches(presented: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

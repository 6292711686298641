// Where a running node's API listens: its paths, and the url written to `api.json` in its data dir,
// through which the CLI finds the node (the port is chosen by the OS, so it cannot be known in advance).
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from '../../core/schemas/zod.js';
import { decodeJson } from '../../core/schemas/index.js';

export const ENDPOINT_FILE = 'api.json';
export const API_PATH_PREFIX = '/api/v1/';
export const HEALTH_PATH = '/api/v1/health';
export const EVENTS_PATH = '/api/v1/events';
/** Browsers cannot set headers on a WebSocket, so the token may come as this subprotocol instead. */
export const TOKEN_PROTOCOL_PREFIX = 'mesh-token.';

/** Loopback only: a client sends the token to this url, so the file must not be able to point away. */
const ApiEndpointSchema = z.strictObject({
  url: z.string().check(z.regex(/^http:\/\/(127\.0\.0\.1|localhost):\d{1,5}$/, 'expected http://127.0.0.1:<port>')),
  pid: z.int().check(z.minimum(1)),
});

export type ApiEndpoint = z.infer<typeof ApiEndpointSchema>;

/** Writes `api.json` (0600) whole: written beside, then renamed, so a reader never sees half of it. */
export function writeApiEndpoint(dataDir: string, endpoint: ApiEndpoint): void {
  const valid = ApiEndpointSchema.parse(endpoint); // our own value: a mismatch is a bug, thrown
  const path = join(dataDir, ENDPOINT_FILE);
  const partial = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(partial, `${JSON.stringify(valid)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    renameSync(partial, path);
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
}

/** The endpoint a node wrote into `dataDir`, or undefined when there is none or it is not valid. */
export function readApiEndpoint(dataDir: string): ApiEndpoint | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDir, ENDPOINT_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const decoded = decodeJson(ApiEndpointSchema, text, 4096);
  return decoded.ok ? decoded.value : undefined;
}

/** Removes `api.json` when it is still this process's (a newer node may have replaced it). */
export function removeApiEndpoint(dataDir: string, pid: number): void {
  if (readApiEndpoint(dataDir)?.pid === pid) rmSync(join(dataDir, ENDPOINT_FILE), { force: true });
}

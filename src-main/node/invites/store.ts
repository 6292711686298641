// The invites a node made, in its data dir (invites.json, 0600): the secret only as its SHA-256,
// the trust to give whoever redeems it, and who did. Written whole and atomically at each change,
// so an invite redeemed before a crash stays used after it.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJson } from '../../core/schemas/index.js';
import {
  INVITE_LIMITS,
  InviteRecordsSchema,
  keptInvites,
  redeemDecision,
  type InviteRecord,
} from '../../core/reach/invite.js';

const FILE = 'invites.json';
const MAX_FILE_CHARS = 256 * 1024;

const sha256Hex = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

export class InviteStore {
  #records: InviteRecord[];
  readonly #path: string;

  constructor(dataDir: string) {
    this.#path = join(dataDir, FILE);
    let text: string | undefined;
    try {
      text = readFileSync(this.#path, 'utf8');
    } catch {
      text = undefined; // no invites yet
    }
    if (text === undefined) this.#records = [];
    else {
      const read = decodeJson(InviteRecordsSchema, text, MAX_FILE_CHARS);
      if (!read.ok) throw new Error(`${this.#path}: ${read.error.message}`);
      this.#records = read.value;
    }
  }

  /** A new invite: its id and secret (the secret is not kept, only its hash). */
  create(
    trust: number,
    expiresInSeconds: number,
    nowMs: number,
    circle?: string,
  ): { record: InviteRecord; secret: string } {
    const secret = randomBytes(16).toString('hex');
    const record: InviteRecord = {
      id: randomBytes(8).toString('hex'),
      secret_sha256: sha256Hex(secret),
      trust,
      created_at: new Date(nowMs).toISOString(),
      expires_at: new Date(nowMs + expiresInSeconds * 1000).toISOString(),
      accepted_by: null,
      accepted_at: null,
      ...(circle !== undefined ? { circle } : {}),
    };
    this.#save(keptInvites([record, ...this.#records], nowMs));
    return { record, secret };
  }

  /** Redeems invite `id` for `peer` showing `secret`: marked used (once), or refused with a reason. */
  redeem(
    id: string,
    secret: string,
    peer: string,
    nowMs: number,
  ): ReturnType<typeof redeemDecision> & { trust?: number; circle?: string } {
    const record = this.#records.find((r) => r.id === id);
    const matches =
      record !== undefined &&
      timingSafeEqual(Buffer.from(sha256Hex(secret), 'hex'), Buffer.from(record.secret_sha256, 'hex'));
    const decision = redeemDecision(record, matches, peer, nowMs);
    if (!decision.ok || record === undefined) return decision;
    if (!decision.again) {
      const used = { ...record, accepted_by: peer, accepted_at: new Date(nowMs).toISOString() };
      this.#save(this.#records.map((r) => (r.id === id ? used : r)));
    }
    return { ...decision, trust: record.trust, ...(record.circle !== undefined ? { circle: record.circle } : {}) };
  }

  list(): readonly InviteRecord[] {
    return this.#records;
  }

  #save(records: InviteRecord[]): void {
    const tmp = `${this.#path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(records.slice(0, INVITE_LIMITS.kept)), { mode: 0o600 });
    renameSync(tmp, this.#path);
    this.#records = records;
  }
}

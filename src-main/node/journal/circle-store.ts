// My circles' logs in the node's database (migration 20), on the journal's connection: the circles
// I am a member of, and each one's signed entries (its founding document among them, under the
// circle's own id), as they were checked on arrival. A circle's state is derived from its entries
// alone (core/circles/resolve.ts), so nothing else is stored.
import { SignedEntrySchema, type SignedEntry } from '../../core/circles/index.js';
import { validate } from '../../core/schemas/index.js';
import type { Db } from './database.js';

export class CircleStore {
  readonly #circles;
  readonly #join;
  readonly #entries;
  readonly #add;
  readonly #addAll;

  constructor(db: Db) {
    this.#circles = db.prepare<[], string>('SELECT circle_id FROM circles ORDER BY joined_at, circle_id').pluck();
    this.#join = db.prepare('INSERT INTO circles (circle_id, joined_at) VALUES (?, ?) ON CONFLICT DO NOTHING');
    this.#entries = db.prepare<[string], { cid: string; signed: string }>(
      'SELECT cid, signed FROM circle_entries WHERE circle_id = ?',
    );
    this.#add = db.prepare(
      'INSERT INTO circle_entries (circle_id, cid, signed) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    );
    this.#addAll = db.transaction((circle: string, entries: readonly { cid: string; signed: SignedEntry }[]) =>
      entries
        .filter(({ cid, signed }) => this.#add.run(circle, cid, JSON.stringify(signed)).changes === 1)
        .map((e) => e.cid),
    );
  }

  /** The circles I am a member of, in the order I joined them. */
  circles(): string[] {
    return this.#circles.all();
  }

  join(circle: string, at: number): void {
    this.#join.run(circle, at);
  }

  /** Stores entries in one transaction; returns the CIDs that were new. */
  add(circle: string, entries: readonly { cid: string; signed: SignedEntry }[]): string[] {
    return entries.length === 0 ? [] : this.#addAll(circle, entries);
  }

  /** The circle's entries; a row that is not an entry throws (the database was altered). */
  entries(circle: string): { cid: string; signed: SignedEntry }[] {
    return this.#entries.all(circle).map(({ cid, signed }) => ({ cid, signed: decoded(signed) }));
  }
}

function decoded(row: string): SignedEntry {
  const checked = validate(SignedEntrySchema, JSON.parse(row));
  if (!checked.ok) throw new Error(`a stored circle entry is not one: ${checked.error.message}`);
  return checked.value;
}

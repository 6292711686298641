// Brings a database up to the schema's latest version (schema-history.ts). `PRAGMA user_version`
// records the last migration applied; each migration runs in its own transaction together with the
// version bump, so a crash leaves the database at one version or the next, never in between.
import type { Db } from './database.js';
import { failure, storageFailure, type Failure } from './errors.js';
import { MIGRATIONS } from './schema-history.js';

export const LATEST_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** Whether an upgrade from version `from` to `to` changed what the derived tables hold: then they are rebuilt from the events. */
export function upgradeRebuilds(from: number, to: number): boolean {
  return from > 0 && MIGRATIONS.some((m) => m.version > from && m.version <= to && !m.keepsProjections);
}

export type MigrationOutcome = { ok: true; from: number; to: number } | Failure;

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database up to `target` (default: the latest). A database from a newer version of the
 * app is refused, not touched: this build cannot know what its tables mean.
 */
export function migrate(db: Db, target: number = LATEST_VERSION): MigrationOutcome {
  try {
    const from = schemaVersion(db);
    if (from > LATEST_VERSION) {
      return failure(
        'newer_schema',
        `the database is at schema version ${from}, newer than this app knows (${LATEST_VERSION}); update the app`,
      );
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= from || migration.version > target) continue;
      db.transaction(() => {
        migration.up(db);
        db.pragma(`user_version = ${migration.version}`);
      })();
    }
    return { ok: true, from, to: schemaVersion(db) };
  } catch (err) {
    return storageFailure(err);
  }
}

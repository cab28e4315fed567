// Schema migrations: an ordered list of SQL steps; `schema_version` records how far a database
// has been brought. Each step runs in its own transaction with the version bump, so a crash
// mid-migration leaves the database at the previous version, never half-migrated.
import type { Database } from 'better-sqlite3';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'silences, notification log, alert history, meta',
    sql: `
      CREATE TABLE silences (
        id TEXT PRIMARY KEY,
        matchers TEXT NOT NULL,
        starts_at INTEGER NOT NULL,
        ends_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        comment TEXT NOT NULL
      );
      CREATE INDEX silences_ends_at ON silences (ends_at);
      CREATE TABLE nflog (
        group_name TEXT NOT NULL,
        integration TEXT NOT NULL,
        idx INTEGER NOT NULL,
        group_key TEXT NOT NULL,
        firing_alerts TEXT NOT NULL,
        resolved_alerts TEXT NOT NULL,
        timestamp INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (group_name, integration, idx, group_key)
      );
      CREATE INDEX nflog_expires_at ON nflog (expires_at);
      CREATE TABLE alert_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        fingerprint TEXT NOT NULL,
        alertname TEXT NOT NULL,
        severity TEXT NOT NULL,
        labels TEXT NOT NULL,
        annotations TEXT NOT NULL,
        starts_at INTEGER NOT NULL,
        ends_at INTEGER NOT NULL,
        notifications TEXT NOT NULL,
        notifications_sent INTEGER NOT NULL
      );
      CREATE INDEX alert_history_ends_at ON alert_history (ends_at);
      CREATE INDEX alert_history_alertname ON alert_history (alertname, starts_at);
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The version a database is at (0: empty). */
export function schemaVersion(db: Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at INTEGER NOT NULL, description TEXT NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Brings `db` to the newest version; returns the versions applied. A database written by a
 * newer Vigil (a version this build does not know) is refused rather than guessed at.
 */
export function migrate(db: Database, file: string, migrations: readonly Migration[] = MIGRATIONS, now = Date.now()): number[] {
  const cur = schemaVersion(db);
  const latest = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  if (cur > latest) {
    throw new Error(`state database ${file} has schema version ${cur}, newer than this build supports (${latest}); use a newer Vigil or move the file away`);
  }
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= cur) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version (version, applied_at, description) VALUES (?, ?, ?)').run(m.version, now, m.description);
    })();
    applied.push(m.version);
  }
  return applied;
}

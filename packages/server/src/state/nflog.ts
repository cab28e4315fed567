// Notification log repository: the last notification per (receiver, integration, index, group).
import type { Database, Statement } from 'better-sqlite3';
import type { NflogRow } from './types.js';

interface Raw { group_name: string; integration: string; idx: number; group_key: string; firing_alerts: string; resolved_alerts: string; timestamp: number; expires_at: number }

export class NflogRepo {
  private readonly upsertStmt: Statement;
  private readonly gcStmt: Statement;
  private readonly allStmt: Statement;

  constructor(private readonly db: Database) {
    this.upsertStmt = db.prepare(
      `INSERT INTO nflog (group_name, integration, idx, group_key, firing_alerts, resolved_alerts, timestamp, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (group_name, integration, idx, group_key) DO UPDATE SET firing_alerts = excluded.firing_alerts,
         resolved_alerts = excluded.resolved_alerts, timestamp = excluded.timestamp, expires_at = excluded.expires_at`,
    );
    this.gcStmt = db.prepare('DELETE FROM nflog WHERE expires_at <= ?');
    this.allStmt = db.prepare('SELECT * FROM nflog ORDER BY timestamp');
  }

  put(e: NflogRow): void {
    const r = e.receiver;
    this.upsertStmt.run(r.groupName, r.integration, r.idx, e.groupKey, JSON.stringify(e.firingAlerts), JSON.stringify(e.resolvedAlerts), e.timestamp, e.expiresAt);
  }

  putMany(list: Iterable<NflogRow>): void {
    this.db.transaction(() => {
      for (const e of list) this.put(e);
    })();
  }

  all(): NflogRow[] {
    return (this.allStmt.all() as Raw[]).map((r) => ({
      groupKey: r.group_key,
      receiver: { groupName: r.group_name, integration: r.integration, idx: r.idx },
      firingAlerts: JSON.parse(r.firing_alerts) as string[],
      resolvedAlerts: JSON.parse(r.resolved_alerts) as string[],
      timestamp: r.timestamp,
      expiresAt: r.expires_at,
    }));
  }

  /** Deletes entries expired at `now`; returns how many. */
  deleteExpired(now: number): number {
    return this.gcStmt.run(now).changes;
  }
}

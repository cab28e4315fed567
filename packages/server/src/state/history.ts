// Alert history repository: one row per firing episode; `id` orders episodes by first sight.
import type { Database, Statement } from 'better-sqlite3';
import type { HistoryRow } from './types.js';

interface Raw { id: number; fingerprint: string; alertname: string; severity: string; labels: string; annotations: string; starts_at: number; ends_at: number; notifications: string; notifications_sent: number }

export interface HistoryFilter {
  alertname?: string;
  /** Episodes overlapping [from, to]. */
  from?: number;
  to?: number;
  limit?: number;
}

export class HistoryRepo {
  private readonly insertStmt: Statement;
  private readonly updateStmt: Statement;
  private readonly gcStmt: Statement;
  private readonly capStmt: Statement;

  constructor(private readonly db: Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO alert_history (fingerprint, alertname, severity, labels, annotations, starts_at, ends_at, notifications, notifications_sent)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updateStmt = db.prepare('UPDATE alert_history SET annotations = ?, starts_at = ?, ends_at = ?, notifications = ?, notifications_sent = ? WHERE id = ?');
    this.gcStmt = db.prepare('DELETE FROM alert_history WHERE ends_at <= ?');
    this.capStmt = db.prepare('DELETE FROM alert_history WHERE id < ?');
  }

  /** Inserts rows without an id (setting it) and updates the others, in one transaction. */
  save(rows: Iterable<HistoryRow>): void {
    this.db.transaction(() => {
      for (const e of rows) {
        const sent = Object.values(e.notifications).reduce((x, y) => x + y, 0);
        if (e.id === undefined) {
          const info = this.insertStmt.run(e.fingerprint, e.alertname, e.severity, JSON.stringify(e.labels), JSON.stringify(e.annotations), e.startsAt, e.endsAt, JSON.stringify(e.notifications), sent);
          e.id = Number(info.lastInsertRowid);
        } else {
          this.updateStmt.run(JSON.stringify(e.annotations), e.startsAt, e.endsAt, JSON.stringify(e.notifications), sent, e.id);
        }
      }
    })();
  }

  /** Oldest first. */
  query(f: HistoryFilter = {}): HistoryRow[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (f.alertname !== undefined) { where.push('alertname = ?'); args.push(f.alertname); }
    if (f.from !== undefined) { where.push('ends_at >= ?'); args.push(f.from); }
    if (f.to !== undefined) { where.push('starts_at <= ?'); args.push(f.to); }
    let sql = `SELECT * FROM alert_history${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    if (f.limit !== undefined) {
      // The newest `limit` rows, still returned oldest first.
      sql = `SELECT * FROM (${sql.replace('ORDER BY id', 'ORDER BY id DESC')} LIMIT ?) ORDER BY id`;
      args.push(f.limit);
    }
    return (this.db.prepare(sql).all(...args) as Raw[]).map(fromRaw);
  }

  all(): HistoryRow[] {
    return this.query();
  }

  /** Deletes episodes that ended at or before `cutoff` (retention); returns how many. */
  deleteEndedBefore(cutoff: number): number {
    return this.gcStmt.run(cutoff).changes;
  }

  /** Deletes episodes older than the one with `id` (the size cap); returns how many. */
  deleteOlderThan(id: number): number {
    return this.capStmt.run(id).changes;
  }
}

function fromRaw(r: Raw): HistoryRow {
  return {
    id: r.id,
    fingerprint: r.fingerprint,
    alertname: r.alertname,
    severity: r.severity,
    labels: JSON.parse(r.labels) as Record<string, string>,
    annotations: JSON.parse(r.annotations) as Record<string, string>,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    notifications: JSON.parse(r.notifications) as Record<string, number>,
  };
}

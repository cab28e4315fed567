// Silences repository: one row per silence, replaced whole on every change.
import type { Database, Statement } from 'better-sqlite3';
import type { SilenceRow } from './types.js';

interface Raw { id: string; matchers: string; starts_at: number; ends_at: number; updated_at: number; created_by: string; comment: string }

export class SilenceRepo {
  private readonly upsertStmt: Statement;
  private readonly deleteStmt: Statement;
  private readonly gcStmt: Statement;
  private readonly allStmt: Statement;
  private readonly getStmt: Statement;

  constructor(private readonly db: Database) {
    this.upsertStmt = db.prepare(
      `INSERT INTO silences (id, matchers, starts_at, ends_at, updated_at, created_by, comment)
       VALUES (@id, @matchers, @startsAt, @endsAt, @updatedAt, @createdBy, @comment)
       ON CONFLICT (id) DO UPDATE SET matchers = excluded.matchers, starts_at = excluded.starts_at,
         ends_at = excluded.ends_at, updated_at = excluded.updated_at, created_by = excluded.created_by,
         comment = excluded.comment`,
    );
    this.deleteStmt = db.prepare('DELETE FROM silences WHERE id = ?');
    this.gcStmt = db.prepare('DELETE FROM silences WHERE ends_at <= ?');
    this.allStmt = db.prepare('SELECT * FROM silences ORDER BY updated_at, id');
    this.getStmt = db.prepare('SELECT * FROM silences WHERE id = ?');
  }

  /** Inserts or replaces; durable when this returns (one committed transaction). */
  put(s: SilenceRow): void {
    this.upsertStmt.run({ ...s, matchers: JSON.stringify(s.matchers) });
  }

  putMany(list: readonly SilenceRow[]): void {
    this.db.transaction(() => {
      for (const s of list) this.put(s);
    })();
  }

  get(id: string): SilenceRow | undefined {
    const r = this.getStmt.get(id) as Raw | undefined;
    return r && fromRaw(r);
  }

  all(): SilenceRow[] {
    return (this.allStmt.all() as Raw[]).map(fromRaw);
  }

  delete(id: string): boolean {
    return this.deleteStmt.run(id).changes > 0;
  }

  /** Deletes silences that ended at or before `cutoff` (retention); returns how many. */
  deleteEndedBefore(cutoff: number): number {
    return this.gcStmt.run(cutoff).changes;
  }
}

function fromRaw(r: Raw): SilenceRow {
  return {
    id: r.id,
    matchers: JSON.parse(r.matchers) as SilenceRow['matchers'],
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    updatedAt: r.updated_at,
    createdBy: r.created_by,
    comment: r.comment,
  };
}

// Alert history: one entry per firing episode of an alert (fingerprint + start), with when it
// resolved, how long it lasted and which notifications went out. Kept for data.retention in the
// state store, so it survives restarts. Changes are batched: `flush()` writes the episodes
// touched since the last flush in one transaction (alerts arrive far more often than we fsync).
import type { HistoryRepo } from '../../state/index.js';
import type { Alert, LabelSet } from '../types.js';

export interface HistoryEntry {
  /** Row id in the state store, once written. */
  id?: number;
  fingerprint: string;
  alertname: string;
  severity: string;
  labels: LabelSet;
  annotations: LabelSet;
  startsAt: number;
  /** Latest known end (a future time while firing). */
  endsAt: number;
  /** Successful deliveries per receiver. */
  notifications: Record<string, number>;
}

export interface HistoryView {
  fingerprint: string;
  alertname: string;
  severity: string;
  labels: LabelSet;
  annotations: LabelSet;
  startsAt: string;
  resolvedAt: string | null;
  durationSeconds: number;
  state: 'firing' | 'resolved';
  notificationsSent: number;
  notifications: Record<string, number>;
}

const MAX_ENTRIES = 50_000;

export class AlertHistory {
  private entries: HistoryEntry[] = [];
  /** fingerprint -> latest entry */
  private latest = new Map<string, HistoryEntry>();
  /** Entries changed since the last flush, in first-change order (new ones get ids in order). */
  private dirty = new Set<HistoryEntry>();

  constructor(
    private readonly now: () => number,
    private readonly retentionMs: number,
    private readonly repo?: HistoryRepo,
  ) {}

  observe(a: Alert): void {
    const cur = this.latest.get(a.fingerprint);
    // A new episode: first sight, or the previous one ended before this one started.
    if (!cur || (cur.endsAt <= this.now() && a.startsAt >= cur.endsAt && a.endsAt > cur.endsAt)) {
      const e: HistoryEntry = {
        fingerprint: a.fingerprint,
        alertname: a.labels.alertname ?? '',
        severity: a.labels.severity ?? '',
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.startsAt,
        endsAt: a.endsAt,
        notifications: {},
      };
      this.entries.push(e);
      this.latest.set(a.fingerprint, e);
      this.markDirty(e);
      if (this.entries.length > MAX_ENTRIES) this.compact(true);
      return;
    }
    cur.startsAt = Math.min(cur.startsAt, a.startsAt);
    cur.endsAt = a.endsAt;
    cur.annotations = a.annotations;
    this.markDirty(cur);
  }

  private markDirty(e: HistoryEntry): void {
    if (this.repo) this.dirty.add(e);
  }

  noteNotification(fingerprint: string, receiver: string): void {
    const e = this.latest.get(fingerprint);
    if (!e) return;
    e.notifications[receiver] = (e.notifications[receiver] ?? 0) + 1;
    this.markDirty(e);
  }

  private view(e: HistoryEntry, now: number): HistoryView {
    const resolved = e.endsAt <= now;
    const end = resolved ? e.endsAt : now;
    return {
      fingerprint: e.fingerprint,
      alertname: e.alertname,
      severity: e.severity,
      labels: e.labels,
      annotations: e.annotations,
      startsAt: new Date(e.startsAt).toISOString(),
      resolvedAt: resolved ? new Date(e.endsAt).toISOString() : null,
      durationSeconds: Math.max(0, (end - e.startsAt) / 1000),
      state: resolved ? 'resolved' : 'firing',
      notificationsSent: Object.values(e.notifications).reduce((x, y) => x + y, 0),
      notifications: { ...e.notifications },
    };
  }

  /** Newest first; `match` filters on labels; the range selects episodes overlapping it. */
  query(opts: { match?: (ls: LabelSet) => boolean; from?: number; to?: number; state?: 'firing' | 'resolved'; limit?: number } = {}): HistoryView[] {
    const now = this.now();
    const out: HistoryView[] = [];
    for (let i = this.entries.length - 1; i >= 0 && out.length < (opts.limit ?? 1000); i--) {
      const e = this.entries[i]!;
      if (opts.from !== undefined && e.endsAt < opts.from) continue;
      if (opts.to !== undefined && e.startsAt > opts.to) continue;
      if (opts.match && !opts.match(e.labels)) continue;
      const v = this.view(e, now);
      if (opts.state && v.state !== opts.state) continue;
      out.push(v);
    }
    return out;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Drops episodes that ended before the retention window (or the oldest, when over the cap). */
  compact(overCap = false): void {
    const cutoff = this.now() - this.retentionMs;
    let keep = this.entries.filter((e) => e.endsAt > cutoff);
    if (overCap && keep.length > MAX_ENTRIES) keep = keep.slice(keep.length - MAX_ENTRIES);
    if (keep.length !== this.entries.length) {
      const kept = new Set(keep);
      for (const e of this.dirty) if (!kept.has(e)) this.dirty.delete(e);
    }
    this.entries = keep;
    this.latest.clear();
    for (const e of keep) this.latest.set(e.fingerprint, e);
    if (this.repo) {
      // Write kept changes first: a row whose stored end is old but whose episode went on
      // firing must be updated, not deleted.
      this.flush();
      this.repo.deleteEndedBefore(cutoff);
      // Ids grow with entry order, so the cap is "everything older than the oldest kept".
      this.repo.deleteOlderThan(keep[0]?.id ?? Number.MAX_SAFE_INTEGER);
    }
  }

  /** Writes changed episodes to the store (one transaction). */
  flush(): void {
    if (!this.repo || this.dirty.size === 0) return;
    const batch = [...this.dirty];
    this.repo.save(batch);
    for (const e of batch) this.dirty.delete(e);
  }

  /** Loads the episodes kept in the store (dropping those past retention). */
  load(): void {
    if (!this.repo) return;
    this.entries = this.repo.all();
    this.compact(true);
  }
}

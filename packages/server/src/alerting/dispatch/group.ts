// An aggregation group: the alerts of one route with equal group labels, flushed after
// group_wait, then every group_interval. Resolved alerts leave the group once notified.
import type { Clock, TimerHandle } from '../clock.js';
import { isResolvedAt, labelSetString, sortedNames, type Alert, type LabelSet } from '../types.js';
import { compareAlerts } from '../types.js';
import type { Route } from './route.js';

export type FlushFn = (group: AggrGroup, alerts: Alert[], now: number) => Promise<boolean>;

export class AggrGroup {
  readonly alerts = new Map<string, Alert>();
  readonly groupKey: string;
  private timer: TimerHandle | null = null;
  private hasFlushed = false;
  private flushing = false;
  private dueWhileFlushing = false;
  private stopped = false;
  readonly abort = new AbortController();

  constructor(
    readonly labels: LabelSet,
    readonly route: Route,
    private readonly clock: Clock,
    private readonly onFlush: FlushFn,
  ) {
    this.groupKey = `${route.key}:${labelSetString(labels)}`;
    this.schedule(route.opts.groupWaitMs);
  }

  get fingerprintKey(): string {
    return sortedNames(this.labels).map((k) => `${k}\xff${this.labels[k]}`).join('\xff');
  }

  private schedule(ms: number): void {
    this.timer?.cancel();
    this.timer = this.clock.setTimer(ms, () => this.tick());
  }

  insert(a: Alert): void {
    this.alerts.set(a.fingerprint, a);
    // An alert older than group_wait triggers the first flush at once.
    if (!this.hasFlushed && a.startsAt + this.route.opts.groupWaitMs < this.clock.now()) this.schedule(0);
  }

  empty(): boolean {
    return this.alerts.size === 0;
  }

  private tick(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    this.schedule(this.route.opts.groupIntervalMs);
    this.hasFlushed = true;
    if (this.flushing) {
      this.dueWhileFlushing = true;
      return;
    }
    void this.flush(now);
  }

  private async flush(now: number): Promise<void> {
    if (this.empty()) return;
    this.flushing = true;
    try {
      const snapshot: Alert[] = [];
      for (const a of this.alerts.values()) snapshot.push(isResolvedAt(a, now) ? a : { ...a, endsAt: 0 });
      snapshot.sort(compareAlerts);
      const ok = await this.onFlush(this, snapshot, now);
      if (ok) {
        for (const a of snapshot) {
          const cur = this.alerts.get(a.fingerprint);
          // Only drop if not re-inserted since the notification.
          if (cur && isResolvedAt(a, now) && cur.updatedAt === a.updatedAt) this.alerts.delete(a.fingerprint);
        }
      }
    } finally {
      this.flushing = false;
    }
    if (this.dueWhileFlushing && !this.stopped) {
      this.dueWhileFlushing = false;
      void this.flush(this.clock.now());
    }
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.abort.abort();
  }
}

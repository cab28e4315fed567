// The alert provider: alerts by fingerprint, merged on re-post as Alertmanager does, pushed to
// subscribers (the dispatcher), resolved ones garbage-collected periodically.
import { isResolvedAt, mergeAlerts, type Alert } from '../types.js';

export type AlertListener = (a: Alert) => void;

export class AlertStore {
  private alerts = new Map<string, Alert>();
  private listeners = new Set<AlertListener>();

  constructor(private readonly now: () => number) {}

  get size(): number {
    return this.alerts.size;
  }

  get(fp: string): Alert | undefined {
    return this.alerts.get(fp);
  }

  list(): IterableIterator<Alert> {
    return this.alerts.values();
  }

  /** Replays current alerts to the listener, then streams updates; returns unsubscribe. */
  subscribe(l: AlertListener): () => void {
    for (const a of this.alerts.values()) l(a);
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  put(alerts: Alert[]): void {
    const now = this.now();
    for (let alert of alerts) {
      const old = this.alerts.get(alert.fingerprint);
      // Merge only when the activity ranges overlap (as provider/mem does).
      if (old && ((alert.endsAt > old.startsAt && alert.endsAt < old.endsAt) || (alert.startsAt > old.startsAt && alert.startsAt < old.endsAt))) {
        alert = mergeAlerts(old, alert, now);
      }
      this.alerts.set(alert.fingerprint, alert);
      for (const l of this.listeners) l(alert);
    }
  }

  /** Drops resolved alerts; returns their fingerprints (so markers can be cleared). */
  gc(): string[] {
    const now = this.now();
    const out: string[] = [];
    for (const [fp, a] of this.alerts) {
      if (isResolvedAt(a, now)) {
        this.alerts.delete(fp);
        out.push(fp);
      }
    }
    return out;
  }
}

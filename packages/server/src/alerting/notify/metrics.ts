// Per-integration counters and latency, exposed in Prometheus text format by the lead's /metrics.
export class IntegrationMetrics {
  private counters = new Map<string, number>();
  private latency = new Map<string, { sum: number; count: number; buckets: number[] }>();
  static readonly BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20];

  inc(what: 'notifications' | 'notifications_failed' | 'requests' | 'requests_failed', integration: string): void {
    const k = `${what}\x00${integration}`;
    this.counters.set(k, (this.counters.get(k) ?? 0) + 1);
  }

  observe(integration: string, seconds: number): void {
    let h = this.latency.get(integration);
    if (!h) {
      h = { sum: 0, count: 0, buckets: IntegrationMetrics.BUCKETS.map(() => 0) };
      this.latency.set(integration, h);
    }
    h.sum += seconds;
    h.count++;
    IntegrationMetrics.BUCKETS.forEach((b, i) => { if (seconds <= b) h!.buckets[i]!++; });
  }

  get(what: string, integration: string): number {
    return this.counters.get(`${what}\x00${integration}`) ?? 0;
  }

  /** Prometheus text exposition, Alertmanager's metric names. */
  expose(): string {
    const names: Record<string, string> = {
      notifications: 'alertmanager_notifications_total',
      notifications_failed: 'alertmanager_notifications_failed_total',
      requests: 'alertmanager_notification_requests_total',
      requests_failed: 'alertmanager_notification_requests_failed_total',
    };
    let out = '';
    for (const [short, full] of Object.entries(names)) {
      out += `# HELP ${full} ${short.replace(/_/g, ' ')} per integration.\n# TYPE ${full} counter\n`;
      for (const [k, v] of this.counters) {
        const [w, integ] = k.split('\x00');
        if (w === short) out += `${full}{integration="${integ}"} ${v}\n`;
      }
    }
    out += '# HELP alertmanager_notification_latency_seconds The latency of notifications in seconds.\n# TYPE alertmanager_notification_latency_seconds histogram\n';
    for (const [integ, h] of this.latency) {
      IntegrationMetrics.BUCKETS.forEach((b, i) => { out += `alertmanager_notification_latency_seconds_bucket{integration="${integ}",le="${b}"} ${h.buckets[i]}\n`; });
      out += `alertmanager_notification_latency_seconds_bucket{integration="${integ}",le="+Inf"} ${h.count}\n`;
      out += `alertmanager_notification_latency_seconds_sum{integration="${integ}"} ${h.sum}\n`;
      out += `alertmanager_notification_latency_seconds_count{integration="${integ}"} ${h.count}\n`;
    }
    return out;
  }
}

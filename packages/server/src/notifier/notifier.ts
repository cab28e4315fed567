// Sends alerts to Alertmanagers (API v2) like Prometheus's notifier: a bounded queue, batches,
// every configured Alertmanager gets every alert; the oldest alerts are dropped (and counted)
// when the queue overflows. Also feeds an in-process Alertmanager when one runs.
import type { Logger } from '../util/log.js';
import { nopLogger } from '../util/log.js';
import type { AlertmanagerTarget } from './config.js';

/** An alert in Alertmanager API v2's postable shape. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

export interface NotifierOptions {
  queueCapacity?: number;
  maxBatch?: number;
  externalLabels?: Record<string, string>;
  /** Optional alert relabeling (alert_relabel_configs); returning null drops the alert. */
  relabel?: (labels: Record<string, string>) => Record<string, string> | null;
  /** In-process Alertmanager. */
  local?: (alerts: PostableAlert[]) => void | Promise<void>;
  logger?: Logger;
}

export class Notifier {
  private queue: PostableAlert[] = [];
  private targets: AlertmanagerTarget[] = [];
  private sending = false;
  readonly stats = { sent: 0, errors: 0, dropped: 0 };
  private readonly cap: number;
  private readonly batch: number;
  private readonly log: Logger;

  constructor(private opts: NotifierOptions = {}) {
    this.cap = opts.queueCapacity ?? 10000;
    this.batch = opts.maxBatch ?? 256;
    this.log = opts.logger ?? nopLogger;
  }

  setTargets(targets: AlertmanagerTarget[], externalLabels?: Record<string, string>): void {
    this.targets = targets;
    if (externalLabels) this.opts = { ...this.opts, externalLabels };
  }

  setLocal(local: NotifierOptions['local']): void {
    this.opts = { ...this.opts, local };
  }

  targetUrls(): string[] {
    return this.targets.map((t) => t.url);
  }

  get queueLength(): number {
    return this.queue.length;
  }

  send(alerts: PostableAlert[]): void {
    for (const a of alerts) {
      let labels = { ...(this.opts.externalLabels ?? {}), ...a.labels };
      if (this.opts.relabel) {
        const r = this.opts.relabel(labels);
        if (!r) continue;
        labels = r;
      }
      this.queue.push({ ...a, labels });
    }
    const over = this.queue.length - this.cap;
    if (over > 0) {
      this.queue.splice(0, over);
      this.stats.dropped += over;
      this.log.warn('alert notification queue full, dropping alerts', { num_dropped: over });
    }
    void this.drain();
  }

  /** Sends what is queued; resolves when the queue is empty. */
  async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.batch);
        await Promise.all([this.sendLocal(batch), ...this.targets.map((t) => this.post(t, batch))]);
      }
    } finally {
      this.sending = false;
    }
  }

  private async sendLocal(batch: PostableAlert[]): Promise<void> {
    if (!this.opts.local) return;
    try {
      await this.opts.local(batch);
      this.stats.sent += batch.length;
    } catch (e) {
      this.stats.errors++;
      this.log.error('sending alerts to the embedded Alertmanager failed', { err: e as Error });
    }
  }

  private async post(t: AlertmanagerTarget, batch: PostableAlert[]): Promise<void> {
    try {
      const r = await fetch(`${t.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Vigil', ...t.headers },
        body: JSON.stringify(batch),
        signal: AbortSignal.timeout(t.timeoutMs),
      });
      await r.arrayBuffer();
      if (r.status >= 300) throw new Error(`bad response status ${r.status}`);
      this.stats.sent += batch.length;
    } catch (e) {
      this.stats.errors++;
      this.log.error('error sending alerts', { alertmanager: t.url, count: batch.length, err: e as Error });
    }
  }
}

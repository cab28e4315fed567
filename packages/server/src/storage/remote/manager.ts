// Holds one RemoteWriter per configured remote_write entry; applyConfig() on (re)load keeps
// writers whose config did not change (their queues survive a reload) and stops removed ones.
import { join } from 'node:path';
import type { Labels } from '../../model/labels.js';
import type { MetricMetadata } from '../interface.js';
import type { Logger } from '../../util/log.js';
import { nopLogger } from '../../util/log.js';
import type { RemoteWriteConfig } from './config.js';
import { RemoteWriter, type RemoteSink, type RemoteWriteStats } from './queue.js';

function fingerprint(c: RemoteWriteConfig, ext: Labels): string {
  return JSON.stringify({ c: { ...c, writeRelabelConfigs: c.writeRelabelConfigs.map((r) => ({ ...r, regex: String(r.regex) })) }, ext });
}

export class RemoteWriteManager implements RemoteSink {
  private writers = new Map<string, { w: RemoteWriter; fp: string }>();
  private list: RemoteWriter[] = [];

  constructor(
    private readonly logger: Logger = nopLogger,
    /** With a data dir, each writer keeps an on-disk queue in <dataDir>/remote_write/<name>. */
    private readonly opts: { dataDir?: string; maxDiskBytes?: number } = {},
  ) {}

  async applyConfig(configs: readonly RemoteWriteConfig[], externalLabels: Labels = []): Promise<void> {
    const next = new Map<string, { w: RemoteWriter; fp: string }>();
    const stops: Promise<void>[] = [];
    for (const c of configs) {
      const fp = fingerprint(c, externalLabels);
      const old = this.writers.get(c.name);
      if (old && old.fp === fp) next.set(c.name, old);
      else {
        if (old) await old.w.stop(); // same name: the on-disk queue directory is handed over
        next.set(c.name, { w: new RemoteWriter(c, { externalLabels, logger: this.logger, dir: this.opts.dataDir ? join(this.opts.dataDir, 'remote_write', c.name) : undefined, maxDiskBytes: this.opts.maxDiskBytes }), fp });
      }
    }
    for (const [name, old] of this.writers) if (!next.has(name)) stops.push(old.w.stop());
    this.writers = next;
    this.list = [...next.values()].map((x) => x.w);
    await Promise.all(stops);
  }

  enqueue(labels: readonly Labels[], t: Float64Array, v: Float64Array, n: number): void {
    for (const w of this.list) w.enqueue(labels, t, v, n);
  }

  updateMetadata(name: string, meta: MetricMetadata): void {
    for (const w of this.list) w.updateMetadata(name, meta);
  }

  stats(): RemoteWriteStats[] {
    return this.list.map((w) => w.stats());
  }

  async flush(timeoutMs?: number): Promise<boolean> {
    const r = await Promise.all(this.list.map((w) => w.flush(timeoutMs)));
    return r.every(Boolean);
  }

  async stop(): Promise<void> {
    await Promise.all(this.list.map((w) => w.stop()));
    this.writers.clear();
    this.list = [];
  }

  /** Prometheus-style counters for Vigil's own /metrics. */
  exposition(): string {
    const fams: [string, keyof RemoteWriteStats, 'counter' | 'gauge'][] = [
      ['vigil_remote_storage_samples_in_total', 'samplesIn', 'counter'],
      ['vigil_remote_storage_samples_sent_total', 'samplesSent', 'counter'],
      ['vigil_remote_storage_samples_failed_total', 'samplesFailed', 'counter'],
      ['vigil_remote_storage_samples_dropped_total', 'samplesDropped', 'counter'],
      ['vigil_remote_storage_samples_retried_total', 'samplesRetried', 'counter'],
      ['vigil_remote_storage_samples_spilled_total', 'samplesSpilled', 'counter'],
      ['vigil_remote_storage_disk_pending_samples', 'diskPendingSamples', 'gauge'],
      ['vigil_remote_storage_disk_bytes', 'diskBytes', 'gauge'],
      ['vigil_remote_storage_sent_bytes_total', 'bytesSent', 'counter'],
      ['vigil_remote_storage_shards', 'shards', 'gauge'],
      ['vigil_remote_storage_samples_pending', 'pending', 'gauge'],
      ['vigil_remote_storage_queue_highest_sent_timestamp_seconds', 'highestSentTimestamp', 'gauge'],
    ];
    const st = this.stats();
    let s = '';
    for (const [name, key, type] of fams) {
      s += `# TYPE ${name} ${type}\n`;
      for (const x of st) {
        const v = key === 'highestSentTimestamp' ? (x[key] as number) / 1000 : x[key];
        s += `${name}{remote_name=${JSON.stringify(x.name)},url=${JSON.stringify(x.url)}} ${v}\n`;
      }
    }
    return s;
  }
}

// Holds one RemoteWriter per configured remote_write entry; applyConfig() on (re)load keeps
// writers whose config did not change (their queues survive a reload) and stops removed ones.
// Given a TSDB with a WAL, each writer is fed by a WalWatcher (durable across outages and
// restarts) and samples handed to enqueue() are ignored; otherwise (in-memory TSDB, tests)
// writers are fed in memory by fanoutAppendable, with the on-disk spill queue if dataDir is set.
import { dirname, join } from 'node:path';
import type { Labels } from '../../model/labels.js';
import type { MetricMetadata } from '../interface.js';
import type { Logger } from '../../util/log.js';
import { nopLogger } from '../../util/log.js';
import type { RemoteWriteConfig } from './config.js';
import { RemoteWriter, type RemoteSink, type RemoteWriteStats } from './queue.js';
import { WalWatcher, walEnd, type WalPosition, type WalSource, type WalWatcherStats } from './walwatcher.js';
import type { FloatHistogram } from '../../model/histogram.js';

interface Entry {
  w: RemoteWriter;
  fp: string;
  watcher?: WalWatcher;
  unretain?: () => void;
}

function fingerprint(c: RemoteWriteConfig, ext: Labels): string {
  return JSON.stringify({ c: { ...c, writeRelabelConfigs: c.writeRelabelConfigs.map((r) => ({ ...r, regex: String(r.regex) })) }, ext });
}

export class RemoteWriteManager implements RemoteSink {
  private writers = new Map<string, Entry>();
  private list: RemoteWriter[] = [];
  private readonly walDir: string | undefined;
  /** WAL end when the manager was made (right after the TSDB opened): where queues configured at startup begin. */
  private startAt: WalPosition | undefined;

  constructor(
    private readonly logger: Logger = nopLogger,
    /**
     * With `wal` (a TSDB with a data directory), writers read the TSDB's WAL and keep their
     * position in <dataDir>/remote_write/<name>/position.json. Otherwise, with a data dir, each
     * writer keeps an on-disk spill queue in <dataDir>/remote_write/<name>.
     */
    private readonly opts: { dataDir?: string; maxDiskBytes?: number; wal?: WalSource; walPollMs?: number } = {},
  ) {
    this.walDir = opts.wal?.wal?.dir;
    if (this.walDir) this.startAt = walEnd(this.walDir);
  }

  /** True when writers are fed from the WAL (enqueue() is then a no-op). */
  get walMode(): boolean {
    return this.walDir !== undefined;
  }

  private stateDir(name: string): string | undefined {
    const base = this.opts.dataDir ?? (this.walDir ? dirname(this.walDir) : undefined);
    return base ? join(base, 'remote_write', name) : undefined;
  }

  private create(c: RemoteWriteConfig, externalLabels: Labels): Omit<Entry, 'fp'> {
    if (!this.walDir) {
      return { w: new RemoteWriter(c, { externalLabels, logger: this.logger, dir: this.stateDir(c.name), maxDiskBytes: this.opts.maxDiskBytes }) };
    }
    const w = new RemoteWriter(c, { externalLabels, logger: this.logger, unboundedBuffer: true });
    const watcher = new WalWatcher({ walDir: this.walDir, stateDir: this.stateDir(c.name)!, writer: w, logger: this.logger.child({ remote_name: c.name }), pollMs: this.opts.walPollMs, startAt: this.startAt });
    const unretain = this.opts.wal!.walRetention(() => watcher.minSegmentNeeded());
    watcher.start();
    return { w, watcher, unretain };
  }

  private async stopEntry(e: Entry, flushTimeoutMs?: number): Promise<void> {
    if (e.watcher) {
      // What is not delivered within the (short) flush stays in the WAL for the next start.
      await e.watcher.stop(flushTimeoutMs ?? 1000); // persists the acknowledged position
      e.unretain?.();
      await e.w.stop(0);
    } else await e.w.stop(flushTimeoutMs);
  }

  async applyConfig(configs: readonly RemoteWriteConfig[], externalLabels: Labels = []): Promise<void> {
    const next = new Map<string, Entry>();
    const stops: Promise<void>[] = [];
    for (const c of configs) {
      const fp = fingerprint(c, externalLabels);
      const old = this.writers.get(c.name);
      if (old && old.fp === fp) next.set(c.name, old);
      else {
        if (old) await this.stopEntry(old); // same name: the queue directory (position / spill queue) is handed over
        next.set(c.name, { ...this.create(c, externalLabels), fp });
      }
    }
    // Queues added by later reloads start at the WAL's end then, not at startup's.
    this.startAt = undefined;
    for (const [name, old] of this.writers) if (!next.has(name)) stops.push(this.stopEntry(old));
    this.writers = next;
    this.list = [...next.values()].map((x) => x.w);
    await Promise.all(stops);
  }

  enqueue(labels: readonly Labels[], t: Float64Array, v: Float64Array, n: number): void {
    if (this.walDir) return; // the WAL watchers read these from the WAL
    for (const w of this.list) w.enqueue(labels, t, v, n);
  }

  enqueueHistograms(items: readonly { labels: Labels; t: number; h: FloatHistogram }[]): void {
    if (this.walDir) return;
    for (const w of this.list) w.enqueueHistograms(items);
  }

  /** WAL watcher progress per queue (WAL mode only). */
  walStats(): (WalWatcherStats & { name: string })[] {
    const out: (WalWatcherStats & { name: string })[] = [];
    for (const [name, e] of this.writers) if (e.watcher) out.push({ name, ...e.watcher.stats() });
    return out;
  }

  updateMetadata(name: string, meta: MetricMetadata): void {
    for (const w of this.list) w.updateMetadata(name, meta);
  }

  stats(): RemoteWriteStats[] {
    return [...this.writers.values()].map((e) => {
      const st = e.w.stats();
      if (!e.watcher) return st;
      const ws = e.watcher.stats();
      return { ...st, walReadSegment: ws.readSegment, walAckedSegment: ws.ackedSegment, walSamplesRead: ws.samplesRead + ws.histogramsRead, walUnknownSeriesSamples: ws.unknownSeriesSamples, walSegmentsLost: ws.segmentsLost };
    });
  }

  /** Sends what is pending (in WAL mode: reads the WAL up to its end first). */
  async flush(timeoutMs = 30_000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const watchers = [...this.writers.values()].flatMap((e) => (e.watcher ? [e.watcher] : []));
      for (const w of watchers) w.readAvailable();
      const r = await Promise.all(this.list.map((w) => w.flush(Math.max(0, end - Date.now()))));
      if (!r.every(Boolean)) return false;
      for (const w of watchers) w.advanceAcked();
      if (watchers.every((w) => w.caughtUp)) return true;
      if (Date.now() >= end) return false;
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.writers.values()].map((e) => this.stopEntry(e)));
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
      ['vigil_remote_storage_wal_read_segment', 'walReadSegment', 'gauge'],
      ['vigil_remote_storage_wal_acked_segment', 'walAckedSegment', 'gauge'],
      ['vigil_remote_storage_wal_samples_read_total', 'walSamplesRead', 'counter'],
      ['vigil_remote_storage_wal_unknown_series_samples_total', 'walUnknownSeriesSamples', 'counter'],
      ['vigil_remote_storage_wal_segments_lost_total', 'walSegmentsLost', 'counter'],
    ];
    const st = this.stats();
    let s = '';
    for (const [name, key, type] of fams) {
      if (!st.some((x) => x[key] !== undefined)) continue;
      s += `# TYPE ${name} ${type}\n`;
      for (const x of st) {
        if (x[key] === undefined) continue;
        const v = key === 'highestSentTimestamp' ? (x[key] as number) / 1000 : x[key];
        s += `${name}{remote_name=${JSON.stringify(x.name)},url=${JSON.stringify(x.url)}} ${v}\n`;
      }
    }
    return s;
  }
}

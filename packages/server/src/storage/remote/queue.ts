// The remote_write queue: committed samples are relabeled (external labels, then
// write_relabel_configs), hashed to a shard by series (so each series stays in order), batched
// (max_samples_per_send or batch_send_deadline), snappy-compressed and POSTed; 5xx, network
// errors and (optionally) 429 are retried with exponential backoff; other 4xx drop the batch
// (counted as failed). Each shard buffers at most `capacity` samples; beyond that new samples
// are dropped and counted (memory stays bounded during a receiver outage). Shard count adapts
// between min_shards and max_shards to the observed send throughput.
import { labelsHash, type Label, type Labels } from '../../model/labels.js';
import type { MetricMetadata } from '../interface.js';
import { relabel } from '../../relabel/index.js';
import { decodeWriteRequest, encodeLabelsField, encodeWriteRequest, writeSingleSampleSeries, type PbMetricMetadata, type TimeSeriesInput } from '../../protobuf/prompb.js';
import { PbWriter } from '../../protobuf/writer.js';
import { WIRE_LEN } from '../../protobuf/reader.js';
import { writePbHistogram } from '../../protobuf/prompbhist.js';
import type { FloatHistogram } from '../../model/histogram.js';
import { snappyCompress, snappyUncompress } from '../../ingest/snappy.js';
import type { Logger } from '../../util/log.js';
import { nopLogger } from '../../util/log.js';
import type { RemoteWriteConfig } from './config.js';
import { newRemoteClient, type RemoteClient } from './client.js';
import { DiskQueue } from './diskqueue.js';

export interface RemoteWriteStats {
  name: string;
  url: string;
  samplesIn: number;
  samplesSent: number;
  /** Dropped after a non-retryable answer (4xx). */
  samplesFailed: number;
  /** Dropped because a shard's buffer was full. */
  samplesDropped: number;
  /** Dropped by write_relabel_configs. */
  samplesRelabeledAway: number;
  samplesRetried: number;
  requests: number;
  failedRequests: number;
  bytesSent: number;
  metadataSent: number;
  shards: number;
  pending: number;
  /** Highest timestamp (ms) successfully sent. */
  highestSentTimestamp: number;
  lastError: string;
  /** Samples written to the on-disk queue while the receiver was failing. */
  samplesSpilled: number;
  /** Samples waiting in the on-disk queue, and its size. */
  diskPendingSamples: number;
  diskBytes: number;
  /** WAL mode (see walwatcher.ts): segment being read, segment of the acknowledged position, samples read, samples of unknown series, segments deleted unread. */
  walReadSegment?: number;
  walAckedSegment?: number;
  walSamplesRead?: number;
  walUnknownSeriesSamples?: number;
  walSegmentsLost?: number;
}

/** Where committed samples go after the primary storage accepted them. */
export interface RemoteSink {
  enqueue(labels: readonly Labels[], t: Float64Array, v: Float64Array, n: number): void;
  /** Native histogram samples (sent only with send_native_histograms). */
  enqueueHistograms?(items: readonly { labels: Labels; t: number; h: FloatHistogram }[]): void;
  updateMetadata?(name: string, meta: MetricMetadata): void;
}

export interface RemoteWriterOptions {
  externalLabels?: Labels;
  logger?: Logger;
  /** Injected transport (tests). */
  client?: RemoteClient;
  /** How often shard counts are reconsidered (ms). */
  reshardIntervalMs?: number;
  /**
   * Directory for the on-disk queue. When set, batches that cannot be delivered (receiver down,
   * 5xx) and samples still buffered at shutdown are written there and replayed in order, also
   * after a restart. Without it, a failing receiver is retried from memory (bounded by capacity).
   */
  dir?: string;
  /** Size bound of the on-disk queue (default 1 GiB); beyond it the oldest data is dropped, counted. */
  maxDiskBytes?: number;
  /**
   * Never drop for a full shard buffer: grow it instead. For a feeder that bounds what it
   * enqueues itself (the WAL watcher reads more only while `stats().pending` is low).
   */
  unboundedBuffer?: boolean;
}

interface Prepared {
  labels: Labels;
  hash: number;
  /** The label section pre-encoded once per series (hot path: no string encoding per send). */
  enc: Uint8Array;
}

class Shard {
  labels: (Prepared | undefined)[];
  t: Float64Array;
  v: Float64Array;
  /** Enqueue sequence numbers (increasing within a shard), for the acknowledged watermark. */
  seq: Float64Array;
  /** First sequence number of the batch being sent (Infinity when none). */
  inflightFrom = Infinity;
  head = 0;
  len = 0;
  sending = false;
  timer: NodeJS.Timeout | undefined;
  oldestEnqueued = 0;

  constructor(public cap: number) {
    this.labels = new Array(cap);
    this.t = new Float64Array(cap);
    this.v = new Float64Array(cap);
    this.seq = new Float64Array(cap);
  }

  /** Doubles the buffer (order kept). */
  grow(): void {
    const cap = this.cap * 2;
    const labels: (Prepared | undefined)[] = new Array(cap);
    const t = new Float64Array(cap), v = new Float64Array(cap), seq = new Float64Array(cap);
    for (let j = 0; j < this.len; j++) {
      const i = (this.head + j) % this.cap;
      labels[j] = this.labels[i];
      t[j] = this.t[i]!;
      v[j] = this.v[i]!;
      seq[j] = this.seq[i]!;
    }
    this.labels = labels;
    this.t = t;
    this.v = v;
    this.seq = seq;
    this.head = 0;
    this.cap = cap;
  }

  push(ls: Prepared, t: number, v: number, seq: number): boolean {
    if (this.len === this.cap) return false;
    const i = (this.head + this.len) % this.cap;
    this.labels[i] = ls;
    this.t[i] = t;
    this.v[i] = v;
    this.seq[i] = seq;
    if (this.len === 0) this.oldestEnqueued = Date.now();
    this.len++;
    return true;
  }

  /** Removes up to n samples from the front and encodes them as a WriteRequest into w. */
  take(n: number, w: PbWriter): { count: number; maxT: number; firstSeq: number } {
    const k = Math.min(n, this.len);
    const firstSeq = k > 0 ? this.seq[this.head]! : Infinity;
    let maxT = -Infinity;
    w.reset();
    for (let j = 0; j < k; j++) {
      const i = (this.head + j) % this.cap;
      const p = this.labels[i]!;
      this.labels[i] = undefined;
      const t = this.t[i]!;
      writeSingleSampleSeries(w, p.enc, t, this.v[i]!); // value read from the Float64Array: bits kept
      if (t > maxT) maxT = t;
    }
    this.head = (this.head + k) % this.cap;
    this.len -= k;
    if (this.len > 0) this.oldestEnqueued = Date.now();
    return { count: k, maxT, firstSeq };
  }

  /** Lowest sequence number still held (buffered or being sent), Infinity if none. */
  lowestSeq(): number {
    return Math.min(this.inflightFrom, this.len > 0 ? this.seq[this.head]! : Infinity);
  }

  /** Drains everything in order (for resharding). */
  drain(out: { ls: Prepared; t: number; v: number; seq: number }[]): void {
    const tmp = new Float64Array(1);
    for (let j = 0; j < this.len; j++) {
      const i = (this.head + j) % this.cap;
      tmp[0] = this.v[i]!;
      out.push({ ls: this.labels[i]!, t: this.t[i]!, v: tmp[0], seq: this.seq[i]! });
      this.labels[i] = undefined;
    }
    this.head = 0;
    this.len = 0;
  }
}

/**
 * Refusals that name samples the receiver already has (re-sent after a restart: delivery is
 * at least once). Prometheus rolls the whole request back for one such sample.
 */
const STALE_REFUSAL = /out of order|out of bounds|duplicate sample|too old/i;
const staleRefusal = (r: { status: number; body: string }) => r.status === 400 && STALE_REFUSAL.test(r.body);

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    // removed when the timer fires: a long outage must not pile up listeners
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

export class RemoteWriter implements RemoteSink {
  readonly cfg: RemoteWriteConfig;
  private readonly client: RemoteClient;
  private readonly log: Logger;
  private readonly external: Labels;
  private readonly prepared = new WeakMap<Labels, Prepared | null>();
  private shards: Shard[] = [];
  private inFlight = 0;
  private pendingReshard: number | null = null;
  private readonly ac = new AbortController();
  private readonly writer = new PbWriter(64 * 1024);
  private readonly metadata = new Map<string, MetricMetadata>();
  private reshardTimer: NodeJS.Timeout;
  private metadataTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  // throughput accounting for resharding
  private inSinceReshard = 0;
  private sendMsTotal = 0;
  private sentForTiming = 0;
  private lastReshardAt = Date.now();
  private readonly disk: DiskQueue | undefined;
  private replaying = false;
  private readonly unbounded: boolean;
  /** Next enqueue sequence number; see ackedBelow(). */
  private nextSeq = 0;
  /** First sequence numbers of histogram batches being sent. */
  private readonly histInflight = new Set<number>();
  readonly s: RemoteWriteStats;

  constructor(cfg: RemoteWriteConfig, opts: RemoteWriterOptions = {}) {
    this.cfg = cfg;
    this.client = opts.client ?? newRemoteClient(cfg);
    this.log = (opts.logger ?? nopLogger).child({ component: 'remote_write', remote_name: cfg.name, url: redactUrl(cfg.url) });
    this.external = opts.externalLabels ?? [];
    this.unbounded = !!opts.unboundedBuffer;
    this.s = {
      name: cfg.name, url: redactUrl(cfg.url), samplesIn: 0, samplesSent: 0, samplesFailed: 0, samplesDropped: 0, samplesRelabeledAway: 0,
      samplesRetried: 0, requests: 0, failedRequests: 0, bytesSent: 0, metadataSent: 0, shards: 0, pending: 0, highestSentTimestamp: 0, lastError: '',
      samplesSpilled: 0, diskPendingSamples: 0, diskBytes: 0,
    };
    if (opts.dir) {
      this.disk = new DiskQueue(opts.dir, { maxBytes: opts.maxDiskBytes });
      if (!this.disk.empty) {
        this.log.info('replaying on-disk queue', { samples: this.disk.samples });
        void this.replay();
      }
    }
    this.setShards(cfg.queue.minShards);
    this.reshardTimer = setInterval(() => this.considerReshard(), opts.reshardIntervalMs ?? 10_000);
    this.reshardTimer.unref();
    if (cfg.metadata.send) {
      this.metadataTimer = setInterval(() => void this.sendMetadata(), cfg.metadata.sendIntervalMs);
      this.metadataTimer.unref();
    }
  }

  stats(): RemoteWriteStats {
    let pending = 0;
    for (const sh of this.shards) pending += sh.len;
    const d = this.disk;
    return {
      ...this.s, shards: this.shards.length, pending,
      samplesDropped: this.s.samplesDropped + (d?.droppedSamples ?? 0),
      diskPendingSamples: d?.samples ?? 0, diskBytes: d?.sizeBytes ?? 0,
    };
  }

  private prepare(ls: Labels): Prepared | null {
    let p = this.prepared.get(ls);
    if (p !== undefined) return p;
    let out: Labels = ls;
    if (this.external.length) {
      const have = new Set(ls.map((l) => l.name));
      const add = this.external.filter((l) => !have.has(l.name));
      if (add.length) out = [...ls, ...add].sort((a: Label, b: Label) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }
    const r = relabel(out, this.cfg.writeRelabelConfigs);
    p = r === null || r.length === 0 ? null : { labels: r, hash: labelsHash(r), enc: encodeLabelsField(r) };
    this.prepared.set(ls, p);
    return p;
  }

  /** Sequence number the next enqueued sample gets (one per sample, histograms included). */
  get seq(): number {
    return this.nextSeq;
  }

  /**
   * Every sample enqueued with a sequence number below this has been delivered, refused by the
   * receiver (4xx), relabeled away, dropped, or spilled to the on-disk queue: nothing below it
   * is still waiting in memory. The WAL watcher persists its read position by it.
   */
  ackedBelow(): number {
    let low = this.nextSeq;
    for (const sh of this.shards) low = Math.min(low, sh.lowestSeq());
    for (const s of this.histInflight) low = Math.min(low, s);
    return low;
  }

  enqueue(labels: readonly Labels[], t: Float64Array, v: Float64Array, n: number): void {
    if (this.stopped) return;
    const shards = this.shards;
    const ns = shards.length;
    const seq0 = this.nextSeq;
    this.nextSeq += n;
    for (let i = 0; i < n; i++) {
      this.s.samplesIn++;
      const p = this.prepare(labels[i]!);
      if (p === null) {
        this.s.samplesRelabeledAway++;
        continue;
      }
      this.inSinceReshard++;
      const sh = shards[p.hash % ns]!;
      if (!sh.push(p, t[i]!, v[i]!, seq0 + i)) {
        // With an on-disk queue, memory only fills while one send is in flight (after a failure
        // batches go straight to disk), so grow up to 16x capacity rather than drop.
        if (this.unbounded || (this.disk && sh.cap < this.cfg.queue.capacity * 16)) {
          sh.grow();
          sh.push(p, t[i]!, v[i]!, seq0 + i);
          this.kick(sh);
        } else this.s.samplesDropped++;
      } else this.kick(sh);
    }
  }

  updateMetadata(name: string, meta: MetricMetadata): void {
    this.metadata.set(name, meta);
  }

  /**
   * Native histograms go out in their own requests (Histogram messages, float form), through
   * the same retry and on-disk queue path as float batches; without send_native_histograms
   * they are not sent, as in Prometheus.
   */
  enqueueHistograms(items: readonly { labels: Labels; t: number; h: FloatHistogram }[]): void {
    if (this.stopped || !this.cfg.sendNativeHistograms || items.length === 0) return;
    const max = this.cfg.queue.maxSamplesPerSend;
    const seq0 = this.nextSeq;
    this.nextSeq += items.length;
    for (let start = 0; start < items.length; start += max) {
      const w = new PbWriter(4096);
      let count = 0, maxT = 0;
      for (const it of items.slice(start, start + max)) {
        this.s.samplesIn++;
        const p = this.prepare(it.labels);
        if (p === null) { this.s.samplesRelabeledAway++; continue; }
        w.tag(1, WIRE_LEN).fork();
        w.raw(p.enc);
        writePbHistogram(w, 4, it.t, it.h);
        w.ldelim();
        count++;
        if (it.t > maxT) maxT = it.t;
      }
      if (!count) continue;
      const payload = snappyCompress(w.finish());
      this.inFlight++;
      const first = seq0 + start;
      this.histInflight.add(first);
      void this.sendBatch(payload, count, maxT).finally(() => {
        this.histInflight.delete(first);
        this.inFlight--;
        if (this.inFlight === 0) this.onIdle();
      });
    }
  }

  /** Starts a send if the batch is full, else arms the deadline timer. */
  private kick(sh: Shard): void {
    if (sh.sending || this.pendingReshard !== null || this.ac.signal.aborted) return;
    if (sh.len >= this.cfg.queue.maxSamplesPerSend) {
      void this.runShard(sh);
      return;
    }
    if (sh.len > 0 && !sh.timer) {
      sh.timer = setTimeout(() => {
        sh.timer = undefined;
        if (!sh.sending && sh.len > 0 && this.pendingReshard === null) void this.runShard(sh);
      }, this.cfg.queue.batchSendDeadlineMs);
    }
  }

  private async runShard(sh: Shard, flushAll = false): Promise<void> {
    if (sh.sending) return;
    sh.sending = true;
    if (sh.timer) {
      clearTimeout(sh.timer);
      sh.timer = undefined;
    }
    this.inFlight++;
    try {
      while (!this.ac.signal.aborted && sh.len > 0 && this.pendingReshard === null) {
        const full = sh.len >= this.cfg.queue.maxSamplesPerSend;
        if (!full && !flushAll && Date.now() - sh.oldestEnqueued < this.cfg.queue.batchSendDeadlineMs) break;
        const batch = sh.take(this.cfg.queue.maxSamplesPerSend, this.writer);
        sh.inflightFrom = batch.firstSeq;
        try {
          await this.sendBatch(snappyCompress(this.writer.finish()), batch.count, batch.maxT, batch.firstSeq);
        } finally {
          sh.inflightFrom = Infinity;
        }
      }
    } finally {
      sh.sending = false;
      this.inFlight--;
      if (this.inFlight === 0) this.onIdle();
      if (this.pendingReshard === null) this.kick(sh);
    }
  }

  /**
   * Samples with sequence numbers below this may be re-sends of delivered ones (the WAL watcher
   * resumed from a saved position and has not yet passed where the WAL ended at its start):
   * only their batches are split when refused as out of order. -Infinity: never.
   */
  resendBelow = -Infinity;

  private async sendBatch(payload: Buffer, count: number, maxT: number, firstSeq = Infinity): Promise<void> {
    const disk = this.disk;
    if (disk && (!disk.empty || this.replaying)) {
      // something is already queued on disk: keep order by queueing behind it
      this.spill(disk, payload, count, maxT);
      return;
    }
    const refusal = { status: 0, body: '' };
    const r = await this.post(payload, count, 'samples', disk ? 1 : Infinity, refusal);
    if (r === 'sent') this.sent(count, maxT);
    else if (r === 'retry' && disk) this.spill(disk, payload, count, maxT); // also at shutdown: kept for the next start
    else if (r === 'dropped' && !disk && count > 1 && firstSeq < this.resendBelow && staleRefusal(refusal)) {
      this.s.samplesFailed -= count; // counted again per refused piece
      await this.bisect(payload, count);
    }
  }

  /**
   * A batch refused because some samples were already delivered (after a restart the WAL
   * watcher resends from its last acknowledged position): send it again in halves, down to
   * single samples, so only the refused samples are dropped and none of the new ones. Float
   * batches only; values keep their bits (typed arrays throughout).
   */
  private async bisect(payload: Buffer, count: number): Promise<void> {
    let req;
    try {
      req = decodeWriteRequest(snappyUncompress(payload));
    } catch {
      this.s.samplesFailed += count;
      return;
    }
    if (req.series.some((x) => x.histograms > 0)) {
      this.s.samplesFailed += req.samples;
      return;
    }
    const w = new PbWriter(4096);
    const piece = (lo: number, hi: number): { body: Buffer; maxT: number } => {
      const series: TimeSeriesInput[] = [];
      let maxT = -Infinity;
      for (const x of req.series) {
        const a = Math.max(x.start, lo), b = Math.min(x.end, hi);
        if (a >= b) continue;
        series.push({ labels: x.labels, t: req.t, v: req.v, start: a, end: b });
        for (let i = a; i < b; i++) if (req.t[i]! > maxT) maxT = req.t[i]!;
      }
      return { body: snappyCompress(encodeWriteRequest(series, [], w)), maxT };
    };
    const stack: [number, number][] = [[0, req.samples]];
    let first = true;
    while (stack.length && !this.ac.signal.aborted) {
      const [lo, hi] = stack.pop()!;
      const n = hi - lo;
      if (first) { first = false; if (n > 1) { const mid = lo + (n >> 1); stack.push([mid, hi], [lo, mid]); continue; } }
      const p = piece(lo, hi);
      const refusal = { status: 0, body: '' };
      const r = await this.post(p.body, n, 'samples', Infinity, refusal);
      if (r === 'sent') this.sent(n, p.maxT);
      else if (r === 'dropped' && n > 1 && staleRefusal(refusal)) {
        this.s.samplesFailed -= n;
        const mid = lo + (n >> 1);
        stack.push([mid, hi], [lo, mid]); // lower half first: keeps each series in order
      } else if (r === 'retry') return;
    }
  }

  private sent(count: number, maxT: number): void {
    this.s.samplesSent += count;
    if (maxT > this.s.highestSentTimestamp) this.s.highestSentTimestamp = maxT;
  }

  private spill(disk: DiskQueue, payload: Buffer, count: number, maxT: number): void {
    try {
      disk.append({ payload, samples: count, maxT });
      this.s.samplesSpilled += count;
    } catch (e) {
      this.s.samplesDropped += count;
      this.s.lastError = `writing the on-disk queue: ${(e as Error).message}`;
      this.log.error('cannot write on-disk queue, dropping batch', { count, err: (e as Error).message });
    }
    void this.replay();
  }

  /** Sends the on-disk queue in order, retrying with backoff; acknowledges delivered (or 4xx-dropped) batches. */
  private async replay(): Promise<void> {
    const disk = this.disk;
    if (!disk || this.replaying) return;
    this.replaying = true;
    try {
      while (!this.ac.signal.aborted) {
        const b = disk.peek();
        if (!b) break;
        const r = await this.post(b.payload, b.samples, 'samples');
        if (this.ac.signal.aborted || r === 'retry') break;
        disk.ack(b);
        if (r === 'sent') this.sent(b.samples, b.maxT);
      }
    } catch (e) {
      this.s.lastError = `reading the on-disk queue: ${(e as Error).message}`;
      this.log.error('on-disk queue replay failed', { err: (e as Error).message });
    } finally {
      this.replaying = false;
      if (this.inFlight === 0) this.onIdle();
    }
  }

  /** POSTs with up to maxAttempts tries: 'sent', 'dropped' (non-retryable answer) or 'retry' (gave up / aborted). */
  private async post(payload: Uint8Array, count: number, what: string, maxAttempts = Infinity, refusal?: { status: number; body: string }): Promise<'sent' | 'dropped' | 'retry'> {
    const q = this.cfg.queue;
    let backoff = q.minBackoffMs;
    for (let attempt = 0; ; attempt++) {
      if (this.ac.signal.aborted || attempt >= maxAttempts) return 'retry';
      const start = Date.now();
      let retryIn: number | undefined;
      try {
        this.s.requests++;
        const r = await this.client.send(payload, this.ac.signal);
        if (r.status >= 200 && r.status < 300) {
          this.s.bytesSent += payload.length;
          this.sendMsTotal += Date.now() - start;
          this.sentForTiming += count;
          return 'sent';
        }
        this.s.failedRequests++;
        const msg = `server returned HTTP status ${r.status}: ${r.body}`;
        if (refusal) { refusal.status = r.status; refusal.body = r.body; }
        this.s.lastError = msg;
        const retryable = r.status >= 500 || (r.status === 429 && q.retryOnHttp429);
        if (!retryable) {
          if (what === 'samples') this.s.samplesFailed += count;
          this.log.error('non-recoverable error, dropping batch', { count, what, err: msg });
          return 'dropped';
        }
        retryIn = r.retryAfterMs;
        this.log.warn('recoverable error, retrying', { count, what, err: msg, attempt });
      } catch (e) {
        if (this.ac.signal.aborted) return 'retry';
        this.s.failedRequests++;
        this.s.lastError = (e as Error).message;
        this.log.warn('send failed, retrying', { count, what, err: (e as Error).message, attempt });
      }
      if (what === 'samples') this.s.samplesRetried += count;
      if (attempt + 1 >= maxAttempts) return 'retry';
      await sleep(retryIn !== undefined ? Math.min(Math.max(retryIn, backoff), q.maxBackoffMs * 10) : backoff, this.ac.signal);
      backoff = Math.min(backoff * 2, q.maxBackoffMs);
    }
  }

  private async sendMetadata(): Promise<void> {
    if (this.metadata.size === 0 || this.stopped) return;
    const all: PbMetricMetadata[] = [...this.metadata].map(([name, m]) => ({ metricFamilyName: name, type: m.type, help: m.help, unit: m.unit }));
    for (let i = 0; i < all.length; i += this.cfg.metadata.maxSamplesPerSend) {
      const chunk = all.slice(i, i + this.cfg.metadata.maxSamplesPerSend);
      const payload = snappyCompress(encodeWriteRequest([], chunk, new PbWriter(4096)));
      if ((await this.post(payload, chunk.length, 'metadata', 5)) === 'sent') this.s.metadataSent += chunk.length;
    }
  }

  private setShards(n: number): void {
    const old: { ls: Prepared; t: number; v: number; seq: number }[] = [];
    for (const sh of this.shards) {
      if (sh.timer) clearTimeout(sh.timer);
      sh.drain(old);
    }
    // In enqueue order: keeps each series in order and sequence numbers increasing per shard.
    old.sort((a, b) => a.seq - b.seq);
    this.shards = Array.from({ length: n }, () => new Shard(this.cfg.queue.capacity));
    for (const x of old) {
      const sh = this.shards[x.ls.hash % n]!;
      if (!sh.push(x.ls, x.t, x.v, x.seq)) {
        if (this.unbounded) { sh.grow(); sh.push(x.ls, x.t, x.v, x.seq); } else this.s.samplesDropped++;
      }
    }
    this.s.shards = n;
    for (const sh of this.shards) this.kick(sh);
  }

  /** Desired shards ~ incoming samples/s x send time per sample, with headroom (as Prometheus). */
  private considerReshard(): void {
    const now = Date.now();
    const secs = (now - this.lastReshardAt) / 1000;
    this.lastReshardAt = now;
    if (secs <= 0 || this.sentForTiming === 0) return;
    const inRate = this.inSinceReshard / secs;
    const perSample = this.sendMsTotal / 1000 / this.sentForTiming;
    this.inSinceReshard = 0;
    this.sendMsTotal = 0;
    this.sentForTiming = 0;
    let pending = 0;
    for (const sh of this.shards) pending += sh.len;
    const backlog = (pending * perSample) / 10; // catch up on the backlog within ~10s
    const q = this.cfg.queue;
    const desired = Math.min(q.maxShards, Math.max(q.minShards, Math.ceil((inRate * perSample + backlog) * 1.3)));
    const cur = this.shards.length;
    if (desired === cur || (desired > cur * 0.7 && desired < cur * 1.3)) return;
    this.log.info('resharding', { from: cur, to: desired });
    this.reshard(desired);
  }

  /** Changes the shard count once in-flight batches finish (keeps per-series order). */
  reshard(n: number): void {
    this.pendingReshard = n;
    if (this.inFlight === 0) this.onIdle();
  }

  private onIdle(): void {
    if (this.pendingReshard !== null) {
      const n = this.pendingReshard;
      this.pendingReshard = null;
      this.setShards(n);
    }
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  /** Sends everything pending now (ignoring the batch deadline); resolves when done or after timeoutMs. */
  async flush(timeoutMs = 30_000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      let pending = 0;
      for (const sh of this.shards) pending += sh.len;
      const diskIdle = !this.disk || (this.disk.empty && !this.replaying);
      if (pending === 0 && this.inFlight === 0 && diskIdle) return true;
      for (const sh of this.shards) if (!sh.sending && sh.len > 0) void this.runShard(sh, true);
      if (this.disk && !this.disk.empty) void this.replay();
      await new Promise<void>((r) => {
        const t = setTimeout(r, 20);
        this.idleWaiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return false;
  }

  /** Flushes within `flushTimeoutMs`, then stops retrying and releases connections. */
  async stop(flushTimeoutMs = 5000): Promise<void> {
    if (this.stopped) return;
    await this.flush(flushTimeoutMs);
    this.stopped = true;
    clearInterval(this.reshardTimer);
    if (this.metadataTimer) clearInterval(this.metadataTimer);
    for (const sh of this.shards) if (sh.timer) clearTimeout(sh.timer);
    this.ac.abort();
    // wait for in-flight sends to give up, then keep what is still in memory on disk
    for (let i = 0; i < 100 && (this.inFlight > 0 || this.replaying); i++) await new Promise((r) => setTimeout(r, 10));
    if (this.disk) {
      for (const sh of this.shards) {
        while (sh.len > 0) {
          const b = sh.take(this.cfg.queue.maxSamplesPerSend, this.writer);
          this.spill(this.disk, snappyCompress(this.writer.finish()), b.count, b.maxT);
        }
      }
      this.disk.close();
    }
    this.client.close();
  }
}

function redactUrl(u: string): string {
  try {
    const x = new URL(u);
    if (x.password) x.password = '<secret>';
    return x.toString();
  } catch {
    return u;
  }
}

// openTSDB: head + WAL + blocks behind the Storage interface, with compaction, retention,
// snapshots, deletion and self-reported statistics.
import * as fs from 'node:fs';
import { join } from 'node:path';
import type { Labels } from '../model/labels.js';
import type { Matcher } from '../model/matchers.js';
import type { MetricMetadata, Querier, Storage } from '../storage/interface.js';
import { AppendError } from '../storage/interface.js';
import { nopLogger, type Logger } from '../util/log.js';
import { TSDBAppender } from './appender.js';
import { BlockCorruptError, BlockReader, BlockWriter, type BlockMeta, type Tombstone, applyTombstones } from './block.js';
import { ByteWriter } from './bytes.js';
import { compactBlocks, planCompaction } from './compact.js';
import { describeFsError } from './fsio.js';
import { Head, hashLabels } from './head.js';
import { REC_HISTOGRAMS, histStoreOf } from './histstore.js';
import { REC_START_TIMESTAMPS, stStoreOf } from './ststore.js';
import { DEFAULT_MAX_EXEMPLARS, REC_EXEMPLARS, exemplarStoreOf, type ExemplarQueryResult, type ExemplarStats } from './exemplars.js';
import { postingsForMatchers } from './postings.js';
import { TSDBQuerier } from './querier.js';
import { ULID_RE } from './ulid.js';
import { WAL, WalWriteError, type WalSyncPolicy } from './wal.js';
import {
  REC_CHUNK, REC_METADATA, REC_SAMPLES, REC_SERIES, REC_TOMBSTONES,
  decodeChunk, decodeMetadata, decodeSamples, decodeSeries, decodeTombstones, encodeChunk, encodeMetadata, encodeSeries,
} from './walrecords.js';

export interface TSDBOptions {
  /** Data directory; omit for an in-memory TSDB (no WAL, no blocks, no too-old limit). */
  dir?: string;
  /** Delete blocks older than this (ms). Default 15d. 0 = keep forever. */
  retentionMs?: number;
  /** Delete oldest blocks while blocks + WAL exceed this many bytes. 0 = no limit. */
  retentionBytes?: number;
  /** Head block range (ms). Default 2h. */
  blockRangeMs?: number;
  /** Largest compacted block (ms). Default: min(31d, 10% of retention), at least blockRangeMs. */
  maxBlockRangeMs?: number;
  walSegmentBytes?: number;
  /** 'batch' (default): acknowledged once written to the OS, fdatasync every walSyncIntervalMs. 'fsync': acknowledged after fdatasync. */
  walSync?: WalSyncPolicy;
  walSyncIntervalMs?: number;
  /** How often to check for head compaction, block compaction and retention. 0 = only on demand. */
  compactionIntervalMs?: number;
  /** Brotli quality (0-11) for block chunk pages; 4 compresses as well as 7-9 on metrics, faster. */
  compressionQuality?: number;
  logger?: Logger;
  /** Size of the in-memory exemplar ring (--storage.tsdb.max-exemplars). Default 100000; 0 = exemplars off. */
  maxExemplars?: number;
  /** Open for reading only (CLI tools): no WAL writes, no compaction, no lock, appends refused. */
  readOnly?: boolean;
}

export interface TSDBStats {
  headSeries: number;
  headChunks: number;
  headMinTime: number;
  headMaxTime: number;
  samplesAppended: number;
  outOfOrderSamples: number;
  tooOldSamples: number;
  duplicateSamples: number;
  walBytes: number;
  walCorruptions: number;
  walWriteErrors: number;
  blocks: number;
  blockBytes: number;
  corruptBlocks: number;
  compactions: number;
  compactionFailures: number;
  headCompactions: number;
  /** Durations of recent compactions in ms (newest last, up to 20). */
  compactionDurationsMs: number[];
  checkpoints: number;
  retentionDeletedBlocks: number;
  headMemoryBytes: number;
  /** Exemplar storage (see exemplars.ts): ring size, stored, series, appended, out of order. */
  maxExemplars: number;
  exemplarsInStorage: number;
  seriesWithExemplars: number;
  exemplarsAppended: number;
  outOfOrderExemplars: number;
}

export interface HeadStatsResponse {
  headStats: { numSeries: number; numLabelPairs: number; chunkCount: number; minTime: number; maxTime: number };
  seriesCountByMetricName: { name: string; value: number }[];
  labelValueCountByLabelName: { name: string; value: number }[];
  memoryInBytesByLabelName: { name: string; value: number }[];
  seriesCountByLabelValuePair: { name: string; value: number }[];
}

export interface WalReplayStatus {
  min: number;
  max: number;
  current: number;
  state: 'waiting' | 'in progress' | 'done';
}

const DAY = 24 * 3600 * 1000;

/** How often long operations yield to the event loop (series per slice); tests lower these. */
export const tuning = { persistYieldEvery: 2000, checkpointYieldEvery: 5000 };

export class TSDB implements Storage {
  readonly head: Head;
  readonly dir: string | undefined;
  readonly logger: Logger;
  readonly blockRangeMs: number;
  readonly maxBlockRangeMs: number;
  retentionMs: number;
  retentionBytes: number;
  readonly compressionQuality: number;
  readonly maxExemplars: number;
  wal: WAL | undefined;
  blocks: BlockReader[] = [];
  readonly metadata = new Map<string, MetricMetadata>();
  /** Deleted intervals per head series ref. */
  readonly headTombstones = new Map<number, Tombstone[]>();
  counters = { outOfOrder: 0, tooOld: 0, duplicates: 0, compactions: 0, compactionFailures: 0, headCompactions: 0, checkpoints: 0, retentionDeleted: 0, corruptBlocks: 0 };
  compactionDurations: number[] = [];
  replay: WalReplayStatus = { min: 0, max: 0, current: 0, state: 'waiting' };
  /** Set while the disk refuses writes; new series are refused until a write succeeds. */
  storageFull = '';
  private lastBlockMaxT = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private compacting: Promise<void> | undefined;
  private closed = false;
  // Commit scratch, indexed by series ref.
  private stamp = new Uint32Array(0);
  private stampT = new Float64Array(0);
  private stampV = new Float64Array(0);
  private commitId = 0;
  private rec = new ByteWriter(1 << 16);
  private srec = new ByteWriter(1 << 12);

  constructor(opts: TSDBOptions) {
    this.dir = opts.dir;
    this.logger = opts.logger ?? nopLogger;
    this.blockRangeMs = opts.blockRangeMs ?? 2 * 3600 * 1000;
    this.retentionMs = opts.retentionMs ?? 15 * DAY;
    this.retentionBytes = opts.retentionBytes ?? 0;
    this.maxBlockRangeMs = Math.max(this.blockRangeMs, opts.maxBlockRangeMs ?? Math.min(31 * DAY, this.retentionMs > 0 ? this.retentionMs / 10 : 31 * DAY));
    this.compressionQuality = opts.compressionQuality ?? 4;
    this.maxExemplars = opts.maxExemplars ?? DEFAULT_MAX_EXEMPLARS;
    this.head = new Head(this.blockRangeMs);
  }

  // ---------------- open ----------------

  readonly readOnly: boolean = false;
  private lockPath = '';

  async open(opts: TSDBOptions): Promise<void> {
    if (!this.dir) return;
    (this as { readOnly: boolean }).readOnly = !!opts.readOnly;
    if (this.readOnly) {
      if (!fs.existsSync(this.dir)) throw new Error(`directory ${this.dir} does not exist`);
    }
    // Never "repair" another program's files: a Prometheus WAL would look corrupt to us.
    for (const f of ['chunks_head', 'queries.active']) {
      if (fs.existsSync(join(this.dir, f))) {
        throw new Error(`${this.dir} looks like a Prometheus data directory (has ${f}); Vigil keeps its own format — start on an empty directory and backfill with \`vigil import openmetrics\``);
      }
    }
    if (!this.readOnly) {
      fs.mkdirSync(this.dir, { recursive: true });
      this.takeLock();
    }
    this.loadBlocks();
    this.wal = new WAL(join(this.dir, 'wal'), {
      segmentBytes: opts.walSegmentBytes ?? 128 * 1024 * 1024,
      sync: opts.walSync ?? 'batch',
      syncIntervalMs: opts.walSyncIntervalMs ?? 1000,
      logger: this.logger,
    }, !this.readOnly);
    this.replayWal();
    if (this.readOnly) return;
    this.wal.start();
    const iv = opts.compactionIntervalMs ?? 60_000;
    if (iv > 0) {
      this.timer = setInterval(() => void this.compact().catch(() => {}), iv);
      this.timer.unref();
    }
  }

  /** One writer per directory: a lock file with our pid; a stale one (dead pid) is taken over. */
  private takeLock(): void {
    const p = join(this.dir!, 'lock');
    try {
      const pid = Number(fs.readFileSync(p, 'utf8').trim());
      if (pid && pid !== process.pid && pidAlive(pid)) {
        throw new Error(`data directory ${this.dir} is in use by process ${pid} (remove ${p} if that is wrong)`);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    fs.writeFileSync(p, String(process.pid));
    this.lockPath = p;
  }

  private loadBlocks(): void {
    const dir = this.dir!;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      if (e.name.endsWith('.tmp') || e.name.endsWith('.deleted')) {
        if (this.readOnly) continue;
        fs.rmSync(join(dir, e.name), { recursive: true, force: true });
        continue;
      }
      if (!ULID_RE.test(e.name)) continue;
      try {
        this.blocks.push(BlockReader.open(join(dir, e.name)));
      } catch (err) {
        this.counters.corruptBlocks++;
        this.logger.error('skipping unreadable block; its data is not served', { block: e.name, err: (err as Error).message });
      }
    }
    this.sortBlocks();
  }

  private sortBlocks(): void {
    this.blocks.sort((a, b) => a.meta.minTime - b.meta.minTime || a.meta.maxTime - b.meta.maxTime);
    this.lastBlockMaxT = this.blocks.reduce((m, b) => Math.max(m, b.meta.maxTime), -Infinity);
  }

  private replayWal(): void {
    const wal = this.wal!;
    const head = this.head;
    const segs = wal.segments();
    this.replay = { min: segs[0] ?? 0, max: segs[segs.length - 1] ?? 0, current: 0, state: 'in progress' };
    const remap = new Map<number, number>();
    const minValid = this.lastBlockMaxT;
    let unknownRefs = 0, skipped = 0, samples = 0;
    const started = Date.now();
    const resolve = (walRef: number) => {
      const m = remap.get(walRef);
      return m ?? walRef;
    };
    wal.readOnly = this.readOnly;
    wal.replay(
      (type, r) => {
        switch (type) {
          case REC_SERIES:
            decodeSeries(r, (ref, ls) => {
              if (head.isAlive(ref)) {
                if (!labelsSame(head.labels(ref), ls)) {
                  const ex = head.lookup(ls);
                  remap.set(ref, ex || head.create(ls));
                } else remap.delete(ref);
                return;
              }
              const h = hashLabels(ls);
              const ex = head.lookup(ls, h);
              if (ex) { remap.set(ref, ex); return; }
              remap.delete(ref);
              head.create(ls, h, ref);
              head.sLogged[ref] = 1;
            });
            break;
          case REC_SAMPLES:
            decodeSamples(r, (ref, t, v) => {
              const x = resolve(ref);
              if (!head.isAlive(x)) { unknownRefs++; return; }
              if (t < minValid || t <= head.lastT(x)) { skipped++; return; }
              head.append(x, t, v);
              samples++;
            });
            break;
          case REC_CHUNK: {
            const c = decodeChunk(r);
            const x = resolve(c.ref);
            if (!head.isAlive(x)) { unknownRefs++; break; }
            if (c.maxT < minValid || c.minT <= head.lastT(x)) { skipped += c.n; break; }
            head.installChunk(x, c.minT, c.maxT, c.n, c.bytes, c.lastV);
            samples += c.n;
            break;
          }
          case REC_TOMBSTONES:
            decodeTombstones(r, (ref, mint, maxt) => {
              const x = resolve(ref);
              if (!head.isAlive(x)) return;
              let l = this.headTombstones.get(x);
              if (!l) this.headTombstones.set(x, (l = []));
              l.push({ mint, maxt });
            });
            break;
          case REC_METADATA:
            decodeMetadata(r, (metric, m) => this.metadata.set(metric, m));
            break;
          case REC_HISTOGRAMS:
            samples += histStoreOf(this).replayRecord(r);
            break;
          case REC_START_TIMESTAMPS:
            stStoreOf(this).replayRecord(r);
            break;
          case REC_EXEMPLARS:
            exemplarStoreOf(this).replayRecord(r);
            break;
        }
      },
      (seg) => { this.replay.current = seg; },
    );
    // Head appends during replay count as appended; reset so the figure means "since start".
    head.samplesAppended = 0;
    this.replay.state = 'done';
    if (remap.size) {
      // Refs that were remapped: log the series again so the next replay maps the same way.
      this.logger.warn('WAL had duplicate series records; they were merged', { count: remap.size });
    }
    this.logger.info('WAL replay done', {
      samples, series: head.numSeries, skippedSamples: skipped, unknownSeriesRefs: unknownRefs,
      corruptions: wal.corruptions.length, durationMs: Date.now() - started,
    });
  }

  // ---------------- appends ----------------

  appender(): TSDBAppender {
    if (this.readOnly) throw new AppendError('storage_full', 'TSDB is open read-only');
    return new TSDBAppender(this);
  }

  /** Lowest timestamp the head accepts. */
  minValidTime(): number {
    if (!this.dir) return -Infinity;
    const h = this.head.maxT === -Infinity ? -Infinity : this.head.maxT - this.blockRangeMs / 2;
    return Math.max(this.lastBlockMaxT, h);
  }

  private ensureScratch(): void {
    const cap = this.head.refLimit + 1;
    if (this.stamp.length >= cap) return;
    const n = Math.max(cap * 2, 1024);
    const s = new Uint32Array(n); s.set(this.stamp); this.stamp = s;
    this.stampT = new Float64Array(n);
    this.stampV = new Float64Array(n);
  }

  /** Validates, logs and applies an appender's staged samples. Sync until the WAL sync wait. */
  commitAppender(a: TSDBAppender): Promise<void> {
    if (this.closed) return Promise.reject(new AppendError('storage_full', 'TSDB is closed'));
    const n = a.n;
    if (n === 0 && a.meta.length === 0) return Promise.resolve();
    const head = this.head;
    this.ensureScratch();
    const id = ++this.commitId === 0xffffffff ? (this.commitId = 1) : this.commitId;
    const refs = a.refs, ts = a.ts, vs = a.vs;
    const keep = new Uint8Array(n);
    const sv = new Uint32Array(this.stampV.buffer);
    const tmp = new Float64Array(1), tu = new Uint32Array(tmp.buffer);
    const minValid = this.minValidTime();
    let accepted = 0;
    for (let i = 0; i < n; i++) {
      const r = refs[i]!;
      if (!head.isAlive(r)) continue;
      const t = ts[i]!;
      if (t < minValid) { this.counters.tooOld++; continue; }
      let last: number;
      if (this.stamp[r] === id) last = this.stampT[r]!;
      else last = head.lastT(r);
      if (t < last) { this.counters.outOfOrder++; continue; }
      if (t === last) {
        tmp[0] = vs[i]!;
        const same = this.stamp[r] === id ? tu[0] === sv[r * 2] && tu[1] === sv[r * 2 + 1] : head.sameAsLast(r, vs[i]!);
        if (!same) this.counters.duplicates++;
        continue;
      }
      this.stamp[r] = id;
      this.stampT[r] = t;
      this.stampV[r] = vs[i]!;
      tmp[0] = vs[i]!;
      sv[r * 2] = tu[0]!;
      sv[r * 2 + 1] = tu[1]!;
      keep[i] = 1;
      accepted++;
    }
    const wal = this.wal;
    if (wal) {
      const sw = this.srec, rw = this.rec;
      sw.reset(); rw.reset();
      const newSeries: number[] = [];
      let base = NaN;
      for (let i = 0; i < n; i++) {
        if (!keep[i]) continue;
        const r = refs[i]!;
        if (!head.sLogged[r]) {
          head.sLogged[r] = 2; // pending
          newSeries.push(r);
          encodeSeries(sw, r, head.labels(r));
        }
        if (base !== base) { base = ts[i]!; rw.varint(base); }
        rw.uvarint(r);
        rw.varint(ts[i]! - base);
        rw.f64(vs[i]!);
      }
      if (sw.len) wal.add(REC_SERIES, sw.result());
      if (rw.len) wal.add(REC_SAMPLES, rw.result());
      if (a.meta.length) {
        const mw = new ByteWriter();
        for (const [m, md] of a.meta) encodeMetadata(mw, m, md);
        wal.add(REC_METADATA, mw.result());
      }
      try {
        wal.flush();
        this.storageFull = '';
      } catch (e) {
        for (const r of newSeries) head.sLogged[r] = 0;
        const msg = e instanceof WalWriteError ? e.message : describeFsError(e);
        this.storageFull = msg;
        this.logger.error('commit failed: samples not written', { err: msg, samples: accepted });
        return Promise.reject(new AppendError('storage_full', `commit of ${accepted} samples failed, nothing was stored: ${msg}`));
      }
      for (const r of newSeries) head.sLogged[r] = 1;
    }
    for (const [m, md] of a.meta) this.metadata.set(m, md);
    for (let i = 0; i < n; i++) if (keep[i]) head.append(refs[i]!, ts[i]!, vs[i]!);
    if (this.dir && head.maxT - head.minT > this.blockRangeMs * 1.5 && !this.compacting) {
      setImmediate(() => void this.compact().catch(() => {}));
    }
    return wal ? wal.synced() : Promise.resolve();
  }

  /** Flushes buffered WAL records (a commit with exemplars only); resolves once synced. */
  flushWal(): Promise<void> {
    const wal = this.wal;
    if (!wal) return Promise.resolve();
    try {
      wal.flush();
    } catch (e) {
      const msg = e instanceof WalWriteError ? e.message : describeFsError(e);
      return Promise.reject(new AppendError('storage_full', `commit failed, nothing was stored: ${msg}`));
    }
    return wal.synced();
  }

  // ---------------- queries ----------------

  /**
   * Stored exemplars with start <= ts <= end (ms) of series matching any of the matcher sets,
   * sorted by series labels, as Prometheus's exemplar querier.
   */
  queryExemplars(start: number, end: number, matcherSets: readonly (readonly Matcher[])[]): ExemplarQueryResult[] {
    return exemplarStoreOf(this).select(start, end, matcherSets);
  }

  /** Resizes the exemplar ring (config reload), keeping the newest exemplars that fit. */
  setMaxExemplars(n: number): void {
    exemplarStoreOf(this).resize(n);
  }

  exemplarStats(): ExemplarStats {
    return exemplarStoreOf(this).stats();
  }

  querier(mint: number, maxt: number): Querier {
    const blocks = this.blocks.filter((b) => b.meta.maxTime > mint && b.meta.minTime <= maxt);
    return new TSDBQuerier(this, blocks, mint, maxt);
  }

  // ---------------- compaction & retention ----------------

  /** Runs one round of head compaction, block compaction and retention (serialized). */
  compact(): Promise<void> {
    if (this.compacting) return this.compacting;
    this.compacting = this.exclusive(() => this.doCompact()).finally(() => { this.compacting = undefined; });
    return this.compacting;
  }

  /** Block-changing operations (compaction, deletion, snapshots) run one at a time. */
  private lock: Promise<unknown> = Promise.resolve();
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => {});
    return run;
  }

  private async doCompact(): Promise<void> {
    if (this.readOnly) return;
    if (!this.dir || this.closed) {
      if (!this.dir && this.retentionMs > 0 && this.head.maxT - this.head.minT > this.retentionMs + this.blockRangeMs) {
        await this.truncateHead(this.head.maxT - this.retentionMs);
        histStoreOf(this).truncate(this.head.maxT - this.retentionMs);
        stStoreOf(this).truncate(this.head.maxT - this.retentionMs);
      }
      return;
    }
    try {
      while (!this.closed && this.head.maxT - this.head.minT > this.blockRangeMs * 1.5) {
        const mint = Math.floor(this.head.minT / this.blockRangeMs) * this.blockRangeMs;
        await this.persistHead(mint, mint + this.blockRangeMs);
      }
      // Histogram-only data does not move the float head: persist its ranges on their own.
      const stMoved = stStoreOf(this).persistOwnRanges(this.blockRangeMs);
      if (histStoreOf(this).persistOwnRanges(this.blockRangeMs) || stMoved) await this.truncateHead(-Infinity);
      for (;;) {
        if (this.closed) break;
        const plan = planCompaction(this.blocks.map((b) => b.meta), this.blockRangeMs, this.maxBlockRangeMs);
        if (!plan) break;
        await this.runCompaction(plan);
      }
      this.applyRetention();
    } catch (e) {
      this.counters.compactionFailures++;
      this.logger.error('compaction failed; will retry', { err: (e as Error).message });
      throw e;
    }
  }

  /** Writes head samples in [mint, maxt) to a block, then truncates head and WAL. */
  private async persistHead(mint: number, maxt: number): Promise<void> {
    const started = Date.now();
    const head = this.head;
    const w = new BlockWriter(this.dir!, mint, maxt, { quality: this.compressionQuality });
    try {
      const refs = head.allPostings().slice();
      for (let i = 0; i < refs.length; i++) {
        const r = refs[i]!;
        if (!head.isAlive(r)) continue;
        let s = head.samples(r, mint, maxt - 1);
        if (!s) continue;
        const tomb = this.headTombstones.get(r);
        if (tomb) s = applyTombstones(s.t, s.v, tomb);
        w.add(head.labels(r), s.t, s.v);
        if (i % tuning.persistYieldEvery === tuning.persistYieldEvery - 1) await new Promise((res) => setImmediate(res));
      }
      if (w.seriesCount > 0) {
        const { dir } = w.finish();
        this.blocks.push(BlockReader.open(dir));
        this.sortBlocks();
      } else {
        w.abort();
        this.lastBlockMaxT = Math.max(this.lastBlockMaxT, maxt);
      }
    } catch (e) {
      w.abort();
      throw e;
    }
    // Queriers opened before the new block existed read that range from the head: let them finish.
    await this.waitForReaders(maxt, 10_000);
    histStoreOf(this).persist(mint, maxt);
    stStoreOf(this).persist(mint, maxt);
    await this.truncateHead(maxt);
    this.counters.headCompactions++;
    this.recordDuration(Date.now() - started);
    this.logger.info('head persisted to block', { mint, maxt, durationMs: Date.now() - started });
  }

  /** Open queriers (they read head data lazily). */
  readonly readers = new Set<{ mint: number }>();

  /** Waits (bounded) until no open querier needs head data before `t`. */
  private async waitForReaders(t: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let busy = 0;
      for (const r of this.readers) if (r.mint < t) busy++;
      if (busy === 0) return;
      if (Date.now() >= deadline) {
        this.logger.warn('truncating the head while queriers are still open; they may miss samples', { queriers: busy });
        return;
      }
      await new Promise((res) => setTimeout(res, 20));
    }
  }

  /** Drops head data before mint and checkpoints the WAL so replay stays bounded. */
  private async truncateHead(mint: number): Promise<void> {
    const head = this.head;
    head.truncate(mint);
    for (const [r, l] of this.headTombstones) {
      if (!head.isAlive(r)) this.headTombstones.delete(r);
      else {
        const kept = l.filter((x) => x.maxt >= mint);
        if (kept.length) this.headTombstones.set(r, kept); else this.headTombstones.delete(r);
      }
    }
    if (this.wal) {
      await this.wal.writeCheckpoint(async (add) => {
        const w = new ByteWriter(1 << 16);
        // A copy: the postings list may be re-sorted in place while we yield.
        const refs = head.allPostings().slice();
        for (let i = 0; i < refs.length; i += 1000) {
          w.reset();
          for (let j = i; j < Math.min(refs.length, i + 1000); j++) encodeSeries(w, refs[j]!, head.labels(refs[j]!));
          add(REC_SERIES, w.result());
        }
        for (let i = 0; i < refs.length; i++) {
          const r = refs[i]!;
          if (i % tuning.checkpointYieldEvery === tuning.checkpointYieldEvery - 1) await new Promise((res) => setImmediate(res));
          head.sLogged[r] = 1;
          const chunks = head.chunksOf(r, mint);
          for (let k = 0; k < chunks.length; k++) {
            const c = chunks[k]!;
            w.reset();
            encodeChunk(w, { ref: r, minT: c.minT, maxT: c.maxT, n: c.n, lastV: k === chunks.length - 1 ? head.lastV(r) : 0, bytes: c.bytes });
            add(REC_CHUNK, w.result());
          }
        }
        if (this.headTombstones.size) {
          w.reset();
          for (const [r, l] of this.headTombstones) for (const x of l) { w.uvarint(r); w.varint(x.mint); w.varint(x.maxt); }
          add(REC_TOMBSTONES, w.result());
        }
        if (this.metadata.size) {
          w.reset();
          for (const [m, md] of this.metadata) encodeMetadata(w, m, md);
          add(REC_METADATA, w.result());
        }
        histStoreOf(this).walPayloads(add);
        stStoreOf(this).walPayloads(add);
        exemplarStoreOf(this).walPayloads(add);
      });
      this.counters.checkpoints++;
    }
    head.releaseRefs();
  }

  private async runCompaction(metas: BlockMeta[]): Promise<void> {
    const started = Date.now();
    const ids = new Set(metas.map((m) => m.ulid));
    const inputs = this.blocks.filter((b) => ids.has(b.meta.ulid));
    const out = await compactBlocks(this.dir!, inputs, this.compressionQuality);
    if (out) this.blocks.push(BlockReader.open(out));
    this.removeBlocks(inputs);
    this.counters.compactions++;
    this.recordDuration(Date.now() - started);
    this.logger.info('blocks compacted', { inputs: inputs.length, durationMs: Date.now() - started });
  }

  private recordDuration(ms: number): void {
    this.compactionDurations.push(ms);
    if (this.compactionDurations.length > 20) this.compactionDurations.shift();
  }

  private removeBlocks(bs: BlockReader[]): void {
    const set = new Set(bs);
    this.blocks = this.blocks.filter((b) => !set.has(b));
    for (const b of bs) {
      const gone = b.dir + '.deleted';
      try {
        fs.renameSync(b.dir, gone);
        fs.rmSync(gone, { recursive: true, force: true });
      } catch (e) {
        this.logger.error('cannot delete block', { block: b.meta.ulid, err: describeFsError(e) });
      }
      b.close();
    }
    const keep = this.lastBlockMaxT;
    this.sortBlocks();
    // Deleting blocks must not let old samples back into the head.
    this.lastBlockMaxT = Math.max(keep, this.lastBlockMaxT);
  }

  /** Deletes whole blocks beyond the time and size limits. */
  applyRetention(): void {
    if (!this.dir) return;
    const doomed: BlockReader[] = [];
    if (this.retentionMs > 0 && this.blocks.length) {
      const newest = Math.max(this.head.maxT, this.lastBlockMaxT);
      for (const b of this.blocks) if (b.meta.maxTime <= newest - this.retentionMs) doomed.push(b);
    }
    if (this.retentionBytes > 0) {
      let total = (this.wal?.size() ?? 0) + this.blocks.reduce((a, b) => a + b.sizeBytes(), 0);
      for (const b of this.blocks) if (doomed.includes(b)) total -= b.sizeBytes();
      for (const b of this.blocks) {
        if (total <= this.retentionBytes) break;
        if (doomed.includes(b)) continue;
        doomed.push(b);
        total -= b.sizeBytes();
      }
    }
    if (this.retentionMs > 0) histStoreOf(this).applyRetention(Math.max(this.head.maxT, this.lastBlockMaxT) - this.retentionMs);
    if (this.retentionMs > 0) stStoreOf(this).applyRetention(Math.max(this.head.maxT, this.lastBlockMaxT) - this.retentionMs);
    if (doomed.length) {
      this.counters.retentionDeleted += doomed.length;
      this.logger.info('retention: deleting blocks', { blocks: doomed.map((b) => b.meta.ulid) });
      this.removeBlocks(doomed);
    }
  }

  // ---------------- admin ----------------

  /**
   * Writes a snapshot into outDir: hard links of all blocks and (unless skipHead) the head as a
   * block. `openTSDB({dir: outDir})` starts from it.
   */
  snapshot(outDir: string, opts: { skipHead?: boolean } = {}): Promise<{ dir: string; blocks: number }> {
    return this.exclusive(() => this.doSnapshot(outDir, opts));
  }

  private async doSnapshot(outDir: string, opts: { skipHead?: boolean }): Promise<{ dir: string; blocks: number }> {
    fs.mkdirSync(outDir, { recursive: true });
    let n = 0;
    for (const b of this.blocks) {
      linkTree(b.dir, join(outDir, b.meta.ulid));
      n++;
    }
    if (!opts.skipHead && this.head.numSeries > 0 && this.head.maxT >= this.head.minT) {
      const mint = this.head.minT, maxt = this.head.maxT + 1;
      const w = new BlockWriter(outDir, mint, maxt, { quality: this.compressionQuality });
      const head = this.head;
      const refs = head.allPostings().slice();
      for (let i = 0; i < refs.length; i++) {
        const r = refs[i]!;
        let s = head.samples(r, mint, maxt);
        if (!s) continue;
        const tomb = this.headTombstones.get(r);
        if (tomb) s = applyTombstones(s.t, s.v, tomb);
        w.add(head.labels(r), s.t, s.v);
        if (i % tuning.persistYieldEvery === tuning.persistYieldEvery - 1) await new Promise((res) => setImmediate(res));
      }
      if (w.seriesCount) { w.finish(); n++; } else w.abort();
    }
    histStoreOf(this).snapshot(outDir, !opts.skipHead);
    stStoreOf(this).snapshot(outDir, !opts.skipHead);
    return { dir: outDir, blocks: n };
  }

  /** Marks samples of matching series in [start, end] as deleted (head and blocks). */
  deleteSeries(matchers: readonly Matcher[], start: number, end: number): Promise<number> {
    return this.exclusive(() => this.doDeleteSeries(matchers, start, end));
  }

  private async doDeleteSeries(matchers: readonly Matcher[], start: number, end: number): Promise<number> {
    let count = 0;
    const refs = postingsForMatchers(this.head, matchers);
    if (refs.length) {
      const w = new ByteWriter();
      for (const r of refs) {
        let l = this.headTombstones.get(r);
        if (!l) this.headTombstones.set(r, (l = []));
        l.push({ mint: start, maxt: end });
        w.uvarint(r); w.varint(start); w.varint(end);
      }
      if (this.wal) {
        this.wal.add(REC_TOMBSTONES, w.result());
        this.wal.flush();
        await this.wal.synced();
      }
      count += refs.length;
    }
    for (const b of this.blocks) {
      if (b.meta.maxTime <= start || b.meta.minTime > end) continue;
      const ords = postingsForMatchers(b, matchers);
      if (!ords.length) continue;
      const t = new Map(b.tombstones);
      for (const o of ords) t.set(o, [...(t.get(o) ?? []), { mint: start, maxt: end }]);
      b.writeTombstones(t);
      count += ords.length;
    }
    count += histStoreOf(this).deleteRange(matchers, start, end);
    stStoreOf(this).deleteRange(matchers, start, end);
    return count;
  }

  /** Rewrites blocks that have tombstones without the deleted samples. */
  cleanTombstones(): Promise<void> {
    return this.exclusive(() => this.doCleanTombstones());
  }

  private async doCleanTombstones(): Promise<void> {
    for (const b of [...this.blocks]) {
      if (b.tombstones.size === 0) continue;
      const out = await compactBlocks(this.dir!, [b], this.compressionQuality, b.meta.compaction.level);
      if (out) this.blocks.push(BlockReader.open(out));
      this.removeBlocks([b]);
    }
  }

  // ---------------- stats ----------------

  stats(): TSDBStats {
    const mem = this.head.memoryUsage();
    const ex = exemplarStoreOf(this).stats();
    return {
      headSeries: this.head.numSeries,
      headChunks: this.head.numChunks,
      headMinTime: this.head.minT,
      headMaxTime: this.head.maxT,
      samplesAppended: this.head.samplesAppended,
      outOfOrderSamples: this.counters.outOfOrder,
      tooOldSamples: this.counters.tooOld,
      duplicateSamples: this.counters.duplicates,
      walBytes: this.wal?.size() ?? 0,
      walCorruptions: this.wal?.corruptions.length ?? 0,
      walWriteErrors: this.wal?.writeErrors ?? 0,
      blocks: this.blocks.length,
      blockBytes: this.blocks.reduce((a, b) => a + b.sizeBytes(), 0),
      corruptBlocks: this.counters.corruptBlocks,
      compactions: this.counters.compactions,
      compactionFailures: this.counters.compactionFailures,
      headCompactions: this.counters.headCompactions,
      compactionDurationsMs: [...this.compactionDurations],
      checkpoints: this.counters.checkpoints,
      retentionDeletedBlocks: this.counters.retentionDeleted,
      headMemoryBytes: mem.chunkBytes + mem.seriesBytes,
      maxExemplars: ex.maxExemplars,
      exemplarsInStorage: ex.exemplarsInStorage,
      seriesWithExemplars: ex.seriesWithExemplars,
      exemplarsAppended: ex.exemplarsAppended,
      outOfOrderExemplars: ex.outOfOrderExemplars,
    };
  }

  /** Cardinality figures shaped like Prometheus's /api/v1/status/tsdb `data`. */
  headStats(limit = 10): HeadStatsResponse {
    const idx = this.head.indexStats();
    const top = (xs: { name: string; value: number }[]) => xs.sort((a, b) => b.value - a.value || (a.name < b.name ? -1 : 1)).slice(0, limit);
    const byMetric: { name: string; value: number }[] = [];
    const valueCount: { name: string; value: number }[] = [];
    const memBy: { name: string; value: number }[] = [];
    const pairs: { name: string; value: number }[] = [];
    let numLabelPairs = 0;
    for (const { name, values } of idx) {
      numLabelPairs += values.length;
      valueCount.push({ name, value: values.length });
      let mem = 0;
      for (const v of values) {
        mem += Buffer.byteLength(v.value);
        pairs.push({ name: `${name}=${v.value}`, value: v.count });
        if (name === '__name__') byMetric.push({ name: v.value, value: v.count });
      }
      memBy.push({ name, value: mem });
    }
    const h = this.head;
    return {
      headStats: {
        numSeries: h.numSeries,
        numLabelPairs,
        chunkCount: h.numChunks,
        minTime: h.minT === Infinity ? Number.MAX_SAFE_INTEGER : h.minT,
        maxTime: h.maxT === -Infinity ? Number.MIN_SAFE_INTEGER : h.maxT,
      },
      seriesCountByMetricName: top(byMetric),
      labelValueCountByLabelName: top(valueCount),
      memoryInBytesByLabelName: top(memBy),
      seriesCountByLabelValuePair: top(pairs),
    };
  }

  private walReaders = new Set<() => number>();

  /**
   * Registers a WAL reader (a remote_write queue's WAL watcher): `minSegmentNeeded` returns the
   * lowest segment it has not finished with. Checkpoints keep those segments, bounded by
   * `wal.keepMaxBytes` (default 1 GiB). Returns the function that unregisters it.
   */
  walRetention(minSegmentNeeded: () => number): () => void {
    this.walReaders.add(minSegmentNeeded);
    if (this.wal) {
      this.wal.keepFrom = () => {
        let m = Infinity;
        for (const f of this.walReaders) m = Math.min(m, f());
        return m;
      };
    }
    return () => { this.walReaders.delete(minSegmentNeeded); };
  }

  walReplayStatus(): WalReplayStatus {
    return { ...this.replay };
  }

  getMetadata(metric?: string): Map<string, MetricMetadata> {
    if (metric === undefined) return this.metadata;
    const m = this.metadata.get(metric);
    return m ? new Map([[metric, m]]) : new Map();
  }

  /** Flushes the WAL and releases files. Head data stays in the WAL for the next start. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lock.catch(() => {});
    if (this.timer) clearInterval(this.timer);
    this.wal?.close();
    for (const b of this.blocks) b.close();
    if (this.lockPath) fs.rmSync(this.lockPath, { force: true });
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function labelsSame(a: Labels, b: Labels): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.name !== b[i]!.name || a[i]!.value !== b[i]!.value) return false;
  return true;
}

/** Hard-links every file of src into dst (copies across devices). */
function linkTree(src: string, dst: string): void {
  fs.mkdirSync(dst, { recursive: true });
  for (const e of fs.readdirSync(src, { withFileTypes: true })) {
    const s = join(src, e.name), d = join(dst, e.name);
    if (e.isDirectory()) linkTree(s, d);
    else {
      try {
        fs.linkSync(s, d);
      } catch {
        fs.copyFileSync(s, d);
      }
    }
  }
}

/** Opens (or creates) a TSDB. Without `dir` it lives in memory only. */
export async function openTSDB(opts: TSDBOptions = {}): Promise<TSDB> {
  const db = new TSDB(opts);
  try {
    await db.open(opts);
  } catch (e) {
    await db.close().catch(() => {});
    if (e instanceof BlockCorruptError) throw e;
    throw new Error(`cannot open TSDB at ${opts.dir}: ${(e as Error).message}`);
  }
  return db;
}

// Durable remote_write: one watcher per queue tails the TSDB's write-ahead log (series, float
// samples and native histogram records) and feeds its RemoteWriter, as Prometheus's WAL
// watcher does. Its read position (segment, offset) is written to
// <data>/remote_write/<name>/position.json only once every sample read before it has been
// acknowledged by the receiver (or refused with a 4xx), so a receiver outage or a restart
// (even kill -9) resumes from there: samples are sent at least once, never skipped, as long
// as the segments are still on disk. The TSDB keeps segments a watcher still needs when it
// checkpoints (TSDB.walRetention), up to a size bound; see docs/ingestion.md.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { labelsKey, type Labels } from '../../model/labels.js';
import type { FloatHistogram } from '../../model/histogram.js';
import type { Logger } from '../../util/log.js';
import { ByteReader } from '../../tsdb/bytes.js';
import { decodeSeriesList } from '../../tsdb/histcodec.js';
import { FRAME_HEADER, REC_SAMPLES, REC_SERIES, decodeSeries } from '../../tsdb/walrecords.js';
import type { RemoteWriter } from './queue.js';

/** Record type of native histogram samples (tsdb/histstore.ts). */
const REC_HISTOGRAMS = 6;
const SEG_RE = /^\d{8}$/;
const CP_RE = /^checkpoint\.(\d{8})$/;
const READ_CHUNK = 4 << 20;

/** What the watcher needs from the TSDB (TSDB implements it; in-memory TSDBs have no `wal`). */
export interface WalSource {
  readonly wal: { readonly dir: string } | undefined;
  walRetention(minSegmentNeeded: () => number): () => void;
}

export interface WalPosition {
  segment: number;
  offset: number;
}

export interface WalWatcherStats {
  /** Where reading continues. */
  readSegment: number;
  readOffset: number;
  /** Persisted (acknowledged) position. */
  ackedSegment: number;
  ackedOffset: number;
  samplesRead: number;
  histogramsRead: number;
  /** Samples whose series record was not found (its segments were already deleted). */
  unknownSeriesSamples: number;
  /** Segments that were deleted before they were read (size bound exceeded). */
  segmentsLost: number;
  corruptRecords: number;
  /** Series refs currently known (dropped again once a checkpoint shows them gone). */
  series: number;
}

export interface WalWatcherOptions {
  walDir: string;
  /** Where position.json lives. */
  stateDir: string;
  writer: RemoteWriter;
  logger: Logger;
  /** How often the WAL is checked for new records (ms). */
  pollMs?: number;
  /** Where a queue without a saved position starts (default: the WAL's current end). */
  startAt?: WalPosition;
  /** Stop reading while the writer holds this many samples in memory (default: capacity per shard). */
  maxPending?: number;
}

/** The WAL's current end: the newest segment and its size. */
export function walEnd(walDir: string): WalPosition {
  let last = -1;
  try {
    for (const f of fs.readdirSync(walDir)) if (SEG_RE.test(f)) last = Math.max(last, Number(f));
  } catch { /* no WAL yet */ }
  if (last < 0) return { segment: 0, offset: 0 };
  try {
    return { segment: last, offset: fs.statSync(join(walDir, segName(last))).size };
  } catch {
    return { segment: last, offset: 0 };
  }
}

function segName(n: number): string {
  return String(n).padStart(8, '0');
}

function sameLabels(a: Labels, b: Labels): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.name !== b[i]!.name || a[i]!.value !== b[i]!.value) return false;
  return true;
}

export class WalWatcher {
  private readonly refs = new Map<number, Labels>();
  /** Segment whose series record defined each ref (-1: a checkpoint), for garbage collection. */
  private readonly refSeg = new Map<number, number>();
  /** Checkpoint already used to drop dead series. */
  private gcCheckpoint = -1;
  private readonly hseries = new Map<string, Labels>();
  private pos: WalPosition;
  private saved: WalPosition;
  /** {seq, pos}: every sample read before pos has a sequence number below seq. */
  private marks: { seq: number; pos: WalPosition }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The last read reached the end of the WAL (as far as it was written). */
  caughtUp = false;
  /** Resumed from a saved position: where the WAL ended then (what lies before may be re-sent). */
  private resumeEnd: WalPosition | undefined;
  private readonly pollMs: number;
  private readonly maxPending: number | undefined;
  private readonly log: Logger;
  private readonly posFile: string;
  // scratch for one samples record
  private sl: Labels[] = [];
  private st = new Float64Array(1024);
  private sv = new Float64Array(1024);
  private svBytes = new Uint8Array(this.sv.buffer);
  readonly s: Omit<WalWatcherStats, 'readSegment' | 'readOffset' | 'ackedSegment' | 'ackedOffset' | 'series'> = {
    samplesRead: 0, histogramsRead: 0, unknownSeriesSamples: 0, segmentsLost: 0, corruptRecords: 0,
  };

  constructor(private readonly o: WalWatcherOptions) {
    this.pollMs = o.pollMs ?? 100;
    this.maxPending = o.maxPending;
    this.log = o.logger.child({ component: 'wal_watcher' });
    fs.mkdirSync(o.stateDir, { recursive: true });
    this.posFile = join(o.stateDir, 'position.json');
    const resumed = fs.existsSync(this.posFile);
    this.pos = this.loadPosition();
    this.saved = { ...this.pos };
    if (resumed) {
      this.resumeEnd = walEnd(o.walDir);
      o.writer.resendBelow = Infinity;
    }
    this.savePosition(this.pos); // a fresh queue starts at the WAL's end: remember it before anything is sent
    this.loadSeries();
  }

  /** Lowest WAL segment this queue still needs (for the TSDB's checkpoint retention). */
  minSegmentNeeded(): number {
    return this.saved.segment;
  }

  stats(): WalWatcherStats {
    return { ...this.s, series: this.refs.size, readSegment: this.pos.segment, readOffset: this.pos.offset, ackedSegment: this.saved.segment, ackedOffset: this.saved.offset };
  }

  start(): void {
    const tick = () => {
      this.timer = undefined;
      if (this.stopped) return;
      try {
        this.readAvailable();
        this.advanceAcked();
      } catch (e) {
        this.log.error('reading the WAL failed; retrying', { err: (e as Error).message });
      }
      if (!this.stopped) {
        // Behind (the queue was full): look again soon; caught up: poll.
        this.timer = setTimeout(tick, this.caughtUp ? this.pollMs : Math.min(this.pollMs, 5));
        this.timer.unref();
      }
    };
    tick();
  }

  /**
   * Stops reading, gives the writer up to flushTimeoutMs to deliver what it holds, and persists
   * the acknowledged position. The caller stops the writer afterwards.
   */
  async stop(flushTimeoutMs = 5000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.o.writer.flush(flushTimeoutMs);
    this.advanceAcked();
  }

  /** Reads everything new (waits for the writer while it holds maxPending samples). */
  readAvailable(): void {
    this.caughtUp = this.stopped;
    const ws = this.o.writer.stats();
    const q = this.o.writer.cfg.queue;
    const limit = this.maxPending ?? Math.max(q.capacity * Math.max(1, ws.shards), q.maxSamplesPerSend * 2);
    let budget = limit - ws.pending;
    let segs: number[] | undefined;
    while (budget > 0 && !this.stopped) {
      const path = join(this.o.walDir, segName(this.pos.segment));
      let fd: number;
      try {
        fd = fs.openSync(path, 'r');
      } catch {
        segs ??= this.segments();
        const next = segs.find((s) => s > this.pos.segment);
        if (next === undefined) { this.caughtUp = true; break; } // no WAL segment yet
        if (this.pos.segment > 0) {
          this.s.segmentsLost++;
          this.log.warn('WAL segment was deleted before remote_write read it; its samples are not sent', { segment: this.pos.segment, next });
          // The series records of deleted segments live on in the checkpoint that replaced them.
          this.loadCheckpointSeries();
        }
        this.pos = { segment: next, offset: 0 };
        continue;
      }
      let atEnd = false;
      try {
        const size = fs.fstatSync(fd).size;
        if (this.pos.offset > size) this.pos.offset = size; // cut after corruption
        if (this.pos.offset === size) atEnd = true;
        else {
          const r = this.readFrames(fd, size, budget);
          budget -= r.samples;
          if (r.stuck) {
            segs = this.segments();
            if (!segs.some((s) => s > this.pos.segment)) { this.caughtUp = true; break; } // maybe still being written
            this.s.corruptRecords++;
            this.log.warn('skipping the unreadable rest of a WAL segment', { segment: this.pos.segment, offset: this.pos.offset });
            atEnd = true;
          }
        }
      } finally {
        fs.closeSync(fd);
      }
      if (atEnd) {
        segs = this.segments();
        const next = segs.find((s) => s > this.pos.segment);
        if (next === undefined) { this.caughtUp = true; break; }
        this.pos = { segment: next, offset: 0 };
        this.mark();
        this.collectGarbage();
      }
    }
    this.mark();
    const re = this.resumeEnd;
    if (re && (this.pos.segment > re.segment || (this.pos.segment === re.segment && this.pos.offset >= re.offset))) {
      this.o.writer.resendBelow = this.o.writer.seq; // later samples were never sent before
      this.resumeEnd = undefined;
    }
  }

  /** Parses complete frames from pos.offset; stuck = no complete, valid frame there (torn or corrupt). */
  private readFrames(fd: number, size: number, budget: number): { samples: number; stuck: boolean } {
    let samples = 0;
    while (this.pos.offset < size && samples < budget) {
      const want = Math.min(READ_CHUNK, size - this.pos.offset);
      let buf = Buffer.allocUnsafe(want);
      const got = fs.readSync(fd, buf, 0, want, this.pos.offset);
      buf = buf.subarray(0, got);
      let off = 0;
      while (off < buf.length && samples < budget) {
        if (buf.length - off < FRAME_HEADER) break;
        const type = buf[off]!;
        const len = buf.readUInt32LE(off + 1);
        if (off + FRAME_HEADER + len > buf.length) {
          if (off === 0 && this.pos.offset + FRAME_HEADER + len <= size) {
            // one record larger than the read chunk
            const big = Buffer.allocUnsafe(FRAME_HEADER + len);
            fs.readSync(fd, big, 0, big.length, this.pos.offset);
            buf = big;
            continue;
          }
          break;
        }
        const payload = buf.subarray(off + FRAME_HEADER, off + FRAME_HEADER + len);
        // Types 1-8 as tsdb/wal.ts (8: exemplars, which handle() skips).
        // Any record type with a valid checksum is read past (types this watcher does not send, e.g.
        // exemplars or start timestamps, are skipped), so new record types never stall remote_write.
        if (type < 1 || crc32(payload) !== buf.readUInt32LE(off + 5)) return { samples, stuck: true };
        try {
          samples += this.handle(type, payload);
        } catch (e) {
          this.s.corruptRecords++;
          this.log.warn('undecodable WAL record skipped', { segment: this.pos.segment, offset: this.pos.offset + off, err: (e as Error).message });
        }
        off += FRAME_HEADER + len;
      }
      if (off === 0) return { samples, stuck: true }; // torn or partial record at the end
      this.pos.offset += off;
    }
    return { samples, stuck: false };
  }

  private handle(type: number, payload: Uint8Array): number {
    const r = new ByteReader(payload);
    if (type === REC_SERIES) {
      decodeSeries(r, (ref, ls) => this.addSeries(ref, ls, this.pos.segment));
      return 0;
    }
    if (type === REC_SAMPLES) return this.samples(r);
    if (type === REC_HISTOGRAMS) {
      const items: { labels: Labels; t: number; h: FloatHistogram }[] = [];
      decodeSeriesList(r, (labels, t, h) => {
        const k = labelsKey(labels);
        let ls = this.hseries.get(k);
        if (!ls) this.hseries.set(k, (ls = labels));
        items.push({ labels: ls, t, h });
      });
      this.s.histogramsRead += items.length;
      if (items.length) this.o.writer.enqueueHistograms(items);
      return items.length;
    }
    return 0;
  }

  private addSeries(ref: number, ls: Labels, seg: number): void {
    this.refSeg.set(ref, seg);
    const old = this.refs.get(ref);
    // Keep the same Labels object for an unchanged series: the writer caches per object.
    if (!old || !sameLabels(old, ls)) this.refs.set(ref, ls);
  }

  /** Decodes a samples record straight into typed arrays (values copied as raw bits). */
  private samples(r: ByteReader): number {
    const base = r.varint();
    let n = 0;
    const buf = r.buf;
    while (!r.done) {
      const ref = r.uvarint();
      const t = base + r.varint();
      if (r.pos + 8 > r.end) throw new RangeError(`truncated sample at byte ${r.pos}`);
      const ls = this.refs.get(ref);
      if (!ls) {
        this.s.unknownSeriesSamples++;
        r.pos += 8;
        continue;
      }
      if (n === this.st.length) {
        const nt = new Float64Array(n * 2), nv = new Float64Array(n * 2);
        nt.set(this.st);
        nv.set(this.sv);
        this.st = nt;
        this.sv = nv;
        this.svBytes = new Uint8Array(nv.buffer);
      }
      this.sl[n] = ls;
      this.st[n] = t;
      this.svBytes.set(buf.subarray(r.pos, r.pos + 8), n * 8);
      r.pos += 8;
      n++;
    }
    if (n) this.o.writer.enqueue(this.sl, this.st, this.sv, n);
    this.sl.length = 0;
    this.s.samplesRead += n;
    return n;
  }

  /** Records that everything read so far is covered once the writer acknowledges seq. */
  private mark(): void {
    const seq = this.o.writer.seq;
    const last = this.marks[this.marks.length - 1];
    if (last && last.seq === seq) last.pos = { ...this.pos };
    else this.marks.push({ seq, pos: { ...this.pos } });
  }

  /** Persists the newest position whose samples have all been acknowledged. */
  advanceAcked(): void {
    const acked = this.o.writer.ackedBelow();
    let p: WalPosition | undefined;
    while (this.marks.length && this.marks[0]!.seq <= acked) p = this.marks.shift()!.pos;
    if (p && (p.segment !== this.saved.segment || p.offset !== this.saved.offset)) {
      this.savePosition(p);
      this.saved = { ...p };
    }
  }

  private savePosition(p: WalPosition): void {
    const tmp = this.posFile + '.tmp';
    try {
      fs.writeFileSync(tmp, JSON.stringify(p) + '\n');
      fs.renameSync(tmp, this.posFile);
    } catch (e) {
      this.log.error('cannot save the remote_write WAL position; a restart resends from the last saved one', { file: this.posFile, err: (e as Error).message });
    }
  }

  private loadPosition(): WalPosition {
    const segs = this.segments();
    const end = () => walEnd(this.o.walDir);
    let raw: string;
    try {
      raw = fs.readFileSync(this.posFile, 'utf8');
    } catch {
      return this.o.startAt ? { ...this.o.startAt } : end();
    }
    try {
      const p = JSON.parse(raw) as Partial<WalPosition>;
      if (!Number.isInteger(p.segment) || !Number.isInteger(p.offset) || p.segment! < 0 || p.offset! < 0) throw new Error('segment and offset must be non-negative integers');
      const last = segs[segs.length - 1] ?? 0;
      if (p.segment! > last) {
        // Numbers only grow: a position past the newest segment means the WAL was recreated.
        this.log.warn('remote_write WAL position is past the WAL (data directory replaced?); reading from the oldest segment', { file: this.posFile, position: p, newestSegment: last });
        return { segment: segs[0] ?? 0, offset: 0 };
      }
      return { segment: p.segment!, offset: p.offset! };
    } catch (e) {
      this.log.warn('unreadable remote_write WAL position; reading from the oldest segment (may resend samples)', { file: this.posFile, err: (e as Error).message });
      return { segment: segs[0] ?? 0, offset: 0 };
    }
  }

  private segments(): number[] {
    try {
      return fs.readdirSync(this.o.walDir).filter((f) => SEG_RE.test(f)).map(Number).sort((a, b) => a - b);
    } catch {
      return [];
    }
  }

  /** Series records from the checkpoint and every segment before the read position. */
  private loadSeries(): void {
    this.loadCheckpointSeries();
    for (const s of this.segments()) {
      if (s > this.pos.segment) break;
      this.scanSeries(join(this.o.walDir, segName(s)), s === this.pos.segment ? this.pos.offset : Infinity, (ref, ls) => this.addSeries(ref, ls, s));
    }
  }

  private loadCheckpointSeries(): void {
    const cp = this.latestCheckpoint();
    if (cp >= 0) this.scanSeries(join(this.o.walDir, `checkpoint.${segName(cp)}`, '00000000'), Infinity, (ref, ls) => this.addSeries(ref, ls, -1));
  }

  private latestCheckpoint(): number {
    let cp = -1;
    try {
      for (const f of fs.readdirSync(this.o.walDir)) {
        const m = CP_RE.exec(f);
        if (m) cp = Math.max(cp, Number(m[1]));
      }
    } catch { /* no WAL yet */ }
    return cp;
  }

  /**
   * On entering a segment after the newest checkpoint N: series defined in segments <= N that
   * the checkpoint no longer holds were dropped from the head, so nothing unread refers to them.
   */
  private collectGarbage(): void {
    const cp = this.latestCheckpoint();
    if (cp <= this.gcCheckpoint || cp >= this.pos.segment) return;
    this.gcCheckpoint = cp;
    const alive = new Set<number>();
    this.scanSeries(join(this.o.walDir, `checkpoint.${segName(cp)}`, '00000000'), Infinity, (ref) => alive.add(ref));
    let dropped = 0;
    for (const [ref, seg] of this.refSeg) {
      if (seg <= cp && !alive.has(ref)) {
        this.refSeg.delete(ref);
        this.refs.delete(ref);
        dropped++;
      }
    }
    if (dropped) this.log.debug('dropped series no longer in the WAL checkpoint', { checkpoint: cp, series: dropped });
  }

  private scanSeries(path: string, upTo: number, fn: (ref: number, ls: Labels) => void): void {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(path);
    } catch {
      return;
    }
    const end = Math.min(buf.length, upTo);
    let off = 0;
    while (off + FRAME_HEADER <= end) {
      const type = buf[off]!;
      const len = buf.readUInt32LE(off + 1);
      if (off + FRAME_HEADER + len > end) break;
      if (type === REC_SERIES) {
        const payload = buf.subarray(off + FRAME_HEADER, off + FRAME_HEADER + len);
        if (crc32(payload) !== buf.readUInt32LE(off + 5)) break;
        try {
          decodeSeries(new ByteReader(payload), fn);
        } catch {
          break;
        }
      }
      off += FRAME_HEADER + len;
    }
  }
}

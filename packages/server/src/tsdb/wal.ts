// Write-ahead log: numbered segment files (wal/00000001, ...) of CRC-checked, length-prefixed
// records, plus at most one checkpoint (wal/checkpoint.N/00000000) that stands for all
// segments <= N. Replay reads the checkpoint, then later segments in order. A torn or corrupt
// record is reported, the segment is cut there, and replay goes on with the next segment.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Logger } from '../util/log.js';
import { ByteReader, ByteWriter } from './bytes.js';
import { describeFsError, io, syncDir, writeAll } from './fsio.js';
import { FRAME_HEADER } from './walrecords.js';

export type WalSyncPolicy = 'fsync' | 'batch';

export interface WalOptions {
  segmentBytes: number;
  sync: WalSyncPolicy;
  /** fdatasync period for 'batch'. */
  syncIntervalMs: number;
  logger: Logger;
}

export interface WalCorruption {
  segment: string;
  offset: number;
  reason: string;
  droppedBytes: number;
}

const SEG_RE = /^\d{8}$/;
const CP_RE = /^checkpoint\.(\d{8})$/;

function segName(n: number): string {
  return String(n).padStart(8, '0');
}

export class WalWriteError extends Error {}

export class WAL {
  private fd = -1;
  private seg = 0;
  private segSize = 0;
  private frame = new ByteWriter(1 << 16);
  private waiters: { res: () => void; rej: (e: Error) => void }[] = [];
  private syncing = false;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private closed = false;
  corruptions: WalCorruption[] = [];
  /** Replay without cutting corrupt data (read-only tools). */
  readOnly = false;
  writeErrors = 0;
  /**
   * Lowest segment a reader still needs (remote_write WAL watchers, see TSDB.walRetention):
   * checkpoints keep segments from there on instead of deleting them, up to `keepMaxBytes`
   * (beyond that the oldest go anyway, so a dead receiver cannot fill the disk).
   */
  keepFrom: (() => number) | undefined;
  keepMaxBytes = 1 << 30;

  constructor(
    readonly dir: string,
    readonly opts: WalOptions,
    create = true,
  ) {
    if (create) fs.mkdirSync(dir, { recursive: true });
  }

  /** Segment numbers present, sorted ([] when the directory is missing). */
  private list(): string[] {
    try {
      return fs.readdirSync(this.dir);
    } catch {
      return [];
    }
  }

  /** Segment numbers present, sorted. */
  segments(): number[] {
    return this.list().filter((f) => SEG_RE.test(f)).map(Number).sort((a, b) => a - b);
  }

  /** Latest complete checkpoint: its number and path. */
  checkpoint(): { n: number; path: string } | undefined {
    let best: number | undefined;
    for (const f of this.list()) {
      const m = CP_RE.exec(f);
      if (m && (best === undefined || Number(m[1]) > best)) best = Number(m[1]);
    }
    return best === undefined ? undefined : { n: best, path: join(this.dir, `checkpoint.${segName(best)}`) };
  }

  /**
   * Replays checkpoint then segments, calling fn(type, payload) per record. Corrupt data is
   * cut off (and reported) rather than thrown. Returns the number of records read.
   */
  replay(fn: (type: number, r: ByteReader) => void, progress?: (seg: number, last: number) => void): number {
    if (!this.readOnly) for (const f of fs.readdirSync(this.dir)) if (f.endsWith('.tmp')) fs.rmSync(join(this.dir, f), { recursive: true, force: true });
    let records = 0;
    const cp = this.checkpoint();
    if (cp) records += this.replayFile(join(cp.path, '00000000'), fn, false);
    const segs = this.segments().filter((s) => !cp || s > cp.n);
    const last = segs[segs.length - 1] ?? 0;
    for (const s of segs) {
      records += this.replayFile(join(this.dir, segName(s)), fn, true);
      progress?.(s, last);
    }
    return records;
  }

  private replayFile(path: string, fn: (type: number, r: ByteReader) => void, truncatable: boolean): number {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(path);
    } catch (e) {
      this.report({ segment: path, offset: 0, reason: `unreadable: ${describeFsError(e)}`, droppedBytes: 0 });
      return 0;
    }
    let off = 0, n = 0;
    while (off < buf.length) {
      let reason = '';
      if (buf.length - off < FRAME_HEADER) reason = 'torn record header';
      else {
        const type = buf[off]!;
        const len = buf.readUInt32LE(off + 1);
        const crc = buf.readUInt32LE(off + 5);
        // Types 1-5: walrecords.ts; 6: native histograms (histstore.ts); 7: start timestamps (ststore.ts);
        // 8: exemplars (exemplars.ts).
        if (type < 1 || type > 8) reason = `unknown record type ${type}`;
        else if (off + FRAME_HEADER + len > buf.length) reason = `torn record (needs ${len} bytes, ${buf.length - off - FRAME_HEADER} left)`;
        else {
          const payload = buf.subarray(off + FRAME_HEADER, off + FRAME_HEADER + len);
          if (crc32(payload) !== crc) reason = 'checksum mismatch';
          else {
            try {
              fn(type, new ByteReader(payload));
            } catch (e) {
              reason = `undecodable record: ${(e as Error).message}`;
            }
            if (!reason) {
              off += FRAME_HEADER + len;
              n++;
              continue;
            }
          }
        }
      }
      this.report({ segment: path, offset: off, reason, droppedBytes: buf.length - off });
      if (truncatable && !this.readOnly) {
        try {
          fs.truncateSync(path, off);
        } catch (e) {
          this.opts.logger.error('cannot truncate corrupt WAL segment', { segment: path, err: describeFsError(e) });
        }
      }
      break;
    }
    return n;
  }

  private report(c: WalCorruption): void {
    this.corruptions.push(c);
    this.opts.logger.warn('WAL corruption: data after this point in the segment is dropped', { ...c });
  }

  /** Opens a fresh segment after the highest existing one. */
  start(): void {
    const segs = this.segments();
    const cp = this.checkpoint();
    this.openSegment(Math.max(segs[segs.length - 1] ?? 0, cp?.n ?? 0) + 1);
    if (this.opts.sync === 'batch' && this.opts.syncIntervalMs > 0) {
      this.timer = setInterval(() => this.backgroundSync(), this.opts.syncIntervalMs);
      this.timer.unref();
    }
  }

  private openSegment(n: number): void {
    if (this.fd >= 0) {
      try { io.fdatasyncSync(this.fd); } catch { /* reported at next write */ }
      io.closeSync(this.fd);
    }
    this.seg = n;
    this.fd = io.openSync(join(this.dir, segName(n)), 'a');
    this.segSize = fs.fstatSync(this.fd).size;
    syncDir(this.dir);
  }

  get currentSegment(): number {
    return this.seg;
  }

  /** Builds one frame in the internal buffer: call `add` per record, then `flush`. */
  add(type: number, payload: Uint8Array): void {
    const f = this.frame;
    f.u8(type);
    f.u32(payload.length);
    f.u32(crc32(payload));
    f.bytes(payload);
  }

  /**
   * Writes buffered records to the OS. On failure the segment is cut back to its previous
   * length so no torn record is left behind, and a WalWriteError naming the cause is thrown.
   */
  flush(): void {
    if (this.closed) throw new WalWriteError('WAL is closed');
    const data = this.frame.result();
    if (data.length === 0) return;
    if (this.segSize > 0 && this.segSize + data.length > this.opts.segmentBytes) this.openSegment(this.seg + 1);
    try {
      writeAll(this.fd, data);
      this.segSize += data.length;
      this.dirty = true;
    } catch (e) {
      this.writeErrors++;
      try {
        io.ftruncateSync(this.fd, this.segSize);
      } catch {
        // Cannot cut the partial write: continue in a new segment; replay cuts this one.
        try { this.openSegment(this.seg + 1); } catch { /* next write retries */ }
      }
      throw new WalWriteError(`WAL write failed: ${describeFsError(e)}`);
    } finally {
      this.frame.reset();
      if (this.frame.buf.length > 1 << 24) this.frame = new ByteWriter(1 << 16);
    }
  }

  /** Discards buffered, unflushed records. */
  discard(): void {
    this.frame.reset();
  }

  /** Resolves when everything written so far is durable per the sync policy. */
  synced(): Promise<void> {
    if (this.opts.sync === 'batch') return Promise.resolve();
    return new Promise((res, rej) => {
      this.waiters.push({ res, rej });
      if (!this.syncing) this.runSync();
    });
  }

  private runSync(): void {
    const batch = this.waiters;
    this.waiters = [];
    this.syncing = true;
    this.dirty = false;
    io.fdatasync(this.fd, (err) => {
      this.syncing = false;
      for (const w of batch) err ? w.rej(new WalWriteError(`WAL fsync failed: ${describeFsError(err)}`)) : w.res();
      if (this.waiters.length) this.runSync();
    });
  }

  private backgroundSync(): void {
    if (!this.dirty || this.syncing || this.fd < 0) return;
    this.dirty = false;
    this.syncing = true;
    io.fdatasync(this.fd, (err) => {
      this.syncing = false;
      if (err) this.opts.logger.error('WAL background fsync failed', { err: describeFsError(err) });
      if (this.waiters.length) this.runSync();
    });
  }

  /**
   * Rotates to a new segment and writes a checkpoint standing for every older segment, built
   * by `build` (which adds records via the given writer). Older segments and checkpoints are
   * removed afterwards. `build` may yield: commits made meanwhile go to the new segment, and
   * replay skips what the checkpoint already holds (samples not newer than a series' last).
   */
  async writeCheckpoint(build: (add: (type: number, payload: Uint8Array) => void) => void | Promise<void>): Promise<void> {
    const upTo = this.seg;
    this.openSegment(this.seg + 1);
    const tmp = join(this.dir, `checkpoint.${segName(upTo)}.tmp`);
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp);
    const fd = io.openSync(join(tmp, '00000000'), 'w');
    const w = new ByteWriter(1 << 20);
    try {
      await build((type, payload) => {
        w.u8(type);
        w.u32(payload.length);
        w.u32(crc32(payload));
        w.bytes(payload);
        if (w.len > 1 << 22) { writeAll(fd, w.result()); w.reset(); }
      });
      writeAll(fd, w.result());
      io.fdatasyncSync(fd);
    } finally {
      io.closeSync(fd);
    }
    const final = join(this.dir, `checkpoint.${segName(upTo)}`);
    fs.rmSync(final, { recursive: true, force: true });
    fs.renameSync(tmp, final);
    syncDir(this.dir);
    const keep = this.retainedSegments(upTo);
    for (const f of fs.readdirSync(this.dir)) {
      const m = CP_RE.exec(f);
      if (m && Number(m[1]) < upTo) fs.rmSync(join(this.dir, f), { recursive: true, force: true });
      if (SEG_RE.test(f) && Number(f) <= upTo && !keep.has(Number(f))) fs.rmSync(join(this.dir, f), { force: true });
    }
  }

  /** Segments <= upTo that a reader still needs, newest first while within keepMaxBytes. */
  private retainedSegments(upTo: number): Set<number> {
    const keep = new Set<number>();
    const from = this.keepFrom?.() ?? Infinity;
    if (!(from <= upTo)) return keep;
    let bytes = 0;
    for (const s of this.segments().filter((x) => x >= from && x <= upTo).reverse()) {
      let size = 0;
      try { size = fs.statSync(join(this.dir, segName(s))).size; } catch { continue; }
      if (bytes + size > this.keepMaxBytes) {
        this.opts.logger.warn('WAL segments still unread by remote_write exceed the size bound; deleting them', { fromSegment: from, upToSegment: s, maxBytes: this.keepMaxBytes });
        break;
      }
      bytes += size;
      keep.add(s);
    }
    return keep;
  }

  /** Bytes in segments and checkpoints. */
  size(): number {
    let total = 0;
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else total += fs.statSync(join(d, e.name)).size;
      }
    };
    try { walk(this.dir); } catch { /* dir removed */ }
    return total;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.fd >= 0) {
      try { io.fdatasyncSync(this.fd); } catch (e) { this.opts.logger.error('WAL fsync at close failed', { err: describeFsError(e) }); }
      io.closeSync(this.fd);
      this.fd = -1;
    }
    for (const w of this.waiters) w.rej(new WalWriteError('WAL closed'));
    this.waiters = [];
  }
}

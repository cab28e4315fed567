// An on-disk FIFO of encoded remote_write requests, used while the receiver is failing and
// across restarts: batches that could not be delivered are appended here in order and replayed
// in order, so an outage or a restart loses nothing while the queue stays under its size
// bound (beyond it the oldest segment is dropped and counted).
//
// Layout: <dir>/<8-digit n>.seg segment files of records
//   [u32 payload length][u32 crc32(payload)][u32 samples][f64 max timestamp][payload]
// and <dir>/progress: JSON {seg, off} of the first unacknowledged record.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

const HDR = 20;

export interface QueuedBatch {
  payload: Buffer;
  samples: number;
  maxT: number;
}

export interface DiskQueueOptions {
  /** Total size bound in bytes (default 1 GiB). */
  maxBytes?: number;
  /** Segment size before rolling over (default 16 MiB). */
  segmentBytes?: number;
}

export class DiskQueue {
  private segs: number[] = [];
  private readSeg = 0;
  private readOff = 0;
  private writeFd: number | undefined;
  private writeSize = 0;
  private bytes = 0;
  /** Records appended and not yet acknowledged (approximate after a restart: recounted on open). */
  records = 0;
  samples = 0;
  droppedSamples = 0;
  corruptRecords = 0;
  private readonly maxBytes: number;
  private readonly segBytes: number;

  constructor(
    readonly dir: string,
    opts: DiskQueueOptions = {},
  ) {
    this.maxBytes = opts.maxBytes ?? 1 << 30;
    this.segBytes = opts.segmentBytes ?? 16 << 20;
    mkdirSync(dir, { recursive: true });
    this.segs = readdirSync(dir)
      .filter((f) => /^\d{8}\.seg$/.test(f))
      .map((f) => Number(f.slice(0, 8)))
      .sort((a, b) => a - b);
    const pf = join(dir, 'progress');
    if (existsSync(pf)) {
      try {
        const p = JSON.parse(readFileSync(pf, 'utf8')) as { seg: number; off: number };
        this.readSeg = p.seg;
        this.readOff = p.off;
      } catch {
        this.readSeg = this.segs[0] ?? 0; // unreadable progress: replay everything (duplicates are harmless)
        this.readOff = 0;
      }
    } else this.readSeg = this.segs[0] ?? 0;
    // segments fully before the read position are done
    for (const s of this.segs.filter((s) => s < this.readSeg)) this.unlinkSeg(s);
    this.segs = this.segs.filter((s) => s >= this.readSeg);
    if (this.segs.length === 0) this.readOff = 0;
    else if (this.segs[0] !== this.readSeg) {
      this.readSeg = this.segs[0]!;
      this.readOff = 0;
    }
    this.recount();
  }

  private segPath(n: number): string {
    return join(this.dir, String(n).padStart(8, '0') + '.seg');
  }

  private unlinkSeg(n: number): void {
    try {
      unlinkSync(this.segPath(n));
    } catch {
      /* already gone */
    }
  }

  /** Walks unacknowledged records to restore counts (and the size bound) after a restart. */
  private recount(): void {
    this.records = 0;
    this.samples = 0;
    this.bytes = 0;
    for (const s of this.segs) {
      const buf = readFileSync(this.segPath(s));
      this.bytes += buf.length;
      let off = s === this.readSeg ? this.readOff : 0;
      while (off + HDR <= buf.length) {
        const len = buf.readUInt32LE(off);
        if (off + HDR + len > buf.length) break; // torn tail from a crash: ignored
        this.records++;
        this.samples += buf.readUInt32LE(off + 8);
        off += HDR + len;
      }
    }
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  get empty(): boolean {
    return this.records === 0;
  }

  append(b: QueuedBatch): void {
    if (this.writeFd === undefined || this.writeSize >= this.segBytes) this.roll();
    const hdr = Buffer.allocUnsafe(HDR);
    hdr.writeUInt32LE(b.payload.length, 0);
    hdr.writeUInt32LE(crc32(b.payload), 4);
    hdr.writeUInt32LE(b.samples, 8);
    hdr.writeDoubleLE(b.maxT, 12);
    writeSync(this.writeFd!, hdr);
    writeSync(this.writeFd!, b.payload);
    this.writeSize += HDR + b.payload.length;
    this.bytes += HDR + b.payload.length;
    this.records++;
    this.samples += b.samples;
    while (this.bytes > this.maxBytes && this.segs.length > 1) this.dropOldest();
  }

  private roll(): void {
    if (this.writeFd !== undefined) closeSync(this.writeFd);
    const n = (this.segs[this.segs.length - 1] ?? this.readSeg - 1) + 1;
    this.writeFd = openSync(this.segPath(n), 'a');
    this.writeSize = fstatSync(this.writeFd).size;
    if (!this.segs.includes(n)) this.segs.push(n);
    if (this.segs.length === 1) {
      this.readSeg = n;
      this.readOff = this.writeSize;
    }
  }

  private dropOldest(): void {
    const s = this.segs[0]!;
    const buf = readFileSync(this.segPath(s));
    let off = s === this.readSeg ? this.readOff : 0;
    while (off + HDR <= buf.length) {
      const len = buf.readUInt32LE(off);
      if (off + HDR + len > buf.length) break;
      this.records--;
      const n = buf.readUInt32LE(off + 8);
      this.samples -= n;
      this.droppedSamples += n;
      off += HDR + len;
    }
    this.bytes -= buf.length;
    this.segs.shift();
    this.unlinkSeg(s);
    this.readSeg = this.segs[0]!;
    this.readOff = 0;
    this.saveProgress();
  }

  /** The oldest unacknowledged batch (skipping corrupt records, which are counted). */
  peek(): QueuedBatch | undefined {
    while (this.segs.length > 0) {
      const path = this.segPath(this.readSeg);
      const fd = openSync(path, 'r');
      try {
        const size = fstatSync(fd).size;
        if (this.readOff + HDR > size) {
          if (this.readSeg === this.segs[this.segs.length - 1]) return undefined; // caught up with the writer
          this.advanceSegment();
          continue;
        }
        const hdr = Buffer.allocUnsafe(HDR);
        readSync(fd, hdr, 0, HDR, this.readOff);
        const len = hdr.readUInt32LE(0);
        if (this.readOff + HDR + len > size) {
          if (this.readSeg === this.segs[this.segs.length - 1]) return undefined;
          this.advanceSegment(); // torn record at the end of an old segment
          continue;
        }
        const payload = Buffer.allocUnsafe(len);
        readSync(fd, payload, 0, len, this.readOff + HDR);
        if (crc32(payload) !== hdr.readUInt32LE(4)) {
          this.corruptRecords++;
          this.skip(len, hdr.readUInt32LE(8));
          continue;
        }
        return { payload, samples: hdr.readUInt32LE(8), maxT: hdr.readDoubleLE(12) };
      } finally {
        closeSync(fd);
      }
    }
    return undefined;
  }

  private skip(len: number, samples: number): void {
    this.readOff += HDR + len;
    this.records = Math.max(0, this.records - 1);
    this.samples = Math.max(0, this.samples - samples);
    this.saveProgress();
  }

  private advanceSegment(): void {
    const done = this.segs.shift()!;
    if (done === this.readSeg && this.segs.length === 0) return;
    this.bytes -= this.fileSize(done);
    this.unlinkSeg(done);
    this.readSeg = this.segs[0]!;
    this.readOff = 0;
    this.saveProgress();
  }

  private fileSize(n: number): number {
    try {
      return statSync(this.segPath(n)).size;
    } catch {
      return 0;
    }
  }

  /** Acknowledges the batch returned by the last peek(). */
  ack(b: QueuedBatch): void {
    this.skip(b.payload.length, b.samples);
    // an old segment fully read is deleted; the current write segment is reused
    if (this.records === 0 && this.segs.length > 0) this.reset();
  }

  /** Everything acknowledged: start a fresh segment so disk space is returned. */
  private reset(): void {
    if (this.writeFd !== undefined) closeSync(this.writeFd);
    this.writeFd = undefined;
    for (const s of this.segs) this.unlinkSeg(s);
    const next = (this.segs[this.segs.length - 1] ?? this.readSeg) + 1;
    this.segs = [];
    this.bytes = 0;
    this.readSeg = next;
    this.readOff = 0;
    this.saveProgress();
  }

  private saveProgress(): void {
    const p = join(this.dir, 'progress');
    writeFileSync(p + '.tmp', JSON.stringify({ seg: this.readSeg, off: this.readOff }));
    renameSync(p + '.tmp', p);
  }

  close(): void {
    if (this.writeFd !== undefined) closeSync(this.writeFd);
    this.writeFd = undefined;
  }
}

// Immutable blocks: <dir>/<ULID>/{meta.json, index, chunks/NNNNNN, tombstones}.
// The index is read lazily: open() loads the symbol table, the postings offset table and the
// series offset table; series entries, postings lists and chunk pages are read on demand.
//
// index:  "VGIX\x01" | symbols | series entries | series offsets | postings lists | postings table | TOC
//   symbols:        uvarint count, (uvarint len, utf8)*, u32 crc
//   series entry:   uvarint nlabels, (uvarint nameSym, uvarint valueSym)*, uvarint nchunks,
//                   per chunk: varint minT (delta to previous maxT), uvarint maxT-minT, uvarint n,
//                   uvarint file, uvarint pageOffset, uvarint inPageOffset; then u32 crc
//   series offsets: u32 per series (absolute), u32 crc
//   postings list:  uvarint count, uvarint ordinal deltas, u32 crc
//   postings table: uvarint nNames, per name: uvarint nameSym, uvarint nValues,
//                   per value: uvarint valueSym, uvarint offset; u32 crc
//   TOC (last 64 bytes): f64 symbolsOff, seriesOff, offsetsOff, numSeries, postingsOff,
//                   tableOff, tableEnd; u32 crc of those 56 bytes; "VGIX"
import * as fs from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Label, Labels } from '../model/labels.js';
import { compareLabels } from '../model/labels.js';
import { ByteReader, ByteWriter } from './bytes.js';
import { BlockCorruptError, ChunkFileReader, ChunkFileWriter } from './chunkfile.js';
import { decodeBlockChunk, encodeBlockChunk } from './dchunk.js';
import { io, syncDir, writeAll } from './fsio.js';
import { EMPTY, type PostingsSource } from './postings.js';
import { ulid } from './ulid.js';

export { BlockCorruptError };

export const INDEX_MAGIC = Buffer.from('VGIX\x01', 'latin1');
const TOC_LEN = 64;
const SERIES_CACHE_MAX = 64 * 1024 * 1024;
/** Block chunks hold at most this many samples. */
export const BLOCK_CHUNK_SAMPLES = 2048;

export interface BlockMeta {
  ulid: string;
  /** Inclusive. */
  minTime: number;
  /** Exclusive, as in Prometheus. */
  maxTime: number;
  stats: { numSamples: number; numSeries: number; numChunks: number; numTombstones?: number };
  compaction: { level: number; sources: string[] };
  version: 1;
  vigil: { format: 1; files: { name: string; size: number }[] };
}

export interface WriterOptions {
  level?: number;
  sources?: string[];
  /** Brotli quality for chunk pages (0-11). */
  quality?: number;
}

interface PendingSeries {
  labels: Labels;
  /** minT,maxT,n,file,page,off per chunk. */
  chunks: number[];
}

/** Writes one block into <parent>/<ulid>.tmp, then renames it into place on finish(). */
export class BlockWriter {
  readonly id = ulid();
  private readonly tmp: string;
  private readonly cw: ChunkFileWriter;
  private series: PendingSeries[] = [];
  private enc = new ByteWriter(1 << 16);
  private numSamples = 0;
  private numChunks = 0;

  constructor(
    readonly parent: string,
    readonly mint: number,
    readonly maxt: number,
    private readonly opts: WriterOptions = {},
  ) {
    this.tmp = join(parent, this.id + '.tmp');
    fs.rmSync(this.tmp, { recursive: true, force: true });
    fs.mkdirSync(this.tmp, { recursive: true });
    this.cw = new ChunkFileWriter(join(this.tmp, 'chunks'), opts.quality ?? 4);
  }

  /** Adds one series' samples (time-sorted, within [mint, maxt)). */
  add(labels: Labels, t: Float64Array, v: Float64Array): void {
    const n = t.length;
    if (n === 0) return;
    const chunks: number[] = [];
    for (let i = 0; i < n; i += BLOCK_CHUNK_SAMPLES) {
      const j = Math.min(n, i + BLOCK_CHUNK_SAMPLES);
      this.enc.reset();
      encodeBlockChunk(this.enc, t, v, i, j);
      const ref = this.cw.add(this.enc.result());
      chunks.push(t[i]!, t[j - 1]!, j - i, ref.file, ref.page, ref.off);
      this.numChunks++;
    }
    this.numSamples += n;
    this.series.push({ labels, chunks });
  }

  get seriesCount(): number {
    return this.series.length;
  }

  /** Writes index and meta and moves the block into place; returns its dir and meta. */
  finish(): { dir: string; meta: BlockMeta } {
    const files = this.cw.finish();
    const series = this.series.sort((a, b) => compareLabels(a.labels, b.labels));
    const indexSize = writeIndex(join(this.tmp, 'index'), series);
    io.writeFileSync(join(this.tmp, 'tombstones'), JSON.stringify({ version: 1, intervals: [] }));
    const meta: BlockMeta = {
      ulid: this.id,
      minTime: this.mint,
      maxTime: this.maxt,
      stats: { numSamples: this.numSamples, numSeries: series.length, numChunks: this.numChunks },
      compaction: { level: this.opts.level ?? 1, sources: this.opts.sources ?? [this.id] },
      version: 1,
      vigil: { format: 1, files: [{ name: 'index', size: indexSize }, ...files.map((f) => ({ name: 'chunks/' + f.name, size: f.size }))] },
    };
    io.writeFileSync(join(this.tmp, 'meta.json'), JSON.stringify(meta, null, 2));
    syncDir(join(this.tmp, 'chunks'));
    syncDir(this.tmp);
    const dir = join(this.parent, this.id);
    fs.renameSync(this.tmp, dir);
    syncDir(this.parent);
    return { dir, meta };
  }

  abort(): void {
    try { this.cw.finish(); } catch { /* ignore */ }
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}

function writeIndex(path: string, series: PendingSeries[]): number {
  const symSet = new Set<string>();
  for (const s of series) for (const l of s.labels) { symSet.add(l.name); symSet.add(l.value); }
  const syms = [...symSet].sort();
  const symIdx = new Map<string, number>();
  syms.forEach((s, i) => symIdx.set(s, i));

  const fd = io.openSync(path, 'w');
  let pos = 0;
  const w = new ByteWriter(1 << 20);
  const flushIf = (force = false) => {
    if (w.len > 1 << 20 || (force && w.len)) { writeAll(fd, w.result()); pos += w.len; w.reset(); }
  };
  try {
    w.bytes(INDEX_MAGIC);
    const symbolsOff = pos + w.len;
    let start = w.len;
    w.uvarint(syms.length);
    for (const s of syms) w.str(s);
    w.u32(crc32(w.buf.subarray(start, w.len)));
    flushIf(true);
    const seriesOff = pos;
    const offsets = new Uint32Array(series.length);
    const postings = new Map<string, Map<string, number[]>>();
    for (let ord = 0; ord < series.length; ord++) {
      const s = series[ord]!;
      offsets[ord] = pos + w.len;
      start = w.len;
      w.uvarint(s.labels.length);
      for (const l of s.labels) {
        w.uvarint(symIdx.get(l.name)!);
        w.uvarint(symIdx.get(l.value)!);
        let byValue = postings.get(l.name);
        if (!byValue) postings.set(l.name, (byValue = new Map()));
        let list = byValue.get(l.value);
        if (!list) byValue.set(l.value, (list = []));
        list.push(ord);
      }
      const c = s.chunks;
      w.uvarint(c.length / 6);
      let prevMax = 0;
      for (let i = 0; i < c.length; i += 6) {
        w.varint(c[i]! - prevMax);
        w.uvarint(c[i + 1]! - c[i]!);
        prevMax = c[i + 1]!;
        w.uvarint(c[i + 2]!);
        w.uvarint(c[i + 3]!);
        w.uvarint(c[i + 4]!);
        w.uvarint(c[i + 5]!);
      }
      w.u32(crc32(w.buf.subarray(start, w.len)));
      flushIf();
    }
    flushIf(true);
    const offsetsOff = pos;
    const ob = new Uint8Array(offsets.buffer);
    w.bytes(ob);
    w.u32(crc32(ob));
    flushIf(true);
    const postingsOff = pos;
    const table: { name: string; values: { value: string; off: number }[] }[] = [];
    for (const name of [...postings.keys()].sort()) {
      const byValue = postings.get(name)!;
      const values: { value: string; off: number }[] = [];
      for (const value of [...byValue.keys()].sort()) {
        const list = byValue.get(value)!;
        values.push({ value, off: pos + w.len });
        start = w.len;
        w.uvarint(list.length);
        let prev = 0;
        for (const o of list) { w.uvarint(o - prev); prev = o; }
        w.u32(crc32(w.buf.subarray(start, w.len)));
        flushIf();
      }
      table.push({ name, values });
    }
    flushIf(true);
    const tableOff = pos;
    start = 0;
    w.uvarint(table.length);
    for (const t of table) {
      w.uvarint(symIdx.get(t.name)!);
      w.uvarint(t.values.length);
      for (const v of t.values) { w.uvarint(symIdx.get(v.value)!); w.uvarint(v.off); }
    }
    w.u32(crc32(w.buf.subarray(0, w.len)));
    flushIf(true);
    const tableEnd = pos;
    const toc = Buffer.alloc(TOC_LEN);
    [symbolsOff, seriesOff, offsetsOff, series.length, postingsOff, tableOff, tableEnd].forEach((x, i) => toc.writeDoubleLE(x, i * 8));
    toc.writeUInt32LE(crc32(toc.subarray(0, 56)), 56);
    toc.write('VGIX', 60, 'latin1');
    writeAll(fd, toc);
    pos += TOC_LEN;
    io.fdatasyncSync(fd);
  } finally {
    io.closeSync(fd);
  }
  return pos;
}

export interface BlockSeries {
  labels: Labels;
  /** minT,maxT,n,file,page,off per chunk. */
  chunks: number[];
}

export interface Tombstone {
  mint: number;
  maxt: number;
}

/** A block on disk, opened lazily. */
export class BlockReader implements PostingsSource {
  private fd: number;
  private syms: string[] = [];
  private table = new Map<string, { values: string[]; offs: number[] }>();
  private offsets: Uint32Array;
  private postingsOff: number;
  private seriesOff = 0;
  /** The series section, read on first use when small enough (saves a syscall per series). */
  private seriesBuf: Buffer | null = null;
  private chunks: ChunkFileReader;
  readonly numSeries: number;
  /** Deleted intervals per series ordinal. */
  tombstones = new Map<number, Tombstone[]>();
  private refs = 0;
  private closing = false;
  private closed = false;

  private constructor(readonly dir: string, readonly meta: BlockMeta) {
    const where = `block ${meta.ulid}`;
    const indexPath = join(dir, 'index');
    this.fd = fs.openSync(indexPath, 'r');
    try {
      const size = fs.fstatSync(this.fd).size;
      if (size < TOC_LEN + INDEX_MAGIC.length) throw new BlockCorruptError(`${where}: index too short (${size} bytes)`);
      const toc = this.read(size - TOC_LEN, TOC_LEN);
      if (toc.toString('latin1', 60, 64) !== 'VGIX' || crc32(toc.subarray(0, 56)) !== toc.readUInt32LE(56)) {
        throw new BlockCorruptError(`${where}: index table of contents is damaged (file truncated?)`);
      }
      const f = (i: number) => toc.readDoubleLE(i * 8);
      const [symbolsOff, seriesOff, offsetsOff, numSeries, postingsOff, tableOff, tableEnd] = [0, 1, 2, 3, 4, 5, 6].map(f) as number[];
      this.numSeries = numSeries!;
      this.postingsOff = postingsOff!;
      this.seriesOff = seriesOff!;
      this.offsetsStart = offsetsOff!;
      const symBuf = this.read(symbolsOff!, seriesOff! - symbolsOff!);
      this.checkCrc(symBuf, 'symbol table');
      const r = new ByteReader(symBuf, 0, symBuf.length - 4);
      const ns = r.uvarint();
      for (let i = 0; i < ns; i++) this.syms.push(r.str());
      const offBuf = this.read(offsetsOff!, numSeries! * 4 + 4);
      this.checkCrc(offBuf, 'series offsets');
      this.offsets = new Uint32Array(offBuf.buffer.slice(offBuf.byteOffset, offBuf.byteOffset + numSeries! * 4));
      const tb = this.read(tableOff!, tableEnd! - tableOff!);
      this.checkCrc(tb, 'postings table');
      const tr = new ByteReader(tb, 0, tb.length - 4);
      const nn = tr.uvarint();
      for (let i = 0; i < nn; i++) {
        const name = this.syms[tr.uvarint()]!;
        const nv = tr.uvarint();
        const values: string[] = new Array(nv), offs: number[] = new Array(nv);
        for (let j = 0; j < nv; j++) { values[j] = this.syms[tr.uvarint()]!; offs[j] = tr.uvarint(); }
        this.table.set(name, { values, offs });
      }
    } catch (e) {
      fs.closeSync(this.fd);
      if (e instanceof BlockCorruptError) throw e;
      throw new BlockCorruptError(`${where}: cannot read index: ${(e as Error).message}`);
    }
    this.chunks = new ChunkFileReader(join(dir, 'chunks'), meta.ulid);
    try {
      this.chunks.openAll((meta.vigil?.files ?? []).filter((f) => f.name.startsWith('chunks/')).length);
      this.loadTombstones();
    } catch (e) {
      this.chunks.close();
      fs.closeSync(this.fd);
      throw e;
    }
  }

  /** Opens and validates a block directory (files present with their recorded sizes). */
  static open(dir: string): BlockReader {
    let meta: BlockMeta;
    try {
      meta = JSON.parse(fs.readFileSync(join(dir, 'meta.json'), 'utf8')) as BlockMeta;
    } catch (e) {
      throw new BlockCorruptError(`block ${dir}: unreadable meta.json: ${(e as Error).message}`);
    }
    for (const f of meta.vigil?.files ?? []) {
      let size: number;
      try {
        size = fs.statSync(join(dir, f.name)).size;
      } catch {
        throw new BlockCorruptError(`block ${meta.ulid}: file ${f.name} is missing`);
      }
      if (size !== f.size) throw new BlockCorruptError(`block ${meta.ulid}: file ${f.name} has ${size} bytes, expected ${f.size} (truncated or damaged)`);
    }
    return new BlockReader(dir, meta);
  }

  private read(pos: number, len: number): Buffer {
    const b = Buffer.allocUnsafe(len);
    const n = fs.readSync(this.fd, b, 0, len, pos);
    if (n !== len) throw new BlockCorruptError(`block ${this.meta.ulid}: index truncated at ${pos + n}`);
    return b;
  }

  private checkCrc(b: Uint8Array, what: string): void {
    const l = b.length;
    if (l < 4 || crc32(b.subarray(0, l - 4)) !== (b[l - 4]! | (b[l - 3]! << 8) | (b[l - 2]! << 16) | (b[l - 1]! << 24)) >>> 0) {
      throw new BlockCorruptError(`block ${this.meta.ulid}: index ${what} checksum mismatch`);
    }
  }

  private loadTombstones(): void {
    this.tombstones.clear();
    let raw: string;
    try {
      raw = fs.readFileSync(join(this.dir, 'tombstones'), 'utf8');
    } catch {
      return;
    }
    try {
      const j = JSON.parse(raw) as { intervals: [number, number, number][] };
      for (const [ord, mint, maxt] of j.intervals) {
        let l = this.tombstones.get(ord);
        if (!l) this.tombstones.set(ord, (l = []));
        l.push({ mint, maxt });
      }
    } catch (e) {
      throw new BlockCorruptError(`block ${this.meta.ulid}: tombstones unreadable: ${(e as Error).message}`);
    }
  }

  /** Replaces the tombstones file (atomically). */
  writeTombstones(t: Map<number, Tombstone[]>): void {
    const intervals: [number, number, number][] = [];
    for (const [ord, l] of t) for (const x of l) intervals.push([ord, x.mint, x.maxt]);
    const tmp = join(this.dir, 'tombstones.tmp');
    io.writeFileSync(tmp, JSON.stringify({ version: 1, intervals }));
    fs.renameSync(tmp, join(this.dir, 'tombstones'));
    this.tombstones = t;
  }

  labelValues(name: string): readonly string[] {
    return this.table.get(name)?.values ?? [];
  }

  labelNames(): string[] {
    return [...this.table.keys()].sort();
  }

  postings(name: string, value: string): Uint32Array {
    const e = this.table.get(name);
    if (!e) return EMPTY;
    let lo = 0, hi = e.values.length;
    while (lo < hi) { const m = (lo + hi) >>> 1; if (e.values[m]! < value) lo = m + 1; else hi = m; }
    if (lo >= e.values.length || e.values[lo] !== value) return EMPTY;
    const off = e.offs[lo]!;
    const end = lo + 1 < e.offs.length ? e.offs[lo + 1]! : this.nextPostingsBoundary(name, off);
    const b = this.read(off, end - off);
    this.checkCrc(b, `postings ${name}=${JSON.stringify(value)}`);
    const r = new ByteReader(b, 0, b.length - 4);
    const n = r.uvarint();
    const out = new Uint32Array(n);
    let x = 0;
    for (let i = 0; i < n; i++) out[i] = x += r.uvarint();
    return out;
  }

  private nextPostingsBoundary(_name: string, off: number): number {
    // Lists are laid out in table order; the end of the last value of a name is the start of
    // the next name's first list, or the table itself.
    let best = Infinity;
    for (const e of this.table.values()) if (e.offs.length && e.offs[0]! > off && e.offs[0]! < best) best = e.offs[0]!;
    if (best === Infinity) {
      const toc = this.read(fs.fstatSync(this.fd).size - TOC_LEN, TOC_LEN);
      best = toc.readDoubleLE(5 * 8);
    }
    return best;
  }

  allPostings(): Uint32Array {
    const out = new Uint32Array(this.numSeries);
    for (let i = 0; i < out.length; i++) out[i] = i;
    return out;
  }

  series(ord: number): BlockSeries {
    const off = this.offsets[ord]!;
    const end = ord + 1 < this.numSeries ? this.offsets[ord + 1]! : this.offsetsSectionStart();
    if (!this.seriesBuf && this.offsetsStart - this.seriesOff <= SERIES_CACHE_MAX) this.seriesBuf = this.read(this.seriesOff, this.offsetsStart - this.seriesOff);
    const b = this.seriesBuf ? this.seriesBuf.subarray(off - this.seriesOff, end - this.seriesOff) : this.read(off, end - off);
    this.checkCrc(b, `series ${ord}`);
    const r = new ByteReader(b, 0, b.length - 4);
    const nl = r.uvarint();
    const labels: Label[] = [];
    for (let i = 0; i < nl; i++) labels.push({ name: this.syms[r.uvarint()]!, value: this.syms[r.uvarint()]! });
    const nc = r.uvarint();
    const chunks: number[] = [];
    let prevMax = 0;
    for (let i = 0; i < nc; i++) {
      const minT = prevMax + r.varint();
      const maxT = minT + r.uvarint();
      prevMax = maxT;
      chunks.push(minT, maxT, r.uvarint(), r.uvarint(), r.uvarint(), r.uvarint());
    }
    return { labels, chunks };
  }

  private offsetsStart = -1;
  private offsetsSectionStart(): number {
    if (this.offsetsStart < 0) {
      const toc = this.read(fs.fstatSync(this.fd).size - TOC_LEN, TOC_LEN);
      this.offsetsStart = toc.readDoubleLE(2 * 8);
    }
    return this.offsetsStart;
  }

  /** Upper bound of the samples of s in [mint, maxt]. */
  countSamples(s: BlockSeries, mint: number, maxt: number): number {
    const c = s.chunks;
    let total = 0;
    for (let i = 0; i < c.length; i += 6) if (c[i + 1]! >= mint && c[i]! <= maxt) total += c[i + 2]!;
    return total;
  }

  /** Decodes samples in [mint, maxt] into t/v at `o` (tombstones NOT applied); returns the new offset. */
  decodeInto(ord: number, s: BlockSeries, mint: number, maxt: number, t: Float64Array, v: Float64Array, o: number): number {
    const c = s.chunks;
    for (let i = 0; i < c.length; i += 6) {
      if (c[i + 1]! < mint || c[i]! > maxt) continue;
      const page = this.chunks.page(c[i + 3]!, c[i + 4]!);
      try {
        o = decodeBlockChunk(page, c[i + 5]!, page.length, t, v, o, mint, maxt);
      } catch (e) {
        throw new BlockCorruptError(`block ${this.meta.ulid}: chunk of series ${ord} undecodable: ${(e as Error).message}`);
      }
    }
    return o;
  }

  /** Decodes a series' samples in [mint, maxt] (tombstoned ranges removed). */
  samples(ord: number, s: BlockSeries, mint: number, maxt: number): { t: Float64Array; v: Float64Array } {
    const c = s.chunks;
    let total = 0;
    for (let i = 0; i < c.length; i += 6) if (c[i + 1]! >= mint && c[i]! <= maxt) total += c[i + 2]!;
    let t = new Float64Array(total), v = new Float64Array(total);
    let o = 0;
    for (let i = 0; i < c.length; i += 6) {
      if (c[i + 1]! < mint || c[i]! > maxt) continue;
      const page = this.chunks.page(c[i + 3]!, c[i + 4]!);
      try {
        o = decodeBlockChunk(page, c[i + 5]!, page.length, t, v, o, mint, maxt);
      } catch (e) {
        throw new BlockCorruptError(`block ${this.meta.ulid}: chunk of series ${ord} undecodable: ${(e as Error).message}`);
      }
    }
    if (o < total) { t = t.subarray(0, o); v = v.subarray(0, o); }
    const ts = this.tombstones.get(ord);
    return ts ? applyTombstones(t, v, ts) : { t, v };
  }

  /** Size on disk in bytes. */
  sizeBytes(): number {
    return (this.meta.vigil?.files ?? []).reduce((a, f) => a + f.size, 0);
  }

  /** Querier bookkeeping: close is deferred while readers are active. */
  acquire(): void {
    this.refs++;
  }
  release(): void {
    this.refs--;
    if (this.refs === 0 && this.closing) this.doClose();
  }
  close(): void {
    this.closing = true;
    if (this.refs === 0) this.doClose();
  }
  private doClose(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
    this.chunks.close();
  }
}

/** Removes samples inside any interval (inclusive bounds). */
export function applyTombstones(t: Float64Array, v: Float64Array, ts: readonly Tombstone[]): { t: Float64Array; v: Float64Array } {
  let n = 0;
  const ot = new Float64Array(t.length), ov = new Float64Array(v.length);
  const ou = new Uint32Array(ov.buffer), iu = new Uint32Array(v.buffer, v.byteOffset, v.length * 2);
  for (let i = 0; i < t.length; i++) {
    const x = t[i]!;
    let dead = false;
    for (const iv of ts) if (x >= iv.mint && x <= iv.maxt) { dead = true; break; }
    if (dead) continue;
    ot[n] = x;
    ou[n * 2] = iu[i * 2]!;
    ou[n * 2 + 1] = iu[i * 2 + 1]!;
    n++;
  }
  return { t: ot.subarray(0, n), v: ov.subarray(0, n) };
}

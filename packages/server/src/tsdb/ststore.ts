// Start timestamps ("created timestamps", Prometheus 3's experimental ST) of float and native
// histogram samples. Sparse: only samples appended with a start timestamp have an entry, kept
// beside the float head (which stays untouched and fast) in a map keyed by label set. Durable as
// WAL records (type 7, replayed and written to checkpoints) and as immutable per-block-range
// files `starttimestamps/<mint>-<maxt>.st` written when the head is persisted.
// Format: docs/tsdb-format.md ("Start timestamps").
import { decodeSideList, encodeSideList, persistWholeRanges, truncateSideHead } from './sidehead.js';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { compareLabels, labelsKey, type Labels } from '../model/labels.js';
import { matches, newMatcher, type MatchType, type Matcher } from '../model/matchers.js';
import type { SampleArrays } from '../model/sample.js';
import type { HistogramSamples, Series } from '../storage/interface.js';
import { ByteReader, ByteWriter } from './bytes.js';
import { io, syncDir } from './fsio.js';
import type { TSDB } from './db.js';

export const REC_START_TIMESTAMPS = 7;
const FILE_MAGIC = 0x53545331; // "STS1"
const SUBDIR = 'starttimestamps';

/** One series' start timestamps: st[i] belongs to the sample at t[i]; t ascending. */
export interface STSeries {
  labels: Labels;
  t: number[];
  st: number[];
}

interface STFile {
  mint: number;
  maxt: number;
  path: string;
  series?: STSeries[];
}

/** Body of a record or file: uvarint nseries; per series labels, uvarint n, (varint Δt, varint t−st)×n. */
export function encodeSTList(w: ByteWriter, list: readonly STSeries[]): void {
  encodeSideList(w, list, (w, s, i) => w.varint(s.t[i]! - s.st[i]!));
}

export function decodeSTList(r: ByteReader, fn: (labels: Labels, t: number, st: number) => void): void {
  decodeSideList(r, (r, t) => t - r.varint(), fn);
}

const matchAll = (ms: readonly Matcher[], ls: Labels) => ms.every((m) => matches(m, ls.find((l) => l.name === m.name)?.value ?? ''));

export class STStore {
  private readonly head = new Map<string, STSeries>();
  private files: STFile[] = [];
  private deleted: { ms: Matcher[]; start: number; end: number }[] = [];

  constructor(private readonly dir: string | undefined) {
    if (!dir) return;
    const d = join(dir, SUBDIR);
    if (!fs.existsSync(d)) return;
    for (const f of fs.readdirSync(d)) {
      const m = /^(-?\d+)-(-?\d+)\.st$/.exec(f);
      if (m) this.files.push({ mint: Number(m[1]), maxt: Number(m[2]), path: join(d, f) });
    }
    this.files.sort((a, b) => a.mint - b.mint);
    const dp = join(d, 'deleted.json');
    if (fs.existsSync(dp)) {
      const raw = JSON.parse(fs.readFileSync(dp, 'utf8')) as { ms: { type: MatchType; name: string; value: string }[]; start: number; end: number }[];
      this.deleted = raw.map((x) => ({ ms: x.ms.map((m) => newMatcher(m.type, m.name, m.value)), start: x.start, end: x.end }));
    }
  }

  /** True when nothing was ever stored: queries skip all start-timestamp work. */
  get empty(): boolean {
    return this.head.size === 0 && this.files.length === 0;
  }

  get numSeries(): number {
    return this.head.size;
  }

  /** Records the start timestamp of the sample at t (replaces an earlier one for the same t). */
  add(labels: Labels, t: number, st: number): void {
    const k = labelsKey(labels);
    let s = this.head.get(k);
    if (!s) this.head.set(k, (s = { labels, t: [], st: [] }));
    let i = s.t.length;
    if (i === 0 || s.t[i - 1]! < t) { s.t.push(t); s.st.push(st); return; }
    while (i > 0 && s.t[i - 1]! > t) i--;
    if (i > 0 && s.t[i - 1] === t) { s.st[i - 1] = st; return; }
    s.t.splice(i, 0, t);
    s.st.splice(i, 0, st);
  }

  private isDeleted(labels: Labels, t: number): boolean {
    for (const d of this.deleted) if (t >= d.start && t <= d.end && matchAll(d.ms, labels)) return true;
    return false;
  }

  replayRecord(r: ByteReader): void {
    decodeSTList(r, (labels, t, st) => { if (!this.isDeleted(labels, t)) this.add(labels, t, st); });
  }

  /** Head entries as WAL payloads (for checkpoints), bounded in size. */
  walPayloads(add: (type: number, payload: Uint8Array) => void): void {
    const w = new ByteWriter(1 << 16);
    let batch: STSeries[] = [], n = 0;
    const flush = () => {
      if (!batch.length) return;
      w.reset();
      encodeSTList(w, batch);
      add(REC_START_TIMESTAMPS, w.result());
      batch = [];
      n = 0;
    };
    for (const s of this.head.values()) {
      batch.push(s);
      n += s.t.length;
      if (n >= 20000) flush();
    }
    flush();
  }

  private writeFile(path: string, list: STSeries[]): void {
    const w = new ByteWriter(1 << 16);
    w.u32(FILE_MAGIC);
    encodeSTList(w, list);
    io.writeFileSync(path + '.tmp', w.result());
    fs.renameSync(path + '.tmp', path);
  }

  /** Moves head entries in [mint, maxt) to a file (with a directory) and drops entries < maxt. */
  persist(mint: number, maxt: number): void {
    if (this.dir) {
      const list: STSeries[] = [];
      for (const s of this.head.values()) {
        let a = 0;
        while (a < s.t.length && s.t[a]! < mint) a++;
        let b = a;
        while (b < s.t.length && s.t[b]! < maxt) b++;
        if (b > a) list.push({ labels: s.labels, t: s.t.slice(a, b), st: s.st.slice(a, b) });
      }
      const d = join(this.dir, SUBDIR);
      const path = join(d, `${mint}-${maxt}.st`);
      const prev = this.files.find((f) => f.path === path);
      if (prev && list.length) {
        // The range was persisted before (histogram-only ranges): keep what the file holds.
        const by = new Map<string, STSeries>();
        for (const x of [...this.load(prev), ...list]) {
          const k = labelsKey(x.labels);
          const e = by.get(k);
          if (!e) { by.set(k, { labels: x.labels, t: x.t.slice(), st: x.st.slice() }); continue; }
          for (let i = 0; i < x.t.length; i++) { e.t.push(x.t[i]!); e.st.push(x.st[i]!); }
        }
        list.length = 0;
        for (const e of by.values()) {
          const idx = e.t.map((_, i) => i).sort((x, y) => e.t[x]! - e.t[y]!);
          list.push({ labels: e.labels, t: idx.map((i) => e.t[i]!), st: idx.map((i) => e.st[i]!) });
        }
      }
      if (list.length) {
        fs.mkdirSync(d, { recursive: true });
        this.writeFile(path, list);
        syncDir(d);
        this.files = this.files.filter((f) => f.path !== path);
        this.files.push({ mint, maxt, path, series: list });
        this.files.sort((a, b) => a.mint - b.mint);
      }
    }
    this.truncate(maxt);
  }

  /** Persists whole block ranges of entries the float head's persistence does not move. */
  persistOwnRanges(blockRangeMs: number): boolean {
    return persistWholeRanges(this.head, blockRangeMs, (mint, maxt) => this.persist(mint, maxt));
  }

  /** Drops head entries before mint. */
  truncate(mint: number): void {
    truncateSideHead(this.head, mint, (s, n) => {
      s.st = s.st.slice(n);
    });
  }

  /** Deletes files entirely before `before` (retention). */
  applyRetention(before: number): void {
    for (const f of this.files) if (f.maxt <= before) fs.rmSync(f.path, { force: true });
    this.files = this.files.filter((f) => f.maxt > before);
  }

  /** Copies the files (and, with `withHead`, the head as one more file) into a snapshot dir. */
  snapshot(outDir: string, withHead: boolean): void {
    const list = [...this.head.values()].filter((s) => s.t.length);
    if (!this.files.length && !(withHead && list.length)) return;
    const d = join(outDir, SUBDIR);
    fs.mkdirSync(d, { recursive: true });
    for (const f of this.files) fs.copyFileSync(f.path, join(d, `${f.mint}-${f.maxt}.st`));
    if (withHead && list.length) {
      let mint = Infinity, maxt = -Infinity;
      for (const x of list) { mint = Math.min(mint, x.t[0]!); maxt = Math.max(maxt, x.t[x.t.length - 1]!); }
      this.writeFile(join(d, `${mint}-${maxt + 1}.st`), list);
    }
  }

  /** Forgets entries in [start, end] of matching series (admin delete); remembered for replay. */
  deleteRange(ms: readonly Matcher[], start: number, end: number): void {
    if (this.empty) return;
    const cut = (s: STSeries): boolean => {
      if (!matchAll(ms, s.labels)) return false;
      const keep = s.t.map((t) => t < start || t > end);
      if (keep.every(Boolean)) return false;
      s.st = s.st.filter((_, i) => keep[i]);
      s.t = s.t.filter((_, i) => keep[i]);
      return true;
    };
    for (const [k, s] of this.head) if (cut(s) && !s.t.length) this.head.delete(k);
    for (const f of this.files) {
      if (f.maxt <= start || f.mint > end) continue;
      const list = this.load(f);
      let changed = false;
      for (const s of list) if (cut(s)) changed = true;
      if (!changed) continue;
      f.series = list.filter((s) => s.t.length);
      this.writeFile(f.path, f.series);
    }
    this.deleted.push({ ms: [...ms], start, end });
    if (this.dir) {
      const d = join(this.dir, SUBDIR);
      fs.mkdirSync(d, { recursive: true });
      const dp = join(d, 'deleted.json');
      io.writeFileSync(dp + '.tmp', JSON.stringify(this.deleted.map((x) => ({ ms: x.ms.map((m) => ({ type: m.type, name: m.name, value: m.value })), start: x.start, end: x.end }))));
      fs.renameSync(dp + '.tmp', dp);
    }
  }

  private load(f: STFile): STSeries[] {
    if (f.series) return f.series;
    const buf = fs.readFileSync(f.path);
    const r = new ByteReader(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
    if (r.u32() !== FILE_MAGIC) throw new Error(`${f.path}: not a start timestamp file`);
    const by = new Map<string, STSeries>();
    decodeSTList(r, (labels, t, st) => {
      const k = labelsKey(labels);
      let s = by.get(k);
      if (!s) by.set(k, (s = { labels, t: [], st: [] }));
      s.t.push(t);
      s.st.push(st);
    });
    f.series = [...by.values()];
    return f.series;
  }

  /**
   * Entries with mint <= t <= maxt, by label key, of the series a select returned (`selected`,
   * which all match `ms`). Looks the selected series up by key when they are fewer than the
   * stored ones, else scans the stored ones with the matchers.
   */
  select(mint: number, maxt: number, ms: readonly Matcher[], selected: readonly { labels: Labels }[]): Map<string, STSeries> {
    const out = new Map<string, STSeries>();
    const take = (s: STSeries, k: string) => {
      const a = lowerBound(s.t, mint), b = lowerBound(s.t, maxt + 1);
      if (b === a) return;
      const p = out.get(k);
      if (!p) { out.set(k, { labels: s.labels, t: s.t.slice(a, b), st: s.st.slice(a, b) }); return; }
      for (let i = a; i < b; i++) { p.t.push(s.t[i]!); p.st.push(s.st[i]!); }
    };
    const files = this.files.filter((f) => f.maxt > mint && f.mint <= maxt);
    let stored = this.head.size;
    for (const f of files) stored += this.load(f).length;
    if (selected.length < stored) {
      const keyed = files.map((f) => this.keyed(f));
      for (const x of selected) {
        const k = labelsKey(x.labels);
        for (const m of keyed) { const s = m.get(k); if (s) take(s, k); }
        const s = this.head.get(k);
        if (s) take(s, k);
      }
    } else {
      for (const f of files) for (const s of this.load(f)) if (matchAll(ms, s.labels)) take(s, labelsKey(s.labels));
      for (const [k, s] of this.head) if (matchAll(ms, s.labels)) take(s, k);
    }
    // Files and head may interleave (snapshots): keep each series sorted by t.
    for (const s of out.values()) {
      let sorted = true;
      for (let i = 1; i < s.t.length; i++) if (s.t[i]! <= s.t[i - 1]!) { sorted = false; break; }
      if (sorted) continue;
      const idx = s.t.map((_, i) => i).sort((x, y) => s.t[x]! - s.t[y]!);
      s.t = idx.map((i) => s.t[i]!);
      s.st = idx.map((i) => s.st[i]!);
    }
    return out;
  }

  private keyedCache = new WeakMap<STSeries[], Map<string, STSeries>>();
  /** A file's series by label key (rebuilt when the file's list is replaced). */
  private keyed(f: STFile): Map<string, STSeries> {
    const list = this.load(f);
    let m = this.keyedCache.get(list);
    if (!m) {
      m = new Map();
      for (const s of list) m.set(labelsKey(s.labels), s);
      this.keyedCache.set(list, m);
    }
    return m;
  }
}

/** First index with t[i] >= x. */
function lowerBound(t: readonly number[], x: number): number {
  let a = 0, b = t.length;
  while (a < b) { const mid = (a + b) >> 1; if (t[mid]! < x) a = mid + 1; else b = mid; }
  return a;
}

const stores = new WeakMap<TSDB, STStore>();

/** The start-timestamp store of a TSDB (created on first use; reads existing files). */
export function stStoreOf(db: TSDB): STStore {
  let s = stores.get(db);
  if (!s) stores.set(db, (s = new STStore(db.dir)));
  return s;
}

export interface StagedST {
  labels: Labels;
  t: number;
  st: number;
}

/** Logs staged start timestamps to the WAL and adds them to the store (after the samples' commit). */
export function commitStartTimestamps(db: TSDB, staged: readonly StagedST[]): void {
  if (!staged.length) return;
  const store = stStoreOf(db);
  const wal = db.wal;
  if (wal) {
    const by = new Map<string, STSeries>();
    for (const s of staged) {
      const k = labelsKey(s.labels);
      let e = by.get(k);
      if (!e) by.set(k, (e = { labels: s.labels, t: [], st: [] }));
      e.t.push(s.t);
      e.st.push(s.st);
    }
    const w = new ByteWriter(1 << 12);
    encodeSTList(w, [...by.values()]);
    wal.add(REC_START_TIMESTAMPS, w.result());
  }
  for (const s of staged) store.add(s.labels, s.t, s.st);
}

/** `st` values for the sample times `t` (0 where there is no entry); undefined when none match. */
export function parallelST(t: Float64Array, e: STSeries): Float64Array | undefined {
  const out = new Float64Array(t.length);
  let j = 0, any = false;
  for (let i = 0; i < t.length; i++) {
    const x = t[i]!;
    while (j < e.t.length && e.t[j]! < x) j++;
    if (j < e.t.length && e.t[j] === x) { out[i] = e.st[j]!; any = true; }
  }
  return any ? out : undefined;
}

/**
 * Attaches start timestamps to a label-sorted select result. Only series with entries are
 * wrapped (found by binary search), so selects over data without start timestamps cost nothing.
 */
export function withStartTimestamps(series: Series[], entries: Map<string, STSeries>): Series[] {
  if (!entries.size || !series.length) return series;
  const out = series.slice();
  for (const e of entries.values()) {
    let a = 0, b = out.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (compareLabels(out[mid]!.labels, e.labels) < 0) a = mid + 1;
      else b = mid;
    }
    if (a >= out.length || compareLabels(out[a]!.labels, e.labels) !== 0) continue;
    const inner = out[a]!;
    let sa: SampleArrays | undefined;
    const samples = () => (sa ??= inner.samples());
    const hist = inner.histograms;
    const wrapped: Series = {
      labels: inner.labels,
      samples,
      startTimestamps: () => parallelST(samples().t, e),
    };
    if (hist) {
      wrapped.histograms = (): HistogramSamples => {
        const hs = hist.call(inner);
        const st = parallelST(hs.t, e);
        return st ? { t: hs.t, h: hs.h, st } : hs;
      };
    }
    out[a] = wrapped;
  }
  return out;
}

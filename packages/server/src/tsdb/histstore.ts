// Native histogram samples in the TSDB, kept beside the float machinery (which stays untouched
// and fast): an in-memory head keyed by label set, WAL records (type 6, replayed and written to
// checkpoints), and immutable per-block-range files `histograms/<mint>-<maxt>.hist` written when
// the head is persisted. Format: docs/tsdb-format.md ("Native histograms").
import { persistWholeRanges, truncateSideHead } from './sidehead.js';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { compareLabels, labelsKey, labelsToString, type Labels } from '../model/labels.js';
import { matches, newMatcher, type MatchType, type Matcher } from '../model/matchers.js';
import { storedHints, type FloatHistogram } from '../model/histogram.js';
import { decodeSeriesList, encodeSeriesList } from './histcodec.js';
import { AppendError, type HistogramSamples, type Series } from '../storage/interface.js';
import { ByteReader, ByteWriter } from './bytes.js';
import { io, syncDir } from './fsio.js';
import type { TSDB } from './db.js';

export { decodeHistogram, encodeHistogram } from './histcodec.js';

export const REC_HISTOGRAMS = 6;
const FILE_MAGIC = 0x4e484931; // "NHI1"

interface HSeries {
  labels: Labels;
  t: number[];
  h: FloatHistogram[];
}

// ---------------- the store ----------------

interface HistFile {
  mint: number;
  maxt: number;
  path: string;
  series?: HSeries[];
}

export class HistStore {
  private readonly head = new Map<string, HSeries>();
  private files: HistFile[] = [];
  /** Highest timestamp persisted to a file: older samples are refused (as for floats). */
  persistedMaxT = -Infinity;
  /** Deletions (admin API), kept in histograms/deleted.json so WAL replay honours them. */
  private deleted: { ms: Matcher[]; start: number; end: number }[] = [];

  constructor(private readonly dir: string | undefined) {
    if (!dir) return;
    const hd = join(dir, 'histograms');
    if (!fs.existsSync(hd)) return;
    for (const f of fs.readdirSync(hd)) {
      const m = /^(-?\d+)-(-?\d+)\.hist$/.exec(f);
      if (!m) continue;
      this.files.push({ mint: Number(m[1]), maxt: Number(m[2]), path: join(hd, f) });
      this.persistedMaxT = Math.max(this.persistedMaxT, Number(m[2]));
    }
    this.files.sort((a, b) => a.mint - b.mint);
    const dp = join(hd, 'deleted.json');
    if (fs.existsSync(dp)) {
      const raw = JSON.parse(fs.readFileSync(dp, 'utf8')) as { ms: { type: MatchType; name: string; value: string }[]; start: number; end: number }[];
      this.deleted = raw.map((d) => ({ ms: d.ms.map((m) => newMatcher(m.type, m.name, m.value)), start: d.start, end: d.end }));
    }
  }

  private isDeleted(labels: Labels, t: number): boolean {
    for (const d of this.deleted) {
      if (t >= d.start && t <= d.end && d.ms.every((m) => matches(m, labels.find((l) => l.name === m.name)?.value ?? ''))) return true;
    }
    return false;
  }

  /**
   * Deletes histogram samples in [start, end] of series matching all matchers: from the head
   * and the files (rewritten), and remembered for WAL replay. Returns the series affected.
   */
  deleteRange(ms: readonly Matcher[], start: number, end: number): number {
    const hit = new Set<string>();
    const match = (ls: Labels) => ms.every((m) => matches(m, ls.find((l) => l.name === m.name)?.value ?? ''));
    const cut = (s: HSeries): boolean => {
      if (!match(s.labels)) return false;
      const keep = s.t.map((t) => t < start || t > end);
      if (keep.every(Boolean)) return false;
      s.h = s.h.filter((_, i) => keep[i]);
      s.t = s.t.filter((_, i) => keep[i]);
      hit.add(labelsKey(s.labels));
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
      const w = new ByteWriter(1 << 16);
      w.u32(FILE_MAGIC);
      encodeSeriesList(w, f.series);
      io.writeFileSync(f.path + '.tmp', w.result());
      fs.renameSync(f.path + '.tmp', f.path);
    }
    this.deleted.push({ ms: [...ms], start, end });
    if (this.dir) {
      const hd = join(this.dir, 'histograms');
      fs.mkdirSync(hd, { recursive: true });
      const dp = join(hd, 'deleted.json');
      io.writeFileSync(dp + '.tmp', JSON.stringify(this.deleted.map((d) => ({ ms: d.ms.map((m) => ({ type: m.type, name: m.name, value: m.value })), start: d.start, end: d.end }))));
      fs.renameSync(dp + '.tmp', dp);
    }
    return hit.size;
  }

  get numSeries(): number {
    return this.head.size;
  }

  lastT(labels: Labels): number {
    const s = this.head.get(labelsKey(labels));
    return s && s.t.length ? s.t[s.t.length - 1]! : -Infinity;
  }

  /** Adds a validated sample (commit and WAL replay). */
  add(labels: Labels, t: number, h: FloatHistogram): boolean {
    const k = labelsKey(labels);
    let s = this.head.get(k);
    if (!s) this.head.set(k, (s = { labels, t: [], h: [] }));
    if (s.t.length && t <= s.t[s.t.length - 1]!) return false;
    if (t < this.persistedMaxT) return false;
    // The stored counter-reset hint is relative to the previous sample, fixed at append time.
    const prev = s.h.length ? s.h[s.h.length - 1] : undefined;
    s.t.push(t);
    s.h.push(prev ? storedHints([prev, h])[1]! : storedHints([h])[0]!);
    return true;
  }

  /** Head series as WAL payloads (for checkpoints), bounded in size. */
  walPayloads(add: (type: number, payload: Uint8Array) => void): void {
    const w = new ByteWriter(1 << 16);
    let batch: HSeries[] = [];
    let n = 0;
    const flush = () => {
      if (!batch.length) return;
      w.reset();
      encodeSeriesList(w, batch);
      add(REC_HISTOGRAMS, w.result());
      batch = [];
      n = 0;
    };
    for (const s of this.head.values()) {
      batch.push(s);
      n += s.t.length;
      if (n >= 2000) flush();
    }
    flush();
  }

  replayRecord(r: ByteReader): number {
    let n = 0;
    decodeSeriesList(r, (labels, t, h) => { if (!this.isDeleted(labels, t) && this.add(labels, t, h)) n++; });
    return n;
  }

  /**
   * Moves head samples in [mint, maxt) to a file (atomic rename) and drops head samples < maxt.
   * Without a directory, samples < maxt are simply dropped (in-memory retention).
   */
  persist(mint: number, maxt: number): void {
    const list: HSeries[] = [];
    for (const s of this.head.values()) {
      let a = 0;
      while (a < s.t.length && s.t[a]! < mint) a++;
      let b = a;
      while (b < s.t.length && s.t[b]! < maxt) b++;
      if (b > a) list.push({ labels: s.labels, t: s.t.slice(a, b), h: s.h.slice(a, b) });
    }
    if (this.dir && list.length) {
      const hd = join(this.dir, 'histograms');
      fs.mkdirSync(hd, { recursive: true });
      const w = new ByteWriter(1 << 16);
      w.u32(FILE_MAGIC);
      encodeSeriesList(w, list);
      const path = join(hd, `${mint}-${maxt}.hist`);
      io.writeFileSync(path + '.tmp', w.result());
      fs.renameSync(path + '.tmp', path);
      syncDir(hd);
      this.files = this.files.filter((f) => f.path !== path);
      this.files.push({ mint, maxt, path, series: list });
      this.files.sort((a, b) => a.mint - b.mint);
    }
    if (this.dir) this.persistedMaxT = Math.max(this.persistedMaxT, maxt);
    this.truncate(maxt);
  }

  /** Persists whole block ranges of entries the float head's persistence does not move. */
  persistOwnRanges(blockRangeMs: number): boolean {
    return persistWholeRanges(this.head, blockRangeMs, (mint, maxt) => this.persist(mint, maxt));
  }

  /** Drops head entries before mint. */
  truncate(mint: number): void {
    truncateSideHead(this.head, mint, (s, n) => {
      s.h = s.h.slice(n);
    });
  }

  /** Copies the files (and, with `withHead`, the head as one more file) into a snapshot dir. */
  snapshot(outDir: string, withHead: boolean): void {
    const hd = join(outDir, 'histograms');
    const list = [...this.head.values()];
    if (!this.files.length && !(withHead && list.length)) return;
    fs.mkdirSync(hd, { recursive: true });
    for (const f of this.files) fs.copyFileSync(f.path, join(hd, `${f.mint}-${f.maxt}.hist`));
    if (withHead && list.length) {
      let mint = Infinity, maxt = -Infinity;
      for (const x of list) { mint = Math.min(mint, x.t[0]!); maxt = Math.max(maxt, x.t[x.t.length - 1]!); }
      const w = new ByteWriter(1 << 16);
      w.u32(FILE_MAGIC);
      encodeSeriesList(w, list);
      io.writeFileSync(join(hd, `${mint}-${maxt + 1}.hist`), w.result());
    }
  }

  /** Deletes files entirely before `before` (retention). */
  applyRetention(before: number): void {
    for (const f of this.files) if (f.maxt <= before) fs.rmSync(f.path, { force: true });
    this.files = this.files.filter((f) => f.maxt > before);
  }

  private load(f: HistFile): HSeries[] {
    if (f.series) return f.series;
    const buf = fs.readFileSync(f.path);
    const r = new ByteReader(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
    if (r.u32() !== FILE_MAGIC) throw new Error(`${f.path}: not a histogram file`);
    const by = new Map<string, HSeries>();
    decodeSeriesList(r, (labels, t, h) => {
      const k = labelsKey(labels);
      let s = by.get(k);
      if (!s) by.set(k, (s = { labels, t: [], h: [] }));
      s.t.push(t);
      s.h.push(h);
    });
    f.series = [...by.values()];
    return f.series;
  }

  /** Label sets of series with histogram samples in [mint, maxt] (for label name/value lookups). */
  labelSets(mint: number, maxt: number): Labels[] {
    if (!this.head.size && !this.files.length) return [];
    return [...this.select(mint, maxt, []).values()].map((x) => x.labels);
  }

  /** Histogram samples in [mint, maxt] per label set matching all matchers (file + head). */
  select(mint: number, maxt: number, ms: readonly Matcher[]): Map<string, { labels: Labels; samples: HistogramSamples }> {
    const parts = new Map<string, { labels: Labels; t: number[]; h: FloatHistogram[] }>();
    const take = (s: HSeries) => {
      if (!ms.every((m) => matches(m, s.labels.find((l) => l.name === m.name)?.value ?? ''))) return;
      let a = 0;
      while (a < s.t.length && s.t[a]! < mint) a++;
      let b = a;
      while (b < s.t.length && s.t[b]! <= maxt) b++;
      if (b === a) return;
      const k = labelsKey(s.labels);
      let p = parts.get(k);
      if (!p) parts.set(k, (p = { labels: s.labels, t: [], h: [] }));
      for (let i = a; i < b; i++) { p.t.push(s.t[i]!); p.h.push(s.h[i]!); }
    };
    for (const f of this.files) if (f.maxt > mint && f.mint <= maxt) for (const s of this.load(f)) take(s);
    for (const s of this.head.values()) take(s);
    const out = new Map<string, { labels: Labels; samples: HistogramSamples }>();
    for (const [k, p] of parts) out.set(k, { labels: p.labels, samples: { t: Float64Array.from(p.t), h: p.h } });
    return out;
  }
}

const stores = new WeakMap<TSDB, HistStore>();

/** The histogram store of a TSDB (created on first use; reads existing files). */
export function histStoreOf(db: TSDB): HistStore {
  let s = stores.get(db);
  if (!s) stores.set(db, (s = new HistStore(db.dir)));
  return s;
}

export interface StagedHistogram {
  labels: Labels;
  t: number;
  h: FloatHistogram;
}

/** Validates a histogram sample against the store (out of order, too old). */
export function checkHistogram(db: TSDB, labels: Labels, t: number): void {
  const st = histStoreOf(db);
  if (!Number.isFinite(t) || Math.floor(t) !== t) throw new AppendError('out_of_bounds', `invalid timestamp ${t} for series ${labelsToString(labels)}`);
  const minValid = Math.max(db.minValidTime(), st.persistedMaxT);
  if (t < minValid) throw new AppendError('out_of_bounds', `out of bounds: histogram sample for series ${labelsToString(labels)} at ${t} is older than the head's minimum valid time ${minValid}`);
  const last = st.lastT(labels);
  if (t <= last) throw new AppendError(t === last ? 'duplicate_sample_for_timestamp' : 'out_of_order', `out of order histogram sample for series ${labelsToString(labels)}: timestamp ${t} is not after the last one ${last}`);
}

/** Logs staged histograms to the WAL and applies them to the head. */
export function commitHistograms(db: TSDB, staged: StagedHistogram[]): Promise<void> {
  if (!staged.length) return Promise.resolve();
  const st = histStoreOf(db);
  const ok = staged.filter((s) => s.t > st.lastT(s.labels) && s.t >= st.persistedMaxT);
  const wal = db.wal;
  if (wal && ok.length) {
    const w = new ByteWriter(1 << 12);
    // One entry per sample keeps the record simple; series are few per commit in practice.
    encodeSeriesList(w, ok.map((s) => ({ labels: s.labels, t: [s.t], h: [s.h] })));
    wal.add(REC_HISTOGRAMS, w.result());
    try {
      wal.flush();
    } catch (e) {
      return Promise.reject(new AppendError('storage_full', `commit of ${ok.length} histogram samples failed, nothing was stored: ${(e as Error).message}`));
    }
  }
  for (const s of ok) st.add(s.labels, s.t, s.h);
  return wal ? wal.synced() : Promise.resolve();
}

const EMPTY = { t: new Float64Array(0), v: new Float64Array(0) };

/** Joins histogram samples onto a label-sorted float select result (keeping the order). */
export function withHistograms(floats: Series[], hs: Map<string, { labels: Labels; samples: HistogramSamples }>): Series[] {
  if (!hs.size) return floats;
  const out: Series[] = [];
  for (const s of floats) {
    const k = labelsKey(s.labels);
    const h = hs.get(k);
    if (!h) { out.push(s); continue; }
    hs.delete(k);
    out.push({ labels: s.labels, samples: () => s.samples(), histograms: () => h.samples });
  }
  for (const h of hs.values()) out.push({ labels: h.labels, samples: () => EMPTY, histograms: () => h.samples });
  out.sort((a, b) => compareLabels(a.labels, b.labels));
  return out;
}

// Exemplar storage, as Prometheus's circular exemplar storage: one fixed-size ring shared by all
// series (--storage.tsdb.max-exemplars, default 100000; memory stays bounded), a per-series index
// entry pointing at its oldest and newest slot, and a "next" link per slot chaining one series'
// exemplars through the ring. Writing into an occupied slot evicts the oldest exemplar overall.
// Per series, an exemplar equal to the newest is a no-op and one not newer than it is rejected
// (out of order, counted). Durable as WAL records (type 8, replayed and written into
// checkpoints, where the ring's whole content goes). Format: docs/tsdb-format.md ("Exemplars").
import { compareLabels, labelsKey, labelsToString, type Label, type Labels } from '../model/labels.js';
import { matches, type Matcher } from '../model/matchers.js';
import type { CfgNode } from '../config/node.js';
import type { Exemplar } from '../storage/interface.js';
import { AppendError } from '../storage/interface.js';
import { ByteReader, ByteWriter } from './bytes.js';
import type { TSDB } from './db.js';

export const REC_EXEMPLARS = 8;
export const DEFAULT_MAX_EXEMPLARS = 100_000;
/** OpenMetrics: an exemplar's label names and values together hold at most 128 UTF-8 characters. */
export const EXEMPLAR_MAX_LABEL_RUNES = 128;

/** One stored exemplar as the query API returns it (ts in ms). */
export interface StoredExemplar {
  labels: Labels;
  value: number;
  ts: number;
  /** False: ts is the sample's (none was exposed); see Exemplar.hasTs. Absent = true. */
  hasTs?: boolean;
}

export interface ExemplarQueryResult {
  seriesLabels: Labels;
  exemplars: StoredExemplar[];
}

export interface ExemplarStats {
  maxExemplars: number;
  exemplarsInStorage: number;
  seriesWithExemplars: number;
  exemplarsAppended: number;
  outOfOrderExemplars: number;
  /** Exemplars refused for other reasons (label set too long). */
  invalidExemplars: number;
}

interface IndexEntry {
  oldest: number;
  newest: number;
  key: string;
  labels: Labels;
}

const NONE = -1;

/** Counts code points (UTF-8 characters), not UTF-16 units. */
function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff || i === 0 || (s.charCodeAt(i - 1) & 0xfc00) !== 0xd800) n++;
  }
  return n;
}

export function exemplarLabelRunes(ls: Labels): number {
  let n = 0;
  for (const l of ls) n += runeCount(l.name) + runeCount(l.value);
  return n;
}

function labelsSame(a: Labels, b: Labels): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.name !== b[i]!.name || a[i]!.value !== b[i]!.value) return false;
  return true;
}

/** Bit-exact float equality (NaN payloads included), as Go's `==` is not for NaN but exemplars rarely are. */
const f = new Float64Array(2);
const u = new Uint32Array(f.buffer);
function sameFloat(a: number, b: number): boolean {
  f[0] = a; f[1] = b;
  return u[0] === u[2] && u[1] === u[3];
}

export class ExemplarStore {
  private cap: number;
  // Ring slots, allocated on the first exemplar (a TSDB that never sees one pays nothing).
  private ts = new Float64Array(0);
  private vals = new Float64Array(0);
  private next = new Int32Array(0);
  private hasTs = new Uint8Array(0);
  private lbls: (Labels | undefined)[] = [];
  private owner: (IndexEntry | undefined)[] = [];
  private nextIndex = 0;
  private readonly index = new Map<string, IndexEntry>();
  private stored = 0;
  counters = { appended: 0, outOfOrder: 0, invalid: 0 };

  constructor(maxExemplars: number = DEFAULT_MAX_EXEMPLARS) {
    this.cap = Math.max(0, Math.floor(maxExemplars));
  }

  get enabled(): boolean {
    return this.cap > 0;
  }

  private alloc(): void {
    const n = this.cap;
    this.ts = new Float64Array(n);
    this.vals = new Float64Array(n);
    this.next = new Int32Array(n).fill(NONE);
    this.hasTs = new Uint8Array(n);
    this.lbls = new Array<Labels | undefined>(n).fill(undefined);
    this.owner = new Array<IndexEntry | undefined>(n).fill(undefined);
  }

  /**
   * Checks an exemplar against the series' newest: 'duplicate' (equal: a no-op), 'ok', or throws
   * an AppendError (label set too long, out of order). `count` counts out-of-order rejections.
   */
  validate(seriesKey: string, seriesLabels: Labels, ex: StoredExemplar, count: boolean): 'ok' | 'duplicate' {
    if (exemplarLabelRunes(ex.labels) > EXEMPLAR_MAX_LABEL_RUNES) {
      if (count) this.counters.invalid++;
      throw new AppendError('invalid_labels', `exemplar for series ${labelsToString(seriesLabels)}: label set ${labelsToString(ex.labels)} is longer than ${EXEMPLAR_MAX_LABEL_RUNES} UTF-8 characters`);
    }
    const e = this.index.get(seriesKey);
    if (!e) return 'ok';
    const n = e.newest;
    // Timestamps only count when either side has its own (Prometheus's exemplar.Equals).
    const tsMatters = this.hasTs[n] === 1 || ex.hasTs !== false;
    if (labelsSame(this.lbls[n]!, ex.labels) && (!tsMatters || this.ts[n] === ex.ts) && sameFloat(this.vals[n]!, ex.value)) return 'duplicate';
    if (ex.ts <= this.ts[n]!) {
      if (count) this.counters.outOfOrder++;
      throw new AppendError('out_of_order', `out of order exemplar for series ${labelsToString(seriesLabels)}: timestamp ${ex.ts} is not after the newest one ${this.ts[n]}`);
    }
    return 'ok';
  }

  /** Adds an exemplar; false when it was a duplicate or out of order (counted), never throws for those. */
  add(seriesLabels: Labels, ex: StoredExemplar, seriesKey = labelsKey(seriesLabels)): boolean {
    if (this.cap === 0) return false;
    try {
      if (this.validate(seriesKey, seriesLabels, ex, true) === 'duplicate') return false;
    } catch {
      return false;
    }
    if (this.ts.length === 0) this.alloc();
    const i = this.nextIndex;
    let e = this.index.get(seriesKey);
    if (!e) this.index.set(seriesKey, (e = { oldest: i, newest: i, key: seriesKey, labels: seriesLabels }));
    else this.next[e.newest] = i;
    // Evict the slot's previous occupant (the oldest exemplar of the whole ring). With one slot
    // per series left, `next` of that slot was just linked to itself, so the entry survives.
    const prev = this.owner[i];
    if (prev) {
      const nx = this.next[i]!;
      if (nx === NONE) this.index.delete(prev.key);
      else prev.oldest = nx;
      this.stored--;
    }
    this.ts[i] = ex.ts;
    this.vals[i] = ex.value;
    this.lbls[i] = ex.labels;
    this.hasTs[i] = ex.hasTs === false ? 0 : 1;
    this.next[i] = NONE;
    this.owner[i] = e;
    e.newest = i;
    this.nextIndex = (i + 1) % this.cap;
    this.stored++;
    this.counters.appended++;
    return true;
  }

  /**
   * Exemplars with start <= ts <= end of series matching any matcher set (all matchers of a set
   * must match), sorted by series labels; each series' exemplars oldest first.
   */
  select(start: number, end: number, matcherSets: readonly (readonly Matcher[])[]): ExemplarQueryResult[] {
    const out: ExemplarQueryResult[] = [];
    if (this.stored === 0) return out;
    for (const e of this.index.values()) {
      if (this.ts[e.oldest]! > end || this.ts[e.newest]! < start) continue;
      if (!matcherSets.some((ms) => ms.every((m) => matches(m, getLabel(e.labels, m.name))))) continue;
      const exs: StoredExemplar[] = [];
      for (let i = e.oldest; i !== NONE && this.ts[i]! <= end; i = this.next[i]!) {
        if (this.ts[i]! >= start) exs.push({ labels: this.lbls[i]!, value: this.vals[i]!, ts: this.ts[i]! });
      }
      if (exs.length) out.push({ seriesLabels: e.labels, exemplars: exs });
    }
    return out.sort((a, b) => compareLabels(a.seriesLabels, b.seriesLabels));
  }

  /** Calls fn for every stored exemplar, oldest first across the ring (WAL checkpoints). */
  forEach(fn: (seriesLabels: Labels, ex: StoredExemplar) => void): void {
    if (this.stored === 0) return;
    for (let k = 0; k < this.cap; k++) {
      const i = (this.nextIndex + k) % this.cap;
      const o = this.owner[i];
      if (o) fn(o.labels, this.hasTs[i] ? { labels: this.lbls[i]!, value: this.vals[i]!, ts: this.ts[i]! } : { labels: this.lbls[i]!, value: this.vals[i]!, ts: this.ts[i]!, hasTs: false });
    }
  }

  /** Changes the ring size, keeping the newest exemplars that fit. */
  resize(maxExemplars: number): void {
    const n = Math.max(0, Math.floor(maxExemplars));
    if (n === this.cap) return;
    const keep: [Labels, StoredExemplar][] = [];
    this.forEach((s, ex) => keep.push([s, ex]));
    this.cap = n;
    this.ts = new Float64Array(0);
    this.index.clear();
    this.nextIndex = 0;
    this.stored = 0;
    const c = { ...this.counters };
    for (const [s, ex] of keep.slice(Math.max(0, keep.length - n))) this.add(s, ex);
    this.counters = c;
  }

  stats(): ExemplarStats {
    return {
      maxExemplars: this.cap,
      exemplarsInStorage: this.stored,
      seriesWithExemplars: this.index.size,
      exemplarsAppended: this.counters.appended,
      outOfOrderExemplars: this.counters.outOfOrder,
      invalidExemplars: this.counters.invalid,
    };
  }

  /** Ring content as WAL payloads (for checkpoints), bounded in size. */
  walPayloads(add: (type: number, payload: Uint8Array) => void): void {
    const w = new ByteWriter(1 << 16);
    let n = 0;
    this.forEach((s, ex) => {
      encodeExemplar(w, s, ex);
      if (++n === 5000) { add(REC_EXEMPLARS, w.result()); w.reset(); n = 0; }
    });
    if (n) add(REC_EXEMPLARS, w.result());
  }

  replayRecord(r: ByteReader): number {
    let n = 0;
    decodeExemplars(r, (s, ex) => { if (this.add(s, ex)) n++; });
    return n;
  }
}

function getLabel(ls: Labels, name: string): string {
  for (const l of ls) if (l.name === name) return l.value;
  return '';
}

function writeLabels(w: ByteWriter, ls: Labels): void {
  w.uvarint(ls.length);
  for (const l of ls) { w.str(l.name); w.str(l.value); }
}

function readLabels(r: ByteReader): Labels {
  const n = r.uvarint();
  const ls: Label[] = [];
  for (let i = 0; i < n; i++) ls.push({ name: r.str(), value: r.str() });
  return ls;
}

/**
 * One entry: series labels, exemplar labels, varint ts (ms), 8 bytes raw float64 value, u8 flags
 * (bit 0: the timestamp was the sample's, not exposed with the exemplar).
 */
export function encodeExemplar(w: ByteWriter, series: Labels, ex: StoredExemplar): void {
  writeLabels(w, series);
  writeLabels(w, ex.labels);
  w.varint(ex.ts);
  w.f64(ex.value);
  w.u8(ex.hasTs === false ? 1 : 0);
}

export function decodeExemplars(r: ByteReader, fn: (series: Labels, ex: StoredExemplar) => void): void {
  while (!r.done) {
    const series = readLabels(r);
    const labels = readLabels(r);
    const ts = r.varint();
    const value = r.f64();
    fn(series, r.u8() & 1 ? { labels, ts, value, hasTs: false } : { labels, ts, value });
  }
}

/**
 * prometheus.yml's `storage: {exemplars: {max_exemplars: N}}` (Prometheus 2.42's way to size the
 * ring; applied on reload). Undefined when the section is absent.
 */
export function parseExemplarsConfig(storage: CfgNode): number | undefined {
  const ex = storage.get('exemplars');
  if (ex.isNull()) return undefined;
  ex.allowOnly(['max_exemplars']);
  const m = ex.get('max_exemplars');
  const n = m.int(DEFAULT_MAX_EXEMPLARS);
  if (n < 0) throw m.error(`must not be negative, got ${n}`);
  return n;
}

// ---------------- TSDB wiring ----------------

const stores = new WeakMap<TSDB, ExemplarStore>();

/** The exemplar store of a TSDB (created on first use, sized by its maxExemplars option). */
export function exemplarStoreOf(db: TSDB): ExemplarStore {
  let s = stores.get(db);
  if (!s) stores.set(db, (s = new ExemplarStore(db.maxExemplars)));
  return s;
}

export interface StagedExemplar {
  key: string;
  series: Labels;
  ex: StoredExemplar;
}

/**
 * Validates an exemplar for staging, as Prometheus's head appender: empty-valued labels are
 * dropped, a missing timestamp is an error (callers set the sample's), duplicates of the newest
 * stored exemplar return undefined (no-op); too long or out of order throws an AppendError.
 */
export function stageExemplar(db: TSDB, series: Labels, ex: Exemplar): StagedExemplar | undefined {
  const store = exemplarStoreOf(db);
  if (!store.enabled) return undefined;
  if (ex.ts === undefined || !Number.isFinite(ex.ts)) throw new AppendError('out_of_bounds', `exemplar for series ${labelsToString(series)} has no valid timestamp`);
  const labels = ex.labels.some((l) => l.value === '') ? ex.labels.filter((l) => l.value !== '') : ex.labels;
  const ts = Math.trunc(ex.ts);
  const staged: StagedExemplar = { key: labelsKey(series), series, ex: ex.hasTs === false ? { labels, value: ex.value, ts, hasTs: false } : { labels, value: ex.value, ts } };
  if (store.validate(staged.key, series, staged.ex, false) === 'duplicate') return undefined;
  return staged;
}

/** Logs staged exemplars to the WAL buffer (flushed with the commit's samples) and stores them. */
export function commitExemplars(db: TSDB, staged: readonly StagedExemplar[]): void {
  if (!staged.length) return;
  const wal = db.wal;
  if (wal) {
    const w = new ByteWriter(1 << 12);
    for (const s of staged) encodeExemplar(w, s.series, s.ex);
    wal.add(REC_EXEMPLARS, w.result());
  }
  const store = exemplarStoreOf(db);
  for (const s of staged) store.add(s.series, s.ex, s.key);
}

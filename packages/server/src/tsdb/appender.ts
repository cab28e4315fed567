// The TSDB appender: stages samples (typed arrays, no per-sample objects), validates against
// the head, and on commit writes WAL records before the head sees the samples.
import type { Labels } from '../model/labels.js';
import { labelsToString } from '../model/labels.js';
import { hashLabels } from './head.js';
import type { Appender, Exemplar, MetricMetadata, SeriesRef } from '../storage/interface.js';
import { AppendError } from '../storage/interface.js';
import type { TSDB } from './db.js';
import type { FloatHistogram } from '../model/histogram.js';
import { checkHistogram, commitHistograms, type StagedHistogram } from './histstore.js';
import { commitStartTimestamps, type StagedST } from './ststore.js';
import { commitExemplars, stageExemplar, type StagedExemplar } from './exemplars.js';

const EMPTY_F64 = new Float64Array(0);

function validateLabels(ls: Labels): string | null {
  if (ls.length === 0) return 'empty label set';
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    if (l.name === '') return 'empty label name';
    if (l.value === '') return `empty value for label ${l.name}`;
    if (i > 0 && ls[i - 1]!.name >= l.name) return ls[i - 1]!.name === l.name ? `duplicate label name ${l.name}` : 'labels not sorted by name';
  }
  return null;
}

/** Staging buffers are pooled: scrapes create an appender per scrape. */
const pool: [Float64Array, Float64Array, Float64Array][] = [];

export class TSDBAppender implements Appender {
  refs: Float64Array = EMPTY_F64;
  ts: Float64Array = EMPTY_F64;
  vs: Float64Array = EMPTY_F64;
  n = 0;
  meta: [string, MetricMetadata][] = [];
  /** Staged native histogram samples (kept apart from the float arrays). */
  hist: StagedHistogram[] = [];
  /** Staged start timestamps (sparse: only samples appended with one). */
  sts: StagedST[] = [];
  /** Staged exemplars (validated against the store now, applied on commit). */
  exs: StagedExemplar[] = [];

  constructor(private readonly db: TSDB) {}

  append(ref: SeriesRef, labels: Labels, t: number, v: number): SeriesRef {
    const head = this.db.head;
    let r = ref ? head.fromExtRef(ref) : 0;
    // Time bounds first: a rejected sample must not create its series (as in Prometheus).
    if (!Number.isFinite(t) || Math.floor(t) !== t) throw new AppendError('out_of_bounds', `invalid timestamp ${t} for series ${labelsToString(r ? head.labels(r) : labels)}`);
    const minValid = this.db.minValidTime();
    if (t < minValid) {
      this.db.counters.tooOld++;
      throw new AppendError('out_of_bounds', `out of bounds: sample for series ${labelsToString(r ? head.labels(r) : labels)} at ${t} is older than the head's minimum valid time ${minValid}`);
    }
    if (r === 0) {
      const bad = validateLabels(labels);
      if (bad) throw new AppendError('invalid_labels', `invalid labels ${labelsToString(labels)}: ${bad}`);
      const h = hashLabels(labels);
      r = head.lookup(labels, h);
      if (r === 0) {
        if (this.db.storageFull) throw new AppendError('storage_full', `cannot create series ${labelsToString(labels)}: ${this.db.storageFull}`);
        r = head.create(labels, h);
      }
    }
    const last = head.lastT(r);
    if (t < last) {
      this.db.counters.outOfOrder++;
      throw new AppendError('out_of_order', `out of order sample for series ${labelsToString(head.labels(r))}: timestamp ${t} is before the last one ${last}`);
    }
    if (t === last) {
      if (head.sameAsLast(r, v)) return head.extRef(r);
      this.db.counters.duplicates++;
      throw new AppendError('duplicate_sample_for_timestamp', `duplicate sample for timestamp ${t} with a different value for series ${labelsToString(head.labels(r))}`);
    }
    if (this.n === this.refs.length) this.grow();
    head.sPending[r]!++;
    this.refs[this.n] = r;
    this.ts[this.n] = t;
    this.vs[this.n] = v;
    this.n++;
    return head.extRef(r);
  }

  appendST(ref: SeriesRef, labels: Labels, t: number, v: number, st: number): SeriesRef {
    const r = this.append(ref, labels, t, v);
    if (st !== 0) this.sts.push({ labels: labels.length ? labels : this.db.head.labels(this.db.head.fromExtRef(r)), t, st });
    return r;
  }

  appendHistogramST(ref: SeriesRef, labels: Labels, t: number, h: FloatHistogram, st: number): SeriesRef {
    const r = this.appendHistogram(ref, labels, t, h);
    if (st !== 0) this.sts.push({ labels, t, st });
    return r;
  }

  appendHistogram(ref: SeriesRef, labels: Labels, t: number, h: FloatHistogram): SeriesRef {
    const bad = validateLabels(labels);
    if (bad) throw new AppendError('invalid_labels', `invalid labels ${labelsToString(labels)}: ${bad}`);
    checkHistogram(this.db, labels, t);
    const prev = this.hist.length ? this.hist[this.hist.length - 1]! : undefined;
    if (prev && prev.labels === labels && t <= prev.t) throw new AppendError('out_of_order', `out of order histogram sample for series ${labelsToString(labels)}: timestamp ${t} is not after ${prev.t}`);
    this.hist.push({ labels, t, h });
    return ref;
  }

  /**
   * Stages an exemplar for the series `ref` (or, without a ref, the existing series `labels`).
   * As Prometheus: a duplicate of the series' newest exemplar is a no-op; a label set over 128
   * characters, an out-of-order timestamp or an unknown series throws an AppendError, which
   * callers count and never let fail the samples.
   */
  appendExemplar(ref: SeriesRef, labels: Labels, ex: Exemplar): void {
    const head = this.db.head;
    let r = ref ? head.fromExtRef(ref) : 0;
    if (r === 0 && labels.length) r = head.lookup(labels, hashLabels(labels));
    if (r === 0) throw new AppendError('invalid_labels', `exemplar for unknown series ${labelsToString(labels)}`);
    const s = stageExemplar(this.db, head.labels(r), ex);
    if (s) this.exs.push(s);
  }

  private grow(): void {
    if (this.refs.length === 0) {
      const b = pool.pop();
      if (b) { [this.refs, this.ts, this.vs] = b; return; }
    }
    const cap = Math.max(256, this.refs.length * 2);
    const g = (a: Float64Array) => { const b = new Float64Array(cap); b.set(a); return b; };
    this.refs = g(this.refs);
    this.ts = g(this.ts);
    this.vs = g(this.vs);
  }

  updateMetadata(metricName: string, meta: MetricMetadata): void {
    this.meta.push([metricName, meta]);
  }

  commit(): Promise<void> {
    // commitAppender consumes the staged arrays synchronously before its first await.
    let p: Promise<void>;
    try {
      // Start timestamps go into the WAL buffer first, so the samples' flush makes them durable too.
      if (this.sts.length) commitStartTimestamps(this.db, this.sts);
      // Exemplars too (their record rides on the samples' flush; flushed here when there is none).
      const exOnly = this.exs.length > 0 && this.n === 0 && this.meta.length === 0;
      if (this.exs.length) commitExemplars(this.db, this.exs);
      const hp = this.hist.length ? commitHistograms(this.db, this.hist) : undefined;
      p = this.db.commitAppender(this);
      if (exOnly && this.db.wal) {
        const fp = this.db.flushWal();
        p = Promise.all([fp, p]).then(() => undefined);
      }
      if (hp) p = Promise.all([hp, p]).then(() => undefined);
    } finally {
      this.release();
    }
    return p;
  }

  rollback(): void {
    this.release();
  }

  /** Drops staged samples and their hold on the series. */
  private release(): void {
    const p = this.db.head.sPending;
    for (let i = 0; i < this.n; i++) {
      const r = this.refs[i]!;
      if (p[r]! > 0) p[r]!--;
    }
    this.n = 0;
    this.meta = [];
    this.hist = [];
    this.sts = [];
    this.exs = [];
    if (this.refs.length && this.refs.length <= 65536 && pool.length < 64) pool.push([this.refs, this.ts, this.vs]);
    this.refs = this.ts = this.vs = EMPTY_F64;
  }
}

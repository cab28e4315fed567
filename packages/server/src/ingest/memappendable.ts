// An in-memory Appendable with the TSDB head's append rules (out of order, duplicates), for
// tests and for benchmarks that measure receivers without storage. Values stay bit-exact.
import { labelsKey, labelsToString, type Labels } from '../model/labels.js';
import { AppendError, type Appendable, type Appender, type Exemplar, type MetricMetadata, type SeriesRef } from '../storage/interface.js';

export interface MemSeries {
  labels: Labels;
  t: Float64Array;
  v: Float64Array;
  n: number;
}

export class MemAppendable implements Appendable {
  readonly series = new Map<string, MemSeries>();
  private byRef: MemSeries[] = [];
  readonly metadata = new Map<string, MetricMetadata>();
  readonly exemplars: { labels: Labels; ex: Exemplar }[] = [];
  commits = 0;
  /** When set, commit() rejects with this error (storage failure tests). */
  failCommit?: Error;

  appender(): Appender {
    const staged: { s: MemSeries; t: number; v: number }[] = [];
    const stagedMax = new Map<MemSeries, number>();
    const self = this;
    return {
      append(ref: SeriesRef, labels: Labels, t: number, v: number): SeriesRef {
        let s = ref > 0 ? self.byRef[ref - 1] : undefined;
        if (!s) {
          const k = labelsKey(labels);
          s = self.series.get(k);
          if (!s) {
            s = { labels, t: new Float64Array(8), v: new Float64Array(8), n: 0 };
            self.series.set(k, s);
            self.byRef.push(s);
          }
          ref = self.byRef.indexOf(s) + 1;
        }
        const last = stagedMax.get(s) ?? (s.n > 0 ? s.t[s.n - 1]! : -Infinity);
        if (t < last) throw new AppendError('out_of_order', `out of order sample for ${labelsToString(labels)}`);
        if (t === last) {
          const prev = stagedMax.has(s) ? staged.findLast((x) => x.s === s)!.v : s.v[s.n - 1]!;
          if (!Object.is(prev, v) && !(Number.isNaN(prev) && Number.isNaN(v))) throw new AppendError('duplicate_sample_for_timestamp', `duplicate sample for timestamp for ${labelsToString(labels)}`);
          return ref;
        }
        staged.push({ s, t, v });
        stagedMax.set(s, t);
        return ref;
      },
      updateMetadata(name: string, m: MetricMetadata) {
        self.metadata.set(name, m);
      },
      appendExemplar(_ref: SeriesRef, labels: Labels, ex: Exemplar) {
        self.exemplars.push({ labels, ex });
      },
      async commit() {
        if (self.failCommit) throw self.failCommit;
        for (const { s, t, v } of staged) {
          if (s.n === s.t.length) {
            const nt = new Float64Array(s.n * 2), nv = new Float64Array(s.n * 2);
            nt.set(s.t);
            nv.set(s.v);
            s.t = nt;
            s.v = nv;
          }
          s.t[s.n] = t;
          s.v[s.n] = v;
          s.n++;
        }
        staged.length = 0;
        stagedMax.clear();
        self.commits++;
      },
      rollback() {
        staged.length = 0;
        stagedMax.clear();
      },
    };
  }

  get(key: Labels): MemSeries | undefined {
    return this.series.get(labelsKey(key));
  }

  /** Total committed samples. */
  count(): number {
    let n = 0;
    for (const s of this.series.values()) n += s.n;
    return n;
  }
}

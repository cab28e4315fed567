// An in-memory Appendable that records committed samples bit-exactly (Float64Array storage),
// for tests and benchmarks of the scrape path without a TSDB.
import { labelsKey, type Labels } from '../model/labels.js';
import { AppendError, type Appendable, type Appender, type Exemplar, type MetricMetadata, type SeriesRef } from '../storage/interface.js';

export interface RecordedSeries {
  labels: Labels;
  t: Float64Array;
  v: Float64Array;
  n: number;
}

export class RecordingAppendable implements Appendable {
  readonly series = new Map<string, RecordedSeries>();
  private readonly byRef: RecordedSeries[] = [];
  readonly metadata = new Map<string, MetricMetadata>();
  readonly exemplars: { labels: Labels; ex: Exemplar }[] = [];
  commits = 0;
  rollbacks = 0;
  /** Counts appends only (no storage), for benchmarks. */
  constructor(private readonly discard = false) {}
  appended = 0;

  appender(): Appender {
    let refs = new Int32Array(256), ts = new Float64Array(256), vs = new Float64Array(256);
    let n = 0;
    const self = this;
    return {
      append(ref: SeriesRef, labels: Labels, t: number, v: number): SeriesRef {
        self.appended++;
        if (self.discard) return 1;
        let s = ref > 0 ? self.byRef[ref - 1] : undefined;
        if (!s) {
          const k = labelsKey(labels);
          s = self.series.get(k);
          if (!s) {
            s = { labels, t: new Float64Array(4), v: new Float64Array(4), n: 0 };
            self.series.set(k, s);
            self.byRef.push(s);
            ref = self.byRef.length;
          } else ref = self.byRef.indexOf(s) + 1;
        }
        if (s.n > 0 && t <= s.t[s.n - 1]!) {
          if (t < s.t[s.n - 1]!) throw new AppendError('out_of_order', 'out of order sample');
          throw new AppendError('duplicate_sample_for_timestamp', 'duplicate sample for timestamp');
        }
        if (n === refs.length) {
          const r2 = new Int32Array(n * 2), t2 = new Float64Array(n * 2), v2 = new Float64Array(n * 2);
          r2.set(refs), t2.set(ts), v2.set(vs);
          refs = r2, ts = t2, vs = v2;
        }
        refs[n] = ref, ts[n] = t, vs[n] = v;
        n++;
        return ref;
      },
      updateMetadata(name: string, m: MetricMetadata) {
        self.metadata.set(name, { ...m });
      },
      appendExemplar(_ref: SeriesRef, labels: Labels, ex: Exemplar) {
        self.exemplars.push({ labels, ex });
      },
      async commit() {
        self.commits++;
        for (let i = 0; i < n; i++) {
          const s = self.byRef[refs[i]! - 1]!;
          if (s.n > 0 && ts[i]! <= s.t[s.n - 1]!) continue;
          if (s.n === s.t.length) {
            const t2 = new Float64Array(s.n * 2), v2 = new Float64Array(s.n * 2);
            t2.set(s.t), v2.set(s.v);
            s.t = t2, s.v = v2;
          }
          s.t[s.n] = ts[i]!;
          s.v[s.n] = vs[i]!;
          s.n++;
        }
        n = 0;
      },
      rollback() {
        self.rollbacks++;
        n = 0;
      },
    };
  }

  /** Series whose labels include all the given name/value pairs. */
  find(match: Record<string, string>): RecordedSeries[] {
    const out: RecordedSeries[] = [];
    for (const s of this.series.values()) {
      if (Object.entries(match).every(([k, v]) => s.labels.some((l) => l.name === k && l.value === v))) out.push(s);
    }
    return out;
  }

  /** Last committed value of the single series matching `match` (undefined if none). */
  last(match: Record<string, string>): number | undefined {
    const ss = this.find(match);
    if (ss.length !== 1) return undefined;
    const s = ss[0]!;
    return s.n > 0 ? s.v[s.n - 1] : undefined;
  }
}

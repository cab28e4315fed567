// A small in-memory Storage for rule unit tests: per-series growable typed arrays (NaN payloads
// such as staleness markers survive), in-order appends, matcher-based select.
import { compareLabels, getLabel, labelsKey, type Labels } from '../model/labels.js';
import { matches, type Matcher } from '../model/matchers.js';
import { sameBits } from '../model/sample.js';
import { AppendError, type Appender, type Querier, type Series, type Storage } from '../storage/interface.js';
import { storedHints, type FloatHistogram } from '../model/histogram.js';

class MemSeries {
  t = new Float64Array(16);
  v = new Float64Array(16);
  n = 0;
  constructor(readonly labels: Labels) {}
  push(t: number, v: number): void {
    if (this.n === this.t.length) {
      const t2 = new Float64Array(this.n * 2), v2 = new Float64Array(this.n * 2);
      t2.set(this.t);
      v2.set(this.v);
      this.t = t2;
      this.v = v2;
    }
    this.t[this.n] = t;
    this.v[this.n] = v;
    this.n++;
  }
}

export class MemStorage implements Storage {
  private series = new Map<string, MemSeries>();
  /** Native histogram samples per label set (time-ordered). */
  private hists = new Map<string, { labels: Labels; t: number[]; h: FloatHistogram[] }>();

  appender(): Appender {
    // Values go into a Float64Array so NaN payloads (staleness markers) keep their bits.
    const staged: { labels: Labels; t: number; i: number }[] = [];
    const stagedH: { labels: Labels; t: number; h: FloatHistogram }[] = [];
    let vals = new Float64Array(64);
    return {
      append: (_ref, labels, t, v) => {
        const s = this.series.get(labelsKey(labels));
        if (s && s.n > 0) {
          const lastT = s.t[s.n - 1]!;
          if (t < lastT) throw new AppendError('out_of_order', `out of order sample for ${labelsKey(labels)}`);
          if (t === lastT && !sameBits(v, s.v[s.n - 1]!)) throw new AppendError('duplicate_sample_for_timestamp', 'duplicate sample for timestamp');
        }
        if (staged.length === vals.length) {
          const n = new Float64Array(vals.length * 2);
          n.set(vals);
          vals = n;
        }
        vals[staged.length] = v;
        staged.push({ labels, t, i: staged.length });
        return 0;
      },
      appendHistogram: (_ref, labels, t, h) => {
        const s = this.hists.get(labelsKey(labels));
        if (s && s.t.length && t < s.t[s.t.length - 1]!) throw new AppendError('out_of_order', `out of order sample for ${labelsKey(labels)}`);
        stagedH.push({ labels, t, h });
        return 0;
      },
      commit: async () => {
        for (const x of staged) {
          const k = labelsKey(x.labels);
          let s = this.series.get(k);
          if (!s) {
            s = new MemSeries(x.labels);
            this.series.set(k, s);
          }
          if (s.n > 0 && s.t[s.n - 1] === x.t) continue; // same sample again
          if (s.n > 0 && x.t < s.t[s.n - 1]!) continue;
          s.push(x.t, vals[x.i]!);
        }
        staged.length = 0;
        for (const x of stagedH) {
          const k = labelsKey(x.labels);
          let s = this.hists.get(k);
          if (!s) this.hists.set(k, (s = { labels: x.labels, t: [], h: [] }));
          if (s.t.length && x.t <= s.t[s.t.length - 1]!) continue;
          s.t.push(x.t);
          s.h.push(x.h);
        }
        stagedH.length = 0;
      },
      rollback: () => {
        staged.length = 0;
        stagedH.length = 0;
      },
    };
  }

  querier(mint: number, maxt: number): Querier {
    const all = () => [...this.series.values()];
    const sel = (ms: readonly Matcher[] | undefined) => all().filter((s) => (ms ?? []).every((m) => matches(m, getLabel(s.labels, m.name))));
    return {
      select: async (hints, ms) => {
        const lo = Math.max(mint, hints.start), hi = Math.min(maxt, hints.end);
        const out: Series[] = [];
        for (const s of sel(ms)) {
          let a = 0;
          while (a < s.n && s.t[a]! < lo) a++;
          let b = a;
          while (b < s.n && s.t[b]! <= hi) b++;
          if (b === a) continue;
          const t = s.t.slice(a, b), v = s.v.slice(a, b);
          out.push({ labels: s.labels, samples: () => ({ t, v }) });
        }
        if (this.hists.size) {
          // Join histogram samples onto the float series with the same labels (or add them).
          const byKey = new Map(out.map((x, k) => [labelsKey(x.labels), k]));
          for (const hs of this.hists.values()) {
            if (!(ms ?? []).every((m) => matches(m, getLabel(hs.labels, m.name)))) continue;
            const idx: number[] = [];
            for (let i = 0; i < hs.t.length; i++) if (hs.t[i]! >= lo && hs.t[i]! <= hi) idx.push(i);
            if (!idx.length) continue;
            const hsamples = { t: Float64Array.from(idx.map((i) => hs.t[i]!)), h: storedHints(hs.h).filter((_, i) => idx.includes(i)) };
            const k = byKey.get(labelsKey(hs.labels));
            if (k === undefined) out.push({ labels: hs.labels, samples: () => ({ t: new Float64Array(0), v: new Float64Array(0) }), histograms: () => hsamples });
            else { const f = out[k]!; out[k] = { labels: f.labels, samples: () => f.samples(), histograms: () => hsamples }; }
          }
        }
        return out.sort((x, y) => compareLabels(x.labels, y.labels));
      },
      labelNames: async (ms) => [...new Set(sel(ms).flatMap((s) => s.labels.map((l) => l.name)))].sort(),
      labelValues: async (name, ms) => [...new Set(sel(ms).map((s) => getLabel(s.labels, name)).filter((v) => v !== ''))].sort(),
      close: () => {},
    };
  }

  async close(): Promise<void> {}
}

// A small in-memory Storage for rule unit tests: per-series growable typed arrays (NaN payloads
// such as staleness markers survive), in-order appends, matcher-based select.
import { compareLabels, getLabel, labelsKey, type Labels } from '../model/labels.js';
import { matches, type Matcher } from '../model/matchers.js';
import { sameBits } from '../model/sample.js';
import { AppendError, type Appender, type Querier, type Series, type Storage } from '../storage/interface.js';

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

  appender(): Appender {
    // Values go into a Float64Array so NaN payloads (staleness markers) keep their bits.
    const staged: { labels: Labels; t: number; i: number }[] = [];
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
      },
      rollback: () => {
        staged.length = 0;
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
        return out.sort((x, y) => compareLabels(x.labels, y.labels));
      },
      labelNames: async (ms) => [...new Set(sel(ms).flatMap((s) => s.labels.map((l) => l.name)))].sort(),
      labelValues: async (name, ms) => [...new Set(sel(ms).map((s) => getLabel(s.labels, name)).filter((v) => v !== ''))].sort(),
      close: () => {},
    };
  }

  async close(): Promise<void> {}
}

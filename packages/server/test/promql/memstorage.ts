// A small in-memory Storage for tests: series kept as sorted typed arrays (bit-exact values).
import { compareLabels, labelsKey, type Labels } from '../../src/model/labels.js';
import { matches, type Matcher } from '../../src/model/matchers.js';
import { storedHints, type FloatHistogram } from '../../src/model/histogram.js';
import type { Appender, Querier, Queryable, SelectHints, Series, SeriesRef, Storage } from '../../src/storage/interface.js';

interface MemSeries {
  labels: Labels;
  t: number[];
  v: Float64Array;
  n: number;
  /** Native histogram samples (time-ordered). */
  ht: number[];
  hh: FloatHistogram[];
  /** Start timestamps parallel to t / ht (0 = none); created on the first non-zero one. */
  st?: number[];
  hst?: number[];
}

export class MemStorage implements Storage {
  private series = new Map<string, MemSeries>();

  appender(): Appender {
    const staged: { labels: Labels; t: number; v: number; h?: FloatHistogram; st: number }[] = [];
    return {
      append: (_ref: SeriesRef, labels: Labels, t: number, v: number) => {
        staged.push({ labels, t, v, st: 0 });
        return 0;
      },
      appendHistogram: (_ref: SeriesRef, labels: Labels, t: number, h: FloatHistogram) => {
        staged.push({ labels, t, v: 0, h, st: 0 });
        return 0;
      },
      appendST: (_ref: SeriesRef, labels: Labels, t: number, v: number, st: number) => {
        staged.push({ labels, t, v, st });
        return 0;
      },
      appendHistogramST: (_ref: SeriesRef, labels: Labels, t: number, h: FloatHistogram, st: number) => {
        staged.push({ labels, t, v: 0, h, st });
        return 0;
      },
      commit: async () => {
        for (const s of staged) if (s.h) this.addHistogram(s.labels, s.t, s.h, s.st); else this.add(s.labels, s.t, s.v, s.st);
        staged.length = 0;
      },
      rollback: () => {
        staged.length = 0;
      },
    };
  }

  /** Adds one sample, keeping time order (replaces a sample at the same timestamp). */
  private get(labels: Labels): MemSeries {
    const k = labelsKey(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { labels, t: [], v: new Float64Array(16), n: 0, ht: [], hh: [] }));
    return s;
  }

  /** Adds one histogram sample, keeping time order (replaces one at the same timestamp). */
  addHistogram(labels: Labels, t: number, h: FloatHistogram, st = 0): void {
    const s = this.get(labels);
    let i = s.ht.length;
    while (i > 0 && s.ht[i - 1]! > t) i--;
    if (st !== 0 && !s.hst) s.hst = new Array<number>(s.ht.length).fill(0);
    if (i > 0 && s.ht[i - 1] === t) { s.hh[i - 1] = h; if (s.hst) s.hst[i - 1] = st; return; }
    s.ht.splice(i, 0, t);
    s.hh.splice(i, 0, h);
    s.hst?.splice(i, 0, st);
  }

  add(labels: Labels, t: number, v: number, st = 0): void {
    const s = this.get(labels);
    if (st !== 0 && !s.st) s.st = new Array<number>(s.n).fill(0);
    if (s.n === s.v.length) {
      const nv = new Float64Array(s.v.length * 2);
      nv.set(s.v);
      s.v = nv;
    }
    let i = s.n;
    while (i > 0 && s.t[i - 1]! > t) i--;
    if (i > 0 && s.t[i - 1] === t) {
      s.v[i - 1] = v;
      if (s.st) s.st[i - 1] = st;
      return;
    }
    s.st?.splice(i, 0, st);
    s.t.splice(i, 0, t);
    s.v.copyWithin(i + 1, i, s.n);
    s.v[i] = v;
    s.n++;
  }

  querier(mint: number, maxt: number): Querier {
    const all = [...this.series.values()].sort((a, b) => compareLabels(a.labels, b.labels));
    const sel = (ms: readonly Matcher[]) =>
      all.filter((s) => ms.every((m) => matches(m, s.labels.find((l) => l.name === m.name)?.value ?? '')));
    return {
      select: async (hints: SelectHints, ms: readonly Matcher[]): Promise<Series[]> => {
        const lo = Math.max(mint, hints.start), hi = Math.min(maxt, hints.end);
        const out: Series[] = [];
        for (const s of sel(ms)) {
          let a = 0;
          while (a < s.n && s.t[a]! < lo) a++;
          let b = a;
          while (b < s.n && s.t[b]! <= hi) b++;
          let ha = 0;
          while (ha < s.ht.length && s.ht[ha]! < lo) ha++;
          let hb = ha;
          while (hb < s.ht.length && s.ht[hb]! <= hi) hb++;
          if (b === a && hb === ha) continue;
          const t = Float64Array.from(s.t.slice(a, b));
          const v = s.v.slice(a, b);
          const st = s.st ? Float64Array.from(s.st.slice(a, b)) : undefined;
          const ser: Series = { labels: s.labels, samples: () => ({ t, v }) };
          if (st) ser.startTimestamps = () => st;
          if (hb > ha) {
            const ht = Float64Array.from(s.ht.slice(ha, hb)), hh = storedHints(s.hh).slice(ha, hb);
            const hst = s.hst ? Float64Array.from(s.hst.slice(ha, hb)) : undefined;
            ser.histograms = () => (hst ? { t: ht, h: hh, st: hst } : { t: ht, h: hh });
          }
          out.push(ser);
        }
        return out;
      },
      labelNames: async (ms?: readonly Matcher[]) => {
        const names = new Set<string>();
        for (const s of ms?.length ? sel(ms) : all) for (const l of s.labels) names.add(l.name);
        return [...names].sort();
      },
      labelValues: async (name: string, ms?: readonly Matcher[]) => {
        const vals = new Set<string>();
        for (const s of ms?.length ? sel(ms) : all) for (const l of s.labels) if (l.name === name) vals.add(l.value);
        return [...vals].sort();
      },
      close: () => {},
    };
  }

  async close(): Promise<void> {}
}

export type { Queryable };

// Querier over head + blocks: matchers resolved per source via postings, series merged by
// label set, block samples decoded lazily when Series.samples() is called.
import type { Labels } from '../model/labels.js';
import { compareLabels, labelsKey } from '../model/labels.js';
import type { Matcher } from '../model/matchers.js';
import type { SampleArrays } from '../model/sample.js';
import type { Querier, SelectHints, Series } from '../storage/interface.js';
import { applyTombstones, type BlockReader, type BlockSeries } from './block.js';
import type { TSDB } from './db.js';
import { mergeRuns, type Run } from './merge.js';
import { postingsForMatchers } from './postings.js';

interface BlockPart {
  b: BlockReader;
  ord: number;
  s: BlockSeries;
}

class MergedSeries implements Series {
  parts: BlockPart[] = [];
  head: Run | null = null;
  private cached: SampleArrays | null = null;
  constructor(
    readonly labels: Labels,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}
  samples(): SampleArrays {
    if (this.cached) return this.cached;
    const runs: Run[] = [];
    for (const p of this.parts) runs.push(p.b.samples(p.ord, p.s, this.mint, this.maxt));
    if (this.head) runs.push(this.head);
    const r = runs.length === 1 ? runs[0]! : mergeRuns(runs);
    // Keep head results (already decoded) but let block results be re-decoded to save memory.
    if (this.parts.length === 0) this.cached = r;
    return r;
  }
}

export class TSDBQuerier implements Querier {
  private closed = false;
  constructor(
    private readonly db: TSDB,
    private readonly blocks: BlockReader[],
    private readonly mint: number,
    private readonly maxt: number,
  ) {
    for (const b of blocks) b.acquire();
  }

  async select(hints: SelectHints, matchers: readonly Matcher[]): Promise<Series[]> {
    const mint = Math.max(this.mint, hints.start ?? this.mint);
    const maxt = Math.min(this.maxt, hints.end ?? this.maxt);
    const out = new Map<string, MergedSeries>();
    if (mint > maxt) return [];
    for (const b of this.blocks) {
      if (b.meta.maxTime <= mint || b.meta.minTime > maxt) continue;
      const ords = postingsForMatchers(b, matchers);
      for (const ord of ords) {
        const s = b.series(ord);
        let any = false;
        const c = s.chunks;
        for (let i = 0; i < c.length; i += 6) if (c[i + 1]! >= mint && c[i]! <= maxt) { any = true; break; }
        if (!any) continue;
        const k = labelsKey(s.labels);
        let m = out.get(k);
        if (!m) out.set(k, (m = new MergedSeries(s.labels, mint, maxt)));
        m.parts.push({ b, ord, s });
      }
    }
    const head = this.db.head;
    if (head.maxT >= mint && head.minT <= maxt) {
      const refs = postingsForMatchers(head, matchers);
      for (const r of refs) {
        let run = head.samples(r, mint, maxt);
        if (!run) continue;
        const tomb = this.db.headTombstones.get(r);
        if (tomb) {
          run = applyTombstones(run.t, run.v, tomb);
          if (!run.t.length) continue;
        }
        const ls = head.labels(r);
        const k = labelsKey(ls);
        let m = out.get(k);
        if (!m) out.set(k, (m = new MergedSeries(ls, mint, maxt)));
        m.head = run;
      }
    }
    const res = [...out.values()];
    res.sort((a, b) => compareLabels(a.labels, b.labels));
    return res;
  }

  private async matchingLabelSets(matchers: readonly Matcher[]): Promise<Labels[]> {
    const ss = await this.select({ start: this.mint, end: this.maxt }, matchers);
    return ss.map((s) => s.labels);
  }

  async labelNames(matchers?: readonly Matcher[]): Promise<string[]> {
    const set = new Set<string>();
    if (matchers && matchers.length) {
      for (const ls of await this.matchingLabelSets(matchers)) for (const l of ls) set.add(l.name);
    } else {
      for (const b of this.blocks) for (const n of b.labelNames()) set.add(n);
      for (const n of this.db.head.labelNames()) set.add(n);
    }
    return [...set].sort();
  }

  async labelValues(name: string, matchers?: readonly Matcher[]): Promise<string[]> {
    const set = new Set<string>();
    if (matchers && matchers.length) {
      for (const ls of await this.matchingLabelSets(matchers)) for (const l of ls) if (l.name === name) set.add(l.value);
    } else {
      for (const b of this.blocks) for (const v of b.labelValues(name)) set.add(v);
      for (const v of this.db.head.labelValues(name)) set.add(v);
    }
    return [...set].sort();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const b of this.blocks) b.release();
  }
}

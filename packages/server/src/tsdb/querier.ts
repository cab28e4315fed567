// Querier over head + blocks: matchers resolved per source via postings, series merged by
// label set, block samples decoded lazily when Series.samples() is called.
import type { Labels } from '../model/labels.js';
import { compareLabels } from '../model/labels.js';
import type { Matcher } from '../model/matchers.js';
import type { SampleArrays } from '../model/sample.js';
import type { Querier, SelectHints, Series } from '../storage/interface.js';
import { applyTombstones, type BlockReader, type BlockSeries } from './block.js';
import type { TSDB } from './db.js';
import { mergeRuns, type Run } from './merge.js';
import { postingsForMatchers } from './postings.js';
import { histStoreOf, withHistograms } from './histstore.js';
import { stStoreOf, withStartTimestamps } from './ststore.js';

interface BlockPart {
  b: BlockReader;
  ord: number;
  s: BlockSeries;
}

class MergedSeries implements Series {
  parts: BlockPart[] = [];
  /** External head ref (with generation), 0 when the head has no samples in range. */
  headRef = 0;
  constructor(
    readonly labels: Labels,
    private readonly db: TSDB,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}
  /** Decodes on every call (nothing cached), so large selects stay small in memory. */
  samples(): SampleArrays {
    return this.direct() ?? this.merged();
  }

  /**
   * Fast path: parts disjoint in time and in order, no tombstones: decode everything straight
   * into one pair of arrays (no intermediate runs, no merge copy).
   */
  private direct(): SampleArrays | null {
    const ps = this.parts;
    let total = 0, lastMax = -Infinity;
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i]!;
      if (p.b.tombstones.size && p.b.tombstones.has(p.ord)) return null;
      if (p.b.meta.minTime < lastMax) return null;
      lastMax = p.b.meta.maxTime;
      total += p.b.countSamples(p.s, this.mint, this.maxt);
    }
    const head = this.db.head;
    const r = this.headRef ? head.fromExtRef(this.headRef) : 0;
    if (r) {
      if (this.db.headTombstones.has(r)) return null;
      const c = head.countSamples(r, this.mint, this.maxt);
      if (c.n && c.minT < lastMax) return null;
      total += c.n;
    }
    const t = new Float64Array(total), v = new Float64Array(total);
    let o = 0;
    for (const p of ps) o = p.b.decodeInto(p.ord, p.s, this.mint, this.maxt, t, v, o);
    if (r) o = head.decodeInto(r, this.mint, this.maxt, t, v, o);
    return o === total ? { t, v } : { t: t.subarray(0, o), v: v.subarray(0, o) };
  }

  private merged(): SampleArrays {
    const runs: Run[] = [];
    for (const p of this.parts) runs.push(p.b.samples(p.ord, p.s, this.mint, this.maxt));
    if (this.headRef) {
      const head = this.db.head;
      const r = head.fromExtRef(this.headRef);
      // r is 0 if the series left the head since select (its data moved to a newer block).
      let run = r ? head.samples(r, this.mint, this.maxt) : null;
      const tomb = r ? this.db.headTombstones.get(r) : undefined;
      if (run && tomb) run = applyTombstones(run.t, run.v, tomb);
      if (run) runs.push(run);
    }
    if (runs.length === 1) return runs[0]!;
    return mergeRuns(runs);
  }
}

export class TSDBQuerier implements Querier {
  private closed = false;
  constructor(
    private readonly db: TSDB,
    private readonly blocks: BlockReader[],
    readonly mint: number,
    private readonly maxt: number,
  ) {
    for (const b of blocks) b.acquire();
    db.readers.add(this);
  }

  async select(hints: SelectHints, matchers: readonly Matcher[]): Promise<Series[]> {
    const floats = await this.selectFloats(hints, matchers);
    const mint = Math.max(this.mint, hints.start ?? this.mint);
    const maxt = Math.min(this.maxt, hints.end ?? this.maxt);
    if (mint > maxt) return floats;
    const out = withHistograms(floats, histStoreOf(this.db).select(mint, maxt, matchers));
    const sts = stStoreOf(this.db);
    return sts.empty || !out.length ? out : withStartTimestamps(out, sts.select(mint, maxt, matchers, out));
  }

  private async selectFloats(hints: SelectHints, matchers: readonly Matcher[]): Promise<Series[]> {
    const mint = Math.max(this.mint, hints.start ?? this.mint);
    const maxt = Math.min(this.maxt, hints.end ?? this.maxt);
    if (mint > maxt) return [];
    // One label-sorted list per source, then a k-way merge joining equal label sets.
    const lists: MergedSeries[][] = [];
    for (const b of this.blocks) {
      if (b.meta.maxTime <= mint || b.meta.minTime > maxt) continue;
      const ords = postingsForMatchers(b, matchers);
      const list: MergedSeries[] = [];
      for (const ord of ords) {
        const s = b.series(ord);
        let any = false;
        const c = s.chunks;
        for (let i = 0; i < c.length; i += 6) if (c[i + 1]! >= mint && c[i]! <= maxt) { any = true; break; }
        if (!any) continue;
        const m = new MergedSeries(s.labels, this.db, mint, maxt);
        m.parts.push({ b, ord, s });
        list.push(m);
      }
      if (list.length) lists.push(list);
    }
    const head = this.db.head;
    if (head.maxT >= mint && head.minT <= maxt) {
      const refs = postingsForMatchers(head, matchers);
      const list: MergedSeries[] = [];
      for (const r of refs) {
        if (!head.overlaps(r, mint, maxt)) continue;
        const tomb = this.db.headTombstones.get(r);
        if (tomb) {
          // Rare: decode now to drop series whose samples in range are all deleted.
          const run = head.samples(r, mint, maxt);
          if (!run || applyTombstones(run.t, run.v, tomb).t.length === 0) continue;
        }
        const m = new MergedSeries(head.labels(r), this.db, mint, maxt);
        m.headRef = head.extRef(r);
        list.push(m);
      }
      list.sort((a, b) => compareLabels(a.labels, b.labels));
      if (list.length) lists.push(list);
    }
    if (lists.length === 0) return [];
    if (lists.length === 1) return lists[0]!;
    const out: MergedSeries[] = [];
    const pos = new Array<number>(lists.length).fill(0);
    for (;;) {
      let best = -1;
      for (let i = 0; i < lists.length; i++) {
        if (pos[i]! >= lists[i]!.length) continue;
        if (best < 0 || compareLabels(lists[i]![pos[i]!]!.labels, lists[best]![pos[best]!]!.labels) < 0) best = i;
      }
      if (best < 0) break;
      const m = lists[best]![pos[best]!++]!;
      for (let i = 0; i < lists.length; i++) {
        if (i === best || pos[i]! >= lists[i]!.length) continue;
        const o = lists[i]![pos[i]!]!;
        if (compareLabels(o.labels, m.labels) !== 0) continue;
        m.parts.push(...o.parts);
        if (o.headRef) m.headRef = o.headRef;
        pos[i]!++;
      }
      out.push(m);
    }
    return out;
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
      for (const ls of histStoreOf(this.db).labelSets(this.mint, this.maxt)) for (const l of ls) set.add(l.name);
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
      for (const ls of histStoreOf(this.db).labelSets(this.mint, this.maxt)) for (const l of ls) if (l.name === name) set.add(l.value);
    }
    return [...set].sort();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const b of this.blocks) b.release();
    this.db.readers.delete(this);
  }
}

// Block compaction: planning (which blocks to merge) and merging (series k-way by labels,
// samples merged and re-encoded into one new block).
import type { Labels } from '../model/labels.js';
import { compareLabels } from '../model/labels.js';
import { BlockReader, BlockWriter, type BlockMeta, type BlockSeries } from './block.js';
import { mergeRuns } from './merge.js';

/** Next set of blocks to compact, or null. Overlapping blocks first, then level ranges (x3). */
export function planCompaction(metas: BlockMeta[], range: number, maxRange: number): BlockMeta[] | null {
  const sorted = [...metas].sort((a, b) => a.minTime - b.minTime);
  // Overlaps (e.g. after a backfill) are merged regardless of size.
  for (let i = 0; i < sorted.length; i++) {
    const group = [sorted[i]!];
    let end = sorted[i]!.maxTime;
    for (let j = i + 1; j < sorted.length && sorted[j]!.minTime < end; j++) {
      group.push(sorted[j]!);
      end = Math.max(end, sorted[j]!.maxTime);
    }
    if (group.length > 1) return group;
  }
  const newest = sorted.reduce((m, b) => Math.max(m, b.maxTime), -Infinity);
  for (let r = range * 3; r <= maxRange; r *= 3) {
    const windows = new Map<number, BlockMeta[]>();
    for (const m of sorted) {
      const w = Math.floor(m.minTime / r);
      if (m.maxTime > (w + 1) * r) continue; // spans windows: leave it
      let g = windows.get(w);
      if (!g) windows.set(w, (g = []));
      g.push(m);
    }
    for (const [w, g] of [...windows].sort((a, b) => a[0] - b[0])) {
      if (g.length < 2) continue;
      if ((w + 1) * r > newest) continue; // window not complete yet
      return g;
    }
  }
  return null;
}

interface Cursor {
  b: BlockReader;
  ord: number;
  cur: BlockSeries | null;
}

/**
 * Merges blocks into one new block in parentDir (tombstoned samples dropped). Returns its dir,
 * or null when nothing remains.
 */
export async function compactBlocks(parentDir: string, inputs: BlockReader[], quality: number, level?: number): Promise<string | null> {
  const mint = Math.min(...inputs.map((b) => b.meta.minTime));
  const maxt = Math.max(...inputs.map((b) => b.meta.maxTime));
  const sources = [...new Set(inputs.flatMap((b) => b.meta.compaction.sources))];
  const lvl = level ?? Math.max(...inputs.map((b) => b.meta.compaction.level)) + 1;
  const w = new BlockWriter(parentDir, mint, maxt, { level: lvl, sources, quality });
  try {
    const cs: Cursor[] = inputs.map((b) => ({ b, ord: 0, cur: b.numSeries ? b.series(0) : null }));
    let n = 0;
    for (;;) {
      let min: Labels | null = null;
      for (const c of cs) if (c.cur && (!min || compareLabels(c.cur.labels, min) < 0)) min = c.cur.labels;
      if (!min) break;
      const runs = [];
      for (const c of cs) {
        if (!c.cur || compareLabels(c.cur.labels, min) !== 0) continue;
        runs.push(c.b.samples(c.ord, c.cur, -Infinity, Infinity));
        c.ord++;
        c.cur = c.ord < c.b.numSeries ? c.b.series(c.ord) : null;
      }
      const m = mergeRuns(runs);
      if (m.t.length) w.add(min, m.t, m.v);
      if (++n % 1000 === 0) await new Promise((res) => setImmediate(res));
    }
    if (w.seriesCount === 0) {
      w.abort();
      return null;
    }
    return w.finish().dir;
  } catch (e) {
    w.abort();
    throw e;
  }
}

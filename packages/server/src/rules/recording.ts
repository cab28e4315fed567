// A recording rule: evaluates its expression and renames/relabels the result.
import { METRIC_NAME, labelsKey, withLabel, type Labels } from '../model/labels.js';
import type { QueryFunc, RuleHealth, VectorSample } from './types.js';

export class RecordingRule {
  readonly kind = 'recording';
  health: RuleHealth = 'unknown';
  lastError = '';
  lastEvaluation = 0; // ms, 0 = never
  evaluationTimeMs = 0;

  constructor(
    readonly name: string,
    readonly expr: string,
    readonly labels: Record<string, string>,
  ) {}

  /** Identity across reloads (Prometheus: name + labels). */
  identity(): string {
    return 'record\x00' + this.name + '\x00' + JSON.stringify(Object.entries(this.labels).sort());
  }

  /** Evaluates at tsMs; the query runs at queryTsMs (tsMs minus the group's query_offset). */
  async eval(_tsMs: number, queryTsMs: number, query: QueryFunc, limit: number): Promise<VectorSample[]> {
    const vec = await query(this.expr, queryTsMs);
    const out: VectorSample[] = [];
    const seen = new Set<string>();
    for (const s of vec) {
      let ls: Labels = withLabel(s.labels, METRIC_NAME, this.name);
      for (const [k, v] of Object.entries(this.labels)) ls = withLabel(ls, k, v);
      const key = labelsKey(ls);
      if (seen.has(key)) throw new Error('vector contains metrics with the same labelset after applying rule labels');
      seen.add(key);
      out.push(s.h ? { labels: ls, t: s.t, v: s.v, h: s.h } : { labels: ls, t: s.t, v: s.v });
    }
    if (limit > 0 && out.length > limit) throw new Error(`exceeded limit of ${limit} with ${out.length} series`);
    return out;
  }
}

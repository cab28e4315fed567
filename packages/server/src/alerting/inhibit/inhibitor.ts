// Inhibition: a target alert is muted while a firing source alert (matching the rule's source
// matchers) has equal values for the rule's `equal` labels. An alert matching both sides cannot
// be inhibited by source alerts that also match both sides, as in Alertmanager.
// Source alerts are indexed by their `equal` label values, so a lookup touches only candidates.
import type { Matcher } from '../../model/index.js';
import type { InhibitRuleConfig } from '../config/index.js';
import { matchesLabelSet } from '../matchers.js';
import { isResolvedAt, type Alert, type LabelSet } from '../types.js';

interface Rule {
  source: Matcher[];
  target: Matcher[];
  equal: string[];
  /** equal-label values key -> source alerts by fingerprint */
  index: Map<string, Map<string, Alert>>;
}

function equalKey(equal: readonly string[], ls: LabelSet): string {
  let k = '';
  for (const l of equal) k += (ls[l] ?? '') + '\xff';
  return k;
}

export class Inhibitor {
  private rules: Rule[];

  constructor(cfg: InhibitRuleConfig[], private readonly now: () => number) {
    this.rules = cfg.map((r) => ({ source: r.sourceMatchers, target: r.targetMatchers, equal: r.equal, index: new Map() }));
  }

  /** Called for every stored alert update. */
  observe(a: Alert): void {
    for (const r of this.rules) {
      if (!matchesLabelSet(r.source, a.labels)) continue;
      const k = equalKey(r.equal, a.labels);
      let bucket = r.index.get(k);
      if (!bucket) {
        bucket = new Map();
        r.index.set(k, bucket);
      }
      bucket.set(a.fingerprint, a);
    }
  }

  /** Fingerprints of source alerts inhibiting `ls` (empty when not inhibited). */
  inhibitedBy(ls: LabelSet, selfFp: string): string[] {
    const now = this.now();
    for (const r of this.rules) {
      if (!matchesLabelSet(r.target, ls)) continue;
      const bucket = r.index.get(equalKey(r.equal, ls));
      if (!bucket) continue;
      const excludeTwoSided = matchesLabelSet(r.source, ls);
      for (const [fp, src] of bucket) {
        if (fp === selfFp || isResolvedAt(src, now)) continue;
        if (excludeTwoSided && matchesLabelSet(r.target, src.labels)) continue;
        return [fp];
      }
    }
    return [];
  }

  /** Drops resolved source alerts. */
  gc(): void {
    const now = this.now();
    for (const r of this.rules) {
      for (const [k, bucket] of r.index) {
        for (const [fp, a] of bucket) {
          if (isResolvedAt(a, now)) {
            bucket.delete(fp);
          }
        }
        if (bucket.size === 0) r.index.delete(k);
      }
    }
  }
}

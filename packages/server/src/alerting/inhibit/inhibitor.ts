// Inhibition: a target alert is muted while a firing source alert (matching the rule's source
// matchers) has equal values for the rule's `equal` labels. An alert matching both sides cannot
// inhibit itself-like alerts that also match both sides, as in Alertmanager.
import type { Matcher } from '../../model/index.js';
import type { InhibitRuleConfig } from '../config/index.js';
import { matchesLabelSet } from '../matchers.js';
import { isResolvedAt, type Alert, type LabelSet } from '../types.js';

interface Rule {
  source: Matcher[];
  target: Matcher[];
  equal: string[];
  /** Source alerts by fingerprint. */
  cache: Map<string, Alert>;
}

export class Inhibitor {
  private rules: Rule[];

  constructor(cfg: InhibitRuleConfig[], private readonly now: () => number) {
    this.rules = cfg.map((r) => ({ source: r.sourceMatchers, target: r.targetMatchers, equal: r.equal, cache: new Map() }));
  }

  /** Called for every stored alert update. */
  observe(a: Alert): void {
    for (const r of this.rules) {
      if (matchesLabelSet(r.source, a.labels)) r.cache.set(a.fingerprint, a);
    }
  }

  /** Fingerprints of source alerts inhibiting `ls` (empty when not inhibited). */
  inhibitedBy(ls: LabelSet, selfFp: string): string[] {
    const now = this.now();
    for (const r of this.rules) {
      if (!matchesLabelSet(r.target, ls)) continue;
      const excludeTwoSided = matchesLabelSet(r.source, ls);
      for (const [fp, src] of r.cache) {
        if (fp === selfFp) continue;
        if (isResolvedAt(src, now)) continue;
        let eq = true;
        for (const l of r.equal) if ((src.labels[l] ?? '') !== (ls[l] ?? '')) { eq = false; break; }
        if (!eq) continue;
        if (excludeTwoSided && matchesLabelSet(r.target, src.labels)) continue;
        return [fp];
      }
    }
    return [];
  }

  gc(): void {
    const now = this.now();
    for (const r of this.rules) for (const [fp, a] of r.cache) if (isResolvedAt(a, now)) r.cache.delete(fp);
  }
}

// The rule manager: loads rule files (globs), runs their groups, and on reload keeps running
// groups that did not change and carries alert state over to the ones that did.
import { glob } from './glob.js';
import { AlertingRule } from './alerting.js';
import { RecordingRule } from './recording.js';
import { Group, groupKey, type GroupOptions, type Rule } from './group.js';
import { loadRuleFile, RuleFileError, type RuleFileParseOptions, type RuleGroupConfig } from './rulefile.js';
import type { Appendable, Queryable } from '../storage/interface.js';
import type { OnAlerts, QueryFunc } from './types.js';
import { nopLogger, type Logger } from '../util/log.js';

export interface RuleManagerOptions {
  query: QueryFunc;
  appendable?: Appendable;
  queryable?: Queryable;
  onAlerts?: OnAlerts;
  externalLabels?: Record<string, string>;
  externalURL?: string;
  /** Default group interval (global evaluation_interval), default 1m. */
  evaluationIntervalMs?: number;
  /** Minimum time between resends of a firing alert (default 1m). */
  resendDelayMs?: number;
  /** Max downtime for which `for` state is restored (default 1h). */
  outageToleranceMs?: number;
  /** Minimum `for` time left after restoring (default 10m). */
  forGracePeriodMs?: number;
  logger?: Logger;
  now?: () => number;
  parse?: RuleFileParseOptions;
}

export class RuleManager {
  private groupsByKey = new Map<string, Group>();
  private started = false;
  private restored = false;
  private readonly gopts: GroupOptions;

  constructor(readonly opts: RuleManagerOptions) {
    // Groups read options through these getters, so changing `opts` (e.g. external labels on a
    // config reload) takes effect at the next evaluation.
    const o = opts;
    this.gopts = {
      get query() { return o.query; },
      get appendable() { return o.appendable; },
      get queryable() { return o.queryable; },
      get onAlerts() { return o.onAlerts; },
      get externalLabels() { return o.externalLabels ?? {}; },
      get externalURL() { return o.externalURL ?? ''; },
      get resendDelayMs() { return o.resendDelayMs ?? 60e3; },
      get outageToleranceMs() { return o.outageToleranceMs ?? 3600e3; },
      get forGracePeriodMs() { return o.forGracePeriodMs ?? 600e3; },
      get logger() { return o.logger ?? nopLogger; },
      get now() { return o.now ?? Date.now; },
    };
  }

  /** The global evaluation_interval (default 1m); groups without `interval` use it. */
  get evaluationIntervalMs(): number {
    return this.opts.evaluationIntervalMs || 60e3;
  }

  /** Expands rule_files patterns (relative to baseDir) into sorted, de-duplicated files. */
  static expandFiles(patterns: readonly string[], baseDir = '.'): string[] {
    const out = new Set<string>();
    for (const p of patterns) for (const f of glob(p, baseDir)) out.add(f);
    return [...out];
  }

  /** Builds groups from configs (restored=false for alerting rules when state must be restored). */
  buildGroups(configs: RuleGroupConfig[], shouldRestore: boolean): Group[] {
    return configs.map((gc) => {
      const rules: Rule[] = gc.rules.map((r) => {
        const labels = { ...gc.labels, ...r.labels };
        if (r.alert !== undefined) return new AlertingRule(r.alert, r.expr, r.forMs, r.keepFiringForMs, labels, r.annotations, !shouldRestore);
        return new RecordingRule(r.record!, r.expr, labels);
      });
      const g = new Group(gc.name, gc.file, gc.intervalMs || this.evaluationIntervalMs, gc.limit, gc.queryOffsetMs ?? 0, rules, this.gopts);
      g.shouldRestore = shouldRestore;
      return g;
    });
  }

  /** Loads every file; throws RuleFileError (first bad file) leaving the running rules untouched. */
  loadFiles(files: readonly string[]): RuleGroupConfig[] {
    const all: RuleGroupConfig[] = [];
    for (const f of files) all.push(...loadRuleFile(f, this.opts.parse));
    return all;
  }

  /** Replaces the rule set with the given files (already glob-expanded), keeping alert state. */
  async update(files: readonly string[]): Promise<void> {
    const configs = this.loadFiles(files);
    const shouldRestore = !this.restored && this.opts.queryable !== undefined;
    const fresh = this.buildGroups(configs, shouldRestore);
    const next = new Map<string, Group>();
    for (const g of fresh) {
      const k = g.key();
      if (next.has(k)) throw new RuleFileError(g.file, [`${g.file}: groupname: "${g.name}" is repeated in the same file`]);
      const old = this.groupsByKey.get(k);
      if (old && old.equals(g)) {
        next.set(k, old);
        continue;
      }
      if (old) g.copyState(old);
      next.set(k, g);
    }
    // Stop groups that changed or went away; the removed ones mark their series stale.
    const stops: Promise<void>[] = [];
    for (const [k, old] of this.groupsByKey) {
      const n = next.get(k);
      if (n === old) continue;
      old.markStale = n === undefined;
      stops.push(old.stop());
    }
    await Promise.all(stops);
    if (this.started) for (const [k, g] of next) if (this.groupsByKey.get(k) !== g) g.start();
    this.groupsByKey = next;
    this.restored = true;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const g of this.groupsByKey.values()) g.start();
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.groupsByKey.values()].map((g) => g.stop()));
  }

  groups(): Group[] {
    return [...this.groupsByKey.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  rules(): Rule[] {
    return this.groups().flatMap((g) => g.rules);
  }

  alertingRules(): AlertingRule[] {
    return this.rules().filter((r): r is AlertingRule => r instanceof AlertingRule);
  }

  group(file: string, name: string): Group | undefined {
    return this.groupsByKey.get(groupKey(file, name));
  }
}

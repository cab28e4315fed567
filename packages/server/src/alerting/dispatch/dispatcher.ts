// The dispatcher: routes every stored alert to the aggregation groups of its matching routes
// and removes empty groups periodically.
import type { Logger } from '../../util/log.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { AlertStore } from '../store/index.js';
import { labelSetString, type Alert } from '../types.js';
import { AggrGroup, type FlushFn } from './group.js';
import type { Route } from './route.js';

interface Placement { route: Route; key: string; labels: Record<string, string> }

export class Dispatcher {
  /** route id -> group labels key -> group */
  readonly groups = new Map<number, Map<string, AggrGroup>>();
  /** fingerprint -> where the alert goes: re-posted alerts (the common case) skip routing. */
  private placements = new Map<string, Placement[]>();
  private unsubscribe: (() => void) | null = null;
  private cleanup: TimerHandle | null = null;

  constructor(
    readonly route: Route,
    private readonly store: AlertStore,
    private readonly clock: Clock,
    private readonly flush: FlushFn,
    private readonly log: Logger,
    private readonly cleanupMs = 30_000,
  ) {}

  start(): void {
    this.unsubscribe = this.store.subscribe((a) => this.process(a));
    this.scheduleCleanup();
  }

  private scheduleCleanup(): void {
    this.cleanup = this.clock.setTimer(this.cleanupMs, () => {
      for (const groups of this.groups.values()) {
        for (const [k, g] of groups) {
          if (g.empty()) {
            g.stop();
            groups.delete(k);
          }
        }
      }
      this.scheduleCleanup();
    });
  }

  private place(a: Alert): Placement[] {
    let p = this.placements.get(a.fingerprint);
    if (!p) {
      p = this.route.match(a.labels).map((r) => {
        const labels = r.groupLabels(a.labels);
        return { route: r, key: labelSetString(labels), labels };
      });
      // Bounded: fingerprints of long-gone alerts must not pile up.
      if (this.placements.size >= 200_000) this.placements.clear();
      this.placements.set(a.fingerprint, p);
    }
    return p;
  }

  private process(a: Alert): void {
    for (const { route: r, key, labels: gl } of this.place(a)) {
      let byRoute = this.groups.get(r.id);
      if (!byRoute) {
        byRoute = new Map();
        this.groups.set(r.id, byRoute);
      }
      let g = byRoute.get(key);
      if (!g) {
        g = new AggrGroup(gl, r, this.clock, this.flush);
        byRoute.set(key, g);
        this.log.debug('new aggregation group', { group: g.groupKey });
      }
      g.insert(a);
    }
  }

  /** All groups, for /api/v2/alerts/groups. */
  allGroups(): AggrGroup[] {
    const out: AggrGroup[] = [];
    for (const m of this.groups.values()) out.push(...m.values());
    return out;
  }

  stop(): void {
    this.unsubscribe?.();
    this.cleanup?.cancel();
    for (const m of this.groups.values()) for (const g of m.values()) g.stop();
    this.groups.clear();
  }
}

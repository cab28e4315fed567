// The routing tree: options inherited from the parent, depth-first left-to-right matching with
// `continue`, and the route key used in group keys ("{}/{severity=\"critical\"}").
import type { Matcher } from '../../model/index.js';
import { DEFAULT_GROUP_INTERVAL, DEFAULT_GROUP_WAIT, DEFAULT_REPEAT_INTERVAL, type RouteConfig } from '../config/index.js';
import { amMatchersString, matchesLabelSet, sortMatchers } from '../matchers.js';
import type { LabelSet } from '../types.js';

export interface RouteOpts {
  receiver: string;
  groupBy: Set<string>;
  groupByAll: boolean;
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
}

export class Route {
  readonly opts: RouteOpts;
  readonly matchers: Matcher[];
  readonly continue: boolean;
  readonly routes: Route[];
  readonly key: string;
  /** Position in a depth-first walk; identifies the node within one tree. */
  readonly id: number;

  constructor(cr: RouteConfig, readonly parent: Route | null, counter = { n: 0 }) {
    this.id = counter.n++;
    const p = parent?.opts;
    const o: RouteOpts = p
      ? { ...p, groupBy: new Set(p.groupBy) }
      : {
          receiver: '',
          groupBy: new Set(),
          groupByAll: false,
          groupWaitMs: DEFAULT_GROUP_WAIT,
          groupIntervalMs: DEFAULT_GROUP_INTERVAL,
          repeatIntervalMs: DEFAULT_REPEAT_INTERVAL,
          muteTimeIntervals: [],
          activeTimeIntervals: [],
        };
    if (cr.receiver) o.receiver = cr.receiver;
    if (cr.groupBy !== undefined) {
      o.groupBy = new Set(cr.groupBy);
      o.groupByAll = false;
    } else if (cr.groupByAll) {
      o.groupByAll = true;
    }
    if (cr.groupWaitMs !== undefined) o.groupWaitMs = cr.groupWaitMs;
    if (cr.groupIntervalMs !== undefined) o.groupIntervalMs = cr.groupIntervalMs;
    if (cr.repeatIntervalMs !== undefined) o.repeatIntervalMs = cr.repeatIntervalMs;
    // Alertmanager 0.25 does not inherit time intervals.
    o.muteTimeIntervals = cr.muteTimeIntervals;
    o.activeTimeIntervals = cr.activeTimeIntervals;
    this.opts = o;
    this.matchers = sortMatchers([...cr.matchers]);
    this.continue = cr.continue;
    this.key = (parent ? parent.key + '/' : '') + amMatchersString(this.matchers);
    this.routes = cr.routes.map((c) => new Route(c, this, counter));
  }

  /** Matching leaf-most routes for a label set, in tree order. */
  match(ls: LabelSet): Route[] {
    if (!matchesLabelSet(this.matchers, ls)) return [];
    const all: Route[] = [];
    for (const c of this.routes) {
      const m = c.match(ls);
      all.push(...m);
      if (m.length > 0 && !c.continue) break;
    }
    if (all.length === 0) all.push(this);
    return all;
  }

  walk(visit: (r: Route) => void): void {
    visit(this);
    for (const c of this.routes) c.walk(visit);
  }

  /** Group labels of an alert under this route. */
  groupLabels(ls: LabelSet): LabelSet {
    const out: LabelSet = {};
    for (const k of Object.keys(ls)) if (this.opts.groupByAll || this.opts.groupBy.has(k)) out[k] = ls[k]!;
    return out;
  }
}

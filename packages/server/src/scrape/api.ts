// Prometheus API v1 endpoints backed by the scrape manager: /api/v1/targets,
// /api/v1/targets/metadata and (optionally) /api/v1/metadata.
import { labelsToObject, type Labels } from '../model/labels.js';
import { matches, newMatcher, type Matcher, type MatchType } from '../model/matchers.js';
import { apiError, apiSuccess, type Router } from '../web/router.js';
import { formatDuration } from '../config/duration.js';
import type { ScrapeManager } from './manager.js';

export interface TargetRoutesDeps {
  scrapeManager: ScrapeManager;
}

function isoTime(ms: number): string {
  return ms === 0 ? '0001-01-01T00:00:00Z' : new Date(ms).toISOString();
}

/** The data of GET /api/v1/targets. */
export function targetsResponse(m: ScrapeManager, state: string, pool?: string) {
  const { active, dropped } = m.targets();
  const wantActive = state === '' || state === 'any' || state === 'active';
  const wantDropped = state === '' || state === 'any' || state === 'dropped';
  const activeTargets = wantActive
    ? active
        .filter((a) => !pool || a.scrapePool === pool)
        .sort((a, b) => (a.scrapePool < b.scrapePool ? -1 : a.scrapePool > b.scrapePool ? 1 : a.target.url() < b.target.url() ? -1 : 1))
        .map(({ target: t, scrapePool }) => ({
          discoveredLabels: labelsToObject(t.discoveredLabels),
          labels: labelsToObject(t.publicLabels),
          scrapePool,
          scrapeUrl: t.url(),
          globalUrl: t.globalUrl(),
          lastError: t.lastError,
          lastScrape: isoTime(t.lastScrape),
          lastScrapeDuration: t.lastScrapeDuration,
          health: t.health,
          scrapeInterval: formatDuration(t.intervalMs),
          scrapeTimeout: formatDuration(t.timeoutMs),
        }))
    : [];
  const droppedTargets = wantDropped
    ? dropped.filter((d) => !pool || d.scrapePool === pool).map((d) => ({ discoveredLabels: labelsToObject(d.discoveredLabels), scrapePool: d.scrapePool }))
    : [];
  const counts: Record<string, number> = {};
  for (const d of dropped) counts[d.scrapePool] = (counts[d.scrapePool] ?? 0) + 1;
  return { activeTargets, droppedTargets, droppedTargetCounts: counts };
}

/** Parses a label-matcher set such as {job="node", instance=~"10\\..*"}. */
export function parseMatcherSet(s: string): Matcher[] {
  const t = s.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) throw new Error(`invalid match_target ${JSON.stringify(s)}: expected {label="value", ...}`);
  const body = t.slice(1, -1);
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;
  const out: Matcher[] = [];
  let pos = 0;
  while (pos < body.length) {
    re.lastIndex = pos;
    const m = re.exec(body);
    if (!m) {
      if (body.slice(pos).trim() === '') break;
      throw new Error(`invalid match_target ${JSON.stringify(s)} near ${JSON.stringify(body.slice(pos, pos + 20))}`);
    }
    out.push(newMatcher(m[2] as MatchType, m[1]!, JSON.parse(`"${m[3]!}"`) as string));
    pos = re.lastIndex;
  }
  return out;
}

function matchAll(ms: Matcher[], ls: Labels): boolean {
  return ms.every((m) => matches(m, ls.find((l) => l.name === m.name)?.value ?? ''));
}

export function registerTargetRoutes(router: Router, deps: TargetRoutesDeps): void {
  const m = deps.scrapeManager;
  router.get('/api/v1/targets', (req, res) => {
    const state = (req.query.get('state') ?? '').toLowerCase();
    if (!['', 'any', 'active', 'dropped'].includes(state)) return apiError(res, 'bad_data', `invalid state ${JSON.stringify(state)}: must be active, dropped or any`);
    apiSuccess(res, targetsResponse(m, state, req.query.get('scrapePool') ?? undefined));
  });
  router.get('/api/v1/targets/metadata', (req, res) => {
    let matchers: Matcher[] = [];
    const mt = req.query.get('match_target');
    try {
      if (mt) matchers = parseMatcherSet(mt);
    } catch (e) {
      return apiError(res, 'bad_data', (e as Error).message);
    }
    const metric = req.query.get('metric') ?? '';
    const limitS = req.query.get('limit');
    const limit = limitS ? Number(limitS) : -1;
    if (limitS && !Number.isInteger(limit)) return apiError(res, 'bad_data', `invalid limit ${JSON.stringify(limitS)}`);
    const out: { target: Record<string, string>; metric: string; type: string; help: string; unit: string }[] = [];
    for (const { target } of m.targets().active) {
      if (!matchAll(matchers, target.publicLabels)) continue;
      for (const [name, md] of target.metadata) {
        if (metric && name !== metric) continue;
        if (limit >= 0 && out.length >= limit) break;
        out.push({ target: labelsToObject(target.publicLabels), metric: name, type: md.type, help: md.help, unit: md.unit });
      }
    }
    if (out.length === 0 && metric) return apiError(res, 'not_found', 'specified metadata not found');
    apiSuccess(res, out);
  });
}

/** Metadata across all targets, in /api/v1/metadata's shape: {metric: [{type, help, unit}]}. */
export function scrapeMetadata(m: ScrapeManager, metric = '', limit = -1, limitPerMetric = -1): Record<string, { type: string; help: string; unit: string }[]> {
  const out: Record<string, { type: string; help: string; unit: string }[]> = {};
  let n = 0;
  for (const { target } of m.targets().active) {
    for (const [name, md] of target.metadata) {
      if (metric && name !== metric) continue;
      const list = out[name];
      if (!list && limit >= 0 && n >= limit) continue;
      const l = list ?? (out[name] = []);
      if (!list) n++;
      if (limitPerMetric >= 0 && l.length >= limitPerMetric) continue;
      if (!l.some((x) => x.type === md.type && x.help === md.help && x.unit === md.unit)) l.push({ ...md });
    }
  }
  return out;
}

/** GET /api/v1/metadata from scraped metadata (register only if nothing else serves it). */
export function registerMetadataRoute(router: Router, deps: TargetRoutesDeps): void {
  router.get('/api/v1/metadata', (req, res) => {
    const lim = (k: string) => {
      const s = req.query.get(k);
      return s ? Number(s) : -1;
    };
    apiSuccess(res, scrapeMetadata(deps.scrapeManager, req.query.get('metric') ?? '', lim('limit'), lim('limit_per_metric')));
  });
}

// HTTP API for insight: explain a score, list jobs.
//   GET /api/v1/vigil/anomaly/explain?series=<selector>
//   GET /api/v1/vigil/anomaly/jobs
import type { Router } from '../web/router.js';
import { apiError, apiSuccess } from '../web/router.js';
import { parseMetricSelector } from '../promql/index.js';
import type { InsightManager } from './manager.js';

export function registerInsightRoutes(router: Router, deps: { insight: InsightManager }): void {
  router.get('/api/v1/vigil/anomaly/explain', async (req, res) => {
    const q = await req.form();
    const sel = q.get('series') ?? q.get('match[]');
    if (!sel) return apiError(res, 'bad_data', 'missing parameter "series" (a series selector, e.g. {job="api"})');
    let matchers;
    try {
      matchers = parseMetricSelector(sel);
    } catch (e) {
      return apiError(res, 'bad_data', `invalid parameter "series": ${(e as Error).message}`);
    }
    const items = deps.insight.explain(matchers).map((it) => ({
      ...it,
      // JSON has no NaN: unknown observed values become null.
      observed: Number.isFinite(it.observed) ? it.observed : null,
    }));
    apiSuccess(res, items);
  });
  router.get('/api/v1/vigil/anomaly/jobs', (_req, res) => apiSuccess(res, deps.insight.status()));
}

// Smaller Prometheus API v1 endpoints that Grafana and other clients call.
//   /api/v1/query_exemplars — the query is validated; Vigil does not store exemplars yet, so the
//   result is always empty (the shape Prometheus uses when there are none).
//   /api/v1/alertmanagers — the Alertmanagers alerts are sent to.
import { parseExpr, PromQLParseError } from '../../promql/index.js';
import type { ServerResponse } from 'node:http';
import { apiError, apiSuccess, type Req, type Router } from '../router.js';

export interface MiscRoutesDeps {
  alertmanagerUrls: () => string[];
}

export function registerMiscRoutes(router: Router, deps: MiscRoutesDeps): void {
  const exemplars = async (req: Req, res: ServerResponse) => {
    const form = await req.form();
    const q = form.get('query');
    if (!q) return apiError(res, 'bad_data', 'invalid parameter "query": query must not be empty');
    try {
      parseExpr(q);
    } catch (e) {
      if (e instanceof PromQLParseError) return apiError(res, 'bad_data', `invalid parameter "query": ${e.message}`);
      throw e;
    }
    apiSuccess(res, []);
  };
  router.get('/api/v1/query_exemplars', exemplars);
  router.post('/api/v1/query_exemplars', exemplars);
  router.get('/api/v1/alertmanagers', (_req, res) =>
    apiSuccess(res, {
      activeAlertmanagers: deps.alertmanagerUrls().map((url) => ({ url: `${url}/api/v2/alerts` })),
      droppedAlertmanagers: [],
    }),
  );
}

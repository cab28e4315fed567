// Vigil's alert history API: GET /api/v1/vigil/alerts/history (Prometheus-style envelope).
//   filter=<matcher> (repeatable, Alertmanager syntax), start/end (RFC 3339 or unix seconds),
//   state=firing|resolved, limit (default 1000).
import { matches, type Matcher } from '../../model/index.js';
import { apiError, apiSuccess, type Router } from '../../web/router.js';
import type { Alertmanager } from '../alertmanager.js';
import { parseMatcher } from '../matchers.js';

function parseTime(s: string | null, name: string): number | undefined {
  if (s === null || s === '') return undefined;
  const n = Number(s);
  if (!Number.isNaN(n)) return n * 1000;
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new Error(`invalid ${name} ${JSON.stringify(s)}: want RFC 3339 or unix seconds`);
  return t;
}

export function registerHistoryRoutes(router: Router, am: Alertmanager, prefix = ''): void {
  router.get(`${prefix}/api/v1/vigil/alerts/history`, (req, res) => {
    let ms: Matcher[];
    let from: number | undefined, to: number | undefined, limit: number;
    try {
      ms = req.query.getAll('filter').map((f) => parseMatcher(f));
      from = parseTime(req.query.get('start'), 'start');
      to = parseTime(req.query.get('end'), 'end');
      limit = req.query.has('limit') ? Number(req.query.get('limit')) : 1000;
      if (!Number.isInteger(limit) || limit < 1) throw new Error(`invalid limit ${JSON.stringify(req.query.get('limit'))}`);
    } catch (e) {
      return apiError(res, 'bad_data', (e as Error).message);
    }
    const st = req.query.get('state');
    if (st !== null && st !== 'firing' && st !== 'resolved') return apiError(res, 'bad_data', `invalid state ${JSON.stringify(st)}: want firing or resolved`);
    apiSuccess(res, am.history.query({ match: (ls) => ms.every((m) => matches(m, ls[m.name] ?? '')), from, to, state: st ?? undefined, limit }));
  });
}

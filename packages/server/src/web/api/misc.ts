// Smaller Prometheus API v1 endpoints that Grafana and other clients call.
//   /api/v1/query_exemplars — exemplars of the series every vector selector of the PromQL query
//   selects (matcher sets OR-ed), in [start, end], as Prometheus answers it.
//   /api/v1/alertmanagers — the Alertmanagers alerts are sent to.
import { parseExpr, PromQLParseError, type Expr } from '../../promql/index.js';
import { formatValueJSON } from '../../promql/goformat.js';
import type { ServerResponse } from 'node:http';
import type { Labels } from '../../model/labels.js';
import type { Matcher } from '../../model/matchers.js';
import { apiError, apiSuccess, sendBody, type Req, type Router } from '../router.js';
import { parseTime } from './query.js';

/** One series' exemplars (timestamps in ms), oldest first. */
export interface ExemplarSeries {
  seriesLabels: Labels;
  exemplars: readonly { labels: Labels; value: number; ts: number }[];
}

export interface MiscRoutesDeps {
  alertmanagerUrls: () => string[];
  /**
   * Exemplars in [start, end] (ms) of series matching any matcher set, sorted by series labels
   * (e.g. `(s, e, m) => tsdb.queryExemplars(s, e, m)`). Absent: exemplar storage is off.
   */
  exemplars?: (start: number, end: number, matcherSets: Matcher[][]) => ExemplarSeries[] | Promise<ExemplarSeries[]>;
}

// Prometheus's defaults for an absent start/end.
const MIN_TIME = -62135596800000;
const MAX_TIME = 253402300799000;

/** The matchers of every vector selector in the expression, in depth-first order (as Prometheus's parser.ExtractSelectors). */
export function extractSelectors(e: Expr, out: Matcher[][] = []): Matcher[][] {
  switch (e.type) {
    case 'VectorSelector': out.push(e.matchers); break;
    case 'MatrixSelector': extractSelectors(e.vs, out); break;
    case 'SubqueryExpr': case 'UnaryExpr': case 'ParenExpr': extractSelectors(e.expr, out); break;
    case 'AggregateExpr': extractSelectors(e.expr, out); if (e.param) extractSelectors(e.param, out); break;
    case 'BinaryExpr': extractSelectors(e.lhs, out); extractSelectors(e.rhs, out); break;
    case 'Call': for (const a of e.args) extractSelectors(a, out); break;
    default: break;
  }
  return out;
}

function labelsJSON(ls: Labels): string {
  let s = '{';
  for (let i = 0; i < ls.length; i++) s += (i ? ',' : '') + JSON.stringify(ls[i]!.name) + ':' + JSON.stringify(ls[i]!.value);
  return s + '}';
}

export { formatValueJSON as formatValue } from '../../promql/goformat.js';

/** Prometheus's exemplar query result JSON: values as strings, timestamps as float seconds. */
export function exemplarsJSON(res: readonly ExemplarSeries[]): string {
  const parts: string[] = [];
  for (const s of res) {
    const exs = s.exemplars.map((e) => `{"labels":${labelsJSON(e.labels)},"value":"${formatValueJSON(e.value)}","timestamp":${e.ts / 1000}}`);
    parts.push(`{"seriesLabels":${labelsJSON(s.seriesLabels)},"exemplars":[${exs.join(',')}]}`);
  }
  return `[${parts.join(',')}]`;
}

export function registerMiscRoutes(router: Router, deps: MiscRoutesDeps): void {
  const exemplars = async (req: Req, res: ServerResponse) => {
    const form = await req.form();
    // Prometheus's parseTimeParam wording: `invalid parameter "start": Invalid time value for 'start': ...`.
    const time = (name: string, def: number): number => {
      const v = form.get(name);
      if (!v) return def;
      try {
        return parseTime(v, name);
      } catch {
        throw new Error(`invalid parameter "${name}": Invalid time value for '${name}': cannot parse "${v}" to a valid timestamp`);
      }
    };
    let start: number, end: number;
    try {
      start = time('start', MIN_TIME);
      end = time('end', MAX_TIME);
    } catch (e) {
      return apiError(res, 'bad_data', (e as Error).message);
    }
    if (end < start) return apiError(res, 'bad_data', 'end timestamp must not be before start timestamp');
    let expr: Expr;
    try {
      expr = parseExpr(form.get('query') ?? '');
    } catch (e) {
      if (e instanceof PromQLParseError) return apiError(res, 'bad_data', e.message);
      throw e;
    }
    const sets = extractSelectors(expr);
    // No selector (e.g. `1 + 1`): Prometheus answers 204 No Content, without a body.
    if (sets.length === 0) {
      res.writeHead(204);
      res.end();
      return;
    }
    const found = deps.exemplars ? await deps.exemplars(start, end, sets) : [];
    sendBody(res, 200, `{"status":"success","data":${exemplarsJSON(found)}}`, 'application/json');
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

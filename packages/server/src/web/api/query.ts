// Prometheus HTTP API v1 query endpoints: /api/v1/query, /query_range, /format_query,
// /parse_query, /series, /labels, /label/:name/values. GET and form-encoded POST.
import type { ServerResponse } from 'node:http';
import type { Labels } from '../../model/labels.js';
import { labelsKey, compareLabels } from '../../model/labels.js';
import type { Matcher } from '../../model/matchers.js';
import type { Querier, Queryable } from '../../storage/interface.js';
import { Engine, PromQLParseError, QueryError, exprToJSON, prettyExpr, parseExpr, parseMetricSelector, type Value } from '../../promql/index.js';
import { formatValueJSON } from '../../promql/goformat.js';
import { parseDurationMs } from '../../promql/lexer.js';
import { isValidUTF8 } from '../../promql/strings.js';
import { apiError, apiSuccess, sendText, type ApiErrorType, type Req, type Router } from '../router.js';
import { histogramJSON } from './histjson.js';

export interface QueryRoutesDeps {
  engine: Engine;
  queryable: Queryable;
  /** Default lookback delta (the engine's when omitted). */
  lookbackDeltaMs?: number;
  /** Clock for a missing `time` parameter (ms). */
  now?: () => number;
}

// Prometheus's minTime/maxTime for unset start/end on metadata endpoints.
const MIN_TIME = -62135596800000;
const MAX_TIME = 253402300799000;

class BadData extends Error {}

/** Parses an API timestamp: Unix seconds (float) or RFC3339; returns ms. */
export function parseTime(s: string, param: string): number {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    const v = Number(s);
    if (Number.isFinite(v)) return Math.round(v * 1000);
  }
  if (/^\d{4}-\d\d-\d\dT/.test(s)) {
    const t = Date.parse(s);
    if (!Number.isNaN(t)) {
      // Keep sub-millisecond precision out; Prometheus works in ms.
      return t;
    }
  }
  if (s === '-292273086-05-16T16:47:06Z') return MIN_TIME;
  if (s === '292277025-08-18T07:12:54.999999999Z') return MAX_TIME;
  throw new BadData(`invalid parameter "${param}": cannot parse "${s}" to a valid timestamp`);
}

/** Parses an API duration: float seconds or a Prometheus duration; returns ms. */
export function parseApiDuration(s: string, param: string): number {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    const v = Number(s) * 1000;
    if (Number.isFinite(v) && Math.abs(v) < 2 ** 62) return Math.round(v);
    throw new BadData(`invalid parameter "${param}": cannot parse "${s}" to a valid duration. It overflows int64`);
  }
  const d = parseDurationMs(s);
  if (d !== null) return d;
  throw new BadData(`invalid parameter "${param}": cannot parse "${s}" to a valid duration`);
}

const fmtValue = formatValueJSON;

function fmtTs(t: number): number {
  return t / 1000;
}

function metricObj(ls: Labels): Record<string, string> {
  const o: Record<string, string> = {};
  for (const l of ls) o[l.name] = l.value;
  return o;
}

/** Converts an engine value to Prometheus's JSON result. */
export function valueToJSON(v: Value): { resultType: string; result: unknown } {
  switch (v.type) {
    case 'scalar': return { resultType: 'scalar', result: [fmtTs(v.t), fmtValue(v.v)] };
    case 'string': return { resultType: 'string', result: [fmtTs(v.t), v.v] };
    case 'vector':
      return {
        resultType: 'vector',
        result: v.samples.map((s) => (s.h ? { metric: metricObj(s.labels), histogram: [fmtTs(s.t), JSON.parse(histogramJSON(s.h, fmtValue)) as unknown] } : { metric: metricObj(s.labels), value: [fmtTs(s.t), fmtValue(s.v)] })),
      };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: v.series.map((s) => {
          const values: [number, string][] = [];
          const histograms: [number, unknown][] = [];
          for (let i = 0; i < s.t.length; i++) {
            const h = s.h?.[i];
            if (h) histograms.push([fmtTs(s.t[i]!), JSON.parse(histogramJSON(h, fmtValue)) as unknown]);
            else values.push([fmtTs(s.t[i]!), fmtValue(s.v[i]!)]);
          }
          return { metric: metricObj(s.labels), ...(values.length ? { values } : {}), ...(histograms.length ? { histograms } : {}) };
        }),
      };
  }
}

/**
 * Writes a query response directly as JSON text: large matrices would otherwise build one small
 * array per point and serialise them twice.
 */
export function sendQueryResult(res: ServerResponse, v: Value, warnings: string[], infos: string[]): void {
  const parts: string[] = [];
  const metric = (ls: Labels) => JSON.stringify(metricObj(ls));
  switch (v.type) {
    case 'scalar':
      parts.push(`{"resultType":"scalar","result":[${fmtTs(v.t)},"${fmtValue(v.v)}"]}`);
      break;
    case 'string':
      parts.push(`{"resultType":"string","result":[${fmtTs(v.t)},${JSON.stringify(v.v)}]}`);
      break;
    case 'vector': {
      parts.push('{"resultType":"vector","result":[');
      v.samples.forEach((s, i) => parts.push(s.h
        ? `${i ? ',' : ''}{"metric":${metric(s.labels)},"histogram":[${fmtTs(s.t)},${histogramJSON(s.h, fmtValue)}]}`
        : `${i ? ',' : ''}{"metric":${metric(s.labels)},"value":[${fmtTs(s.t)},"${fmtValue(s.v)}"]}`));
      parts.push(']}');
      break;
    }
    case 'matrix': {
      parts.push('{"resultType":"matrix","result":[');
      // Series of a range query share the step timestamps: format each one once.
      const tsCache = new Map<number, string>();
      const ts = (t: number) => {
        let x = tsCache.get(t);
        if (x === undefined) tsCache.set(t, (x = String(fmtTs(t))));
        return x;
      };
      v.series.forEach((s, i) => {
        if (s.h) {
          // Floats under "values", histograms under "histograms" (each only when present).
          let fl = '', hs = '';
          for (let k = 0; k < s.t.length; k++) {
            const h = s.h[k];
            if (h) hs += `${hs ? ',' : ''}[${ts(s.t[k]!)},${histogramJSON(h, fmtValue)}]`;
            else fl += `${fl ? ',' : ''}[${ts(s.t[k]!)},"${fmtValue(s.v[k]!)}"]`;
          }
          parts.push(`${i ? ',' : ''}{"metric":${metric(s.labels)}${fl ? `,"values":[${fl}]` : ''}${hs ? `,"histograms":[${hs}]` : ''}}`);
          return;
        }
        let pts = '';
        for (let k = 0; k < s.t.length; k++) pts += `${k ? ',' : ''}[${ts(s.t[k]!)},"${fmtValue(s.v[k]!)}"]`;
        parts.push(`${i ? ',' : ''}{"metric":${metric(s.labels)},"values":[${pts}]}`);
      });
      parts.push(']}');
      break;
    }
  }
  let body = `{"status":"success","data":${parts.join('')}`;
  if (warnings.length) body += `,"warnings":${JSON.stringify(warnings)}`;
  if (infos.length) body += `,"infos":${JSON.stringify(infos)}`;
  sendText(res, 200, body + '}', 'application/json');
}

function sendError(res: ServerResponse, e: unknown, queryParam = 'query'): void {
  if (e instanceof BadData) return apiError(res, 'bad_data', e.message);
  if (e instanceof PromQLParseError) return apiError(res, 'bad_data', `invalid parameter "${queryParam}": ${e.message}`);
  if (e instanceof QueryError) {
    const map: Record<string, ApiErrorType> = { execution: 'execution', timeout: 'timeout', canceled: 'canceled', bad_data: 'bad_data', too_many_samples: 'execution' };
    return apiError(res, map[e.kind] ?? 'execution', e.message);
  }
  return apiError(res, 'internal', (e as Error)?.message ?? String(e));
}

/** match[] selectors; /series names the parameter in errors, /labels and label values don't (as Prometheus). */
function matchersParam(form: URLSearchParams, nameParam = true): Matcher[][] {
  return form.getAll('match[]').map((m) => {
    try {
      return parseMetricSelector(m);
    } catch (e) {
      throw new BadData(nameParam ? `invalid parameter "match[]": ${(e as Error).message}` : (e as Error).message);
    }
  });
}

/** An optional time parameter of /query, /series and /labels, with Prometheus's error wording. */
function timeParam(s: string, param: string): number {
  try {
    return parseTime(s, param);
  } catch (e) {
    if (!(e instanceof BadData)) throw e;
    throw new BadData(`invalid parameter "${param}": Invalid time value for '${param}': ${e.message.replace(/^invalid parameter "[^"]*": /, '')}`);
  }
}

function limitParam(form: URLSearchParams): number {
  const l = form.get('limit');
  if (l === null || l === '') return 0;
  const n = Number(l);
  if (!Number.isInteger(n) || n < 0) throw new BadData(`invalid parameter "limit": cannot parse "${l}" to a valid limit`);
  return n;
}

export function registerQueryRoutes(router: Router, deps: QueryRoutesDeps): void {
  const now = deps.now ?? Date.now;

  const queryOpts = (form: URLSearchParams, req: Req) => {
    const o: { signal: AbortSignal; lookbackDeltaMs?: number; timeoutMs?: number } = { signal: req.signal };
    const lb = form.get('lookback_delta');
    if (lb) o.lookbackDeltaMs = parseApiDuration(lb, 'lookback_delta');
    else if (deps.lookbackDeltaMs) o.lookbackDeltaMs = deps.lookbackDeltaMs;
    const to = form.get('timeout');
    if (to) o.timeoutMs = parseApiDuration(to, 'timeout');
    return o;
  };

  const instant = async (req: Req, res: ServerResponse) => {
    try {
      const form = await req.form();
      const q = form.get('query') ?? '';
      const t = form.get('time') ? timeParam(form.get('time')!, 'time') : now();
      const opts = queryOpts(form, req);
      const r = await deps.engine.instantQuery(deps.queryable, q, t, opts);
      sendQueryResult(res, r.value, r.warnings, r.infos);
    } catch (e) {
      sendError(res, e);
    }
  };

  const range = async (req: Req, res: ServerResponse) => {
    try {
      const form = await req.form();
      const startS = form.get('start'), endS = form.get('end'), stepS = form.get('step');
      if (!startS) throw new BadData('invalid parameter "start": cannot parse "" to a valid timestamp');
      const start = parseTime(startS, 'start');
      if (!endS) throw new BadData('invalid parameter "end": cannot parse "" to a valid timestamp');
      const end = parseTime(endS, 'end');
      if (end < start) throw new BadData('invalid parameter "end": end timestamp must not be before start time');
      if (!stepS) throw new BadData('invalid parameter "step": cannot parse "" to a valid duration');
      const step = parseApiDuration(stepS, 'step');
      if (step <= 0) throw new BadData('invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer');
      if ((end - start) / step > 11000) throw new BadData('exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
      const q = form.get('query') ?? '';
      const opts = queryOpts(form, req);
      const r = await deps.engine.rangeQuery(deps.queryable, q, start, end, step, opts);
      sendQueryResult(res, r.value, r.warnings, r.infos);
    } catch (e) {
      sendError(res, e);
    }
  };

  const formatQuery = async (req: Req, res: ServerResponse) => {
    try {
      const form = await req.form();
      apiSuccess(res, prettyExpr(parseExpr(form.get('query') ?? '')));
    } catch (e) {
      sendError(res, e);
    }
  };

  const parseQuery = async (req: Req, res: ServerResponse) => {
    try {
      const form = await req.form();
      apiSuccess(res, exprToJSON(parseExpr(form.get('query') ?? '')));
    } catch (e) {
      sendError(res, e);
    }
  };

  const timeRange = (form: URLSearchParams) => {
    const s = form.get('start'), e = form.get('end');
    const start = s ? timeParam(s, 'start') : MIN_TIME;
    const end = e ? timeParam(e, 'end') : MAX_TIME;
    if (end < start) throw new BadData('invalid parameter "end": end timestamp must not be before start time');
    return { start, end };
  };

  const series = async (req: Req, res: ServerResponse) => {
    try {
      const form = await req.form();
      const sets = matchersParam(form);
      if (!sets.length) throw new BadData('no match[] parameter provided');
      const { start, end } = timeRange(form);
      const limit = limitParam(form);
      const querier = deps.queryable.querier(start, end);
      try {
        const seen = new Map<string, Labels>();
        for (const ms of sets) {
          for (const s of await querier.select({ start, end, func: 'series' }, ms)) seen.set(labelsKey(s.labels), s.labels);
        }
        let out = [...seen.values()].sort(compareLabels);
        const warnings: string[] = [];
        if (limit && out.length > limit) {
          out = out.slice(0, limit);
          warnings.push('results truncated due to limit');
        }
        apiSuccess(res, out.map(metricObj), warnings);
      } finally {
        querier.close();
      }
    } catch (e) {
      sendError(res, e);
    }
  };

  /** /labels and /label/:name/values: the union over match[] sets (or all series), sorted, limited. */
  const sendNameList = async (res: ServerResponse, form: URLSearchParams, lookup: (q: Querier, ms?: readonly Matcher[]) => Promise<string[]>) => {
    const sets = matchersParam(form, false);
    const { start, end } = timeRange(form);
    const limit = limitParam(form);
    const querier = deps.queryable.querier(start, end);
    try {
      const found = new Set<string>();
      for (const ms of sets.length ? sets : [undefined]) for (const x of await lookup(querier, ms)) found.add(x);
      let out = [...found].sort();
      const warnings: string[] = [];
      if (limit && out.length > limit) {
        out = out.slice(0, limit);
        warnings.push('results truncated due to limit');
      }
      apiSuccess(res, out, warnings);
    } finally {
      querier.close();
    }
  };

  const labels = async (req: Req, res: ServerResponse) => {
    try {
      const form = await req.form();
      await sendNameList(res, form, (q, ms) => q.labelNames(ms));
    } catch (e) {
      sendError(res, e);
    }
  };

  const labelValues = async (req: Req, res: ServerResponse) => {
    try {
      let name = req.params.name ?? '';
      // Prometheus 3 accepts U__-escaped UTF-8 names in the path.
      if (name.startsWith('U__')) name = unescapeName(name);
      if (!name || !isValidUTF8(name)) throw new BadData(`invalid label name: "${name}"`);
      const form = await req.form();
      await sendNameList(res, form, (q, ms) => q.labelValues(name, ms));
    } catch (e) {
      sendError(res, e);
    }
  };

  for (const [path, h] of [
    ['/api/v1/query', instant],
    ['/api/v1/query_range', range],
    ['/api/v1/format_query', formatQuery],
    ['/api/v1/parse_query', parseQuery],
    ['/api/v1/series', series],
    ['/api/v1/labels', labels],
    ['/api/v1/label/:name/values', labelValues],
  ] as const) {
    router.get(path, h);
    router.post(path, h);
  }
}

/** Reverses Prometheus's U__ escaping of label names (_ = '_', __ hex _ = code point). */
function unescapeName(s: string): string {
  const body = s.slice(3);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '_') { out += c; continue; }
    if (body[i + 1] === '_') { out += '_'; i++; continue; }
    const end = body.indexOf('_', i + 1);
    if (end < 0) return s;
    const cp = parseInt(body.slice(i + 1, end), 16);
    if (!Number.isFinite(cp)) return s;
    out += String.fromCodePoint(cp);
    i = end;
  }
  return out;
}

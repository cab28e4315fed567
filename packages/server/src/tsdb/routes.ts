// HTTP endpoints backed by the TSDB (Prometheus API shapes):
//   POST|PUT /api/v1/admin/tsdb/snapshot[?skip_head=true]      -> {name}
//   POST|PUT /api/v1/admin/tsdb/delete_series?match[]=&start=&end= -> 204
//   POST|PUT /api/v1/admin/tsdb/clean_tombstones               -> 204
//   GET /api/v1/status/tsdb[?limit=10]   GET /api/v1/status/walreplay
//   GET /api/v1/metadata[?metric=&limit=&limit_per_metric=]
// Admin endpoints answer "admin APIs disabled" unless enableAdmin is set (as Prometheus's
// --web.enable-admin-api).
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Matcher } from '../model/matchers.js';
import { apiError, apiSuccess, type Req, type Router } from '../web/router.js';
import type { TSDB } from './db.js';

export interface TSDBRoutesDeps {
  tsdb: TSDB;
  /** Parses a series selector such as `up{job="x"}` (the PromQL parser's parseMetricSelector). */
  parseMatchers: (selector: string) => Matcher[];
  enableAdmin?: boolean;
  /** Where snapshots go; default <data dir>/snapshots. */
  snapshotDir?: string;
}

const MIN_TIME = -62135596800000;
const MAX_TIME = 253402300799000;

function parseTime(s: string | null, def: number, name: string): number {
  if (s === null || s === '') return def;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new Error(`invalid parameter "${name}": cannot parse "${s}" to a valid timestamp`);
  return t;
}

function snapshotName(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z-${randomBytes(8).toString('hex')}`;
}

export function registerTSDBRoutes(router: Router, deps: TSDBRoutesDeps): void {
  const { tsdb } = deps;
  const admin = (h: (req: Req, res: ServerResponse) => Promise<void>) => async (req: Req, res: ServerResponse) => {
    if (!deps.enableAdmin) return apiError(res, 'unavailable', 'admin APIs disabled');
    try {
      await h(req, res);
    } catch (e) {
      apiError(res, 'internal', (e as Error).message);
    }
  };

  router.add(['POST', 'PUT'], '/api/v1/admin/tsdb/snapshot', admin(async (req, res) => {
    const form = await req.form();
    const skipHead = ['true', '1'].includes(form.get('skip_head') ?? '');
    const base = deps.snapshotDir ?? (tsdb.dir ? join(tsdb.dir, 'snapshots') : undefined);
    if (!base) return apiError(res, 'unavailable', 'snapshots need a data directory');
    const name = snapshotName();
    await tsdb.snapshot(join(base, name), { skipHead });
    apiSuccess(res, { name });
  }));

  router.add(['POST', 'PUT'], '/api/v1/admin/tsdb/delete_series', admin(async (req, res) => {
    const form = await req.form();
    const sels = form.getAll('match[]');
    if (!sels.length) return apiError(res, 'bad_data', 'no match[] parameter provided');
    let start: number, end: number;
    const sets: Matcher[][] = [];
    try {
      start = parseTime(form.get('start'), MIN_TIME, 'start');
      end = parseTime(form.get('end'), MAX_TIME, 'end');
      for (const s of sels) sets.push(deps.parseMatchers(s));
    } catch (e) {
      return apiError(res, 'bad_data', (e as Error).message);
    }
    for (const ms of sets) await tsdb.deleteSeries(ms, start, end);
    res.statusCode = 204;
    res.end();
  }));

  router.add(['POST', 'PUT'], '/api/v1/admin/tsdb/clean_tombstones', admin(async (_req, res) => {
    await tsdb.cleanTombstones();
    res.statusCode = 204;
    res.end();
  }));

  router.get('/api/v1/status/tsdb', (req, res) => {
    const l = req.query.get('limit');
    const limit = l === null ? 10 : Number(l);
    if (!Number.isInteger(limit) || limit <= 0) return apiError(res, 'bad_data', 'limit must be a positive number');
    apiSuccess(res, tsdb.headStats(limit));
  });

  router.get('/api/v1/status/walreplay', (_req, res) => {
    const s = tsdb.walReplayStatus();
    apiSuccess(res, { min: s.min, max: s.max, current: s.current });
  });

  router.get('/api/v1/metadata', (req, res) => {
    const limit = Number(req.query.get('limit') ?? -1);
    const perMetric = Number(req.query.get('limit_per_metric') ?? -1);
    const metric = req.query.get('metric') ?? undefined;
    const out: Record<string, { type: string; help: string; unit: string }[]> = {};
    let n = 0;
    for (const [name, m] of tsdb.getMetadata(metric || undefined)) {
      if (limit >= 0 && n >= limit) break;
      const list = [{ type: m.type, help: m.help, unit: m.unit }];
      out[name] = perMetric >= 0 ? list.slice(0, perMetric) : list;
      n++;
    }
    apiSuccess(res, out);
  });
}

// The `anomaly:` section of vigil.yml: jobs that evaluate a PromQL expression periodically, feed
// each resulting series to a detector, and write scores and threshold bands back as series.
//
//   anomaly:
//     evaluation_interval: 1m          # default for jobs
//     jobs:
//       - name: api_latency
//         expr: histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))
//         interval: 1m
//         detector: ensemble           # see docs/anomaly.md for the list
//         params: {suppress: 60}
//         seasonality: daily           # daily | weekly | none
//         thresholds: {window: 7d, upper_quantile: 0.99, lower_quantile: 0.01}
//         labels: {team: web}
//         max_series: 10000
import type { CfgNode } from '../config/node.js';
import { parseExpr } from '../promql/index.js';
import { createDetector, detectorNames } from './detectors/registry.js';
import type { Params } from './detectors/types.js';

export type Seasonality = 'none' | 'daily' | 'weekly';

export interface ThresholdConfig {
  enabled: boolean;
  /** Effective history the percentiles cover, ms. */
  windowMs: number;
  upperQuantile: number;
  lowerQuantile: number;
  /** Adjust the band by time of day / week (from the job's seasonality). */
  seasonal: boolean;
}

export interface AnomalyJob {
  name: string;
  expr: string;
  intervalMs: number;
  detector: string;
  params: Params;
  seasonality: Seasonality;
  /** For multivariate detectors (iforest): labels that identify one vector; the rest name its dimensions. */
  groupBy: string[];
  thresholds: ThresholdConfig;
  labels: Record<string, string>;
  maxSeries: number;
  /** Forget a series not seen for this long (ms). */
  staleAfterMs: number;
}

export interface AnomalyConfig {
  evaluationIntervalMs: number;
  jobs: AnomalyJob[];
}

const JOB_KEYS = ['name', 'expr', 'interval', 'detector', 'params', 'seasonality', 'group_by', 'thresholds', 'labels', 'max_series', 'stale_after'];
const TH_KEYS = ['enabled', 'window', 'upper_quantile', 'lower_quantile', 'seasonal'];
const NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_:.-]*$/;

export const SEASON_MS: Record<Exclude<Seasonality, 'none'>, number> = { daily: 86_400_000, weekly: 7 * 86_400_000 };

/** Parses and validates the `anomaly` section; errors name file:line and field. */
export function parseAnomalyConfig(node: CfgNode): AnomalyConfig {
  node.allowOnly(['evaluation_interval', 'jobs']);
  const evaluationIntervalMs = node.get('evaluation_interval').duration('1m');
  if (evaluationIntervalMs <= 0) throw node.get('evaluation_interval').error('must be greater than 0');
  const seen = new Set<string>();
  const jobs = node.get('jobs').items().map((j) => {
    j.allowOnly(JOB_KEYS);
    const name = j.get('name').str();
    if (!NAME_RE.test(name)) throw j.get('name').error(`invalid job name ${JSON.stringify(name)}`);
    if (seen.has(name)) throw j.get('name').error(`duplicate job name ${JSON.stringify(name)}`);
    seen.add(name);
    const expr = j.get('expr').str();
    try {
      parseExpr(expr);
    } catch (e) {
      throw j.get('expr').error(`invalid PromQL: ${(e as Error).message}`);
    }
    const intervalMs = j.get('interval').duration(evaluationIntervalMs);
    if (intervalMs <= 0) throw j.get('interval').error('must be greater than 0');
    const detector = j.get('detector').str('ensemble');
    if (!detectorNames().includes(detector)) {
      throw j.get('detector').error(`unknown detector ${JSON.stringify(detector)} (known: ${detectorNames().join(', ')})`);
    }
    const seasonality = j.get('seasonality').str('daily');
    if (seasonality !== 'none' && seasonality !== 'daily' && seasonality !== 'weekly') {
      throw j.get('seasonality').error(`must be one of daily, weekly, none; got ${JSON.stringify(seasonality)}`);
    }
    const params: Params = {};
    const pn = j.get('params');
    for (const [k, v] of pn.entries()) {
      const x = v.scalar();
      if (typeof x === 'number' || typeof x === 'boolean') params[k] = x;
      else if (typeof x === 'string') {
        // Durations are convenient for time-based parameters (period: 1w).
        params[k] = /^\d+(ms|s|m|h|d|w|y)/.test(x) ? v.duration() : x;
      } else throw v.error('expected a number, boolean or string');
    }
    // Seasonality hint: the period of the seasonal detector; for the ensemble (which has daily
    // and weekly profiles) `none` drops the profiles. Explicit params win.
    if (detector === 'seasonal' && seasonality !== 'none' && params.period === undefined) params.period = SEASON_MS[seasonality];
    if (detector === 'ensemble' && seasonality === 'none' && params.components === undefined) params.components = 'ewma,cusum';
    try {
      createDetector(detector, params); // iforest: validates the forest's parameters too
    } catch (e) {
      throw pn.isNull() ? j.get('detector').error((e as Error).message) : pn.error((e as Error).message);
    }
    const th = j.get('thresholds');
    th.allowOnly(TH_KEYS);
    const upper = th.get('upper_quantile').num(0.99);
    const lower = th.get('lower_quantile').num(0.01);
    if (!(upper > 0 && upper < 1)) throw th.get('upper_quantile').error('must be between 0 and 1');
    if (!(lower > 0 && lower < upper)) throw th.get('lower_quantile').error('must be between 0 and upper_quantile');
    const windowMs = th.get('window').duration('7d');
    if (windowMs <= 0) throw th.get('window').error('must be greater than 0');
    const labels = j.get('labels').strMap();
    for (const k of Object.keys(labels)) {
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k) || k.startsWith('__')) throw j.get('labels').get(k).error(`invalid label name ${JSON.stringify(k)}`);
      if (k === 'detector') throw j.get('labels').get(k).error('label "detector" is set by Vigil');
    }
    const maxSeries = j.get('max_series').int(10000);
    if (maxSeries < 1) throw j.get('max_series').error('must be at least 1');
    return {
      name,
      expr,
      intervalMs,
      detector,
      params,
      seasonality,
      groupBy: j.get('group_by').strList(),
      thresholds: {
        enabled: th.get('enabled').bool(true),
        windowMs,
        upperQuantile: upper,
        lowerQuantile: lower,
        seasonal: th.get('seasonal').bool(seasonality !== 'none'),
      },
      labels,
      maxSeries,
      staleAfterMs: j.get('stale_after').duration('24h'),
    } satisfies AnomalyJob;
  });
  return { evaluationIntervalMs, jobs };
}

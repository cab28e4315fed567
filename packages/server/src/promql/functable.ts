// Signatures of PromQL functions: argument types, optional/variadic arguments, return type.
// Types are spelled as strings to keep this table free of runtime imports.
type T = 'scalar' | 'vector' | 'matrix' | 'string';

export interface FuncSig {
  args: T[];
  /** Number of trailing args that may be omitted (or -1: last arg repeats any number of times, >= 0). */
  optional?: number;
  variadic?: boolean;
  ret: T;
  experimental?: boolean;
}

const v = 'vector', m = 'matrix', s = 'scalar', str = 'string';

const sig = (args: T[], ret: T, extra: Partial<FuncSig> = {}): FuncSig => ({ args, ret, ...extra });

export const FUNCTIONS: Record<string, FuncSig> = {
  abs: sig([v], v),
  absent: sig([v], v),
  absent_over_time: sig([m], v),
  acos: sig([v], v), acosh: sig([v], v), asin: sig([v], v), asinh: sig([v], v),
  atan: sig([v], v), atanh: sig([v], v), cos: sig([v], v), cosh: sig([v], v),
  sin: sig([v], v), sinh: sig([v], v), tan: sig([v], v), tanh: sig([v], v),
  deg: sig([v], v), rad: sig([v], v), pi: sig([], s),
  avg_over_time: sig([m], v),
  ceil: sig([v], v),
  changes: sig([m], v),
  clamp: sig([v, s, s], v),
  clamp_max: sig([v, s], v),
  clamp_min: sig([v, s], v),
  count_over_time: sig([m], v),
  day_of_month: sig([v], v, { optional: 1 }),
  day_of_week: sig([v], v, { optional: 1 }),
  day_of_year: sig([v], v, { optional: 1 }),
  days_in_month: sig([v], v, { optional: 1 }),
  delta: sig([m], v),
  deriv: sig([m], v),
  double_exponential_smoothing: sig([m, s, s], v, { experimental: true }),
  holt_winters: sig([m, s, s], v),
  exp: sig([v], v),
  first_over_time: sig([m], v, { experimental: true }),
  floor: sig([v], v),
  histogram_avg: sig([v], v),
  histogram_count: sig([v], v),
  histogram_fraction: sig([s, s, v], v),
  histogram_quantile: sig([s, v], v),
  histogram_quantiles: sig([v, str, s], v, { variadic: true, experimental: true }),
  histogram_stddev: sig([v], v),
  histogram_stdvar: sig([v], v),
  histogram_sum: sig([v], v),
  hour: sig([v], v, { optional: 1 }),
  idelta: sig([m], v),
  increase: sig([m], v),
  info: sig([v, v], v, { optional: 1, experimental: true }),
  irate: sig([m], v),
  label_join: sig([v, str, str, str], v, { variadic: true }),
  label_replace: sig([v, str, str, str, str], v),
  last_over_time: sig([m], v),
  ln: sig([v], v), log10: sig([v], v), log2: sig([v], v),
  mad_over_time: sig([m], v, { experimental: true }),
  max_over_time: sig([m], v),
  min_over_time: sig([m], v),
  minute: sig([v], v, { optional: 1 }),
  month: sig([v], v, { optional: 1 }),
  predict_linear: sig([m, s], v),
  present_over_time: sig([m], v),
  quantile_over_time: sig([s, m], v),
  rate: sig([m], v),
  resets: sig([m], v),
  round: sig([v, s], v, { optional: 1 }),
  scalar: sig([v], s),
  sgn: sig([v], v),
  sort: sig([v], v),
  sort_desc: sig([v], v),
  sort_by_label: sig([v, str], v, { variadic: true, experimental: true }),
  sort_by_label_desc: sig([v, str], v, { variadic: true, experimental: true }),
  sqrt: sig([v], v),
  start_timestamp: sig([v], v, { optional: 1, experimental: true }),
  stddev_over_time: sig([m], v),
  stdvar_over_time: sig([m], v),
  sum_over_time: sig([m], v),
  time: sig([], s),
  timestamp: sig([v], v),
  ts_of_first_over_time: sig([m], v, { experimental: true }),
  ts_of_last_over_time: sig([m], v, { experimental: true }),
  ts_of_max_over_time: sig([m], v, { experimental: true }),
  ts_of_min_over_time: sig([m], v, { experimental: true }),
  vector: sig([s], v),
  year: sig([v], v, { optional: 1 }),
};

// Decoded OTLP metrics (opentelemetry/proto/metrics/v1), shared by the protobuf and JSON decoders.
// Attribute values are already converted to strings the way the OTel collector's AsString does.

export interface OtlpAttr {
  key: string;
  value: string;
}

export type OtlpKind = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary' | 'none';

export const TEMPORALITY_UNSPECIFIED = 0;
export const TEMPORALITY_DELTA = 1;
export const TEMPORALITY_CUMULATIVE = 2;
/** DataPointFlags.FLAG_NO_RECORDED_VALUE: the point marks the series stale. */
export const FLAG_NO_RECORDED_VALUE = 1;

export interface OtlpPoint {
  attrs: OtlpAttr[];
  startMs: number;
  timeMs: number;
  flags: number;
  /** gauge/sum value */
  value: number;
  /** histogram/summary */
  count: number;
  sum: number;
  hasSum: boolean;
  bucketCounts: number[];
  bounds: number[];
  quantiles: { q: number; v: number }[];
  /** Exponential histogram fields (absent for other kinds). */
  exp?: OtlpExpHistogram;
}

/** ExponentialHistogramDataPoint's layout: bucket i of a side covers (base^(offset+i), base^(offset+i+1)]. */
export interface OtlpExpHistogram {
  scale: number;
  zeroCount: number;
  zeroThreshold: number;
  posOffset: number;
  pos: number[];
  negOffset: number;
  neg: number[];
}

export interface OtlpMetric {
  name: string;
  description: string;
  unit: string;
  kind: OtlpKind;
  temporality: number;
  monotonic: boolean;
  points: OtlpPoint[];
}

export interface OtlpScope {
  name: string;
  version: string;
  metrics: OtlpMetric[];
}

export interface OtlpResource {
  attrs: OtlpAttr[];
  scopes: OtlpScope[];
}

export interface OtlpRequest {
  resources: OtlpResource[];
}

const NONE: never[] = [];
Object.freeze(NONE);

/** A fresh point; the histogram/summary arrays are a shared empty array until a decoder sets them. */
export function newPoint(): OtlpPoint {
  return { attrs: NONE, startMs: 0, timeMs: 0, flags: 0, value: 0, count: 0, sum: 0, hasSum: false, bucketCounts: NONE, bounds: NONE, quantiles: NONE };
}

/** Go's strconv.FormatFloat(f, 'g', -1, 64) (used for double attribute values). */
export function formatFloatG(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mant, ex] = f.toExponential().split('e') as [string, string];
  const x = Number(ex);
  // shortest 'g' switches to exponent form when exp < -4 || exp >= 6; exponent has 2+ digits
  if (x < -4 || x >= 6) return `${mant}e${x < 0 ? '-' : '+'}${String(Math.abs(x)).padStart(2, '0')}`;
  return formatFloatF(f);
}

/** Go's strconv.FormatFloat(f, 'f', -1, 64): shortest digits, never an exponent (le/quantile labels). */
export function formatFloatF(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  const s = String(f);
  if (!/e/.test(s)) return s;
  const neg = f < 0;
  const [mant, ex] = Math.abs(f).toExponential().split('e') as [string, string];
  const x = Number(ex);
  const digits = mant.replace('.', '');
  let out: string;
  if (x >= 0) out = digits.length - 1 <= x ? digits + '0'.repeat(x - (digits.length - 1)) : digits.slice(0, x + 1) + '.' + digits.slice(x + 1);
  else out = '0.' + '0'.repeat(-x - 1) + digits;
  return neg ? '-' + out : out;
}

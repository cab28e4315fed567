// OTLP/JSON (protojson mapping) decoder: lowerCamelCase field names (snake_case accepted too),
// 64-bit integers as strings or numbers, enums as numbers or names.
import { formatFloatG, newPoint, type OtlpAttr, type OtlpKind, type OtlpMetric, type OtlpPoint, type OtlpRequest } from './model.js';

export class OtlpJsonError extends Error {}

type Obj = Record<string, unknown>;

function get(o: Obj, camel: string): unknown {
  if (camel in o) return o[camel];
  const snake = camel.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
  return o[snake];
}

function obj(v: unknown, path: string): Obj {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new OtlpJsonError(`${path}: expected an object`);
  return v as Obj;
}

function arr(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new OtlpJsonError(`${path}: expected an array`);
  return v;
}

function str(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

function num(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    const n = Number(v);
    if (v.trim() !== '' && !Number.isNaN(n)) return n;
  }
  throw new OtlpJsonError(`${path}: expected a number, got ${JSON.stringify(v)}`);
}

/** Nanosecond timestamps (string or number) to integer ms, exact for decimal strings. */
function nanosToMs(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string' && /^\d+$/.test(v)) return v.length <= 6 ? 0 : Number(v.slice(0, -6));
  return Math.floor(num(v, path) / 1e6);
}

function enumVal(v: unknown, names: Record<string, number>, path: string): number {
  if (typeof v === 'string' && v in names) return names[v]!;
  return num(v, path);
}

const TEMPORALITY: Record<string, number> = { AGGREGATION_TEMPORALITY_UNSPECIFIED: 0, AGGREGATION_TEMPORALITY_DELTA: 1, AGGREGATION_TEMPORALITY_CUMULATIVE: 2 };

function anyToJSON(v: Obj): unknown {
  if ('stringValue' in v || 'string_value' in v) return str(get(v, 'stringValue'));
  if ('boolValue' in v || 'bool_value' in v) return get(v, 'boolValue') === true;
  if ('intValue' in v || 'int_value' in v) return Number(get(v, 'intValue'));
  if ('doubleValue' in v || 'double_value' in v) return num(get(v, 'doubleValue'), 'doubleValue');
  if ('arrayValue' in v || 'array_value' in v) return arr(obj(get(v, 'arrayValue'), 'arrayValue').values, 'values').map((x) => anyToJSON(obj(x, 'value')));
  if ('kvlistValue' in v || 'kvlist_value' in v) {
    const o: Obj = {};
    for (const kv of arr(obj(get(v, 'kvlistValue'), 'kvlistValue').values, 'values')) {
      const k = obj(kv, 'kv');
      o[str(k.key)] = anyToJSON(obj(k.value, 'value'));
    }
    return o;
  }
  if ('bytesValue' in v || 'bytes_value' in v) return str(get(v, 'bytesValue'));
  return null;
}

function anyToString(v: Obj): string {
  if ('doubleValue' in v || 'double_value' in v) return formatFloatG(num(get(v, 'doubleValue'), 'doubleValue'));
  if ('intValue' in v || 'int_value' in v) return str(get(v, 'intValue'));
  const j = anyToJSON(v);
  if (j === null) return '';
  return typeof j === 'string' ? j : typeof j === 'boolean' ? String(j) : JSON.stringify(j);
}

function attrs(v: unknown, path: string): OtlpAttr[] {
  return arr(v, path).map((x, i) => {
    const kv = obj(x, `${path}[${i}]`);
    return { key: str(kv.key), value: anyToString(obj(kv.value, `${path}[${i}].value`)) };
  });
}

function point(o: Obj, kind: OtlpKind, path: string): OtlpPoint {
  const p = newPoint();
  p.attrs = attrs(get(o, 'attributes'), `${path}.attributes`);
  p.startMs = nanosToMs(get(o, 'startTimeUnixNano'), `${path}.startTimeUnixNano`);
  p.timeMs = nanosToMs(get(o, 'timeUnixNano'), `${path}.timeUnixNano`);
  p.flags = num(get(o, 'flags'), `${path}.flags`);
  if (kind === 'gauge' || kind === 'sum') {
    const d = get(o, 'asDouble');
    p.value = d !== undefined ? num(d, `${path}.asDouble`) : num(get(o, 'asInt'), `${path}.asInt`);
  } else if (kind === 'histogram' || kind === 'summary') {
    p.count = num(get(o, 'count'), `${path}.count`);
    const s = get(o, 'sum');
    if (s !== undefined && s !== null) {
      p.sum = num(s, `${path}.sum`);
      p.hasSum = true;
    }
    p.bucketCounts = arr(get(o, 'bucketCounts'), `${path}.bucketCounts`).map((x) => num(x, `${path}.bucketCounts`));
    p.bounds = arr(get(o, 'explicitBounds'), `${path}.explicitBounds`).map((x) => num(x, `${path}.explicitBounds`));
    p.quantiles = arr(get(o, 'quantileValues'), `${path}.quantileValues`).map((x) => {
      const q = obj(x, `${path}.quantileValues`);
      return { q: num(q.quantile, `${path}.quantile`), v: num(q.value, `${path}.value`) };
    });
  } else if (kind === 'exponential_histogram') {
    p.count = num(get(o, 'count'), `${path}.count`);
    const s = get(o, 'sum');
    if (s !== undefined && s !== null) {
      p.sum = num(s, `${path}.sum`);
      p.hasSum = true;
    }
    const side = (key: string) => {
      const b = get(o, key);
      if (b === undefined || b === null) return { offset: 0, counts: [] as number[] };
      const bo = obj(b, `${path}.${key}`);
      return { offset: num(get(bo, 'offset'), `${path}.${key}.offset`), counts: arr(get(bo, 'bucketCounts'), `${path}.${key}.bucketCounts`).map((x) => num(x, `${path}.${key}.bucketCounts`)) };
    };
    const pos = side('positive'), neg = side('negative');
    p.exp = {
      scale: num(get(o, 'scale'), `${path}.scale`), zeroCount: num(get(o, 'zeroCount'), `${path}.zeroCount`), zeroThreshold: num(get(o, 'zeroThreshold'), `${path}.zeroThreshold`),
      posOffset: pos.offset, pos: pos.counts, negOffset: neg.offset, neg: neg.counts,
    };
  }
  return p;
}

const KINDS: [string, OtlpKind][] = [['gauge', 'gauge'], ['sum', 'sum'], ['histogram', 'histogram'], ['exponentialHistogram', 'exponential_histogram'], ['summary', 'summary']];

function metric(o: Obj, path: string): OtlpMetric {
  const m: OtlpMetric = { name: str(o.name), description: str(o.description), unit: str(o.unit), kind: 'none', temporality: 0, monotonic: false, points: [] };
  for (const [field, kind] of KINDS) {
    const d = get(o, field);
    if (d === undefined || d === null) continue;
    const body = obj(d, `${path}.${field}`);
    m.kind = kind;
    m.temporality = enumVal(get(body, 'aggregationTemporality') ?? 0, TEMPORALITY, `${path}.${field}.aggregationTemporality`);
    m.monotonic = get(body, 'isMonotonic') === true;
    m.points = arr(get(body, 'dataPoints'), `${path}.${field}.dataPoints`).map((x, i) => point(obj(x, ''), kind, `${path}.${field}.dataPoints[${i}]`));
    break;
  }
  return m;
}

export function decodeOtlpJson(text: string): OtlpRequest {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new OtlpJsonError(`invalid JSON: ${(e as Error).message}`);
  }
  const out: OtlpRequest = { resources: [] };
  arr(get(obj(root, 'request'), 'resourceMetrics'), 'resourceMetrics').forEach((rmv, i) => {
    const rm = obj(rmv, `resourceMetrics[${i}]`);
    const res = obj(get(rm, 'resource'), `resourceMetrics[${i}].resource`);
    out.resources.push({
      attrs: attrs(get(res, 'attributes'), `resourceMetrics[${i}].resource.attributes`),
      scopes: arr(get(rm, 'scopeMetrics'), `resourceMetrics[${i}].scopeMetrics`).map((smv, j) => {
        const sm = obj(smv, `resourceMetrics[${i}].scopeMetrics[${j}]`);
        const sc = obj(get(sm, 'scope'), 'scope');
        return {
          name: str(sc.name),
          version: str(sc.version),
          metrics: arr(get(sm, 'metrics'), 'metrics').map((mv, k) => metric(obj(mv, ''), `resourceMetrics[${i}].scopeMetrics[${j}].metrics[${k}]`)),
        };
      }),
    });
  });
  return out;
}

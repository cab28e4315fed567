// OTLP metrics to samples, as Prometheus 3's OTLP receiver: cumulative sums and histograms,
// gauges and summaries; resource service.* attributes to job/instance; other resource
// attributes on `target_info`; exponential histograms to native histograms (where the storage
// holds them). Delta temporality is rejected per data point (counted in partial_success).
import { STALE_NAN } from '../../model/sample.js';
import type { Label, Labels } from '../../model/labels.js';
import type { MetricMetadata } from '../../storage/interface.js';
import type { BatchAppend } from '../batch.js';
import { normalizeLabels } from '../batch.js';
import { FloatHistogram } from '../../model/histogram.js';
import { FLAG_NO_RECORDED_VALUE, TEMPORALITY_CUMULATIVE, formatFloatF, type OtlpAttr, type OtlpMetric, type OtlpPoint, type OtlpRequest } from './model.js';
import { labelName, metricName, promUnit, type NamingType } from './names.js';

const SERVICE_NAME = 'service.name';
const SERVICE_NAMESPACE = 'service.namespace';
const SERVICE_INSTANCE_ID = 'service.instance.id';

/** The `otlp:` section of prometheus.yml (the parts Vigil implements). */
export interface OtlpOptions {
  /** Resource attributes copied as labels onto every series of the resource (point attributes win). */
  promoteResourceAttributes?: readonly string[];
  /** Keep service.name, service.namespace, service.instance.id as labels on target_info too. */
  keepIdentifyingResourceAttributes?: boolean;
}

export interface OtlpOutcome {
  rejectedPoints: number;
  /** Points rejected before any append (delta temporality, exponential histograms, bad names). */
  skippedPoints: number;
  /** Distinct reasons, bounded; for partial_success.error_message. */
  messages: string[];
}

const nameCache = new Map<string, string>();
function cachedLabelName(key: string): string {
  let n = nameCache.get(key);
  if (n === undefined) {
    if (nameCache.size > 10_000) nameCache.clear();
    n = labelName(key);
    nameCache.set(key, n);
  }
  return n;
}

function sortedByKey(attrs: readonly OtlpAttr[]): boolean {
  for (let i = 1; i < attrs.length; i++) if (attrs[i - 1]!.key > attrs[i]!.key) return false;
  return true;
}

/** Attributes to labels: in key order, names normalized; colliding names join values with ";". */
function attrLabels(attrs: readonly OtlpAttr[], skip?: Set<string>): Label[] {
  const sorted = sortedByKey(attrs) ? attrs : [...attrs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const out: Label[] = [];
  for (const a of sorted) {
    if (skip?.has(a.key)) continue;
    const n = cachedLabelName(a.key);
    if (n === '') continue;
    let merged = false;
    for (let j = 0; j < out.length; j++) {
      if (out[j]!.name === n) {
        out[j] = { name: n, value: `${out[j]!.value};${a.value}` };
        merged = true;
        break;
      }
    }
    if (!merged) out.push({ name: n, value: a.value });
  }
  return out;
}

function setLabel(ls: Label[], name: string, value: string): void {
  for (let i = 0; i < ls.length; i++) {
    if (ls[i]!.name === name) {
      ls[i] = { name, value };
      return;
    }
  }
  ls.push({ name, value });
}

interface ResourceIds {
  job?: string;
  instance?: string;
}

function resourceIds(attrs: readonly OtlpAttr[]): ResourceIds {
  let name: string | undefined, ns: string | undefined, inst: string | undefined;
  for (const a of attrs) {
    if (a.key === SERVICE_NAME) name = a.value;
    else if (a.key === SERVICE_NAMESPACE) ns = a.value;
    else if (a.key === SERVICE_INSTANCE_ID) inst = a.value;
  }
  const out: ResourceIds = {};
  if (name !== undefined) out.job = ns !== undefined && ns !== '' ? `${ns}/${name}` : name;
  if (inst !== undefined) out.instance = inst;
  return out;
}

function build(base: readonly Label[], ids: ResourceIds, name: string, extraName?: string, extraValue?: string): Label[] {
  const out = base.slice();
  if (ids.job !== undefined) setLabel(out, 'job', ids.job);
  if (ids.instance !== undefined) setLabel(out, 'instance', ids.instance);
  setLabel(out, '__name__', name);
  if (extraName !== undefined) setLabel(out, extraName, extraValue!);
  return out;
}

function namingType(m: OtlpMetric): NamingType {
  if (m.kind === 'sum' && m.monotonic) return 'counter';
  if (m.kind === 'gauge') return 'gauge';
  return 'other';
}

function metaType(m: OtlpMetric): MetricMetadata['type'] {
  switch (m.kind) {
    case 'sum': return m.monotonic ? 'counter' : 'gauge';
    case 'gauge': return 'gauge';
    case 'histogram': case 'exponential_histogram': return 'histogram';
    case 'summary': return 'summary';
    default: return 'unknown';
  }
}

class Outcome implements OtlpOutcome {
  rejectedPoints = 0;
  skippedPoints = 0;
  messages: string[] = [];
  constructor(private readonly max: number) {}
  reject(points: number, msg: string, skipped = true): void {
    this.rejectedPoints += points;
    if (skipped) this.skippedPoints += points;
    if (msg !== '' && this.messages.length < this.max && !this.messages.includes(msg)) this.messages.push(msg);
  }
}

export function convertOtlp(req: OtlpRequest, b: BatchAppend, maxMessages = 10, opts: OtlpOptions = {}): OtlpOutcome {
  const promote = new Set(opts.promoteResourceAttributes ?? []);
  const out = new Outcome(maxMessages);
  const add = (labels: Label[], t: number, v: number): boolean => {
    const ls = normalizeLabels(labels);
    if (typeof ls === 'string') {
      b.invalid(ls, 1);
      return false;
    }
    const before = b.rejected;
    b.one(ls as Labels, t, v);
    return b.rejected === before;
  };

  for (const res of req.resources) {
    const ids = resourceIds(res.attrs);
    const promoted = promote.size ? attrLabels(res.attrs.filter((a) => promote.has(a.key))) : undefined;
    const baseCache = new Map<readonly OtlpAttr[], Label[]>();
    let latest = 0;
    for (const scope of res.scopes) {
      for (const m of scope.metrics) {
        const n = m.points.length;
        if (m.kind === 'none') {
          out.reject(0, `metric ${JSON.stringify(m.name)} has no data`);
          continue;
        }
        if (m.kind === 'exponential_histogram' && !b.app.appendHistogram) {
          out.reject(n, `exponential histograms are not supported by this storage (metric ${JSON.stringify(m.name)})`);
          continue;
        }
        if ((m.kind === 'sum' || m.kind === 'histogram' || m.kind === 'exponential_histogram') && m.temporality !== TEMPORALITY_CUMULATIVE) {
          out.reject(n, `invalid temporality and type combination for metric ${JSON.stringify(m.name)}: only cumulative temporality is supported`);
          continue;
        }
        let name: string;
        try {
          name = metricName(m.name, m.unit, namingType(m));
        } catch (e) {
          out.reject(n, (e as Error).message);
          continue;
        }
        b.meta(name, { type: metaType(m), help: m.description, unit: promUnit(m.unit) });
        for (const p of m.points) {
          if (p.timeMs > latest) latest = p.timeMs;
          let base = baseCache.get(p.attrs);
          if (base === undefined) {
            base = attrLabels(p.attrs);
            if (promoted) for (const l of promoted) if (!base.some((x) => x.name === l.name)) base.push(l);
            if (baseCache.size < 100_000) baseCache.set(p.attrs, base);
          }
          if (m.kind === 'exponential_histogram') {
            const stale = (p.flags & FLAG_NO_RECORDED_VALUE) !== 0;
            const r = stale ? null : convertExpPoint(p);
            if (typeof r === 'string') { out.reject(1, `${r} (metric ${JSON.stringify(m.name)})`); continue; }
            const ls = normalizeLabels(build(base, ids, name));
            if (typeof ls === 'string') { b.invalid(ls, 1); out.reject(1, '', false); continue; }
            const before = b.rejected;
            if (r === null) b.one(ls as Labels, p.timeMs, STALE_NAN);
            else b.histogram(ls as Labels, p.timeMs, r);
            if (b.rejected !== before) out.reject(1, '', false);
            continue;
          }
          const ok = convertPoint(m, p, name, base, ids, add);
          if (!ok) out.reject(1, '', false); // the append error itself is in b.errors
        }
      }
    }
    emitTargetInfo(res.attrs, ids, latest, add, opts.keepIdentifyingResourceAttributes === true);
  }
  return out;
}

function convertPoint(m: OtlpMetric, p: OtlpPoint, name: string, base: readonly Label[], ids: ResourceIds, add: (l: Label[], t: number, v: number) => boolean): boolean {
  const stale = (p.flags & FLAG_NO_RECORDED_VALUE) !== 0;
  const t = p.timeMs;
  let ok = true;
  switch (m.kind) {
    case 'gauge':
    case 'sum':
      return add(build(base, ids, name), t, stale ? STALE_NAN : p.value);
    case 'histogram': {
      if (p.hasSum) ok = add(build(base, ids, name + '_sum'), t, stale ? STALE_NAN : p.sum) && ok;
      ok = add(build(base, ids, name + '_count'), t, stale ? STALE_NAN : p.count) && ok;
      let cum = 0;
      for (let i = 0; i < p.bounds.length; i++) {
        cum += p.bucketCounts[i] ?? 0;
        ok = add(build(base, ids, name + '_bucket', 'le', formatFloatF(p.bounds[i]!)), t, stale ? STALE_NAN : cum) && ok;
      }
      ok = add(build(base, ids, name + '_bucket', 'le', '+Inf'), t, stale ? STALE_NAN : p.count) && ok;
      return ok;
    }
    case 'summary': {
      ok = add(build(base, ids, name + '_sum'), t, stale ? STALE_NAN : p.sum) && ok;
      ok = add(build(base, ids, name + '_count'), t, stale ? STALE_NAN : p.count) && ok;
      for (const q of p.quantiles) ok = add(build(base, ids, name, 'quantile', formatFloatF(q.q)), t, stale ? STALE_NAN : q.v) && ok;
      return ok;
    }
    default:
      return false;
  }
}

/**
 * An exponential histogram point as a native histogram (Prometheus's conversion): OTLP bucket i
 * (upper bound base^(i+1)) is native bucket i+1; scales above 8 are merged down to schema 8;
 * scales below -4 cannot be represented. (A point without a recorded value is a staleness marker.)
 */
function convertExpPoint(p: OtlpPoint): FloatHistogram | string {
  const x = p.exp;
  if (!x) return 'exponential histogram point without buckets';
  if (x.scale < -4) return `cannot convert exponential to native histogram. Scale must be >= -4, was ${x.scale}`;
  const down = Math.max(0, x.scale - 8);
  const h = new FloatHistogram();
  h.schema = Math.min(x.scale, 8);
  // Prometheus uses a tiny fixed zero threshold (OTLP's zero_threshold is not carried over).
  h.zeroThreshold = 1e-128;
  h.zeroCount = x.zeroCount;
  h.count = p.count;
  h.sum = p.hasSum ? p.sum : 0;
  const side = (offset: number, counts: number[]): [number[], number[]] => {
    const idx: number[] = [], cnt: number[] = [];
    for (let i = 0; i < counts.length; i++) {
      const k = ((offset + i) >> down) + 1;
      if (idx.length && idx[idx.length - 1] === k) cnt[cnt.length - 1]! += counts[i]!;
      else { idx.push(k); cnt.push(counts[i]!); }
    }
    return [idx, cnt];
  };
  [h.pIdx, h.pCnt] = side(x.posOffset, x.pos);
  [h.nIdx, h.nCnt] = side(x.negOffset, x.neg);
  return h;
}

const IDENTIFYING = new Set([SERVICE_NAME, SERVICE_NAMESPACE, SERVICE_INSTANCE_ID]);

/** target_info{job, instance, <other resource attributes>} 1 at the resource's latest timestamp. */
function emitTargetInfo(attrs: readonly OtlpAttr[], ids: ResourceIds, latest: number, add: (l: Label[], t: number, v: number) => boolean, keepIdentifying: boolean): void {
  if (latest === 0) return;
  if (!attrs.some((a) => !IDENTIFYING.has(a.key))) return;
  if (ids.job === undefined && ids.instance === undefined) return;
  add(build(attrLabels(attrs, keepIdentifying ? undefined : IDENTIFYING), ids, 'target_info'), latest, 1);
}

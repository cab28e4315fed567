// OTLP ExportMetricsServiceRequest (protobuf) decoder.
import { PbReader, ProtoError, WIRE_LEN } from '../../protobuf/reader.js';
import { LabelCache, StringInterner } from '../../protobuf/intern.js';
import { formatFloatG, newPoint, type OtlpAttr, type OtlpKind, type OtlpMetric, type OtlpPoint, type OtlpRequest, type OtlpResource, type OtlpScope } from './model.js';

/** AnyValue as the collector's AsString: arrays and maps as JSON, bytes as base64. */
function anyValue(r: PbReader, end: number): string {
  let out = '';
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a: out = r.string(); break;
      case 0x10: out = r.bool() ? 'true' : 'false'; break;
      case 0x18: out = String(r.int64()); break;
      case 0x21: out = formatFloatG(r.double()); break;
      case 0x2a: {
        const e = r.lenEnd();
        out = JSON.stringify(arrayValue(r, e));
        r.pos = e;
        break;
      }
      case 0x32: {
        const e = r.lenEnd();
        out = JSON.stringify(kvList(r, e));
        r.pos = e;
        break;
      }
      case 0x3a: out = Buffer.from(r.bytes()).toString('base64'); break;
      default: r.skip(tag & 7);
    }
  }
  return out;
}

/** Nested AnyValue as a JSON-able value (for arrays and maps). */
function anyJSON(r: PbReader, end: number): unknown {
  let out: unknown = null;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a: out = r.string(); break;
      case 0x10: out = r.bool(); break;
      case 0x18: out = r.int64(); break;
      case 0x21: out = r.double(); break;
      case 0x2a: { const e = r.lenEnd(); out = arrayValue(r, e); r.pos = e; break; }
      case 0x32: { const e = r.lenEnd(); out = kvList(r, e); r.pos = e; break; }
      case 0x3a: out = Buffer.from(r.bytes()).toString('base64'); break;
      default: r.skip(tag & 7);
    }
  }
  return out;
}

function arrayValue(r: PbReader, end: number): unknown[] {
  const a: unknown[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 0x0a) {
      const e = r.lenEnd();
      a.push(anyJSON(r, e));
      r.pos = e;
    } else r.skip(tag & 7);
  }
  return a;
}

function kvList(r: PbReader, end: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 0x0a) {
      const e = r.lenEnd();
      let k = '', v: unknown = null;
      while (r.pos < e) {
        const t2 = r.tag();
        if (t2 === 0x0a) k = r.string();
        else if (t2 === 0x12) { const e2 = r.lenEnd(); v = anyJSON(r, e2); r.pos = e2; }
        else r.skip(t2 & 7);
      }
      o[k] = v;
      r.pos = e;
    } else r.skip(tag & 7);
  }
  return o;
}

const interner = new StringInterner(14);
const attrCache = new LabelCache<OtlpAttr>(14);

function keyValue(r: PbReader, end: number): OtlpAttr {
  let key = '', value = '';
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 0x0a) key = r.internedString(interner);
    else if (tag === 0x12) {
      const e = r.lenEnd();
      // string values (the common case) are interned too
      if (e > r.pos && r.buf[r.pos] === 0x0a) {
        r.pos++;
        value = r.internedString(interner);
        if (r.pos < e) value = anyValue(r, e);
      } else value = anyValue(r, e);
      r.pos = e;
    } else r.skip(tag & 7);
  }
  return { key, value };
}

/** Decodes one KeyValue into a (new) attribute list; identical KeyValue bytes share one object. */
function attr(r: PbReader, p: { attrs: OtlpAttr[] }): void {
  const e = r.lenEnd();
  const start = r.pos;
  let a = attrCache.get(r.buf, start, e);
  if (a === undefined) {
    a = keyValue(r, e);
    attrCache.put(r.buf, start, e, a);
  }
  if (Object.isFrozen(p.attrs)) p.attrs = [];
  p.attrs.push(a);
  r.pos = e;
}

/** Repeated fixed64/double, packed or not. */
function packed64(r: PbReader, tag: number, into: number[], dbl: boolean): void {
  if ((tag & 7) === WIRE_LEN) {
    const e = r.lenEnd();
    while (r.pos < e) into.push(dbl ? r.double() : r.fixed64());
  } else into.push(dbl ? r.double() : r.fixed64());
}

function numberPoint(r: PbReader, end: number): OtlpPoint {
  const p = newPoint();
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x3a: attr(r, p); break;
      case 0x11: p.startMs = r.fixed64NanosToMs(); break;
      case 0x19: p.timeMs = r.fixed64NanosToMs(); break;
      case 0x21: p.value = r.double(); break;
      case 0x31: p.value = r.sfixed64(); break;
      case 0x40: p.flags = r.uint32(); break;
      default: r.skip(tag & 7);
    }
  }
  return p;
}

function histogramPoint(r: PbReader, end: number): OtlpPoint {
  const p = newPoint();
  while (r.pos < end) {
    const tag = r.tag();
    const field = tag >>> 3;
    switch (field) {
      case 9: attr(r, p); break;
      case 2: p.startMs = r.fixed64NanosToMs(); break;
      case 3: p.timeMs = r.fixed64NanosToMs(); break;
      case 4: p.count = r.fixed64(); break;
      case 5: p.sum = r.double(); p.hasSum = true; break;
      case 6: if (Object.isFrozen(p.bucketCounts)) p.bucketCounts = []; packed64(r, tag, p.bucketCounts, false); break;
      case 7: if (Object.isFrozen(p.bounds)) p.bounds = []; packed64(r, tag, p.bounds, true); break;
      case 10: p.flags = r.uint32(); break;
      default: r.skip(tag & 7);
    }
  }
  return p;
}

/** ExponentialHistogram.Buckets: sint32 offset = 1, repeated uint64 bucket_counts = 2 (packed). */
function expBuckets(r: PbReader, end: number): { offset: number; counts: number[] } {
  const b = { offset: 0, counts: [] as number[] };
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 0x08) b.offset = r.sint32();
    else if ((tag >>> 3) === 2) {
      if ((tag & 7) === WIRE_LEN) {
        const e = r.lenEnd();
        while (r.pos < e) b.counts.push(r.uint64());
      } else b.counts.push(r.uint64());
    } else r.skip(tag & 7);
  }
  return b;
}

function expHistogramPoint(r: PbReader, end: number): OtlpPoint {
  const p = newPoint();
  const x = { scale: 0, zeroCount: 0, zeroThreshold: 0, posOffset: 0, pos: [] as number[], negOffset: 0, neg: [] as number[] };
  p.exp = x;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag >>> 3) {
      case 1: attr(r, p); break;
      case 2: p.startMs = r.fixed64NanosToMs(); break;
      case 3: p.timeMs = r.fixed64NanosToMs(); break;
      case 4: p.count = r.fixed64(); break;
      case 5: p.sum = r.double(); p.hasSum = true; break;
      case 6: x.scale = r.sint32(); break;
      case 7: x.zeroCount = r.fixed64(); break;
      case 8: case 9: {
        const e = r.lenEnd();
        const b = expBuckets(r, e);
        if ((tag >>> 3) === 8) { x.posOffset = b.offset; x.pos = b.counts; } else { x.negOffset = b.offset; x.neg = b.counts; }
        r.pos = e;
        break;
      }
      case 10: p.flags = r.uint32(); break;
      case 14: x.zeroThreshold = r.double(); break;
      default: r.skip(tag & 7);
    }
  }
  return p;
}

function summaryPoint(r: PbReader, end: number): OtlpPoint {
  const p = newPoint();
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag >>> 3) {
      case 7: attr(r, p); break;
      case 2: p.startMs = r.fixed64NanosToMs(); break;
      case 3: p.timeMs = r.fixed64NanosToMs(); break;
      case 4: p.count = r.fixed64(); break;
      case 5: p.sum = r.double(); p.hasSum = true; break;
      case 6: {
        const e = r.lenEnd();
        const qv = { q: 0, v: 0 };
        while (r.pos < e) {
          const t2 = r.tag();
          if (t2 === 0x09) qv.q = r.double();
          else if (t2 === 0x11) qv.v = r.double();
          else r.skip(t2 & 7);
        }
        if (Object.isFrozen(p.quantiles)) p.quantiles = [];
        p.quantiles.push(qv);
        r.pos = e;
        break;
      }
      case 8: p.flags = r.uint32(); break;
      default: r.skip(tag & 7);
    }
  }
  return p;
}

/** Gauge, Sum, Histogram, ExponentialHistogram or Summary body. */
function metricData(r: PbReader, end: number, m: OtlpMetric): void {
  while (r.pos < end) {
    const tag = r.tag();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === WIRE_LEN) {
      const e = r.lenEnd();
      if (m.kind === 'gauge' || m.kind === 'sum') m.points.push(numberPoint(r, e));
      else if (m.kind === 'histogram') m.points.push(histogramPoint(r, e));
      else if (m.kind === 'summary') m.points.push(summaryPoint(r, e));
      else m.points.push(expHistogramPoint(r, e));
      r.pos = e;
    } else if (field === 2 && m.kind !== 'gauge' && m.kind !== 'summary') m.temporality = r.uint32();
    else if (field === 3 && m.kind === 'sum') m.monotonic = r.bool();
    else r.skip(tag & 7);
  }
}

const KIND_BY_FIELD: Record<number, OtlpKind> = { 5: 'gauge', 7: 'sum', 9: 'histogram', 10: 'exponential_histogram', 11: 'summary' };

function metric(r: PbReader, end: number): OtlpMetric {
  const m: OtlpMetric = { name: '', description: '', unit: '', kind: 'none', temporality: 0, monotonic: false, points: [] };
  while (r.pos < end) {
    const tag = r.tag();
    const field = tag >>> 3;
    if (tag === 0x0a) m.name = r.string();
    else if (tag === 0x12) m.description = r.string();
    else if (tag === 0x1a) m.unit = r.string();
    else if (KIND_BY_FIELD[field] && (tag & 7) === WIRE_LEN) {
      m.kind = KIND_BY_FIELD[field]!;
      const e = r.lenEnd();
      metricData(r, e, m);
      r.pos = e;
    } else r.skip(tag & 7);
  }
  return m;
}

function scope(r: PbReader, end: number): OtlpScope {
  const s: OtlpScope = { name: '', version: '', metrics: [] };
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 0x0a) {
      const e = r.lenEnd();
      while (r.pos < e) {
        const t2 = r.tag();
        if (t2 === 0x0a) s.name = r.string();
        else if (t2 === 0x12) s.version = r.string();
        else r.skip(t2 & 7);
      }
      r.pos = e;
    } else if (tag === 0x12) {
      const e = r.lenEnd();
      s.metrics.push(metric(r, e));
      r.pos = e;
    } else r.skip(tag & 7);
  }
  return s;
}

function resourceMetrics(r: PbReader, end: number): OtlpResource {
  const res: OtlpResource = { attrs: [], scopes: [] };
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 0x0a) {
      const e = r.lenEnd();
      while (r.pos < e) {
        const t2 = r.tag();
        if (t2 === 0x0a) attr(r, res);
        else r.skip(t2 & 7);
      }
      r.pos = e;
    } else if (tag === 0x12) {
      const e = r.lenEnd();
      res.scopes.push(scope(r, e));
      r.pos = e;
    } else r.skip(tag & 7);
  }
  return res;
}

export function decodeOtlpProtobuf(buf: Uint8Array): OtlpRequest {
  const r = new PbReader(buf);
  const out: OtlpRequest = { resources: [] };
  while (!r.eof()) {
    const tag = r.tag();
    if (tag === 0x0a) {
      const e = r.lenEnd();
      out.resources.push(resourceMetrics(r, e));
      r.pos = e;
    } else if (tag === 0) throw new ProtoError(`invalid field tag 0 at byte ${r.pos - 1}`);
    else r.skip(tag & 7);
  }
  return out;
}

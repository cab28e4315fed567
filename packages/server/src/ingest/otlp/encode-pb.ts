// OTLP protobuf encoding: requests (tests, benchmarks, clients) and ExportMetricsServiceResponse.
import { PbReader } from '../../protobuf/reader.js';
import { PbWriter } from '../../protobuf/writer.js';
import { WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from '../../protobuf/reader.js';
import type { OtlpAttr, OtlpMetric, OtlpPoint, OtlpRequest } from './model.js';

function kv(w: PbWriter, field: number, a: OtlpAttr): void {
  w.tag(field, WIRE_LEN).fork();
  w.stringField(1, a.key);
  w.tag(2, WIRE_LEN).fork().tag(1, WIRE_LEN).string(a.value).ldelim();
  w.ldelim();
}

function times(w: PbWriter, p: OtlpPoint): void {
  if (p.startMs) w.tag(2, WIRE_FIXED64).fixed64MsToNanos(p.startMs);
  w.tag(3, WIRE_FIXED64).fixed64MsToNanos(p.timeMs);
}

function point(w: PbWriter, m: OtlpMetric, p: OtlpPoint): void {
  w.tag(1, WIRE_LEN).fork();
  if (m.kind === 'gauge' || m.kind === 'sum') {
    for (const a of p.attrs) kv(w, 7, a);
    times(w, p);
    w.tag(4, WIRE_FIXED64).double(p.value);
    if (p.flags) w.tag(8, WIRE_VARINT).uint32(p.flags);
  } else if (m.kind === 'histogram') {
    for (const a of p.attrs) kv(w, 9, a);
    times(w, p);
    w.tag(4, WIRE_FIXED64).fixed64(p.count);
    if (p.hasSum) w.tag(5, WIRE_FIXED64).double(p.sum);
    w.tag(6, WIRE_LEN).fork();
    for (const c of p.bucketCounts) w.fixed64(c);
    w.ldelim();
    w.tag(7, WIRE_LEN).fork();
    for (const bnd of p.bounds) w.double(bnd);
    w.ldelim();
    if (p.flags) w.tag(10, WIRE_VARINT).uint32(p.flags);
  } else if (m.kind === 'exponential_histogram' && p.exp) {
    const x = p.exp;
    for (const a of p.attrs) kv(w, 1, a);
    times(w, p);
    w.tag(4, WIRE_FIXED64).fixed64(p.count);
    if (p.hasSum) w.tag(5, WIRE_FIXED64).double(p.sum);
    w.tag(6, WIRE_VARINT).uint32(((x.scale << 1) ^ (x.scale >> 31)) >>> 0);
    w.tag(7, WIRE_FIXED64).fixed64(x.zeroCount);
    for (const [field, off, counts] of [[8, x.posOffset, x.pos], [9, x.negOffset, x.neg]] as const) {
      w.tag(field, WIRE_LEN).fork();
      w.tag(1, WIRE_VARINT).uint32(((off << 1) ^ (off >> 31)) >>> 0);
      w.tag(2, WIRE_LEN).fork();
      for (const c of counts) w.uint32(c);
      w.ldelim();
      w.ldelim();
    }
    if (p.flags) w.tag(10, WIRE_VARINT).uint32(p.flags);
    if (x.zeroThreshold) w.tag(14, WIRE_FIXED64).double(x.zeroThreshold);
  } else if (m.kind === 'summary') {
    for (const a of p.attrs) kv(w, 7, a);
    times(w, p);
    w.tag(4, WIRE_FIXED64).fixed64(p.count);
    w.tag(5, WIRE_FIXED64).double(p.sum);
    for (const q of p.quantiles) w.tag(6, WIRE_LEN).fork().doubleField(1, q.q).doubleField(2, q.v).ldelim();
    if (p.flags) w.tag(8, WIRE_VARINT).uint32(p.flags);
  } else {
    times(w, p);
  }
  w.ldelim();
}

const FIELD = { gauge: 5, sum: 7, histogram: 9, exponential_histogram: 10, summary: 11 } as const;

export function encodeOtlpRequest(req: OtlpRequest, w = new PbWriter(4096)): Uint8Array {
  w.reset();
  for (const res of req.resources) {
    w.tag(1, WIRE_LEN).fork();
    w.tag(1, WIRE_LEN).fork();
    for (const a of res.attrs) kv(w, 1, a);
    w.ldelim();
    for (const sc of res.scopes) {
      w.tag(2, WIRE_LEN).fork();
      w.tag(1, WIRE_LEN).fork().stringField(1, sc.name).stringField(2, sc.version).ldelim();
      for (const m of sc.metrics) {
        w.tag(2, WIRE_LEN).fork();
        w.stringField(1, m.name).stringField(2, m.description).stringField(3, m.unit);
        if (m.kind !== 'none') {
          w.tag(FIELD[m.kind], WIRE_LEN).fork();
          for (const p of m.points) point(w, m, p);
          if (m.kind !== 'gauge' && m.kind !== 'summary' && m.temporality) w.tag(2, WIRE_VARINT).uint32(m.temporality);
          if (m.kind === 'sum' && m.monotonic) w.tag(3, WIRE_VARINT).bool(true);
          w.ldelim();
        }
        w.ldelim();
      }
      w.ldelim();
    }
    w.ldelim();
  }
  return w.finish().slice();
}

export interface PartialSuccess {
  rejectedDataPoints: number;
  errorMessage: string;
}

/** ExportMetricsServiceResponse; empty when nothing was rejected. */
export function encodeOtlpResponse(ps?: PartialSuccess): Uint8Array {
  const w = new PbWriter(64);
  if (ps && (ps.rejectedDataPoints > 0 || ps.errorMessage !== '')) {
    w.tag(1, WIRE_LEN).fork().int64Field(1, ps.rejectedDataPoints).stringField(2, ps.errorMessage).ldelim();
  }
  return w.finish().slice();
}

export function decodeOtlpResponse(buf: Uint8Array): PartialSuccess | undefined {
  const r = new PbReader(buf);
  let out: PartialSuccess | undefined;
  while (!r.eof()) {
    const tag = r.tag();
    if (tag !== 0x0a) {
      r.skip(tag & 7);
      continue;
    }
    const e = r.lenEnd();
    out = { rejectedDataPoints: 0, errorMessage: '' };
    while (r.pos < e) {
      const t2 = r.tag();
      if (t2 === 0x08) out.rejectedDataPoints = r.int64();
      else if (t2 === 0x12) out.errorMessage = r.string();
      else r.skip(t2 & 7);
    }
  }
  return out;
}

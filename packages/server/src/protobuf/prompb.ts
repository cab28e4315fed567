// Prometheus remote_write 1.0 / remote read messages (prompb types.proto, remote.proto).
// Samples of a whole request live in two flat Float64Arrays; each series points at its range.
import type { Label } from '../model/labels.js';
import { PbReader, ProtoError, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './reader.js';
import { PbWriter } from './writer.js';
import { LabelCache, StringInterner } from './intern.js';
import { decodePbHistogram, writePbHistogram, type PbHistogramSample } from './prompbhist.js';

export interface PbExemplar {
  labels: Label[];
  value: number;
  /** ms; 0 when absent (as on the wire). */
  timestamp: number;
}

export interface PbTimeSeries {
  labels: Label[];
  /** Sample range [start, end) in the request's t/v arrays. */
  start: number;
  end: number;
  exemplars: PbExemplar[];
  /** Number of native histogram samples. */
  histograms: number;
  /** The native histogram samples, decoded (absent when there are none). */
  hist?: PbHistogramSample[];
  /** 53-bit hash of the label bytes as sent (for receiver-side series caches; not an identity). */
  labelsHash: number;
}

export type PbMetricType = 'unknown' | 'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset';
export const METRIC_TYPES: readonly PbMetricType[] = ['unknown', 'counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset'];

export interface PbMetricMetadata {
  type: PbMetricType;
  metricFamilyName: string;
  help: string;
  unit: string;
}

export interface PbWriteRequest {
  series: PbTimeSeries[];
  /** Sample timestamps (ms) and values of all series, bit-exact. */
  t: Float64Array;
  v: Float64Array;
  /** Number of samples used in t/v. */
  samples: number;
  metadata: PbMetricMetadata[];
}

class SampleBuf {
  t: Float64Array;
  v: Float64Array;
  n = 0;
  constructor(cap: number) {
    this.t = new Float64Array(cap);
    this.v = new Float64Array(cap);
  }
  grow(): void {
    const cap = this.t.length * 2 || 64;
    const t = new Float64Array(cap), v = new Float64Array(cap);
    t.set(this.t);
    v.set(this.v);
    this.t = t;
    this.v = v;
  }
}

const sharedInterner = new StringInterner(16);
const labelCache = new LabelCache<Label>(16);
const NO_EXEMPLARS: PbExemplar[] = [];

function decodeLabel(r: PbReader, end: number, it: StringInterner = sharedInterner): Label {
  let name = '', value = '';
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a: name = r.internedString(it); break;
      case 0x12: value = r.internedString(it); break;
      default: r.skip(tag & 7);
    }
  }
  return { name, value };
}

function decodeSample(r: PbReader, end: number, sb: SampleBuf): void {
  if (sb.n === sb.t.length) sb.grow();
  const i = sb.n++;
  sb.t[i] = 0;
  sb.v[i] = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 0x09) r.doubleInto(sb.v, i);
    else if (tag === 0x10) sb.t[i] = r.int64();
    else r.skip(tag & 7);
  }
}

function decodeExemplar(r: PbReader, end: number): PbExemplar {
  const ex: PbExemplar = { labels: [], value: 0, timestamp: 0 };
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 0x0a) {
      const e = r.lenEnd();
      ex.labels.push(decodeLabel(r, e));
      r.pos = e;
    } else if (tag === 0x11) ex.value = r.double();
    else if (tag === 0x18) ex.timestamp = r.int64();
    else r.skip(tag & 7);
  }
  return ex;
}

function decodeTimeSeries(r: PbReader, end: number, sb: SampleBuf): PbTimeSeries {
  const ts: PbTimeSeries = { labels: [], start: sb.n, end: sb.n, exemplars: NO_EXEMPLARS, histograms: 0, labelsHash: 0 };
  let h1 = 0x9747b28c, h2 = 0x85ebca6b;
  while (r.pos < end) {
    const tag = r.tag();
    if ((tag & 7) !== WIRE_LEN) {
      r.skip(tag & 7);
      continue;
    }
    const e = r.lenEnd();
    switch (tag >>> 3) {
      case 1: {
        const p = r.pos;
        let l = labelCache.get(r.buf, p, e);
        if (l === undefined) {
          l = decodeLabel(r, e);
          labelCache.put(r.buf, p, e, l);
        }
        ts.labels.push(l);
        const lh = labelCache.lastHash;
        h1 = Math.imul(h1 ^ lh, 0x9e3779b1);
        h2 = Math.imul(h2 ^ lh, 0x85ebca77) ^ (h2 >>> 13);
        break;
      }
      case 2: decodeSample(r, e, sb); break;
      case 3:
        if (ts.exemplars === NO_EXEMPLARS) ts.exemplars = [];
        ts.exemplars.push(decodeExemplar(r, e));
        break;
      case 4:
        ts.histograms++;
        (ts.hist ??= []).push(decodePbHistogram(r, e));
        break;
    }
    r.pos = e;
  }
  ts.end = sb.n;
  ts.labelsHash = ((h2 >>> 0) & 0x1fffff) * 4294967296 + (h1 >>> 0);
  return ts;
}

function decodeMetadata(r: PbReader, end: number): PbMetricMetadata {
  const m: PbMetricMetadata = { type: 'unknown', metricFamilyName: '', help: '', unit: '' };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x08: m.type = METRIC_TYPES[r.uint32()] ?? 'unknown'; break;
      case 0x12: m.metricFamilyName = r.string(); break;
      case 0x22: m.help = r.string(); break;
      case 0x2a: m.unit = r.string(); break;
      default: r.skip(tag & 7);
    }
  }
  return m;
}

/** Decodes a (decompressed) WriteRequest. Throws ProtoError naming the byte offset on bad input. */
export function decodeWriteRequest(buf: Uint8Array): PbWriteRequest {
  const r = new PbReader(buf);
  const sb = new SampleBuf(Math.max(64, Math.min(1 << 20, buf.length >>> 4)));
  const series: PbTimeSeries[] = [];
  const metadata: PbMetricMetadata[] = [];
  while (!r.eof()) {
    const tag = r.tag();
    if (tag === 0x0a) {
      const e = r.lenEnd();
      series.push(decodeTimeSeries(r, e, sb));
      r.pos = e;
    } else if (tag === 0x1a) {
      const e = r.lenEnd();
      metadata.push(decodeMetadata(r, e));
      r.pos = e;
    } else if (tag === 0) {
      throw new ProtoError(`invalid field tag 0 at byte ${r.pos - 1}`);
    } else r.skip(tag & 7);
  }
  return { series, t: sb.t, v: sb.v, samples: sb.n, metadata };
}

// ---- encoding ----

export function writeLabels(w: PbWriter, field: number, labels: readonly Label[]): void {
  for (const l of labels) {
    w.tag(field, WIRE_LEN).fork();
    w.stringField(1, l.name).stringField(2, l.value);
    w.ldelim();
  }
}

/** The labels of a TimeSeries as encoded fields (field 1, repeated), to cache per series. */
export function encodeLabelsField(labels: readonly Label[]): Uint8Array {
  const w = new PbWriter(128);
  writeLabels(w, 1, labels);
  return w.finish().slice();
}

function varintLen(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/**
 * Appends one TimeSeries holding a single sample, with the label section pre-encoded
 * (remote_write 1.0 senders send a TimeSeries per sample; lengths are computed, no fork()).
 */
export function writeSingleSampleSeries(w: PbWriter, encLabels: Uint8Array, t: number, v: number): void {
  const sampleLen = 9 + (t === 0 ? 0 : 1 + (t < 0 ? 10 : varintLen(t)));
  const tsLen = encLabels.length + 1 + varintLen(sampleLen) + sampleLen;
  w.tag(1, WIRE_LEN).int64(tsLen).raw(encLabels);
  w.tag(2, WIRE_LEN).uint32(sampleLen);
  w.tag(1, WIRE_FIXED64).double(v);
  if (t !== 0) w.tag(2, WIRE_VARINT).int64(t);
}

/** Input for encoding one series: labels plus sample arrays (t in ms). */
export interface TimeSeriesInput {
  labels: readonly Label[];
  t: ArrayLike<number>;
  v: ArrayLike<number>;
  /** Native histogram samples (written as Histogram messages, field 4). */
  hist?: readonly PbHistogramSample[];
  /** Sample range in t/v, default the whole arrays. */
  start?: number;
  end?: number;
  exemplars?: readonly PbExemplar[];
}

export function writeTimeSeries(w: PbWriter, field: number, s: TimeSeriesInput): void {
  w.tag(field, WIRE_LEN).fork();
  writeLabels(w, 1, s.labels);
  const end = s.end ?? s.t.length;
  for (let i = s.start ?? 0; i < end; i++) {
    w.tag(2, WIRE_LEN).fork();
    w.tag(1, WIRE_FIXED64).double(s.v[i]!);
    w.int64Field(2, s.t[i]!);
    w.ldelim();
  }
  for (const x of s.hist ?? []) writePbHistogram(w, 4, x.t, x.h);
  for (const ex of s.exemplars ?? []) {
    w.tag(3, WIRE_LEN).fork();
    writeLabels(w, 1, ex.labels);
    w.tag(2, WIRE_FIXED64).double(ex.value);
    w.int64Field(3, ex.timestamp);
    w.ldelim();
  }
  w.ldelim();
}

export function writeMetadata(w: PbWriter, field: number, m: PbMetricMetadata): void {
  w.tag(field, WIRE_LEN).fork();
  const ti = METRIC_TYPES.indexOf(m.type);
  if (ti > 0) w.tag(1, WIRE_VARINT).uint32(ti);
  w.stringField(2, m.metricFamilyName).stringField(4, m.help).stringField(5, m.unit);
  w.ldelim();
}

/** Encodes a WriteRequest (uncompressed protobuf). Reuse `w` across calls to avoid allocation. */
export function encodeWriteRequest(series: readonly TimeSeriesInput[], metadata: readonly PbMetricMetadata[] = [], w = new PbWriter(4096)): Uint8Array {
  w.reset();
  for (const s of series) writeTimeSeries(w, 1, s);
  for (const m of metadata) writeMetadata(w, 3, m);
  return w.finish();
}

/** Re-encodes a decoded request (tests, proxies). */
export function encodeDecodedWriteRequest(req: PbWriteRequest, w = new PbWriter(4096)): Uint8Array {
  return encodeWriteRequest(
    req.series.map((s) => ({ labels: s.labels, t: req.t, v: req.v, start: s.start, end: s.end, exemplars: s.exemplars, hist: s.hist })),
    req.metadata,
    w,
  );
}

// ---- remote read (remote.proto) ----

export type PbMatchType = '=' | '!=' | '=~' | '!~';
const MATCH_TYPES: readonly PbMatchType[] = ['=', '!=', '=~', '!~'];

export interface PbReadHints {
  stepMs: number;
  func: string;
  startMs: number;
  endMs: number;
  grouping: string[];
  by: boolean;
  rangeMs: number;
}

export interface PbQuery {
  startTimestampMs: number;
  endTimestampMs: number;
  matchers: { type: PbMatchType; name: string; value: string }[];
  hints?: PbReadHints;
}

export interface PbReadRequest {
  queries: PbQuery[];
  /** 0 = SAMPLES, 1 = STREAMED_XOR_CHUNKS. */
  acceptedResponseTypes: number[];
}

function decodeHints(r: PbReader, end: number): PbReadHints {
  const h: PbReadHints = { stepMs: 0, func: '', startMs: 0, endMs: 0, grouping: [], by: false, rangeMs: 0 };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x08: h.stepMs = r.int64(); break;
      case 0x12: h.func = r.string(); break;
      case 0x18: h.startMs = r.int64(); break;
      case 0x20: h.endMs = r.int64(); break;
      case 0x2a: h.grouping.push(r.string()); break;
      case 0x30: h.by = r.bool(); break;
      case 0x38: h.rangeMs = r.int64(); break;
      default: r.skip(tag & 7);
    }
  }
  return h;
}

function decodeQuery(r: PbReader, end: number): PbQuery {
  const q: PbQuery = { startTimestampMs: 0, endTimestampMs: 0, matchers: [] };
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 0x08) q.startTimestampMs = r.int64();
    else if (tag === 0x10) q.endTimestampMs = r.int64();
    else if (tag === 0x1a) {
      const e = r.lenEnd();
      const m = { type: '=' as PbMatchType, name: '', value: '' };
      while (r.pos < e) {
        const t2 = r.tag();
        if (t2 === 0x08) {
          const ti = r.uint32();
          const mt = MATCH_TYPES[ti];
          if (!mt) throw new ProtoError(`unknown label matcher type ${ti}`);
          m.type = mt;
        } else if (t2 === 0x12) m.name = r.string();
        else if (t2 === 0x1a) m.value = r.string();
        else r.skip(t2 & 7);
      }
      q.matchers.push(m);
      r.pos = e;
    } else if (tag === 0x22) {
      const e = r.lenEnd();
      q.hints = decodeHints(r, e);
      r.pos = e;
    } else r.skip(tag & 7);
  }
  return q;
}

export function decodeReadRequest(buf: Uint8Array): PbReadRequest {
  const r = new PbReader(buf);
  const out: PbReadRequest = { queries: [], acceptedResponseTypes: [] };
  while (!r.eof()) {
    const tag = r.tag();
    if (tag === 0x0a) {
      const e = r.lenEnd();
      out.queries.push(decodeQuery(r, e));
      r.pos = e;
    } else if (tag === 0x10) out.acceptedResponseTypes.push(r.uint32());
    else if (tag === 0x12) {
      const e = r.lenEnd(); // packed enum
      while (r.pos < e) out.acceptedResponseTypes.push(r.uint32());
    } else r.skip(tag & 7);
  }
  return out;
}

export function encodeReadRequest(req: PbReadRequest, w = new PbWriter()): Uint8Array {
  w.reset();
  for (const q of req.queries) {
    w.tag(1, WIRE_LEN).fork();
    w.int64Field(1, q.startTimestampMs).int64Field(2, q.endTimestampMs);
    for (const m of q.matchers) {
      w.tag(3, WIRE_LEN).fork();
      const ti = MATCH_TYPES.indexOf(m.type);
      if (ti > 0) w.tag(1, WIRE_VARINT).uint32(ti);
      w.stringField(2, m.name).stringField(3, m.value);
      w.ldelim();
    }
    if (q.hints) {
      const h = q.hints;
      w.tag(4, WIRE_LEN).fork();
      w.int64Field(1, h.stepMs).stringField(2, h.func).int64Field(3, h.startMs).int64Field(4, h.endMs);
      for (const g of h.grouping) w.stringField(5, g);
      if (h.by) w.tag(6, WIRE_VARINT).bool(true);
      w.int64Field(7, h.rangeMs);
      w.ldelim();
    }
    w.ldelim();
  }
  for (const t of req.acceptedResponseTypes) w.tag(2, WIRE_VARINT).uint32(t);
  return w.finish();
}

/** ReadResponse with SAMPLES results: one QueryResult per query, each a list of series. */
export function encodeReadResponse(results: readonly (readonly TimeSeriesInput[])[], w = new PbWriter(4096)): Uint8Array {
  w.reset();
  for (const res of results) {
    w.tag(1, WIRE_LEN).fork();
    for (const s of res) writeTimeSeries(w, 1, s);
    w.ldelim();
  }
  return w.finish();
}

/** Decodes a SAMPLES ReadResponse into one flat request-like value per query result. */
export function decodeReadResponse(buf: Uint8Array): PbWriteRequest[] {
  const r = new PbReader(buf);
  const out: PbWriteRequest[] = [];
  while (!r.eof()) {
    const tag = r.tag();
    if (tag !== 0x0a) {
      r.skip(tag & 7);
      continue;
    }
    const e = r.lenEnd();
    const sb = new SampleBuf(64);
    const series: PbTimeSeries[] = [];
    while (r.pos < e) {
      const t2 = r.tag();
      if (t2 === 0x0a) {
        const e2 = r.lenEnd();
        series.push(decodeTimeSeries(r, e2, sb));
        r.pos = e2;
      } else r.skip(t2 & 7);
    }
    r.pos = e;
    out.push({ series, t: sb.t, v: sb.v, samples: sb.n, metadata: [] });
  }
  return out;
}
